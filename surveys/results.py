"""Results of a survey, aggregated in SQL with a fixed number of queries, with SVG charts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, Max, Min, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from core.satisfaction import CODES, label_of
from surveys import charts
from surveys.models import Answer, SurveyPage
from surveys.questions.base import Tally
from surveys.satisfaction import MIN_RESPONSES, SatisfactionSummary, small_cells, summarise

TEXT_SAMPLE = 10

__all__ = ["cells_q", "compute_results", "small_cells"]


def cells_q(cells) -> Q:
    """A filter matching responses in any of the given (organisation id, grid id) cells."""
    match = Q(pk__in=[])
    for organization_id, grid_id in cells:
        one = Q(organization__isnull=True) if organization_id is None else Q(organization_id=organization_id)
        one &= Q(grid__isnull=True) if grid_id is None else Q(grid_id=grid_id)
        match |= one
    return match


@dataclass
class QuestionResult:
    id: str
    number: int
    label: str
    type: str
    answered: int
    rows: list[tuple[str, int, float | None]] = field(default_factory=list)
    matrix: list[dict] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    # Whether `rows` are (item, places given, average place), best first, rather than (choice, count, share).
    ranked: bool = False
    bar: str = ""
    pie: str = ""

    @property
    def hidden(self) -> bool:
        return self.answered < MIN_RESPONSES


@dataclass
class Results:
    total: int
    questions: list[QuestionResult]
    satisfaction: SatisfactionSummary | None = None
    min_responses: int = MIN_RESPONSES

    @property
    def hidden(self) -> bool:
        return self.total < MIN_RESPONSES


def compute_results(page: SurveyPage, responses, *, narrowed: bool = True) -> Results:
    """Aggregates of every question over `responses` (a Response queryset). A dozen queries, always.

    `narrowed=False` says `responses` are all of the survey's: answers are then read without a subquery.
    """
    # The survey filter lets the database use the (survey, question, row, choice) index.
    answers = Answer.objects.filter(survey_id=page.pk)
    if narrowed:
        answers = answers.filter(response__in=responses.values("pk"))
    total = responses.count()
    answered = {
        row["question"]: row["n"]
        for row in answers.values("question").annotate(n=Count("response_id", distinct=True)).order_by()
    }
    counts: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for row in answers.exclude(choice="").values("question", "row", "choice").annotate(n=Count("id")).order_by():
        counts[row["question"]][(row["row"], row["choice"])] = row["n"]
    numbers: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in (
        answers.filter(number__isnull=False)
        .values("question", "choice")
        .annotate(avg=Avg("number"), low=Min("number"), high=Max("number"), n=Count("id"))
        .order_by()
    ):
        numbers[row["question"]][row["choice"]] = row
    dates = {
        row["question"]: row
        for row in answers.filter(date__isnull=False)
        .values("question")
        .annotate(low=Min("date"), high=Max("date"))
        .order_by()
    }
    texts: dict[str, list[str]] = defaultdict(list)
    question_list = page.question_list()
    text_ids = [qid for qid, block, _v, _s in question_list if block.samples_texts]
    if text_ids and total >= MIN_RESPONSES:
        sample = (
            answers.filter(question__in=text_ids)
            .exclude(text="")
            .annotate(position=Window(RowNumber(), partition_by=[F("question")], order_by=F("response_id").asc()))
            .filter(position__lte=TEXT_SAMPLE)
            .values_list("question", "text")
        )
        for qid, text in sample:
            texts[qid].append(text)

    questions = []
    for number, (qid, block, value, _section) in enumerate(question_list, start=1):
        result = QuestionResult(qid, number, value.get("label", ""), block.question_type, answered.get(qid, 0))
        tally = Tally(result.answered, counts.get(qid, {}), numbers.get(qid, {}), dates.get(qid, {}))
        block.summarise(value, tally, result)
        result.texts = texts.get(qid, [])
        if not result.hidden and not (total < MIN_RESPONSES):
            block.draw(result, f"{result.number}. {result.label}")
        questions.append(result)

    satisfaction = None
    if any(block.rates_satisfaction for _qid, block, _v, _s in question_list):
        satisfaction = summarise(page.specific if type(page) is SurveyPage else page, responses if narrowed else None)
    return Results(total=total, questions=questions, satisfaction=satisfaction)


def satisfaction_charts(summary: SatisfactionSummary) -> dict[str, str]:
    """Bar chart of 满意率 per dimension, pie of the levels overall (as used by the results page and PDF)."""
    if summary.hidden:
        return {}
    rates = [(d.label, round((d.rate or 0) * 100, 1)) for d in summary.dimensions]
    overall = summary.overall
    return {
        "rates": charts.bar_chart(rates, title=_("Satisfaction rate by dimension"), max_value=100, value_suffix="%"),
        "levels": charts.pie_chart(
            [(label_of(code), getattr(overall, code)) for code in CODES],
            title=_("All answers by level"),
        ),
    }
