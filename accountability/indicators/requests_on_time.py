"""Residents' requests accepted on time (响应率) at the branch's grids: of the requests reported in the year at
the grids the branch owns, those accepted by their acceptance deadline among those whose acceptance was due
by now (appeals: `Appeal.objects.rates()`; merged repeats count once, through their original)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from appeals.models import Appeal, Rates
from organizations.models import Grid


def as_of(today: dt.date) -> dt.datetime:
    """The moment the figures are taken: now, or the end of `today` when judging an earlier day."""
    end_of_today = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    return min(timezone.now(), end_of_today)


def requests_of(organization, year: int):
    return Appeal.objects.of_organization(organization).filter(created_at__year=year)


def rates_of(organization, year: int, today: dt.date) -> Rates:
    return requests_of(organization, year).rates(now=as_of(today))


def grid_links(organization) -> list[dict]:
    """The public figures of each grid the branch owns (the requests themselves may be private)."""
    grids = Grid.objects.filter(duty__branch=organization).order_by("code")
    return [link(grid.name, reverse("appeals:board_grid", args=[grid.code])) for grid in grids]


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    rates = rates_of(organization, year, today)
    detail = _("%(on_time)d of %(due)d requests accepted on time (%(received)d received)") % {
        "on_time": rates.accepted_on_time,
        "due": rates.due_to_accept,
        "received": rates.received,
    }
    return Result(share(rates.accepted_on_time, rates.due_to_accept), grid_links(organization), detail)
