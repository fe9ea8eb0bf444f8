"""The indicators an assessment computes from platform data: one small unit per figure.

Each unit has `compute(organization, year, today, indicator=None) -> Result`: the value (0–100, or None when there is
nothing to judge yet) and the evidence, the records that made it, each with a link. `REGISTRY` maps the
codes of `Indicator.Source` to the units.
"""

from __future__ import annotations

from collections.abc import Callable

from accountability.indicators import (
    appraisal,
    cadence,
    consultation_loop,
    consultation_rating,
    evaluation_survey,
    problems,
    requests_on_time,
    requests_satisfaction,
    required_study,
    satisfaction,
    supervision,
    tasks,
)
from accountability.indicators.base import Result

REGISTRY: dict[str, Callable[..., Result]] = {
    "cadence": cadence.compute,
    "consultation_loop": consultation_loop.compute,
    "consultation_rating": consultation_rating.compute,
    "satisfaction": satisfaction.compute,
    "appraisal": appraisal.compute,
    "tasks": tasks.compute,
    "problems": problems.compute,
    "supervision": supervision.compute,
    "evaluation_survey": evaluation_survey.compute,
    "requests_on_time": requests_on_time.compute,
    "requests_satisfaction": requests_satisfaction.compute,
    "required_study": required_study.compute,
}

__all__ = ["REGISTRY", "Result"]
