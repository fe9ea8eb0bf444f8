from django.core.management.base import BaseCommand

from notifications.delivery import send_digests
from notifications.tasks import DIGEST_BATCH, enqueue_digests


class Command(BaseCommand):
    help = (
        "Enqueue the daily digest of notifications, in batches of users, for the task workers (run once a day; "
        "--now sends them in this process instead)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Send every digest here, without the task queue.")
        parser.add_argument("--batch", type=int, default=DIGEST_BATCH, help="Users per task (default %(default)s).")

    def handle(self, *args, **options):
        if options["now"]:
            self.stdout.write(f"Digests sent: {send_digests()}")
            return
        batches, users = enqueue_digests(max(1, options["batch"]))
        self.stdout.write(f"Digest batches enqueued: {batches} ({users} users)")
