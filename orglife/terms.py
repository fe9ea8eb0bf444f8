"""Committees and their terms (换届): the term's end, postponements, reminders, and elections that change
the committee and the platform roles from the day they take effect.

Term lengths by organisation type are settings (ORGLIFE_TERM_YEARS) with the national defaults of
中办《关于党的基层组织任期的意见》(2018): branches and general branches 3 years, Party committees
(community, village, street) 5. Reminders go to the organisation and the level above at
ORGLIFE_TERM_REMINDER_MONTHS before the end (6 by default; more points can be added), then monthly
once the term is overdue; each reminder is recorded once (TermReminder), so the daily run is idempotent.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from organizations import roles
from organizations.models import Organization
from orglife.attendance import Refused
from orglife.models import CommitteeMember, Term, TermAdjustment, TermReminder
from orglife.notices import tell
from orglife.rules import overseen_organizations


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), kept inside shorter months (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def term_years(organization: Organization) -> int:
    return settings.ORGLIFE_TERM_YEARS.get(organization.kind, 5)


def current_term(organization: Organization, on: dt.date | None = None) -> Term | None:
    return Term.objects.current(on).filter(organization=organization).order_by("-effective_on").first()


def with_adjustments(terms):
    """Terms with their approved months of postponement and advance summed in SQL (for lists)."""
    return terms.annotate(
        months_later=Sum("adjustments__months", filter=Q(adjustments__direction=TermAdjustment.Direction.POSTPONE)),
        months_earlier=Sum("adjustments__months", filter=Q(adjustments__direction=TermAdjustment.Direction.ADVANCE)),
    )


def _net_months(term: Term) -> int:
    if hasattr(term, "months_later"):
        return (term.months_later or 0) - (term.months_earlier or 0)
    totals = term.adjustments.aggregate(
        later=Sum("months", filter=Q(direction=TermAdjustment.Direction.POSTPONE)),
        earlier=Sum("months", filter=Q(direction=TermAdjustment.Direction.ADVANCE)),
    )
    return (totals["later"] or 0) - (totals["earlier"] or 0)


def ends_on(term: Term) -> dt.date:
    """The term's end: its years from the election, moved by any approved postponement or advance."""
    return add_months(term.elected_on, 12 * term.years + _net_months(term))


@transaction.atomic
def adjust(term: Term, adjustment: TermAdjustment, user) -> TermAdjustment:
    """Record a postponement or advance approved by the level above; together at most one year either way."""
    Term.objects.select_for_update().filter(pk=term.pk).values("pk").get()
    change = adjustment.months if adjustment.direction == TermAdjustment.Direction.POSTPONE else -adjustment.months
    if abs(_net_months(term) + change) > 12:
        raise Refused(_("A term may be postponed or brought forward by at most one year in all."))
    adjustment.term = term
    adjustment.recorded_by = user
    adjustment.save()
    log(
        instance=term,
        action="orglife.term.adjust",
        user=user,
        data={"direction": adjustment.direction, "months": adjustment.months},
    )
    return adjustment


@transaction.atomic
def record_election(
    organization: Organization,
    *,
    elected_on: dt.date,
    effective_on: dt.date,
    members: list[tuple[int, str]],
    user=None,
    note: str = "",
) -> Term:
    """Record an election's result: the new committee (roster entry, office), in force from `effective_on`.

    The roles follow on that day (`apply_due`), today if it has come.
    """
    if effective_on < elected_on:
        raise Refused(_("The new committee cannot take effect before it is elected."))
    offices = [office for _member, office in members]
    if offices.count(CommitteeMember.Office.SECRETARY) != 1:
        raise Refused(_("A committee has exactly one secretary."))
    if len({member for member, _office in members}) != len(members):
        raise Refused(_("Each member holds one office on the committee."))
    if Term.objects.filter(organization=organization, effective_on=effective_on).exists():
        raise Refused(_("A committee taking effect on that day is already recorded."))
    term = Term.objects.create(
        organization=organization,
        elected_on=elected_on,
        effective_on=effective_on,
        years=term_years(organization),
        note=note[:500],
        recorded_by=user,
    )
    CommitteeMember.objects.bulk_create(
        [CommitteeMember(term=term, member_id=member, office=office) for member, office in members]
    )
    log(instance=term, action="orglife.term.elect", user=user, data={"effective_on": effective_on.isoformat()})
    apply_due(timezone.localdate())
    return term


def _committee_users(term: Term | None) -> dict[str, set[int]]:
    if term is None:
        return {"secretary": set(), "others": set()}
    rows = term.members.exclude(member__user=None).values_list("office", "member__user_id")
    return {
        "secretary": {u for office, u in rows if office == CommitteeMember.Office.SECRETARY},
        "others": {u for office, u in rows if office != CommitteeMember.Office.SECRETARY},
    }


