"""The sign-in QR code, drawn on the server as inline SVG (segno: pure Python, no assets to fetch)."""

from __future__ import annotations

import segno


def svg(url: str, title: str) -> str:
    """An inline SVG QR code for `url` with an accessible title; the URL also rides on a data attribute
    so a screen reader user (or a test) can read what the code holds.

    The markup comes from segno and our own URL, never from user text; the title is escaped here.
    """
    code = segno.make(url, error="m")
    # Without width and height segno writes a viewBox: the code scales with its box (phones read it better large).
    drawing = code.svg_inline(scale=8, border=4, title=title, svgclass="qr__code", lineclass=None, omitsize=True)
    return drawing.replace("<svg ", '<svg role="img" ', 1)
