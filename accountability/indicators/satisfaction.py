"""满意率 of the latest satisfaction round of the year that asked about the organisation: the latest closed
satisfaction survey aimed at it or at a level above it, counting the answers given about the organisation
(surveys.satisfaction.summarise). A branch about which fewer than three answers were given is judged by the
whole round of the level it serves (its community), and the figure says so."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link
from organizations.models import Organization
from surveys.models import Response, SatisfactionSurveyPage
from surveys.satisfaction import SatisfactionSummary, summarise


def latest_round(organization, year: int, today: dt.date) -> SatisfactionSurveyPage | None:
    now = timezone.now()
    return (
        SatisfactionSurveyPage.objects.live()
        .filter(
            target_organization__in=Organization.objects.with_ancestors(organization),
            closes_at__year=year,
            closes_at__lte=now,
        )
        .order_by("-closes_at", "-pk")
        .first()
    )


def summary_for(organization, survey: SatisfactionSurveyPage) -> SatisfactionSummary:
    responses = Response.objects.filter(survey=survey).filtered(organization=organization)
    return summarise(survey, responses, with_previous=False, with_breakdowns=False, comments=0)


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    survey = latest_round(organization, year, today)
    if survey is None:
        return Result(None, [], _("No satisfaction round asked about it this year."))
    summary = summary_for(organization, survey)
    evidence = [
        link(survey.title, survey.url),
        link(_("Results of %(title)s") % {"title": survey.title}, survey.route_url("results_route")),
    ]
    scope = ""
    if summary.hidden:
        summary = summarise(survey, with_previous=False, with_breakdowns=False, comments=0)
        scope = _("The whole round about %(target)s; ") % {"target": survey.target_organization}
    if summary.hidden or summary.rate is None:
        return Result(None, evidence, _("Too few answers to show a figure."))
    detail = scope + _("%(responses)d answers; 满意 %(s)d, 基本满意 %(b)d, 不满意 %(d)d") % {
        "responses": summary.responses,
        "s": summary.overall.satisfied,
        "b": summary.overall.basically_satisfied,
        "d": summary.overall.dissatisfied,
    }
    return Result(round(100 * summary.rate, 1), evidence, detail)
