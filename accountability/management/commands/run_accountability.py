"""The daily run of the lists: escalate overdue supervision notices, remind of due and overdue work, and
propose problems from the platform's data. Safe to run more than once a day: each step does its work once."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accountability import proposals, reminders, supervision
from organizations.models import Organization


class Command(BaseCommand):
    help = "Escalate overdue supervision notices, send reminders and propose problems (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--no-proposals", action="store_true", help="Skip the rules that propose problems.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        escalated = supervision.escalate_overdue(today)
        reminded = reminders.remind_due(today)
        proposed = 0
        if not options["no_proposals"]:
            for branch in Organization.objects.filter(kind=Organization.Kind.BRANCH).select_related("page"):
                proposed += proposals.propose(branch, today.year, today)
        self.stdout.write(f"escalated {escalated}, reminded {reminded}, proposed {proposed}")
