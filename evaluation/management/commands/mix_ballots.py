"""Mix the sealed appraisal ballots: a batch for every open ballot box (see evaluation/mixing.py)."""

from django.core.management.base import BaseCommand

from evaluation import mixing


class Command(BaseCommand):
    help = (
        "Open, shuffle and write the sealed appraisal ballots in batches of at least SEALING_MIX_BATCH; "
        "finish closed boxes and destroy their keys."
    )

    def handle(self, *args, **options):
        done = mixing.mix_open_campaigns()
        self.stdout.write(f"mixed {done['mixed']} ballots; destroyed {done['keys_destroyed']} keys")
