"""Membership's files, written by background jobs (jobs/): the transfer letter (PDF) and the list of required
study not completed (XLSX). Each asks again whether the person who started it still keeps the branch."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.spreadsheets import safe_xlsx_row
from jobs import FileResult, JobFailed, register
from jobs.reports import file_result, pdf_result
from membership import study
from membership.models import Transfer, TransferStatus
from membership.rules import keeps_branch
from organizations.models import Organization


@register("membership.transfer_letter")
def transfer_letter(user, progress, transfer_id: int) -> FileResult:
    """The transfer letter (介绍信), for the branch the member leaves, while the transfer stands."""
    from membership.letters import transfer_letter_html

    transfer = Transfer.objects.select_related("entry", "from_branch", "to_branch").filter(pk=transfer_id).first()
    if transfer is None or transfer.status == TransferStatus.CANCELLED or not keeps_branch(user, transfer.from_branch):
        raise JobFailed(_("You may no longer write this transfer letter."))
    progress(_("Filling in the letter"), 10)
    return pdf_result(progress, transfer_letter_html(transfer), f"transfer-{transfer.pk}.pdf")


@register("membership.missing_study_xlsx")
def missing_study_xlsx(user, progress, branch_id: int, year: int, quarter: int | None = None) -> FileResult:
    """The branch's members who have not completed required study in the year (or quarter)."""
    branch = Organization.objects.filter(pk=branch_id, kind=Organization.Kind.BRANCH).first()
    if branch is None or not keeps_branch(user, branch):
        raise JobFailed(_("You may no longer see this branch's study records."))
    progress(_("Finding study not completed"), 10)
    first, last = study.period(year, quarter)
    missing = study.not_completed(branch, first, last)
    progress(_("Writing the spreadsheet"), 50)

    def write(target: Path) -> None:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(_("Required study not completed"))[:31])

        def append(values):
            # Names and titles come from users: never let a spreadsheet run them as formulas.
            sheet.append(safe_xlsx_row(sheet, values))

        append([str(branch.name), f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"])
        append([str(_("Member number")), str(pgettext("person", "Name")), str(_("Study material")), str(_("Deadline"))])
        for item in missing:
            append([item.member.member_no, item.member.name, item.page.title, item.due_on.strftime("%Y-%m-%d")])
        workbook.save(target)

    suffix = f"{year}q{quarter}" if quarter else str(year)
    return file_result(progress, write, f"required-study-{branch.code}-{suffix}.xlsx")
