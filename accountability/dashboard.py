"""The dashboard (数据看板) of a scheme: its organisations side by side on the year's indicators, red / amber /
green against the targets, totals over the years, and SVG charts (surveys.charts). A fixed number of queries
whatever the number of organisations: the figures were stored when the scheme was computed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accountability.models import Assessment, Indicator, IndicatorScheme, IndicatorScore
from organizations.models import Organization
from surveys.charts import bar_chart

LIGHT_COLORS = {"green": "#1d6b2f", "amber": "#8c6d00", "red": "#a4000f", "": "#555555"}


@dataclass
class Cell:
    indicator: Indicator
    score: IndicatorScore | None

    @property
    def value(self) -> float | None:
        return None if self.score is None else self.score.value

    @property
    def light(self) -> str:
        return self.indicator.light_for(self.value)


@dataclass
class Row:
    assessment: Assessment
    cells: list[Cell]
    history: list[tuple[int, float | None, str]] = field(default_factory=list)

    @property
    def organization(self) -> Organization:
        return self.assessment.organization


@dataclass
class Dashboard:
    scheme: IndicatorScheme
    indicators: list[Indicator]
    rows: list[Row]
    lights: dict[int, dict[str, int]]  # indicator pk → {"green": n, "amber": n, "red": n}
    years: list[int]

    def charts(self) -> dict:
        totals = [(row.organization.name, row.assessment.total or 0) for row in self.rows]
        colors = [LIGHT_COLORS[light_of_total(row.assessment.total)] for row in self.rows]
        means = []
        for year in self.years:
            values = [total for row in self.rows for y, total, _grade in row.history if y == year and total is not None]
            means.append((str(year), round(sum(values) / len(values), 1) if values else 0))
        return {
            "totals": bar_chart(totals, title=_("Score per organisation"), max_value=100, colors=colors or None)
            if totals
            else "",
            "trend": bar_chart(means, title=_("Mean score per year"), max_value=100) if means else "",
        }


def light_of_total(total: float | None) -> str:
    if total is None:
        return ""
    return "green" if total >= 90 else "amber" if total >= 80 else "red"


def build(scheme: IndicatorScheme, within: Organization | None = None) -> Dashboard:
    indicators = list(scheme.indicators.all())
    assessments = scheme.assessments.select_related("organization").order_by("organization__path")
    if within is not None:
        assessments = assessments.filter(organization__in=Organization.objects.within(within))
    assessments = list(assessments)
    scores: dict[tuple[int, int], IndicatorScore] = {
        (s.assessment_id, s.indicator_id): s
        for s in IndicatorScore.objects.filter(assessment__in=[a.pk for a in assessments]).only(
            "pk", "assessment_id", "indicator_id", "value", "score"
        )
    }
    history: dict[int, list] = defaultdict(list)
    earlier = (
        Assessment.objects.filter(
            scheme__organization=scheme.organization,
            scheme__year__lte=scheme.year,
            organization__in=[a.organization_id for a in assessments],
        )
        .order_by("scheme__year")
        .values_list("organization_id", "scheme__year", "total", "grade")
    )
    years = set()
    for organization_id, year, total, grade in earlier:
        history[organization_id].append((year, total, grade))
        years.add(year)
    lights: dict[int, dict[str, int]] = {i.pk: {"green": 0, "amber": 0, "red": 0} for i in indicators}
    rows = []
    for assessment in assessments:
        cells = [Cell(indicator, scores.get((assessment.pk, indicator.pk))) for indicator in indicators]
        for cell in cells:
            if cell.light:
                lights[cell.indicator.pk][cell.light] += 1
        rows.append(Row(assessment, cells, history.get(assessment.organization_id, [])))
    return Dashboard(scheme, indicators, rows, lights, sorted(years))
