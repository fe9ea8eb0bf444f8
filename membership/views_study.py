"""Required study and personal points: the member's own page, the secretary's list of who has not
completed required study per quarter or year (with its XLSX export)."""

from __future__ import annotations

import tempfile

from openpyxl import Workbook

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import params
from core.spreadsheets import safe_xlsx_row
from membership import study
from membership.models import PointSource
from membership.rules import keeps_branch
from organizations import roles
from organizations.models import Organization


def _year_quarter(request) -> tuple[int, int | None]:
    today = timezone.localdate()
    year = params.year(request.GET.get("year"))
    year = year if year is not None and 2000 <= year <= today.year + 1 else today.year
    quarter = params.whole_number(request.GET.get("quarter"), max_digits=1)
    return year, quarter if quarter in (1, 2, 3, 4) else None


@login_required
def my_study(request):
    """The member's own required study and points: nobody else's, no ranking."""
    entry = roles.roster_entry(request.user)
    if entry is None:
        raise PermissionDenied
    year, _quarter = _year_quarter(request)
    summary = study.points_of(entry, request.user, year)
    context = {
        "entry": entry,
        "year": year,
        "required": study.required_for_member(entry, request.user),
        "points": summary,
        "sources": [(label, summary.by_source.get(value, 0)) for value, label in PointSource.choices],
        "months": [(month, summary.by_month.get(month, 0)) for month in range(1, 13)],
        "today": timezone.localdate(),
    }
    return render(request, "membership/my_study.html", context)


def _missing(request, branch_id: int):
    branch = get_object_or_404(Organization, pk=branch_id, kind=Organization.Kind.BRANCH)
    if not keeps_branch(request.user, branch):
        raise PermissionDenied
    year, quarter = _year_quarter(request)
    first, last = study.period(year, quarter)
    return branch, year, quarter, first, last, study.not_completed(branch, first, last)


@login_required
def branch_study(request, branch_id: int):
    branch, year, quarter, first, last, missing = _missing(request, branch_id)
    context = {
        "branch": branch,
        "year": year,
        "quarter": quarter,
        "first": first,
        "last": last,
        "missing": missing,
        "quarters": [1, 2, 3, 4],
    }
    return render(request, "membership/branch_study.html", context)


@login_required
def branch_study_xlsx(request, branch_id: int):
    branch, year, quarter, first, last, missing = _missing(request, branch_id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Required study not completed"))[:31])

    def append(values):
        # Names and titles come from users: never let a spreadsheet run them as formulas.
        sheet.append(safe_xlsx_row(sheet, values))

    append([str(branch.name), f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"])
    append([str(_("Member number")), str(pgettext("person", "Name")), str(_("Study material")), str(_("Deadline"))])
    for item in missing:
        append([item.member.member_no, item.member.name, item.page.title, item.due_on.strftime("%Y-%m-%d")])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    suffix = f"{year}q{quarter}" if quarter else str(year)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"required-study-{branch.code}-{suffix}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
