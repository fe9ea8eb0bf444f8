"""Server-rendered SVG charts (bar and pie) for web pages and PDFs.

The SVG is self-contained: no script, no external font or stylesheet, every text escaped, a
`<title>` and `<desc>` referenced by `aria-labelledby` for screen readers, and a CJK font stack so
WeasyPrint and browsers draw Chinese with the installed Noto CJK face. Width of text is estimated
(CJK characters one em, others about 0.6 em) so long labels are cut with an ellipsis, not overflow.

    from surveys.charts import bar_chart, pie_chart
    svg = bar_chart([("满意", 120), ("基本满意", 30)], title="服务态度", desc="满意率 93.8%")
"""

from __future__ import annotations

import math
import unicodedata
import uuid
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'PingFang SC', 'Microsoft YaHei', sans-serif"
# Colour-blind-safe palette (Okabe–Ito), darkened where needed for 3:1 against white.
PALETTE = ["#a8141a", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8c6d00", "#56b4e9", "#555555"]
INK = "#1c1c1c"
MUTED = "#555555"
GRID = "#d8d8d8"


def text_width(text: str, size: float) -> float:
    """Estimated rendered width of `text` at font size `size` (wide East Asian characters are 1 em)."""
    width = 0.0
    for ch in text:
        width += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.6
    return width * size


def fit(text: str, size: float, max_width: float) -> str:
    """`text`, cut with an ellipsis so that it fits in `max_width`."""
    text = str(text)
    if text_width(text, size) <= max_width:
        return text
    while text and text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _open(width: float, height: float, title: str, desc: str, css_class: str) -> tuple[list[str], str]:
    uid = "c" + uuid.uuid4().hex[:10]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css_class)}" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="{escape(FONT_FAMILY)}">',
        f'<title id="{uid}-t">{escape(str(title))}</title>',
        f'<desc id="{uid}-d">{escape(str(desc))}</desc>',
    ]
    return parts, uid


def _describe(items: Sequence[tuple[str, float]], value_suffix: str) -> str:
    return "；".join(f"{label}：{_fmt(value)}{value_suffix}" for label, value in items)


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str | None = None,
    max_value: float | None = None,
    value_suffix: str = "",
    width: int = 560,
    bar_height: int = 26,
    font_size: int = 14,
    colors: Sequence[str] | None = None,
) -> SafeString:
    """Horizontal bars, one per (label, value), labels left, values right of each bar.

    `max_value` fixes the scale (e.g. 100 for percentages); `desc` defaults to the list of values, so the
    chart's data is available to screen readers.
    """
    items = [(str(label), float(value or 0)) for label, value in items]
    colors = list(colors or PALETTE)
    gap = 10
    label_width = min(width * 0.4, max([text_width(label, font_size) for label, _v in items] + [0]) + 8)
    value_width = text_width("100,000.0" + value_suffix, font_size) + 8
    plot_width = max(40.0, width - label_width - value_width - 8)
    height = max(bar_height, len(items) * (bar_height + gap) + gap)
    top = max([value for _l, value in items] + [max_value or 0, 0]) or 1.0
    parts, _uid = _open(width, height, title, desc or _describe(items, value_suffix), "chart--bar")
    parts.append(f'<g font-size="{font_size}" fill="{INK}">')
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = plot_width * (value / top) if top else 0
        x0 = label_width
        cy = y + bar_height / 2 + font_size * 0.35
        parts.append(
            f'<text x="{label_width - 8:.1f}" y="{cy:.1f}" text-anchor="end">'
            f"{escape(fit(label, font_size, label_width - 8))}</text>"
        )
        parts.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{plot_width:.1f}" height="{bar_height}" fill="#f1eeea"/>')
        if length > 0:
            parts.append(
                f'<rect x="{x0:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar_height}" '
                f'fill="{colors[index % len(colors)]}"/>'
            )
        parts.append(
            f'<text x="{x0 + plot_width + 6:.1f}" y="{cy:.1f}" fill="{MUTED}">{escape(_fmt(value) + value_suffix)}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


def pie_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str | None = None,
    width: int = 560,
    radius: int = 90,
    font_size: int = 14,
    colors: Sequence[str] | None = None,
) -> SafeString:
    """A pie with a legend (label, value, share) on its right; zero values appear in the legend only."""
    items = [(str(label), float(value or 0)) for label, value in items]
    colors = list(colors or PALETTE)
    total = sum(value for _l, value in items)
    line = font_size + 10
    height = max(2 * radius + 20, len(items) * line + 20)
    cx, cy = radius + 10, height / 2
    described = desc or "；".join(
        f"{label}：{_fmt(value)}（{(value / total * 100 if total else 0):.1f}%）" for label, value in items
    )
    parts, _uid = _open(width, height, title, described, "chart--pie")
    if total <= 0:
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="#f1eeea"/>')
    else:
        angle = -math.pi / 2
        non_zero = [(i, v) for i, (_l, v) in enumerate(items) if v > 0]
        for index, value in non_zero:
            color = colors[index % len(colors)]
            if len(non_zero) == 1:
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="{color}"/>')
                break
            sweep = 2 * math.pi * value / total
            x1, y1 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            angle += sweep
            x2, y2 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            large = 1 if sweep > math.pi else 0
            parts.append(
                f'<path d="M{cx:.1f},{cy:.1f} L{x1:.2f},{y1:.2f} A{radius},{radius} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
                f'fill="{color}" stroke="#fff" stroke-width="1"/>'
            )
    legend_x = 2 * radius + 30
    legend_width = width - legend_x - 10
    top = cy - len(items) * line / 2
    parts.append(f'<g font-size="{font_size}" fill="{INK}">')
    for index, (label, value) in enumerate(items):
        y = top + index * line
        share = f"{value / total * 100:.1f}%" if total else "—"
        text = f"{label}  {_fmt(value)}（{share}）"
        parts.append(
            f'<rect x="{legend_x}" y="{y + 3:.1f}" width="{font_size}" height="{font_size}" '
            f'fill="{colors[index % len(colors)]}"/>'
        )
        parts.append(
            f'<text x="{legend_x + font_size + 6}" y="{y + font_size + 1:.1f}">'
            f"{escape(fit(text, font_size, legend_width - font_size - 6))}</text>"
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped
