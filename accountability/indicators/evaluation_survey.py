"""The evaluation by members and residents' representatives (评议): the 满意率 of the satisfaction questions
of a survey built with the survey builder and chosen on the indicator, counting the answers given about the
organisation (surveys.satisfaction.summarise; fewer than three answers show no figure)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link
from surveys.models import Response
from surveys.satisfaction import summarise


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    survey = indicator.survey.specific if indicator is not None and indicator.survey_id else None
    if survey is None:
        return Result(None, [], _("No evaluation survey is chosen for this indicator."))
    responses = Response.objects.filter(survey=survey).filtered(organization=organization)
    summary = summarise(survey, responses, with_previous=False, with_breakdowns=False, comments=0)
    evidence = [
        link(survey.title, survey.url),
        link(_("Results of %(title)s") % {"title": survey.title}, survey.route_url("results_route")),
    ]
    if summary.hidden or summary.rate is None:
        return Result(None, evidence, _("Too few answers to show a figure."))
    detail = _("%(responses)d answers; 满意 %(s)d, 基本满意 %(b)d, 不满意 %(d)d") % {
        "responses": summary.responses,
        "s": summary.overall.satisfied,
        "b": summary.overall.basically_satisfied,
        "d": summary.overall.dissatisfied,
    }
    return Result(round(100 * summary.rate, 1), evidence, detail)
