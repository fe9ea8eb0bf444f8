"""三会一课 cadence: the share of (kind × ended quarter) cells in which the branch held the expected number of
meetings (home.models.MeetingRecord.objects.cadence, the expected numbers of national practice).

Only meetings that took place count, as evidence and in the figure: a typed record, or a meeting scheduled in
orglife that has started, was not cancelled and at which someone signed in. A meeting only scheduled (ahead,
or never signed in) or cancelled is no evidence of anything."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from home.models import MeetingRecord


def held_records(today: dt.date | None = None):
    """Meeting records of meetings that were held by `today` (orglife's `Meeting` is the child row `meeting`)."""
    today = today or timezone.localdate()
    now = timezone.now()
    scheduled_and_held = Q(meeting__cancelled_at__isnull=True, meeting__starts_at__lte=now)
    return MeetingRecord.objects.held().filter(date__lte=today).filter(Q(meeting__isnull=True) | scheduled_and_held)


def meetings_url(organization, year: int) -> str:
    page = organization.page
    return f"{page.url}meetings/?year={year}" if page is not None and page.url else ""


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    held = held_records(today)
    rows = held.cadence(organization.pk, year)
    judged = [cell for row in rows for cell in row["quarters"] if cell["ended"]]
    records = held.filter(branch=organization, date__year=year).order_by("date", "pk")
    url = meetings_url(organization, year)
    evidence = [link(str(record), url) for record in records]
    if not judged:
        return Result(None, evidence, _("No quarter of the year has ended yet."))
    met = sum(1 for cell in judged if cell["met"])
    detail = _("%(met)d of %(judged)d kinds × quarters at the expected cadence") % {"met": met, "judged": len(judged)}
    return Result(share(met, len(judged)), evidence, detail)
