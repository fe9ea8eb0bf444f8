"""三会一课 cadence: the share of (kind × ended quarter) cells in which the branch held the expected number of
meetings (home.models.MeetingRecord.objects.cadence, the expected numbers of national practice)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from home.models import MeetingRecord


def meetings_url(organization, year: int) -> str:
    page = organization.page
    return f"{page.url}meetings/?year={year}" if page is not None and page.url else ""


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    rows = MeetingRecord.objects.cadence(organization.pk, year)
    judged = [cell for row in rows for cell in row["quarters"] if cell["ended"]]
    records = MeetingRecord.objects.filter(branch=organization, date__year=year).order_by("date", "pk")
    url = meetings_url(organization, year)
    evidence = [link(str(record), url) for record in records]
    if not judged:
        return Result(None, evidence, _("No quarter of the year has ended yet."))
    met = sum(1 for cell in judged if cell["met"])
    detail = _("%(met)d of %(judged)d kinds × quarters at the expected cadence") % {"met": met, "judged": len(judged)}
    return Result(share(met, len(judged)), evidence, detail)
