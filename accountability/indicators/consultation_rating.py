"""Residents' mean rating of consultation outcomes in the year: 满意 100, 基本满意 75, 不满意 0 (不了解 is no
judgement), over the ratings given to the organisation (core.satisfaction's weighted score)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link
from consultation.models import ConsultationPage, OutcomeRating
from core.satisfaction import LevelCounts


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    ratings = OutcomeRating.objects.filter(organization=organization, rated_on__year=year)
    counts = LevelCounts.of(ratings.counts())
    rated = ConsultationPage.objects.filter(pk__in=ratings.values("consultation")).order_by("pk")
    evidence = [link(page.title, page.url) for page in rated]
    score = counts.score()
    detail = _(
        "%(n)d ratings: %(satisfied)d satisfied, %(basic)d basically satisfied, %(dissatisfied)d dissatisfied"
    ) % {
        "n": counts.valid,
        "satisfied": counts.satisfied,
        "basic": counts.basically_satisfied,
        "dissatisfied": counts.dissatisfied,
    }
    return Result(None if score is None else round(score, 1), evidence, detail)
