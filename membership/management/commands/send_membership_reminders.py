"""Daily: remind whoever must act of due membership work (run it before send_notification_digest)."""

from django.core.management.base import BaseCommand

from membership import reminders


class Command(BaseCommand):
    help = "Send reminders of due recruitment steps, mobile members out of touch, dues arrears and required study."

    def handle(self, *args, **options):
        sent = reminders.send()
        self.stdout.write(f"{sent} reminder(s) sent.")
