"""Framework-free rules of the democratic appraisal's scoring: grades, rates, scores, suggestions, quota."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EXCELLENT, COMPETENT, BASIC, INCOMPETENT = "excellent", "competent", "basic", "incompetent"
GRADES = (EXCELLENT, COMPETENT, BASIC, INCOMPETENT)
# Points per grade for the combined score (a 100-point scale, as local rules commonly use).
POINTS = {EXCELLENT: 100, COMPETENT: 80, BASIC: 60, INCOMPETENT: 0}


def excellent_quota(formal_members: int) -> int:
    """优秀 may go to at most a third of the branch's full members."""
    return formal_members // 3


def rate(votes: int, valid: int) -> Decimal | None:
    if valid <= 0:
        return None
    return (Decimal(votes) / Decimal(valid)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GroupTally:
    """One voter group's votes for one member; `valid` counts the ballots that listed them."""

    counts: dict[str, int]
    valid: int

    @property
    def abstentions(self) -> int:
        return self.valid - sum(self.counts.values())

    def rate(self, grade: str) -> Decimal | None:
        return rate(self.counts.get(grade, 0), self.valid)

    def score(self) -> Decimal | None:
        if self.valid <= 0:
            return None
        total = sum(POINTS[grade] * self.counts.get(grade, 0) for grade in GRADES)
        return (Decimal(total) / Decimal(self.valid)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def trust(self) -> Decimal | None:
        """Share of 优秀 + 合格: the masses' trust rate."""
        return rate(self.counts.get(EXCELLENT, 0) + self.counts.get(COMPETENT, 0), self.valid)


def combined_score(
    members: GroupTally, masses: GroupTally | None, member_weight: Decimal, masses_weight: Decimal
) -> Decimal | None:
    """Weighted mean of the groups' scores; a group without ballots drops out and the weights renormalise."""
    parts = [(members.score(), member_weight)]
    if masses is not None:
        parts.append((masses.score(), masses_weight))
    parts = [(score, weight) for score, weight in parts if score is not None and weight > 0]
    total_weight = sum(weight for _score, weight in parts)
    if not total_weight:
        return None
    value = sum(score * weight for score, weight in parts) / total_weight
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rules:
    excellent_min_rate: Decimal
    basic_min_rate: Decimal
    incompetent_flag_rate: Decimal
    masses_trust_min: Decimal


def suggest(members: GroupTally, rules: Rules) -> str | None:
    """The grade the votes suggest before the quota: the branch decides, the votes advise."""
    if members.valid <= 0:
        return None
    incompetent = members.rate(INCOMPETENT) or Decimal(0)
    if incompetent > rules.incompetent_flag_rate:
        return INCOMPETENT
    weak = rate(members.counts.get(BASIC, 0) + members.counts.get(INCOMPETENT, 0), members.valid) or Decimal(0)
    if weak > rules.basic_min_rate:
        return BASIC
    if (members.rate(EXCELLENT) or Decimal(0)) >= rules.excellent_min_rate:
        return EXCELLENT
    return COMPETENT


def flags(members: GroupTally, masses: GroupTally | None, rules: Rules) -> list[str]:
    found = []
    if members.valid and (members.rate(INCOMPETENT) or 0) > rules.incompetent_flag_rate:
        found.append("incompetent_majority")
    if masses is not None and masses.valid and (masses.trust() or 0) < rules.masses_trust_min:
        found.append("low_masses_trust")
    return found


def apply_quota(candidates: list[tuple[object, Decimal | None]], quota: int) -> set[object]:
    """The 优秀 candidates that fit the quota, highest combined score first (ties keep input order)."""
    ranked = sorted(candidates, key=lambda item: item[1] if item[1] is not None else Decimal(-1), reverse=True)
    return {key for key, _score in ranked[:quota]}
