"""The satisfaction scale: 满意 / 基本满意 / 不满意 / 不了解, and its arithmetic.

One scale for every app that asks residents how satisfied they are: the satisfaction questions of
surveys, the ratings of consultation outcomes, and the reports that pool both. The codes are what the
database stores (answers, ratings), so they never change:

    from core.satisfaction import LevelCounts, Satisfaction
    counts = LevelCounts.of({"satisfied": 5, "dissatisfied": 1})
    counts.rate                                  # 满意率, 5 ÷ 6
    Satisfaction.choices                         # [(code, label)], for forms and model fields

满意率 = (满意 + 基本满意) ÷ valid answers, where 不了解 and blanks are not valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy


class Satisfaction(models.TextChoices):
    """The levels, in the order they are offered and shown."""

    SATISFIED = "satisfied", pgettext_lazy("satisfaction level", "Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", pgettext_lazy("satisfaction level", "Basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("satisfaction level", "Dissatisfied")
    UNKNOWN = "unknown", pgettext_lazy("satisfaction level", "Don't know")


SATISFIED = Satisfaction.SATISFIED.value
BASICALLY_SATISFIED = Satisfaction.BASICALLY_SATISFIED.value
DISSATISFIED = Satisfaction.DISSATISFIED.value
UNKNOWN = Satisfaction.UNKNOWN.value
CODES = tuple(Satisfaction.values)
# The levels that count in 满意率 (不了解 is no judgement).
VALID_CODES = (SATISFIED, BASICALLY_SATISFIED, DISSATISFIED)
# The national default of the weighted score: 满意 100%, 基本满意 75%, 不满意 0 of each item's weight.
DEFAULT_LEVEL_SCORES = {SATISFIED: 100.0, BASICALLY_SATISFIED: 75.0, DISSATISFIED: 0.0}


def label_of(code: str) -> str:
    """The translated label of a level's code; an unknown code is shown as it is."""
    return str(Satisfaction(code).label) if code in CODES else code


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

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> LevelCounts:
        """The counts of a {code: count} mapping (codes off the scale are left aside)."""
        result = cls()
        for code, count in counts.items():
            result.add(code, count)
        return result

    def __add__(self, other: LevelCounts) -> LevelCounts:
        return LevelCounts(
            self.satisfied + other.satisfied,
            self.basically_satisfied + other.basically_satisfied,
            self.dissatisfied + other.dissatisfied,
            self.unknown + other.unknown,
            self.blank + other.blank,
        )

    def add(self, code: str, count: int) -> None:
        if code in CODES:
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
        return {code: (getattr(self, code) / self.valid if self.valid else None) for code in VALID_CODES}

    def score(self, level_scores: dict[str, float] | None = None) -> float | None:
        """Mean level score of the valid answers (0–100 with the default scores)."""
        if not self.valid:
            return None
        scores = level_scores or DEFAULT_LEVEL_SCORES
        return sum(getattr(self, code) * scores.get(code, 0.0) for code in VALID_CODES) / self.valid


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
