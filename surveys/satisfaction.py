"""群众满意度测评: 满意率 per dimension and overall, shares, weighted score, previous round, roll-up.

The one computation used by the results page, the exports and the PDF report (evaluation/):

    from surveys.satisfaction import summarise
    summary = summarise(survey)                    # a SatisfactionSurveyPage, or any survey with a
    summary.rate, summary.overall.shares           #   "satisfaction" question block
    for d in summary.dimensions: d.label, d.counts.rate, d.change
    summary.by_organization, summary.by_grid       # roll-up through the organisation tree, per grid
    summary.previous                               # the same summary of the previous round (or None)

Definitions (CONTRIBUTING.md): 满意率 = (满意 + 基本满意) ÷ valid answers, where 不了解 and blanks are not
valid. The overall 满意率 pools the answers of every dimension. Every count comes from SQL aggregates
(a fixed number of queries, whatever the number of responses). Groups with fewer than
`MIN_RESPONSES` responses are marked `hidden`: show no numbers for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count

from core.satisfaction import DEFAULT_LEVEL_SCORES, LevelCounts, WeightedItem, weighted_score
from organizations.models import Grid, Organization
from surveys import mixing
from surveys.models import Answer, Response, SurveyPage

MIN_RESPONSES = 3


def small_cells(responses, sizes: dict | None = None) -> set[tuple[int | None, int | None]]:
    """The organisation × grid cells of `responses` that filtered views and breakdowns leave out.

    Every filter and breakdown of the results (an organisation's subtree, a grid, or both) is a union
    of such cells. If every cell it shows holds at least MIN_RESPONSES responses, no difference of two
    views (or of a view and the unfiltered total) can isolate fewer than MIN_RESPONSES people. So cells
    with one or two responses are counted only in the unfiltered total; if those left out add up to one
    or two responses, the smallest other cells join them until they are at least MIN_RESPONSES (a
    difference of the total and every view then shows them only together).
    """
    if sizes is None:
        sizes = _sizes(responses)
    small = {cell for cell, n in sizes.items() if n < MIN_RESPONSES}
    left_out = sum(sizes[cell] for cell in small)
    for cell, n in sorted(sizes.items(), key=lambda item: (item[1], str(item[0]))):
        if not 0 < left_out < MIN_RESPONSES:
            break
        if cell not in small:
            small.add(cell)
            left_out += n
    return small


@dataclass
class DimensionResult:
    label: str
    weight: float
    counts: LevelCounts
    previous: LevelCounts | None = None

    @property
    def rate(self) -> float | None:
        return self.counts.rate

    @property
    def change(self) -> float | None:
        """Change of 满意率 since the previous round, in fractions (0.05 = five points)."""
        if self.previous is None or self.rate is None or self.previous.rate is None:
            return None
        return self.rate - self.previous.rate


@dataclass
class GroupResult:
    """One organisation or grid of the roll-up."""

    kind: str  # "organization" or "grid"
    pk: int | None
    name: str
    depth: int
    responses: int
    counts: LevelCounts

    @property
    def hidden(self) -> bool:
        return self.responses < MIN_RESPONSES

    @property
    def rate(self) -> float | None:
        return None if self.hidden else self.counts.rate


@dataclass
class SatisfactionSummary:
    surveys: list[SurveyPage]
    responses: int
    dimensions: list[DimensionResult]
    overall: LevelCounts
    weighted_score: float | None
    by_organization: list[GroupResult] = field(default_factory=list)
    by_grid: list[GroupResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    previous: SatisfactionSummary | None = None
    # Responses of organisation × grid cells too small to show, counted only in the totals.
    left_out: int = 0

    @property
    def hidden(self) -> bool:
        """Fewer than three responses: show no numbers at all."""
        return self.responses < MIN_RESPONSES

    @property
    def rate(self) -> float | None:
        return self.overall.rate

    @property
    def change(self) -> float | None:
        if self.previous is None or self.rate is None or self.previous.rate is None:
            return None
        return self.rate - self.previous.rate

    @property
    def survey(self) -> SurveyPage:
        return self.surveys[0]


def satisfaction_questions(survey: SurveyPage) -> list[tuple[str, object, object]]:
    return [(qid, b, v) for qid, b, v, _s in survey.question_list() if b.rates_satisfaction]


def comment_questions(survey: SurveyPage) -> list[str]:
    return [qid for qid, b, _v, _s in survey.question_list() if b.collects_comments]


def _dimensions(surveys: Iterable[SurveyPage]) -> tuple[list[str], dict[str, float], list[str]]:
    labels, weights, qids = [], {}, []
    for survey in surveys:
        for qid, block, value in satisfaction_questions(survey):
            qids.append(qid)
            for label, weight in block.weights_of(value).items():
                if label not in weights:
                    labels.append(label)
                    weights[label] = weight
    return labels, weights, qids


def summarise(
    surveys: SurveyPage | Iterable[SurveyPage],
    responses=None,
    *,
    with_previous: bool = True,
    with_breakdowns: bool = True,
    comments: int = 20,
    extra: dict[str, LevelCounts] | None = None,
) -> SatisfactionSummary:
    """Summarise the satisfaction answers of one survey, or of several (e.g. one round of a street).

    `responses` narrows the responses (a `Response` queryset, e.g. filtered by grid or date).
    `extra` adds counts from elsewhere on the same scale, per dimension label (e.g. residents' ratings
    of consultation outcomes, which the reporting layer reads from consultation/): they count in the
    dimensions and the overall rate, with weight 1 for a label the survey does not have.
    """
    surveys = [surveys] if isinstance(surveys, SurveyPage) else list(surveys)
    # Anonymous answers of a survey that has closed are mixed in full first (at most one query otherwise).
    mixing.settle_closed([survey for survey in surveys if survey.is_sealed])
    labels, weights, qids = _dimensions(surveys)
    survey_ids = [s.pk for s in surveys]
    narrowed = responses is not None
    if responses is None:
        responses = Response.objects.filter(survey__in=survey_ids)
    answers = Answer.objects.filter(survey_id__in=survey_ids, question__in=qids)
    if narrowed:
        answers = answers.filter(response__in=responses.values("pk"))

    total = responses.count()
    per_dimension: dict[str, LevelCounts] = {label: LevelCounts() for label in labels}
    per_grid: dict[int | None, LevelCounts] = defaultdict(LevelCounts)
    per_organization: dict[int | None, LevelCounts] = defaultdict(LevelCounts)
    # Anonymous answers: breakdowns leave out the small organisation × grid cells (see small_cells).
    sealed = any(survey.is_sealed for survey in surveys)
    sizes = _sizes(responses) if with_breakdowns else {}
    hidden_cells = small_cells(responses, sizes) if sealed else set()
    # One pass over the answers gives the dimensions, the grids and the organisations.
    grouped = answers.values("response__organization", "response__grid", "row", "choice").annotate(n=Count("id"))
    for row in grouped.order_by():
        if row["row"] in per_dimension:
            per_dimension[row["row"]].add(row["choice"], row["n"])
            if (row["response__organization"], row["response__grid"]) in hidden_cells:
                continue
            per_grid[row["response__grid"]].add(row["choice"], row["n"])
            per_organization[row["response__organization"]].add(row["choice"], row["n"])
    for counts in per_dimension.values():
        counts.blank = max(0, total - counts.answered)
    for label, counts in (extra or {}).items():
        if label not in per_dimension:
            labels.append(label)
            weights[label] = 1.0
            per_dimension[label] = LevelCounts()
        per_dimension[label] = per_dimension[label] + counts
    overall = sum(per_dimension.values(), LevelCounts())
    level_scores = getattr(surveys[0], "level_scores", None) or DEFAULT_LEVEL_SCORES
    score = weighted_score([WeightedItem(per_dimension[label], weights[label]) for label in labels], level_scores)
    summary = SatisfactionSummary(
        surveys=surveys,
        responses=total,
        dimensions=[DimensionResult(label, weights[label], per_dimension[label]) for label in labels],
        overall=overall,
        weighted_score=score,
    )
    if with_breakdowns:
        cells = {cell: n for cell, n in sizes.items() if cell not in hidden_cells}
        summary.by_organization = _by_organization(per_organization, cells)
        summary.by_grid = _by_grid(per_grid, cells)
        summary.left_out = sum(sizes.values()) - sum(cells.values())
    if comments and total >= MIN_RESPONSES:
        comment_ids = [qid for survey in surveys for qid in comment_questions(survey)]
        texts = Answer.objects.filter(survey_id__in=survey_ids, question__in=comment_ids)
        if narrowed:
            texts = texts.filter(response__in=responses.values("pk"))
        summary.comments = list(
            texts.exclude(text="").order_by("response_id").values_list("text", flat=True)[:comments]
        )
    if with_previous and len(surveys) == 1 and hasattr(surveys[0], "find_previous_round"):
        previous = surveys[0].find_previous_round()
        if previous is not None:
            summary.previous = summarise(previous, with_previous=False, with_breakdowns=False, comments=0)
            by_label = {d.label: d.counts for d in summary.previous.dimensions}
            for dimension in summary.dimensions:
                dimension.previous = by_label.get(dimension.label)
    return summary


def _sizes(responses) -> dict:
    return {
        (row["organization"], row["grid"]): row["n"]
        for row in responses.values("organization", "grid").annotate(n=Count("pk")).order_by()
    }


def _by_grid(counts: dict, cells: dict) -> list[GroupResult]:
    sizes: dict = defaultdict(int)
    for (_organization, grid), n in cells.items():
        sizes[grid] += n
    grids = Grid.objects.in_bulk([pk for pk in sizes if pk is not None])
    result = [
        GroupResult("grid", pk, grid.name, 0, sizes.get(pk, 0), counts[pk])
        for pk, grid in sorted(grids.items(), key=lambda item: item[1].code)
    ]
    if None in sizes:
        result.append(GroupResult("grid", None, "", 0, sizes[None], counts[None]))
    return result


def _by_organization(counts: dict, cells: dict) -> list[GroupResult]:
    """Counts per organisation where responses were counted, rolled up to every ancestor (grid → community → street)."""
    sizes: dict = defaultdict(int)
    for (organization, _grid), n in cells.items():
        sizes[organization] += n
    direct = Organization.objects.in_bulk([pk for pk in sizes if pk is not None])
    tree = list(Organization.objects.with_ancestors(*direct.values()).order_by("path"))
    result = []
    for org in tree:
        inside = [pk for pk, o in direct.items() if o.path.startswith(org.path)]
        rolled = sum((counts[pk] for pk in inside), LevelCounts())
        result.append(GroupResult("organization", org.pk, org.name, org.depth, sum(sizes[pk] for pk in inside), rolled))
    return result


def rollup_round(surveys: Iterable[SurveyPage]) -> SatisfactionSummary:
    """One round across several satisfaction surveys (e.g. every community of a street)."""
    return summarise(list(surveys), with_previous=False)
