"""Small filters for the lists and the dashboard."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def value_or_dash(value) -> str:
    """A figure with one decimal, or a dash when there is nothing to judge."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.1f}".removesuffix(".0")


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.0f}%"


@register.filter
def max_good(count, scheme) -> int:
    return scheme.max_good(int(count))
