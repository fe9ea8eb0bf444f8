"""Drafts: what an identified respondent typed so far, kept to continue later (no validation).

Only identified surveys keep drafts: a draft holds a named person's answers in plain text, so anonymous
and invitation surveys keep none. Submitting the response deletes its draft (surveys/answering.py).
"""

from __future__ import annotations

from django.http import QueryDict

from surveys.models import Draft, SurveyPage


def may_save_draft(page: SurveyPage) -> bool:
    """Only identified surveys keep drafts: a draft holds a named person's answers in plain text."""
    return page.mode == SurveyPage.Mode.IDENTIFIED


def save_draft(page: SurveyPage, user, data: QueryDict, step: int = 0) -> None:
    """Keep what was typed so far (no validation); submitting deletes it. Identified surveys only."""
    if not may_save_draft(page):
        raise ValueError("Anonymous and invitation surveys keep no drafts.")
    kept = {key: data.getlist(key) for key in data if key.startswith("q-") or key == "grid"}
    Draft.objects.update_or_create(survey=page, user=user, defaults={"data": kept, "step": step})


def draft_data(page: SurveyPage, user) -> tuple[QueryDict, int] | None:
    if not may_save_draft(page):
        return None
    draft = Draft.objects.filter(survey=page, user=user).first()
    if draft is None:
        return None
    data = QueryDict(mutable=True)
    for key, values in draft.data.items():
        data.setlist(key, values)
    return data, draft.step
