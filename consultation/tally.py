"""The vote's arithmetic, framework-free: ratios as written by the organisers, and the 四议两公开 tally
(quorum of those due, majority of those due)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


def parse_ratio(text: str) -> Fraction:
    """'2/3' → Fraction(2, 3); '0.5' → Fraction(1, 2). Raises ValueError for anything else or outside [0, 1]."""
    value = Fraction(str(text).strip())
    if not 0 <= value <= 1:
        raise ValueError(f"ratio {text!r} is not between 0 and 1")
    return value


@dataclass
class Tally:
    eligible: int
    votes: dict[str, int]
    quorum: Fraction
    majority: Fraction
    participants: int = 0
    leader: str | None = None
    leader_votes: int = 0
    quorum_needed: int = 0
    majority_needed: int = 0
    quorum_met: bool = False
    majority_met: bool = False
    tie: bool = False

    @property
    def turnout(self) -> float:
        return self.participants / self.eligible if self.eligible else 0.0

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.majority_met


def tally(eligible: int, votes: dict[str, int], quorum: Fraction, majority: Fraction) -> Tally:
    """Quorum: at least `quorum` of those eligible take part. Majority: the leading option gets
    more than `majority` of those eligible (not of those voting), as the 四议两公开 rule requires.
    """
    result = Tally(eligible=eligible, votes=dict(votes), quorum=quorum, majority=majority)
    result.participants = sum(votes.values())
    result.quorum_needed = math.ceil(quorum * eligible)
    # "More than half": the smallest whole number strictly greater than majority × eligible.
    result.majority_needed = math.floor(majority * eligible) + 1
    if votes:
        ranked = sorted(votes.items(), key=lambda item: -item[1])
        result.leader, result.leader_votes = ranked[0]
        result.tie = len(ranked) > 1 and ranked[1][1] == ranked[0][1]
    result.quorum_met = eligible > 0 and result.participants >= result.quorum_needed
    result.majority_met = eligible > 0 and not result.tie and result.leader_votes >= result.majority_needed
    return result
