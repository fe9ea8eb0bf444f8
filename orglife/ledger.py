"""The meeting record as PDF, and a branch's yearly ledger of organisational life (组织生活台账) as XLSX and PDF.

PDFs go through the shared layer (core/pdf.py: WeasyPrint in a child process, CJK fonts, local assets
only); spreadsheets are streamed with openpyxl's write-only mode and the formula guard of core/spreadsheets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.pdf import render_pdf
from core.spreadsheets import safe_xlsx_row
from home.models import MeetingRecord
from orglife import attendance
from orglife.models import Meeting


def ledger_rows(branch, year: int):
    """The year's held meetings and typed records of the branch, oldest first (one query)."""
    return (
        MeetingRecord.objects.held()
        .filter(branch=branch, date__year=year)
        .select_related("meeting")
        .order_by("date", "pk")
    )


def record_html(meeting: Meeting) -> str:
    context = {
        "meeting": meeting,
        "counts": attendance.counts(meeting),
        "rows": attendance.attendance_rows(meeting),
        "when": attendance.when_text(meeting),
        "where": attendance.where_text(meeting),
        "attachments": meeting.attachments.all(),
        "ended": meeting.has_ended(),
        "printed": timezone.localtime(),
    }
    return render_to_string("orglife/reports/meeting_record.html", context)


def record_pdf(meeting: Meeting) -> bytes:
    return render_pdf(record_html(meeting))


def ledger_html(branch, year: int) -> str:
    context = {"branch": branch, "year": year, "records": ledger_rows(branch, year), "printed": timezone.localtime()}
    return render_to_string("orglife/reports/ledger.html", context)


def ledger_pdf(branch, year: int) -> bytes:
    return render_pdf(ledger_html(branch, year))


def ledger_xlsx(branch, year: int, target: Path, on_rows: Callable[[int, int], None] | None = None) -> None:
    """Write the ledger to `target` row by row; `on_rows(done, total)` is told every 500 records."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Ledger %(year)d") % {"year": year})[:31])

    def append(values):
        # Topics, names and minutes come from users: never let a spreadsheet run them as formulas.
        sheet.append(safe_xlsx_row(sheet, values))

    append([str(branch.name), str(_("Organisational life ledger")), year])
    append(
        [
            str(_("Date")),
            str(_("Type")),
            str(_("Meeting topic")),
            str(_("Presenter")),
            str(_("Place")),
            str(pgettext("attendance", "Due")),
            str(_("Present")),
            str(pgettext("attendance", "On leave")),
            str(_("Absent")),
            str(_("Recorder")),
            str(_("Decisions")),
            str(_("Source")),
        ]
    )
    records = ledger_rows(branch, year)
    total = records.count() if on_rows else 0
    for number, record in enumerate(records.iterator(chunk_size=500)):
        if on_rows and number and number % 500 == 0:
            on_rows(number, total)
        meeting = getattr(record, "meeting", None) if record.tracked else None
        append(
            [
                record.date.strftime("%Y-%m-%d"),
                str(record.get_kind_display()),
                record.topic,
                record.presenter,
                (meeting.place or str(_("online"))) if meeting else "",
                record.due,
                record.present,
                record.on_leave,
                record.absent if meeting is None or meeting.has_ended() else "",  # not over: not absent yet
                record.recorder,
                record.decisions,
                str(_("sign-ins")) if record.tracked else str(_("typed record")),
            ]
        )
    workbook.save(target)
