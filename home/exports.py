"""XLSX export of a branch's study completion table (openpyxl's write-only mode), written by a job (home/jobs.py)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.spreadsheets import safe_xlsx_row


def filename(branch) -> str:
    return f"study-{branch.code}-{timezone.localdate():%Y%m%d}.xlsx"


def study_completion_xlsx(branch, table, target: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Study completion"))[:31])

    def append(values):
        # Names and page titles come from users: never let a spreadsheet run them as formulas.
        sheet.append(safe_xlsx_row(sheet, values))

    required = table["required"]
    append([str(branch.name), str(_("Exported")), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    append(
        [
            str(_("Member number")),
            str(pgettext("person", "Name")),
            *[page.title for page in required],
            str(_("Completed")),
            str(_("Required")),
            str(_("Completion (%)")),
            str(_("Last studied")),
        ]
    )
    for row in table["rows"]:
        member = row["member"]
        append(
            [
                member.member_no,
                member.name,
                *["✓" if done else "" for done in row["pages"]],
                row["done"],
                len(required),
                row["percent"],
                timezone.localtime(row["last"]).strftime("%Y-%m-%d %H:%M") if row["last"] else "",
            ]
        )
    append([str(_("Branch total")), "", *["" for _page in required], "", "", table["percent"], ""])
    workbook.save(target)
