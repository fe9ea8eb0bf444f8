"""What the demo builders share, and the order they run in.

Each builder module has `seed(demo)`. Lower floors seed first and higher ones build on what they left
in `demo.shared` (the street, organisations, grids, members…), so the order is the floors' order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from demo import (
    accountability,
    appeals,
    consultation,
    evaluation,
    home,
    membership,
    organizations,
    orglife,
    surveys,
)

BUILDERS = (organizations, home, consultation, surveys, appeals, orglife, evaluation, membership, accountability)
STREET_CODE = organizations.STREET_CODE


@dataclass
class Demo:
    members: int
    residents: int
    rng: random.Random
    stdout: object
    thread_posts: int = 150
    logins: list[tuple[str, str]] = field(default_factory=list)
    shared: dict = field(default_factory=dict)

    def login(self, role: str, email: str) -> None:
        self.logins.append((role, email))


def build(demo: Demo) -> None:
    for builder in BUILDERS:
        builder.seed(demo)
