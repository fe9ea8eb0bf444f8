"""Build the demo site: deterministic, in Chinese, safe to run twice (`--if-empty` for `make run`)."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.organizations import DEMO_LOGINS, DEMO_PASSWORD
from demo.seed import STREET_CODE, Demo, build
from organizations.models import Organization


class Command(BaseCommand):
    help = "Seed a believable Chinese demo site (organisations, members, residents, pages)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=80, help="Party members across the four branches.")
        parser.add_argument("--residents", type=int, default=300, help="Residents with accounts.")
        parser.add_argument(
            "--thread-posts", type=int, default=150, help="Top-level posts in the open consultation's thread."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same site.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing, quietly, if the demo exists.")

    def handle(self, *args, **options):
        if Organization.objects.filter(code=STREET_CODE).exists():
            if not options["if_empty"]:
                self.stdout.write(self.style.WARNING("The demo is already seeded; nothing was changed."))
            self._print_logins(DEMO_LOGINS)
            return
        demo = Demo(
            options["members"],
            options["residents"],
            random.Random(options["seed"]),
            self.stdout,
            thread_posts=options["thread_posts"],
        )
        with transaction.atomic():
            build(demo)
        self.stdout.write(self.style.SUCCESS("Demo site seeded."))
        self._print_logins(demo.logins)

    def _print_logins(self, logins) -> None:
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for role, email in logins:
            self.stdout.write(f"  {role:<28} {email}")
