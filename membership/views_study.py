"""Required study and personal points: the member's own page, the secretary's list of who has not
completed required study per quarter or year (with its XLSX export)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import params
from jobs.views import start_or_offer
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
    """The list as XLSX, written by a background job (membership/jobs.py): the form posts here."""
    branch = get_object_or_404(Organization, pk=branch_id, kind=Organization.Kind.BRANCH)
    if not keeps_branch(request.user, branch):
        raise PermissionDenied
    year, quarter = _year_quarter(request)
    period = f"{year}Q{quarter}" if quarter else str(year)
    title = _("Required study not completed (XLSX): %(branch)s, %(period)s") % {"branch": branch.name, "period": period}
    return start_or_offer(
        request, "membership.missing_study_xlsx", title, branch_id=branch.pk, year=year, quarter=quarter
    )
