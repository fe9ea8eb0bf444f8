"""Search result snippets with the query's words highlighted, built from escaped text only."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core import chinese

SNIPPET_LENGTH = 120
_CONTEXT_BEFORE = 30


def highlight_terms(query: str) -> list[str]:
    """What to highlight in results: the query's runs of characters as typed, then its jieba words."""
    query = chinese.clean_query(query)
    return list(dict.fromkeys([run.lower() for run in chinese.runs(query)] + chinese.words(query)))


def highlight(text: str, terms: list[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """A window of `text` around the first matching term, every term wrapped in <mark>.

    Every piece of text is escaped before it is joined with the <mark> tags, so user text can
    never inject markup.
    """
    text = re.sub(r"\s+", " ", text or "").strip()
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return escape(_clip(text, 0, length))
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - _CONTEXT_BEFORE) if first else 0
    window = _clip(text, start, length)
    pieces = []
    position = 0
    for match in pattern.finditer(window):
        pieces.append(escape(window[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(window[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


def _clip(text: str, start: int, length: int) -> str:
    window = text[start : start + length]
    if start > 0:
        window = "…" + window
    if start + length < len(text):
        window += "…"
    return window
