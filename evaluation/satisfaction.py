"""The satisfaction summary report: a survey's 满意率, with the ratings residents gave to
consultation outcomes of the same organisation in the same period counted alongside."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from consultation.models import OutcomeRating
from core.satisfaction import VALID_CODES, LevelCounts, label_of
from organizations.models import Organization
from surveys.charts import bar_chart, pie_chart
from surveys.satisfaction import SatisfactionSummary, summarise


@dataclass
class SatisfactionReport:
    summary: SatisfactionSummary
    consultation: LevelCounts
    period: tuple[dt.date | None, dt.date | None]

    @property
    def combined(self) -> LevelCounts:
        """Survey answers and outcome ratings pooled: the figure a branch is judged by."""
        return self.summary.overall + self.consultation


def _target(survey) -> Organization | None:
    if getattr(survey, "target_organization_id", None):
        return survey.target_organization
    grid = getattr(survey, "target_grid", None)
    return grid.community if grid else None


def _period(survey) -> tuple[dt.date | None, dt.date | None]:
    opens = survey.opens_at.date() if survey.opens_at else None
    closes = survey.closes_at.date() if survey.closes_at else None
    return opens, closes


def consultation_counts(organization: Organization | None, period) -> LevelCounts:
    """Outcome ratings for consultations of the organisation and everything below it, in the period."""
    if organization is None:
        return LevelCounts()
    ratings = OutcomeRating.objects.filter(organization__in=Organization.objects.within(organization))
    opens, closes = period
    if opens:
        ratings = ratings.filter(rated_on__gte=opens)
    if closes:
        ratings = ratings.filter(rated_on__lte=closes)
    return LevelCounts.of(ratings.counts())


def build(survey) -> SatisfactionReport:
    period = _period(survey)
    return SatisfactionReport(summarise(survey), consultation_counts(_target(survey), period), period)


def charts(report: SatisfactionReport) -> dict:
    """Server-rendered SVG (surveys.charts escapes every text), the same on screen and on paper."""
    if report.summary.hidden:
        return {}
    dimensions = [(d.label, round((d.rate or 0) * 100, 1)) for d in report.summary.dimensions]
    shares = report.summary.overall
    return {
        "dimensions": bar_chart(
            dimensions, title=_("Satisfaction rate per dimension"), max_value=100, value_suffix="%"
        ),
        "levels": pie_chart(
            [(label_of(code), getattr(shares, code)) for code in VALID_CODES],
            title=_("Shares of the levels"),
        ),
    }
