from django.core.management.base import BaseCommand

from notifications.delivery import send_digests


class Command(BaseCommand):
    help = "Email the daily digest of notifications to users who chose it (run once a day)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Digests sent: {sent}")
