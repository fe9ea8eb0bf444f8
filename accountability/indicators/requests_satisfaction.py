"""满意率 of residents' ratings of their requests at the branch's grids in the year: (满意 + 基本满意) ÷ ratings
(appeals: `Appeal.objects.rates()`, core.satisfaction)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accountability.indicators.base import Result
from accountability.indicators.requests_on_time import grid_links, rates_of


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    ratings = rates_of(organization, year, today).ratings
    rate = ratings.rate
    detail = _(
        "%(n)d ratings: %(satisfied)d satisfied, %(basic)d basically satisfied, %(dissatisfied)d dissatisfied"
    ) % {
        "n": ratings.valid,
        "satisfied": ratings.satisfied,
        "basic": ratings.basically_satisfied,
        "dissatisfied": ratings.dissatisfied,
    }
    return Result(None if rate is None else round(100 * rate, 1), grid_links(organization), detail)
