"""Surveys' long work, run as background jobs (jobs/): the responses and aggregates exports, CSV or XLSX.

The rows are read with a database cursor in chunks (surveys/exports.py) and written one at a time to a
temporary file, which then moves into the job's private storage: memory stays flat however many responses
there are. Progress is reported every `PROGRESS_EVERY` responses.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

from django.http import QueryDict
from django.utils.translation import gettext as _

from jobs import FileResult, JobFailed, register
from surveys import exports, mixing
from surveys.models import SurveyPage

PROGRESS_EVERY = 500


@register("surveys.responses_export")
def responses_export(user, progress, survey_id: int, fmt: str, query: str = "") -> FileResult:
    """Every (mixed) response of the survey as one row, filtered as the results page was, for its editors."""
    from surveys.views import _filters, _responses

    page = SurveyPage.objects.filter(pk=survey_id).first()
    page = page.specific if page is not None else None
    if page is None or fmt not in ("csv", "xlsx") or not user.has_perm("surveys.manage_survey", page):
        raise JobFailed(_("You may no longer export this survey's responses."))
    progress(_("Preparing the responses"), 2)
    if page.is_sealed:
        mixing.settle_closed([page])
    filters = _filters(SimpleNamespace(GET=QueryDict(query)), page)
    responses, narrowed, _left_out = _responses(page, filters)
    total = responses.count()
    rows = _counted(exports.response_rows(page, responses, narrowed=narrowed), total, progress)
    handle, name = tempfile.mkstemp(prefix="gongzhi-export-", suffix=f".{fmt}")
    os.close(handle)
    path = Path(name)
    try:
        exports.write_file(rows, fmt, _("Responses"), path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    progress(_("Saving the file"), 98)
    return FileResult(exports.filename(page, "responses", fmt), path=path)


def _counted(rows: Iterator[list], total: int, progress) -> Iterator[list]:
    """The rows unchanged, reporting progress every PROGRESS_EVERY responses (the header row is not one)."""
    progress(_("Writing responses: %(done)s of %(total)s") % {"done": 0, "total": total}, 5)
    for number, row in enumerate(rows):
        yield row
        if number and number % PROGRESS_EVERY == 0:
            progress(
                _("Writing responses: %(done)s of %(total)s") % {"done": number, "total": total},
                5 + 90 * number / max(total, 1),
            )


@register("surveys.aggregates_export")
def aggregates_export(user, progress, survey_id: int, fmt: str, query: str = "") -> FileResult:
    """Counts and shares per question (and the satisfaction summary), filtered as the results page was, for
    whoever may see the survey's results (asked again)."""
    from surveys.views import _filters, _responses

    page = SurveyPage.objects.filter(pk=survey_id).first()
    page = page.specific if page is not None else None
    allowed = page is not None and (
        user.has_perm("surveys.manage_survey", page) or user.has_perm("surveys.view_results", page)
    )
    if not allowed or fmt not in ("csv", "xlsx"):
        raise JobFailed(_("You may no longer see this survey's results."))
    progress(_("Preparing the responses"), 5)
    if page.is_sealed:
        mixing.settle_closed([page])
    responses, _narrowed, _left_out = _responses(page, _filters(SimpleNamespace(GET=QueryDict(query)), page))
    progress(_("Counting the answers"), 30)
    rows = list(exports.aggregate_rows(page, responses))  # one row per option: small, counted in SQL
    progress(_("Writing the file"), 80)
    handle, name = tempfile.mkstemp(prefix="gongzhi-export-", suffix=f".{fmt}")
    os.close(handle)
    path = Path(name)
    try:
        exports.write_file(iter(rows), fmt, _("Aggregates"), path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    progress(_("Saving the file"), 98)
    return FileResult(exports.filename(page, "aggregates", fmt), path=path)
