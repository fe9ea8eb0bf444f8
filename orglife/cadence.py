"""Cadence warnings: what a branch still owes this quarter (warned ahead, before the quarter ends) and what
it missed last quarter, against the expected cadence home keeps (`home.models.expected_cadence`).

Held meetings are counted by home (`MeetingRecord.objects.held()`: typed records, and scheduled meetings
at which someone signed in), so the warnings, the ledger and the assessment agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from home.models import MeetingRecord, expected_cadence, expected_yearly
from organizations.models import Organization
from orglife.models import CadenceNotice, Meeting
from orglife.notices import tell
from orglife.rules import holding_meetings


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def warnings(branch_ids: list[int], today: dt.date | None = None) -> list[dict]:
    """Per branch and kind: `ahead` (the running quarter ends within ORGLIFE_CADENCE_WARN_DAYS and fewer
    meetings were held than expected) or `missed` (the quarter before ended below the cadence).
    Three queries whatever the number of branches."""
    today = today or timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    start, end = quarter_bounds(year, quarter)
    prev_year, prev_quarter = previous_quarter(year, quarter)
    prev_start, prev_end = quarter_bounds(prev_year, prev_quarter)
    days_left = (end - today).days
    warn_days = settings.ORGLIFE_CADENCE_WARN_DAYS
    quarterly = expected_cadence()
    yearly = expected_yearly()
    year_start = dt.date(prev_year if quarter == 1 else year, 1, 1)

    held = defaultdict(int)  # (branch, kind, "now" | "prev" | "year" | "prev_year") -> n
    rows = (
        MeetingRecord.objects.held()
        .filter(branch_id__in=branch_ids, date__gte=min(prev_start, year_start), date__lte=end)
        .order_by()
        .values("branch_id", "kind", "date")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        day = row["date"]
        if start <= day <= end:
            held[(row["branch_id"], row["kind"], "now")] += row["n"]
        if prev_start <= day <= prev_end:
            held[(row["branch_id"], row["kind"], "prev")] += row["n"]
        held[(row["branch_id"], row["kind"], day.year)] += row["n"]
    scheduled = defaultdict(int)
    for row in (
        Meeting.objects.live()
        .filter(branch_id__in=branch_ids, present=0, starts_at__gte=timezone.now(), date__lte=end)
        .order_by()
        .values("branch_id", "kind")
        .annotate(n=Count("pk"))
    ):
        scheduled[(row["branch_id"], row["kind"])] = row["n"]
    names = dict(Organization.objects.filter(pk__in=branch_ids).values_list("pk", "name"))
    labels = dict(MeetingRecord.Kind.choices)

    found = []
    for branch_id in branch_ids:
        for kind, expected in quarterly.items():
            base = {
                "branch_id": branch_id,
                "branch": names.get(branch_id, ""),
                "kind": kind,
                "label": labels.get(kind, kind),
            }
            now_held = held[(branch_id, kind, "now")]
            if expected and now_held < expected and days_left <= warn_days:
                found.append(
                    base
                    | {
                        "stage": "ahead",
                        "year": year,
                        "quarter": quarter,
                        "held": now_held,
                        "expected": expected,
                        "scheduled": scheduled[(branch_id, kind)],
                        "ends_on": end,
                        "days_left": days_left,
                    }
                )
            prev_held = held[(branch_id, kind, "prev")]
            if expected and prev_held < expected:
                found.append(
                    base
                    | {
                        "stage": "missed",
                        "year": prev_year,
                        "quarter": prev_quarter,
                        "held": prev_held,
                        "expected": expected,
                        "scheduled": 0,
                        "ends_on": prev_end,
                        "days_left": 0,
                    }
                )
        for kind, expected in yearly.items():
            base = {
                "branch_id": branch_id,
                "branch": names.get(branch_id, ""),
                "kind": kind,
                "label": labels.get(kind, kind),
            }
            if quarter == 4 and days_left <= warn_days and held[(branch_id, kind, year)] < expected:
                found.append(
                    base
                    | {
                        "stage": "ahead",
                        "year": year,
                        "quarter": 0,
                        "held": held[(branch_id, kind, year)],
                        "expected": expected,
                        "scheduled": scheduled[(branch_id, kind)],
                        "ends_on": end,
                        "days_left": days_left,
                    }
                )
            if quarter == 1 and held[(branch_id, kind, prev_year)] < expected:
                found.append(
                    base
                    | {
                        "stage": "missed",
                        "year": prev_year,
                        "quarter": 0,
                        "held": held[(branch_id, kind, prev_year)],
                        "expected": expected,
                        "scheduled": 0,
                        "ends_on": dt.date(prev_year, 12, 31),
                        "days_left": 0,
                    }
                )
    return found


def warnings_for(user, today: dt.date | None = None) -> list[dict]:
    """The warnings a secretary sees for their branch, and the level above for every branch below it."""
    branch_ids = list(holding_meetings(user).values_list("pk", flat=True)[:500])
    return warnings(branch_ids, today) if branch_ids else []


def describe(warning: dict) -> str:
    if warning["stage"] == "ahead":
        return _(
            "%(branch)s: %(kind)s held %(held)d of %(expected)d expected, %(days)d days before the period ends"
            " (%(scheduled)d scheduled)."
        ) % {
            "branch": warning["branch"],
            "kind": warning["label"],
            "held": warning["held"],
            "expected": warning["expected"],
            "days": warning["days_left"],
            "scheduled": warning["scheduled"],
        }
    return _("%(branch)s: %(kind)s held %(held)d of %(expected)d expected in the period ended %(end)s.") % {
        "branch": warning["branch"],
        "kind": warning["label"],
        "held": warning["held"],
        "expected": warning["expected"],
        "end": f"{warning['ends_on']:%Y-%m-%d}",
    }


def _recipients(branch: Organization) -> set[int]:
    """The branch's secretaries and the admins of the level above it."""
    ids = set()
    if branch.secretaries_group_id:
        ids |= set(branch.secretaries_group.user_set.values_list("pk", flat=True))
    parent = branch.get_parent()
    for organization in (branch, parent):
        if organization is not None and organization.admins_group_id:
            ids |= set(organization.admins_group.user_set.values_list("pk", flat=True))
    return ids


def send_notices(today: dt.date | None = None) -> int:
    """Tell each branch and the level above about its warnings, once per branch, kind, period and stage."""
    today = today or timezone.localdate()
    branches = Organization.objects.filter(kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH])
    sent = 0
    by_branch = defaultdict(list)
    for warning in warnings(list(branches.values_list("pk", flat=True)), today):
        by_branch[warning["branch_id"]].append(warning)
    for branch in branches.filter(pk__in=by_branch).select_related("secretaries_group", "admins_group"):
        fresh = []
        for warning in by_branch[branch.pk]:
            try:
                with transaction.atomic():
                    CadenceNotice.objects.create(
                        branch=branch,
                        year=warning["year"],
                        quarter=warning["quarter"],
                        kind=warning["kind"],
                        stage=warning["stage"],
                        sent_on=today,
                    )
            except IntegrityError:
                continue  # already told
            fresh.append(warning)
        if fresh:
            with translation.override(settings.LANGUAGE_CODE):
                message = _("Organisational life cadence: ") + " ".join(describe(w) for w in fresh)
            tell(_recipients(branch), message, reverse("orglife:index"))
            sent += 1
    return sent
