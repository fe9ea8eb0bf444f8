"""What an indicator unit returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    """A figure (0–100; None when there is nothing to judge) and the records it came from."""

    value: float | None
    evidence: list[dict] = field(default_factory=list)
    detail: str = ""


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, rounded to one decimal; None for an empty whole."""
    return round(100 * part / whole, 1) if whole else None


def link(label: str, url: str) -> dict:
    return {"label": str(label), "url": url or ""}
