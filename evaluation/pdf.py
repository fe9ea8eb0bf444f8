"""The appraisal and satisfaction summaries as PDF, on the one PDF layer (core/pdf.py).

HTML is rendered here, in the request's process (it needs the database); core.pdf runs WeasyPrint in
a child process with a time limit.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from core import pdf as core_pdf
from evaluation import satisfaction, tally

DEFAULT_TIMEOUT = core_pdf.DEFAULT_TIMEOUT
ReportError = core_pdf.ReportError
static_files = core_pdf.static_files
render_pdf = core_pdf.render_pdf
render_pdf_measured = core_pdf.render_pdf_measured


def appraisal_html(campaign) -> str:
    computed = tally.compute(campaign)
    return render_to_string("evaluation/reports/appraisal_summary.html", {"campaign": campaign, "tally": computed})


def render_appraisal_pdf(campaign, timeout: int = DEFAULT_TIMEOUT) -> bytes:
    return render_pdf(appraisal_html(campaign), timeout=timeout)


def satisfaction_html(survey) -> str:
    report = satisfaction.build(survey)
    context = {"survey": survey, "report": report, "charts": satisfaction.charts(report)}
    return render_to_string("evaluation/reports/satisfaction_summary.html", context)


def render_satisfaction_pdf(survey, timeout: int = DEFAULT_TIMEOUT) -> bytes:
    return render_pdf(satisfaction_html(survey), timeout=timeout)
