from decimal import Decimal

from django import template

from evaluation.models import Grade

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    """0.4567 → 45.7%; nothing → an en dash."""
    if value is None:
        return "–"
    return f"{value * 100:.1f}%"


@register.filter
def grade_label(value: str | None) -> str:
    return Grade(value).label if value else ""


@register.filter
def count_of(tally, grade: str) -> int:
    return tally.counts.get(grade, 0) if tally else 0


@register.filter
def rate_of(tally, grade: str):
    return tally.rate(grade) if tally else None


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def make_list_of_grades(value: str) -> list[str]:
    return value.split()


@register.filter
def totals_suggested(tally) -> dict[str, int]:
    return tally.totals("suggested")


@register.filter
def quota_met(tally) -> bool:
    return tally.totals()["excellent"] <= tally.quota


@register.filter
def grade_bars(totals: dict[str, int]) -> list[dict]:
    """Bar geometry for the grade chart: 300 px for the largest count, 30 px per row."""
    largest = max(totals.values(), default=0) or 1
    return [
        {"label": Grade(grade).label, "count": count, "y": 10 + 32 * index, "width": round(300 * count / largest)}
        for index, (grade, count) in enumerate(totals.items())
    ]


@register.filter
def signed_points(value: float | Decimal | None) -> str:
    """A change of rate in percentage points: 0.052 → +5.2."""
    if value is None:
        return "–"
    return f"{float(value) * 100:+.1f}"
