from django import template
from django.urls import NoReverseMatch, reverse

from surveys.results import satisfaction_charts as _satisfaction_charts

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.9375 → "93.8%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def points(value) -> str:
    """A change of a rate in percentage points, signed: 0.05 → "+5.0"."""
    if value is None:
        return "—"
    return f"{float(value) * 100:+.1f}"


@register.simple_tag
def satisfaction_charts(summary):
    return _satisfaction_charts(summary)


def has_satisfaction_question(page) -> bool:
    return any(block.rates_satisfaction for _qid, block, _value, _section in page.question_list())


def report_url_of(page) -> str:
    """The URL of the satisfaction PDF of `page` ("" when the `evaluation` app that draws it is absent).

    `evaluation` is a higher floor, never imported here: its URL is looked up by name. Show it only to
    people who may see the results, as the report view itself checks (`surveys.view_results`).
    """
    try:
        return reverse("evaluation:satisfaction_report", kwargs={"survey_id": page.pk})
    except NoReverseMatch:
        return ""


@register.simple_tag
def satisfaction_report_url(page) -> str:
    """The satisfaction PDF of a survey with a satisfaction question, "" otherwise."""
    if page is None or not has_satisfaction_question(page):
        return ""
    return report_url_of(page)
