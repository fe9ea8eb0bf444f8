"""The daily run of organisational life (idempotent: run it as often as you like).

Puts elected committees in office on their day (roles follow), reminds terms that end soon or are
overdue, tells those who missed a meeting about their make-up study, and sends cadence warnings.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from orglife import attendance, cadence, terms
from orglife.models import Meeting


class Command(BaseCommand):
    help = "Committees in office, term reminders, make-up study and cadence warnings (daily, idempotent)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        applied = terms.apply_due(today)
        reminded = terms.send_reminders(today)
        makeups = 0
        ended = Meeting.objects.live().filter(makeups_assigned_at=None, present__gt=0, ends_at__lt=timezone.now())
        for meeting in ended.only("pk")[:1000]:
            makeups += attendance.assign_makeups(meeting)
        warned = cadence.send_notices(today)
        self.stdout.write(
            f"committees in office: {applied}, term reminders: {reminded}, make-up notices: {makeups}, "
            f"branches warned about cadence: {warned}"
        )
