"""Shared steps of report jobs: write a PDF (core/pdf.py) or a spreadsheet (to a temporary file) as the result."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from core.pdf import ReportError, render_pdf
from jobs.registry import FileResult, JobFailed


def pdf_result(progress, html: str, filename: str) -> FileResult:
    """The HTML (already rendered, from the database) written as a PDF in WeasyPrint's child process."""
    progress(_("Writing the PDF"), 40)
    try:
        content = render_pdf(html)
    except ReportError:
        raise JobFailed(_("The PDF could not be written in time. Try again later."))
    progress(_("Saving the file"), 95)
    return FileResult(filename, content=content)


def file_result(progress, write: Callable[[Path], None], filename: str) -> FileResult:
    """`write(path)` fills a temporary file (a spreadsheet, row by row), which moves into the job's storage."""
    handle, name = tempfile.mkstemp(prefix="gongzhi-report-", suffix=Path(filename).suffix)
    os.close(handle)
    path = Path(name)
    try:
        write(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    progress(_("Saving the file"), 95)
    return FileResult(filename, path=path)