@transaction.atomic
def apply_due(today: dt.date | None = None) -> int:
    """Put in force every elected committee whose day has come: the previous term ends, and the platform
    roles follow (the secretary holds the secretary role, other committee members the editor role; those
    who left the committee lose the role the committee gave them)."""
    from django.contrib.auth import get_user_model

    today = today or timezone.localdate()
    users = get_user_model().objects
    applied = 0
    for term in Term.objects.filter(effective_on__lte=today, roles_applied_at=None).select_related("organization"):
        previous = (
            Term.objects.filter(organization=term.organization, effective_on__lt=term.effective_on)
            .order_by("-effective_on")
            .first()
        )
        old, new = _committee_users(previous), _committee_users(term)
        organization = term.organization
        for user in users.filter(pk__in=old["secretary"] - new["secretary"]):
            roles.revoke(user, organization, roles.Role.SECRETARY)
        for user in users.filter(pk__in=old["others"] - new["others"] - new["secretary"]):
            roles.revoke(user, organization, roles.Role.EDITOR)
        for user in users.filter(pk__in=new["secretary"]):
            roles.grant(user, organization, roles.Role.SECRETARY)
        for user in users.filter(pk__in=new["others"]):
            roles.grant(user, organization, roles.Role.EDITOR)
        if previous is not None and previous.replaced_on is None:
            Term.objects.filter(pk=previous.pk).update(replaced_on=term.effective_on)
        Term.objects.filter(pk=term.pk).update(roles_applied_at=timezone.now())
        log(instance=term, action="orglife.term.in_force", user=None)
        applied += 1
    return applied


# --- Reminders ---------------------------------------------------------------------------------


def due_point(term_end: dt.date, today: dt.date) -> str | None:
    """The reminder point due today for a term ending on `term_end`: `m<months>` before the end (the
    nearest configured point already reached), or `overdue-<n>` in the n-th month after it."""
    if today >= term_end:
        months = 0
        while add_months(term_end, months + 1) <= today:
            months += 1
        return f"overdue-{months}"
    reached = [m for m in settings.ORGLIFE_TERM_REMINDER_MONTHS if add_months(term_end, -m) <= today]
    return f"m{min(reached)}" if reached else None


def _recipients(organization: Organization) -> set[int]:
    """The organisation's secretaries and admins, and the admins of the level above."""
    ids: set[int] = set()
    parent = organization.get_parent()
    for group in (organization.secretaries_group, organization.admins_group, parent.admins_group if parent else None):
        if group is not None:
            ids |= set(group.user_set.values_list("pk", flat=True))
    return ids


def send_reminders(today: dt.date | None = None) -> int:
    """Remind the organisation and the level above of every term that ends soon or is overdue (idempotent)."""
    today = today or timezone.localdate()
    sent = 0
    # A term whose successor is already elected (taking effect later) needs no reminder.
    successor = Term.objects.filter(organization=OuterRef("organization"), elected_on__gt=OuterRef("elected_on"))
    for term in with_adjustments(
        Term.objects.current(today)
        .exclude(Exists(successor))
        .select_related("organization", "organization__secretaries_group", "organization__admins_group")
    ):
        end = ends_on(term)
        point = due_point(end, today)
        if point is None:
            continue
        try:
            with transaction.atomic():
                TermReminder.objects.create(term=term, point=point, sent_on=today)
        except IntegrityError:
            continue  # this point was already sent
        with translation.override(settings.LANGUAGE_CODE):
            if point.startswith("overdue"):
                message = _("%(organisation)s: the committee's term ended on %(end)s. Please hold the election.") % {
                    "organisation": term.organization.name,
                    "end": f"{end:%Y-%m-%d}",
                }
            else:
                message = _("%(organisation)s: the committee's term ends on %(end)s. Please prepare the election.") % {
                    "organisation": term.organization.name,
                    "end": f"{end:%Y-%m-%d}",
                }
        tell(_recipients(term.organization), message, reverse("orglife:term", args=(term.organization_id,)))
        log(instance=term, action="orglife.term.remind", user=None, data={"point": point})
        sent += 1
    return sent


def alerts_for(user, today: dt.date | None = None) -> list[dict]:
    """Terms ending within the first reminder point, or overdue, in the organisations the user oversees."""
    today = today or timezone.localdate()
    horizon = max(settings.ORGLIFE_TERM_REMINDER_MONTHS, default=6)
    alerts = []
    successor = Term.objects.filter(organization=OuterRef("organization"), elected_on__gt=OuterRef("elected_on"))
    terms = (
        Term.objects.current(today)
        .exclude(Exists(successor))
        .filter(organization__in=overseen_organizations(user).values("pk"))
    )
    for term in with_adjustments(terms.select_related("organization"))[:200]:
        end = ends_on(term)
        if add_months(end, -horizon) <= today:
            alerts.append({"term": term, "organization": term.organization, "ends_on": end, "overdue": end <= today})
    return sorted(alerts, key=lambda a: a["ends_on"])


def candidates(organization: Organization):
    """Members who may be elected to the committee: active full members of the organisation and below
    (probationary members have no right to be elected)."""
    from organizations.models import RosterEntry

    branches = Organization.objects.within(organization)
    return (
        RosterEntry.objects.active()
        .filter(branch__in=branches, member_type=RosterEntry.MemberType.FULL)
        .select_related("branch")
        .order_by("branch__path", "member_no")[:300]
    )
