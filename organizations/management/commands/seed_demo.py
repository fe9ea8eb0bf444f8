"""Build the demo site: deterministic, in Chinese, safe to run twice.

Each app may contribute a `demo` module with `seed(demo)`; they run in
INSTALLED_APPS order, so lower floors seed first and higher ones build on them.
"""

import importlib
import random
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from organizations.demo import DEMO_LOGINS, DEMO_PASSWORD
from organizations.models import Organization

STREET_CODE = "xingfu"


@dataclass
class Demo:
    members: int
    residents: int
    rng: random.Random
    stdout: object
    survey_responses: int = 0
    thread_posts: int = 150
    logins: list[tuple[str, str]] = field(default_factory=list)
    shared: dict = field(default_factory=dict)

    def login(self, role: str, email: str) -> None:
        self.logins.append((role, email))


def _demo_modules():
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
            continue
        yield module


class Command(BaseCommand):
    help = "Seed a believable Chinese demo site (organisations, members, residents, pages)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=80, help="Party members across the four branches.")
        parser.add_argument("--residents", type=int, default=300, help="Residents with accounts.")
        parser.add_argument(
            "--survey-responses", type=int, default=0, help="Extra responses to the open survey, for benchmarks."
        )
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
            survey_responses=options["survey_responses"],
            thread_posts=options["thread_posts"],
        )
        with transaction.atomic():
            for module in _demo_modules():
                module.seed(demo)
        self.stdout.write(self.style.SUCCESS("Demo site seeded."))
        self._print_logins(demo.logins)

    def _print_logins(self, logins) -> None:
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for role, email in logins:
            self.stdout.write(f"  {role:<28} {email}")
