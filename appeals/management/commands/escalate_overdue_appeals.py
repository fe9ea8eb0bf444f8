"""Send every overdue open request once to the level above. Idempotent: run it on a schedule."""

from django.core.management.base import BaseCommand

from appeals.handling import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue residents' requests to the level above (each request once)."

    def handle(self, *args, **options):
        count = escalate_overdue()
        self.stdout.write(f"{count} overdue request(s) escalated.")
