"""Problems rectified: of the year's problems, the share closed off (已销号) by the level above once it
verified the rectification. One the organisation only reports rectified (已整改) is not yet verified and does
not count."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from accountability.models import Problem


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    problems = list(Problem.objects.filter(organization=organization, year=year).order_by("deadline", "pk"))
    closed = [p for p in problems if p.status == Problem.Status.CLOSED]
    evidence = [
        link(f"{p.title}（{p.get_status_display()}）", reverse("accountability:problem", args=[p.pk])) for p in problems
    ]
    detail = _("%(done)d of %(all)d problems closed off by the level above") % {
        "done": len(closed),
        "all": len(problems),
    }
    return Result(share(len(closed), len(problems)), evidence, detail)
