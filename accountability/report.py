"""The annual assessment report as PDF, through evaluation/pdf.py's layer (A4, CJK font, tables, SVG charts)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from accountability.dashboard import Dashboard
from evaluation.pdf import DEFAULT_TIMEOUT, render_pdf


def report_html(board: Dashboard) -> str:
    context = {"board": board, "scheme": board.scheme, "charts": board.charts(), "printed": timezone.localtime()}
    return render_to_string("accountability/reports/assessment_report.html", context)


def render_report_pdf(board: Dashboard, timeout: int = DEFAULT_TIMEOUT) -> bytes:
    return render_pdf(report_html(board), timeout=timeout)
