"""Party dues pages: the branch's ledger (secretary and dues keeper), the member's own, the annual report,
and the relief requests the level above decides."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import params
from membership import dues
from membership.forms import AssessmentForm, PaymentForm, ReliefForm
from membership.models import DuesRelief, ReliefStatus
from membership.rules import above_branches, dues_branches
from organizations import roles
from organizations.models import Organization


def _year(request) -> int:
    today = timezone.localdate()
    chosen = params.year(request.GET.get("year"))
    return chosen if chosen is not None and 2000 <= chosen <= today.year + 1 else today.year


@login_required
def dues_index(request):
    branches = list(dues_branches(request.user).order_by("path"))
    if len(branches) == 1:
        return redirect("membership:dues", branch_id=branches[0].pk)
    return render(request, "membership/dues_index.html", {"branches": branches})


@login_required
def branch_dues(request, branch_id: int):
    branch = get_object_or_404(Organization, pk=branch_id, kind=Organization.Kind.BRANCH)
    if not request.user.has_perm("membership.keep_dues", branch):
        raise PermissionDenied
    year, today = _year(request), timezone.localdate()
    forms = {
        "assess": AssessmentForm(branch=branch, prefix="assess"),
        "pay": PaymentForm(branch=branch, prefix="pay"),
        "relief": ReliefForm(branch=branch, prefix="relief"),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in forms:
            raise PermissionDenied
        form_class = {"assess": AssessmentForm, "pay": PaymentForm, "relief": ReliefForm}[action]
        form = forms[action] = form_class(request.POST, branch=branch, prefix=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "assess":
                    dues.assess(data["entry"], year, data["category"], data["declared_base"], request.user)
                elif action == "pay":
                    dues.record_payment(data["entry"], data["month"], data["amount"], data["paid_on"], request.user)
                else:
                    form.save()
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?year={year}")
        status = 400
    rows = dues.ledger(branch, year, today)
    context = {
        "branch": branch,
        "year": year,
        "rows": rows,
        "flagged": [row for row in rows if row.flagged],
        "months": dues.arrears_months(),
        "forms": forms,
        "reliefs": DuesRelief.objects.filter(entry__branch=branch).select_related("entry")[:50],
    }
    return render(request, "membership/dues.html", context, status=status)


@login_required
def my_dues(request):
    entry = roles.roster_entry(request.user)
    if entry is None:
        raise PermissionDenied
    year, today = _year(request), timezone.localdate()
    row = dues.ledger(entry.branch, year, today, entries=[entry])[0]
    context = {"entry": entry, "row": row, "year": year}
    return render(request, "membership/my_dues.html", context)


@login_required
def dues_report(request, branch_id: int):
    """The branch's annual public report: members of the branch, its keepers and the levels above."""
    branch = get_object_or_404(Organization, pk=branch_id, kind=Organization.Kind.BRANCH)
    entry = roles.roster_entry(request.user)
    allowed = (
        (entry is not None and entry.branch_id == branch.pk)
        or request.user.has_perm("membership.keep_dues", branch)
        or above_branches(request.user).filter(pk=branch.pk).exists()
    )
    if not allowed:
        raise PermissionDenied
    year, today = _year(request), timezone.localdate()
    totals = dues.annual_report(branch, year, today)
    context = {
        "branch": branch,
        "year": year,
        "totals": totals,
        "paid": sum((t.amount_paid for t in totals), Decimal("0")),
    }
    return render(request, "membership/dues_report.html", context)


@login_required
def reliefs(request):
    """Reduction and exemption requests the user decides as the level above."""
    branches = above_branches(request.user)
    if not branches.exists():
        raise PermissionDenied
    if request.method == "POST":
        relief = get_object_or_404(
            DuesRelief, pk=params.object_id(request.POST.get("relief")), entry__branch__in=branches
        )
        try:
            dues.decide_relief(relief, request.POST.get("decision") == "approve", request.user, timezone.localdate())
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Decided: %(status)s.") % {"status": relief.get_status_display()})
        return redirect("membership:reliefs")
    waiting = DuesRelief.objects.filter(entry__branch__in=branches, status=ReliefStatus.REQUESTED).select_related(
        "entry", "entry__branch"
    )
    return render(request, "membership/reliefs.html", {"waiting": waiting})
