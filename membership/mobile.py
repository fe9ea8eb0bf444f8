"""Mobile members (流动党员): registration, the contact log and the "not contacted for N months" flag."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from core import cache as page_cache
from membership.models import ContactLog, MobileDirection, MobileRecord, MobileStatus
from membership.timerules import add_months
from organizations.models import RosterEntry


def contact_months() -> int:
    """After how many months without contact a mobile member is flagged (⚠ a local rule, 3 by default)."""
    return getattr(settings, "MEMBERSHIP_CONTACT_MONTHS", 3)


def flag_date(today: datetime.date | None = None) -> datetime.date:
    """Records whose last contact is before this day are flagged."""
    return add_months(today or timezone.localdate(), -contact_months())


@transaction.atomic
def register(record: MobileRecord, user) -> MobileRecord:
    """Register a mobile member; an outflowing member's roster entry shows them as mobile."""
    if record.direction == MobileDirection.OUTFLOW:
        if record.entry is None or record.entry.branch_id != record.branch_id:
            raise ValidationError(_("An outflowing member is chosen from the branch's roster."))
        record.name = record.entry.name
    elif not record.name or not record.home_organization:
        raise ValidationError(_("Give the inflowing member's name and home Party organisation."))
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError(_("%(name)s is already registered as a mobile member.") % {"name": record.name})
    if record.entry_id:
        RosterEntry.objects.filter(pk=record.entry_id).update(status=RosterEntry.Status.MOBILE)
        page_cache.forget_all_viewers()  # the status may make the entry active (no signal for .update)
    log(record, "membership.mobile.register", user=user)
    return record


@transaction.atomic
def record_contact(record: MobileRecord, contact: ContactLog, user) -> ContactLog:
    """Log a contact; reaching a member marked as lost puts them back in touch."""
    if contact.contacted_on > timezone.localdate():
        raise ValidationError(_("A contact is recorded when it has happened: the date may not be in the future."))
    contact.record = record
    contact.recorded_by = user if getattr(user, "is_authenticated", False) else None
    contact.save()
    if record.status == MobileStatus.LOST:
        record.status = MobileStatus.IN_TOUCH
        record.save(update_fields=["status"])
        log(record, "membership.mobile.found", user=user)
    return contact


@transaction.atomic
def mark_lost(record: MobileRecord, user) -> MobileRecord:
    record.status = MobileStatus.LOST
    record.save(update_fields=["status"])
    log(record, "membership.mobile.lost", user=user)
    return record


@transaction.atomic
def mark_returned(record: MobileRecord, user, on: datetime.date | None = None) -> MobileRecord:
    record.status = MobileStatus.RETURNED
    record.returned_on = on or timezone.localdate()
    record.save(update_fields=["status", "returned_on"])
    if record.entry_id:
        RosterEntry.objects.filter(pk=record.entry_id, status=RosterEntry.Status.MOBILE).update(
            status=RosterEntry.Status.NORMAL
        )
    log(record, "membership.mobile.return", user=user)
    return record
