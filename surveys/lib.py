"""Framework-free helpers for surveys: the satisfaction scale and its arithmetic, invitation codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# The shared contract (CONTRIBUTING.md): codes stored in answers, and their labels.
SATISFIED = "satisfied"
BASICALLY_SATISFIED = "basically_satisfied"
DISSATISFIED = "dissatisfied"
UNKNOWN = "unknown"
SATISFACTION_LEVELS = [
    (SATISFIED, _("Satisfied")),
    (BASICALLY_SATISFIED, _("Basically satisfied")),
    (DISSATISFIED, _("Dissatisfied")),
    (UNKNOWN, _("Don't know")),
]
# The national default of the weighted score: 满意 100%, 基本满意 75%, 不满意 0 of each item's weight.
DEFAULT_LEVEL_SCORES = {SATISFIED: 100.0, BASICALLY_SATISFIED: 75.0, DISSATISFIED: 0.0}


@dataclass
class LevelCounts:
    """How many answers fell on each level of the satisfaction scale; `blank` counts the unanswered.

    满意率 = (satisfied + basically_satisfied) ÷ valid, where valid excludes 不了解 and blanks.
    """

    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    unknown: int = 0
    blank: int = 0

    def __add__(self, other: LevelCounts) -> LevelCounts:
        return LevelCounts(
            self.satisfied + other.satisfied,
            self.basically_satisfied + other.basically_satisfied,
            self.dissatisfied + other.dissatisfied,
            self.unknown + other.unknown,
            self.blank + other.blank,
        )

    def add(self, code: str, count: int) -> None:
        if code in (SATISFIED, BASICALLY_SATISFIED, DISSATISFIED, UNKNOWN):
            setattr(self, code, getattr(self, code) + count)

    @property
    def answered(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied + self.unknown

    @property
    def valid(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def rate(self) -> float | None:
        """满意率 as a fraction (0–1), None when there is no valid answer."""
        return (self.satisfied + self.basically_satisfied) / self.valid if self.valid else None

    @property
    def shares(self) -> dict[str, float | None]:
        """Share of 满意, 基本满意 and 不满意 among valid answers."""
        return {
            code: (getattr(self, code) / self.valid if self.valid else None)
            for code in (SATISFIED, BASICALLY_SATISFIED, DISSATISFIED)
        }

    def score(self, level_scores: dict[str, float] | None = None) -> float | None:
        """Mean level score of the valid answers (0–100 with the default scores)."""
        if not self.valid:
            return None
        scores = level_scores or DEFAULT_LEVEL_SCORES
        total = sum(
            getattr(self, code) * scores.get(code, 0.0) for code in (SATISFIED, BASICALLY_SATISFIED, DISSATISFIED)
        )
        return total / self.valid


@dataclass
class WeightedItem:
    counts: LevelCounts
    weight: float = 1.0


def weighted_score(items: list[WeightedItem], level_scores: dict[str, float] | None = None) -> float | None:
    """Σ weight × item score ÷ Σ weight, over the items that have valid answers."""
    total = weights = 0.0
    for item in items:
        score = item.counts.score(level_scores)
        if score is None or item.weight <= 0:
            continue
        total += item.weight * score
        weights += item.weight
    return total / weights if weights else None


@dataclass
class Distribution:
    """Counts per option of a question, in the question's order, with their shares of `base`."""

    options: list[tuple[str, str]]  # (value, label)
    counts: dict[str, int] = field(default_factory=dict)
    base: int = 0

    def rows(self):
        for value, label in self.options:
            count = self.counts.get(value, 0)
            yield label, count, (count / self.base if self.base else None)


# --- invitation codes ----------------------------------------------------------------------------

# No 0/O, 1/I/L: codes are typed from paper by people of every age.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    """A random invitation code, ~49 bits, printed in two groups of five."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(code: str) -> str:
    """Upper-case, without spaces or dashes: what a resident types is compared as printed."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_code(code: str, pepper: str) -> str:
    """HMAC-SHA256 of the normalised code with a server-side pepper: the database never holds codes."""
    return hmac.new(pepper.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()
