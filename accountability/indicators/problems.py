"""Problems rectified: of the year's problems, the share rectified (已整改) or closed off (已销号)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from accountability.models import Problem

DONE = (Problem.Status.RECTIFIED, Problem.Status.CLOSED)


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    problems = list(Problem.objects.filter(organization=organization, year=year).order_by("deadline", "pk"))
    rectified = [p for p in problems if p.status in DONE]
    evidence = [
        link(f"{p.title}（{p.get_status_display()}）", reverse("accountability:problem", args=[p.pk])) for p in problems
    ]
    detail = _("%(done)d of %(all)d problems rectified") % {"done": len(rectified), "all": len(problems)}
    return Result(share(len(rectified), len(problems)), evidence, detail)
