from django import template

from surveys.results import satisfaction_charts as _satisfaction_charts

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.9375 → "93.8%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def points(value) -> str:
    """A change of a rate in percentage points, signed: 0.05 → "+5.0"."""
    if value is None:
        return "—"
    return f"{float(value) * 100:+.1f}"


@register.simple_tag
def satisfaction_charts(summary):
    return _satisfaction_charts(summary)
