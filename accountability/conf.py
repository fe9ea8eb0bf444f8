"""Accountability settings, each with the national default; override with `GONGZHI_ACCOUNTABILITY = {...}`."""

from django.conf import settings

DEFAULTS = {
    # A satisfaction dimension under this 满意率 is proposed as a problem (domain: under 60% must remedy).
    "SATISFACTION_PROBLEM_BELOW": 0.6,
    # Residents' requests at a branch's grids: this many open requests past a deadline are proposed as a problem…
    "REQUESTS_OVERDUE_PROBLEM_AT": 3,
    # …and so is a quarter in which more than this share of the ratings were 不满意 (with at least MIN ratings).
    "REQUESTS_DISSATISFIED_ABOVE": 0.2,
    "REQUESTS_MIN_RATINGS": 5,
    # A branch whose 满意率 is under this cannot be graded 好 (domain: under 90%).
    "SATISFACTION_GOOD_MINIMUM": 0.9,
    # Reminders: a task or notice due within this many days is "due soon".
    "DUE_SOON_DAYS": 3,
    # Assessment grades: total score (0–100) at least this much for each grade.
    "GRADE_THRESHOLDS": {"good": 90, "fairly_good": 80, "average": 60},
}


def get(name: str):
    return getattr(settings, "GONGZHI_ACCOUNTABILITY", {}).get(name, DEFAULTS[name])
