from django.core.management.base import BaseCommand

from consultation.opinion_map import compute_stale


class Command(BaseCommand):
    help = "Recompute the opinion maps whose statements got new votes (run every few minutes from cron or a timer)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Recompute every enabled map, stale or not.")

    def handle(self, *args, **options):
        count = compute_stale(force=options["all"])
        self.stdout.write(f"Opinion maps computed: {count}")
