"""Site pages for transfers of membership and mobile members (a branch's keepers only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.views import start_or_offer
from membership import mobile, transfers
from membership.forms import ContactForm, MobileForm, TransferForm
from membership.models import MobileRecord, MobileStatus, Transfer, TransferStatus
from membership.rules import keeps_branch, kept_branches


def _kept_or_403(request):
    branches = kept_branches(request.user)
    if not branches.exists():
        raise PermissionDenied
    return branches


@login_required
def transfer_list(request):
    branches = _kept_or_403(request)
    form = TransferForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = transfers.request_transfer(
                data["entry"],
                request.user,
                to_branch=data["to_branch"],
                outside=data["outside_organization"],
                reason=data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The transfer is requested; the old branch releases it next."))
            return redirect("membership:transfer", pk=transfer.pk)
    items = Transfer.objects.touching(branches).select_related("entry", "from_branch", "to_branch")
    context = {
        "open": [t for t in items if t.is_open],
        "closed": [t for t in items if not t.is_open][:50],
        "form": form,
    }
    return render(request, "membership/transfer_list.html", context, status=400 if form.errors else 200)


def _transfer(request, pk: int) -> tuple[Transfer, bool, bool]:
    transfer = get_object_or_404(Transfer.objects.select_related("entry", "from_branch", "to_branch"), pk=pk)
    old_side = keeps_branch(request.user, transfer.from_branch)
    new_side = transfer.to_branch_id is not None and keeps_branch(request.user, transfer.to_branch)
    if not (old_side or new_side):
        raise PermissionDenied
    return transfer, old_side, new_side


@login_required
def transfer_detail(request, pk: int):
    transfer, old_side, new_side = _transfer(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        allowed = {
            "release": old_side and transfer.status == TransferStatus.REQUESTED,
            "accept": new_side and transfer.status == TransferStatus.RELEASED,
            "cancel": (old_side or new_side) and transfer.is_open,
        }
        if not allowed.get(action):
            raise PermissionDenied
        try:
            if action == "release":
                transfers.release(transfer, request.user)
            elif action == "accept":
                transfers.accept(transfer, request.user)
            else:
                transfers.cancel(transfer, request.user, request.POST.get("reason", ""))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Done: %(status)s.") % {"status": Transfer.objects.get(pk=pk).get_status_display()}
            )
        return redirect("membership:transfer", pk=pk)
    context = {"transfer": transfer, "old_side": old_side, "new_side": new_side}
    return render(request, "membership/transfer.html", context)


@login_required
def transfer_letter(request, pk: int):
    """The transfer letter (介绍信) as a PDF, for a branch outside the platform: written by a background job
    (membership/jobs.py); the form posts here, an old link shows the button."""
    transfer, old_side, _new_side = _transfer(request, pk)
    if not old_side or transfer.status == TransferStatus.CANCELLED:
        raise PermissionDenied
    title = _("Transfer letter (PDF): %(name)s") % {"name": transfer.entry.name}
    return start_or_offer(request, "membership.transfer_letter", title, transfer_id=transfer.pk)


@login_required
def mobile_list(request):
    branches = _kept_or_403(request)
    form = MobileForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            record = mobile.register(form.save(commit=False), request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The mobile member is registered."))
            return redirect("membership:mobile", pk=record.pk)
    since = mobile.flag_date()
    records = (
        MobileRecord.objects.filter(branch__in=branches)
        .current()
        .with_last_contact()
        .select_related("branch")
        .order_by("last_contact")
    )
    context = {"records": records, "since": since, "months": mobile.contact_months(), "form": form}
    return render(request, "membership/mobile_list.html", context, status=400 if form.errors else 200)


@login_required
def mobile_detail(request, pk: int):
    record = get_object_or_404(MobileRecord.objects.select_related("branch", "entry"), pk=pk)
    if not keeps_branch(request.user, record.branch):
        raise PermissionDenied
    form = ContactForm(request.POST if request.POST.get("action") == "contact" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "contact":
                if form.is_valid():
                    mobile.record_contact(record, form.save(commit=False), request.user)
                    messages.success(request, _("The contact is recorded."))
                    return redirect("membership:mobile", pk=pk)
            elif action == "lost":
                mobile.mark_lost(record, request.user)
                return redirect("membership:mobile", pk=pk)
            elif action == "returned":
                mobile.mark_returned(record, request.user)
                return redirect("membership:mobile", pk=pk)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
    last = record.contacts.order_by("-contacted_on").values_list("contacted_on", flat=True).first()
    context = {
        "record": record,
        "contacts": record.contacts.select_related("recorded_by")[:100],
        "form": form,
        "flagged": record.status != MobileStatus.RETURNED and (last or record.registered_on) < mobile.flag_date(),
        "months": mobile.contact_months(),
        "today": timezone.localdate(),
    }
    return render(request, "membership/mobile.html", context, status=400 if form.errors else 200)
