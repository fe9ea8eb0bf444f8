"""Organisational life's long work, run as background jobs (jobs/): the meeting record (PDF) and a branch's
yearly ledger (台账) as XLSX and PDF."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jobs import FileResult, JobFailed, register
from jobs.reports import file_result, pdf_result
from organizations.models import Organization
from orglife import ledger
from orglife.models import Meeting


@register("orglife.record_pdf")
def record_pdf(user, progress, meeting_id: int) -> FileResult:
    """A meeting's record with its sign-ins, for whoever may still run the meeting."""
    meeting = Meeting.objects.select_related("branch", "study_page").filter(pk=meeting_id).first()
    if meeting is None or not user.has_perm("orglife.run_meeting", meeting):
        raise JobFailed(_("You may no longer see this meeting's record."))
    progress(_("Reading the sign-ins"), 10)
    html = ledger.record_html(meeting)
    return pdf_result(progress, html, f"meeting-{meeting.pk}.pdf")


def _branch(user, branch_id: int, year: int) -> Organization:
    branch = Organization.objects.filter(pk=branch_id).first()
    if branch is None or not dt.MINYEAR <= year <= dt.MAXYEAR or not user.has_perm("orglife.view_ledger", branch):
        raise JobFailed(_("You may no longer see this branch's ledger."))
    return branch


@register("orglife.ledger_xlsx")
def ledger_xlsx(user, progress, branch_id: int, year: int) -> FileResult:
    branch = _branch(user, branch_id, year)
    progress(_("Writing the spreadsheet"), 10)

    def on_rows(done: int, total: int) -> None:
        progress(_("Writing records: %(done)s of %(total)s") % {"done": done, "total": total}, 10 + 80 * done / total)

    return file_result(
        progress, lambda path: ledger.ledger_xlsx(branch, year, path, on_rows), f"ledger-{branch.code}-{year}.xlsx"
    )


@register("orglife.ledger_pdf")
def ledger_pdf(user, progress, branch_id: int, year: int) -> FileResult:
    branch = _branch(user, branch_id, year)
    progress(_("Reading the year's meetings"), 10)
    html = ledger.ledger_html(branch, year)
    return pdf_result(progress, html, f"ledger-{branch.code}-{year}.pdf")
