"""Helpers to build surveys, plain functions on runtime dependencies (imported by tests, the demo and benchmarks)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from surveys.models import SatisfactionSurveyPage, SurveyPage

_counter = {"n": 0}


def _slug(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix}-{_counter['n']}"


def q(kind: str, label: str, **options) -> tuple[str, dict]:
    """One question of the stream: q("single_choice", "年龄", choices=["A", "B"], key="age")."""
    value = {
        "label": label,
        "help_text": options.pop("help_text", ""),
        "required": options.pop("required", True),
        "key": options.pop("key", ""),
        "show_if": options.pop("show_if", {"question": "", "values": ""}),
    }
    value.update(options)
    return kind, value


def section(title: str, **options) -> tuple[str, dict]:
    return "section", {
        "title": title,
        "intro": options.get("intro", ""),
        "show_if": options.get("show_if", {"question": "", "values": ""}),
    }


GENERAL_QUESTIONS = [
    q("single_choice", "您的年龄段", choices=["30岁以下", "30–59岁", "60岁及以上"], key="age"),
    q(
        "multiple_choice",
        "您希望社区开展哪些活动？",
        choices=["健康讲座", "文艺演出", "志愿服务", "亲子活动"],
        max_picks=2,
    ),
    q("rating", "您对社区环境的总体评价", scale_min=1, scale_max=5, min_label="很差", max_label="很好"),
    q("long_text", "其他建议", required=False),
]


def survey_page(parent, *, questions=None, page_class=SurveyPage, live=True, **fields) -> SurveyPage:
    """A published survey below `parent`, open since yesterday unless told otherwise."""
    fields.setdefault("title", "社区居民问卷")
    fields.setdefault("slug", _slug("survey"))
    fields.setdefault("opens_at", timezone.now() - dt.timedelta(days=1))
    if questions is not None:
        fields["questions"] = questions
    elif page_class is SurveyPage:
        fields["questions"] = GENERAL_QUESTIONS
    page = parent.add_child(instance=page_class(live=live, **fields))
    return page


def satisfaction_page(parent, **fields) -> SatisfactionSurveyPage:
    fields.setdefault("title", "群众满意度测评")
    return survey_page(parent, page_class=SatisfactionSurveyPage, **fields)


def qid(page: SurveyPage, index: int) -> str:
    """The block id of the index-th question (sections not counted)."""
    return page.question_list()[index][0]


def add_responses(
    page: SurveyPage, answers: list[dict], *, grid=None, organization=None, submitted_on=None, users=None
):
    """Store responses directly (bulk): each item maps question id → choice, list of choices, or {row: choice}.

    Used by tests and the demo; real submissions go through `surveys.answering.submit`.
    """
    from surveys.models import Answer, Response, ResponseTally

    day = submitted_on or timezone.localdate()
    responses = [
        Response(
            survey=page,
            user=users[i] if users else None,
            submitted_on=day,
            grid=grid,
            organization=organization or (grid.community if grid else None),
        )
        for i in range(len(answers))
    ]
    Response.objects.bulk_create(responses, batch_size=2000)
    ResponseTally.record(page.pk, added=len(responses))
    rows = []
    for response, answer in zip(responses, answers, strict=True):
        for question, value in answer.items():
            if isinstance(value, dict):
                rows += [
                    Answer(response=response, survey=page, question=question, row=r, choice=c) for r, c in value.items()
                ]
            elif isinstance(value, list):
                rows += [Answer(response=response, survey=page, question=question, choice=c) for c in value]
            elif isinstance(value, int | float):
                rows.append(Answer(response=response, survey=page, question=question, number=float(value)))
            elif isinstance(value, str) and value.startswith("text:"):
                rows.append(Answer(response=response, survey=page, question=question, text=value[5:]))
            else:
                rows.append(Answer(response=response, survey=page, question=question, choice=value))
    Answer.objects.bulk_create(rows, batch_size=5000)
    return responses
