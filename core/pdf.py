"""The one PDF layer (WeasyPrint) every report uses: appraisal summaries, transfer letters.

HTML is rendered by the caller, in the request's process (it needs the database); WeasyPrint runs in
a child process with a time limit, because large reports take memory that is never returned to the
OS. Children come from a fork server that has imported WeasyPrint and nothing of the web process, so
a child starts fast and small, and its memory is returned when it exits.
"""

from __future__ import annotations

import functools
import multiprocessing
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

DEFAULT_TIMEOUT = 120


class ReportError(Exception):
    """The report could not be rendered (time limit, or WeasyPrint failed)."""


def static_files() -> dict[str, str]:
    """URL path → file of the static files a report may use: the PDF stylesheet and its folder."""
    folder = Path(finders.find("pdf/report.css")).resolve().parent
    return {f"{settings.STATIC_URL}pdf/{path.name}": str(path) for path in folder.iterdir() if path.is_file()}


@functools.cache
def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", "core.pdf_worker"])
    return context


def render_pdf(html: str, timeout: int = DEFAULT_TIMEOUT) -> bytes:
    """PDF bytes for finished HTML, rendered in a child process killed after `timeout` seconds."""
    return render_pdf_measured(html, timeout)[0]


def render_pdf_measured(html: str, timeout: int = DEFAULT_TIMEOUT) -> tuple[bytes, float]:
    """The PDF and the worker's peak memory in MB."""
    # Imported here, not at the top: it imports WeasyPrint, which the web process loads only to render.
    from core.pdf_worker import write_pdf

    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=write_pdf, args=(html, sender, static_files()), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            process.kill()
            raise ReportError(f"The report took longer than {timeout} s.")
        status, payload, peak_mb = receiver.recv()
    finally:
        process.join(5)
        receiver.close()
    if status != "ok":
        raise ReportError(payload)
    return payload, peak_mb
