"""The one PDF reporting layer (WeasyPrint) for appraisal and satisfaction summaries.

HTML is rendered here, in the request's process (it needs the database); WeasyPrint runs in a
forked child with a time limit, because large reports take memory that is never returned to the OS.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from evaluation import tally

DEFAULT_TIMEOUT = 120


class ReportError(Exception):
    """The report could not be rendered (time limit, or WeasyPrint failed)."""


def _static_fetcher():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        """Only the project's own static files and inline data: no network, no other local files."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlparse(url).path
            if path.startswith(settings.STATIC_URL):
                found = finders.find(path[len(settings.STATIC_URL) :])
                if found:
                    return super().fetch(Path(found).resolve().as_uri(), headers)
            raise ValueError(f"Refused to fetch {url!r} for a report.")

    return StaticOnlyFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


def _write_pdf(html: str, connection) -> None:
    try:
        from weasyprint import HTML

        connection.send(("ok", HTML(string=html, base_url="/", url_fetcher=_static_fetcher()).write_pdf()))
    except Exception as error:  # reported to the parent, which raises ReportError
        connection.send(("error", repr(error)))
    finally:
        connection.close()


def render_pdf(html: str, timeout: int = DEFAULT_TIMEOUT) -> bytes:
    """PDF bytes for finished HTML, rendered in a child process killed after `timeout` seconds."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_write_pdf, args=(html, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            process.kill()
            raise ReportError(f"The report took longer than {timeout} s.")
        status, payload = receiver.recv()
    finally:
        process.join(5)
        receiver.close()
    if status != "ok":
        raise ReportError(payload)
    return payload


def appraisal_html(campaign) -> str:
    computed = tally.compute(campaign)
    return render_to_string("evaluation/reports/appraisal_summary.html", {"campaign": campaign, "tally": computed})


def render_appraisal_pdf(campaign, timeout: int = DEFAULT_TIMEOUT) -> bytes:
    return render_pdf(appraisal_html(campaign), timeout=timeout)


def satisfaction_html(survey) -> str:
    from evaluation import satisfaction

    report = satisfaction.build(survey)
    context = {"survey": survey, "report": report, "charts": satisfaction.charts(report)}
    return render_to_string("evaluation/reports/satisfaction_summary.html", context)


def render_satisfaction_pdf(survey, timeout: int = DEFAULT_TIMEOUT) -> bytes:
    return render_pdf(satisfaction_html(survey), timeout=timeout)
