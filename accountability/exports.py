"""The dashboard as XLSX (openpyxl's write-only mode): one row per organisation, value and points per indicator."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.dashboard import Dashboard
from core.spreadsheets import safe_xlsx_row


def filename(board: Dashboard, ext: str) -> str:
    return f"assessment-{board.scheme.organization.code}-{board.scheme.year}.{ext}"


def write_dashboard_xlsx(board: Dashboard, target: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Assessment"))[:31])

    def append(values):
        # Organisation and indicator names come from users: never let a spreadsheet run them as formulas.
        sheet.append(safe_xlsx_row(sheet, values))

    scheme = board.scheme
    append([scheme.title, str(scheme.year), str(_("Exported")), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    header = [str(_("Organisation"))]
    for indicator in board.indicators:
        header += [f"{indicator.name} · {_('value')}", f"{indicator.name} · {_('points')} / {indicator.weight}"]
    header += [str(_("Score")), str(_("Grade"))]
    append(header)
    for row in board.rows:
        values = [row.organization.name]
        for cell in row.cells:
            values += [cell.value, None if cell.score is None else cell.score.score]
        values += [row.assessment.total, row.assessment.get_grade_display()]
        append(values)
    workbook.save(target)
