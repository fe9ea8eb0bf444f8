"""Transfers of membership between branches (组织关系转接): request → release → acceptance.

The roster entry is a single row: it changes branch only when the new branch accepts, in the same
transaction that closes the transfer, under a row lock. A cancelled transfer never touched it. So a
member is on exactly one roster at every moment, and the transfer rows are the history.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from core import cache as page_cache
from membership.models import Dossier, Transfer, TransferStatus
from organizations.models import Organization, RosterEntry


def _locked(transfer: Transfer) -> Transfer:
    # Only the transfer row is locked (to_branch may be empty: an outer join PostgreSQL will not lock).
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("entry", "from_branch", "to_branch")
        .get(pk=transfer.pk)
    )


def request_transfer(
    entry: RosterEntry, user, *, to_branch: Organization | None = None, outside: str = "", reason: str = ""
) -> Transfer:
    """Open a transfer of `entry` to another branch on the platform or to an organisation outside it."""
    if to_branch is None and not outside.strip():
        raise ValidationError(_("Choose the new branch, or name the organisation outside the platform."))
    if to_branch is not None and (to_branch.pk == entry.branch_id or not to_branch.is_branch):
        raise ValidationError(_("Choose another Party branch as the new branch."))
    if entry.status not in (RosterEntry.Status.NORMAL, RosterEntry.Status.MOBILE):
        raise ValidationError(_("Only a member on the active roster can be transferred."))
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                entry=entry,
                from_branch_id=entry.branch_id,
                to_branch=to_branch,
                outside_organization="" if to_branch else outside.strip(),
                reason=reason,
                old_member_no=entry.member_no,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
            log(transfer, "membership.transfer.request", user=user)
    except IntegrityError:
        raise ValidationError(_("%(name)s already has a transfer under way.") % {"name": entry.name})
    return transfer


@transaction.atomic
def release(transfer: Transfer, user, on: datetime.date | None = None) -> Transfer:
    """The old branch releases the member. Outside the platform, that ends the membership here."""
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.REQUESTED:
        raise ValidationError(_("Only a requested transfer can be released."))
    transfer.status = TransferStatus.RELEASED
    transfer.released_on = on or timezone.localdate()
    if transfer.to_branch_id is None:
        # Outside the platform nobody here accepts: the letter goes with the member, and the entry
        # leaves the active roster now (status "transferred out"), still kept for history.
        transfer.status = TransferStatus.ACCEPTED
        transfer.accepted_on = transfer.released_on
        RosterEntry.objects.filter(pk=transfer.entry_id).update(status=RosterEntry.Status.TRANSFERRED)
        page_cache.forget_all_viewers()  # the member's rights end with the roster entry (no signal for .update)
    transfer.save()
    log(transfer, "membership.transfer.release", user=user)
    return transfer


def _free_number(branch: Organization, wanted: str) -> str:
    taken = set(RosterEntry.objects.filter(branch=branch).values_list("member_no", flat=True))
    number, serial = wanted, 1
    while number in taken:
        serial += 1
        number = f"{wanted}-{serial}"
    return number


@transaction.atomic
def accept(transfer: Transfer, user, on: datetime.date | None = None) -> Transfer:
    """The new branch accepts: the entry moves to its roster (a free member number kept or given)."""
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.RELEASED or transfer.to_branch_id is None:
        raise ValidationError(_("Only a transfer the old branch has released can be accepted."))
    entry = RosterEntry.objects.select_for_update().get(pk=transfer.entry_id)
    if entry.branch_id != transfer.from_branch_id:
        raise ValidationError(_("The member is no longer on the old branch's roster."))
    entry.member_no = _free_number(transfer.to_branch, entry.member_no)
    entry.branch = transfer.to_branch
    # A grid belongs to a community: it goes unless the new branch is in the same one.
    if entry.grid_id and entry.grid.community_id != transfer.to_branch.get_parent().pk:
        entry.grid = None
    entry.save(update_fields=["branch", "member_no", "grid"])
    Dossier.objects.filter(roster_entry=entry).update(branch=transfer.to_branch)
    transfer.status = TransferStatus.ACCEPTED
    transfer.accepted_on = on or timezone.localdate()
    transfer.new_member_no = entry.member_no
    transfer.save()
    log(transfer, "membership.transfer.accept", user=user)
    log(entry, "membership.roster_update", user=user, data={"branch": entry.branch_id, "transfer": transfer.pk})
    return transfer


@transaction.atomic
def cancel(transfer: Transfer, user, reason: str = "") -> Transfer:
    """Either side stops an open transfer; the entry stays where it is."""
    transfer = _locked(transfer)
    if not transfer.is_open:
        raise ValidationError(_("Only a transfer under way can be cancelled."))
    transfer.status = TransferStatus.CANCELLED
    transfer.cancelled_on = timezone.localdate()
    transfer.cancel_reason = reason[:200]
    transfer.save()
    log(transfer, "membership.transfer.cancel", user=user, data={"reason": reason[:200]})
    return transfer
