"""Mix sealed anonymous and invitation answers: batches of open surveys, the remainder of closed ones."""

from django.core.management.base import BaseCommand, CommandError

from surveys import mixing


class Command(BaseCommand):
    help = (
        "Open, shuffle and store the sealed responses of anonymous and invitation surveys: a batch when at "
        "least SEALING_MIX_BATCH wait, everything when the survey has closed (then its key is destroyed)."
    )

    def handle(self, *args, **options):
        done = mixing.run()
        self.stdout.write(f"{done['mixed']} responses mixed; {done['settled']} closed surveys settled.")
        for failure in done["failed"]:
            self.stderr.write(f"Could not open the sealed responses of survey {failure}")
        if done["failed"]:
            raise CommandError(f"{len(done['failed'])} surveys could not be mixed: see above.")
