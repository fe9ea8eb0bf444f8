"""Double submits on PostgreSQL: concurrent requests of one user store exactly one response."""

import pytest

from django.http import QueryDict

from accounts.factories import UserFactory
from surveys import answering
from surveys.factories import qid, survey_page
from surveys.models import Answer, Participation, Response, ResponseTally, SealedResponse, SurveyBox, SurveyPage
from tests.concurrency import run_concurrently

# PostgreSQL allows 100 connections here: 100 submissions in 4 waves of 25 simultaneous ones.
WAVES, PER_WAVE = 4, 25


def _form(page):
    data = QueryDict(mutable=True)
    data[f"q-{qid(page, 0)}"] = "30岁以下"
    data.setlist(f"q-{qid(page, 1)}", ["健康讲座"])
    data[f"q-{qid(page, 2)}"] = "4"
    return data


def _hammer(page, user):
    data = _form(page)
    outcomes = []
    for _wave in range(WAVES):
        outcomes += run_concurrently(lambda i: answering.submit(page, data, user=user)[0], PER_WAVE)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("mode", [SurveyPage.Mode.ANONYMOUS, SurveyPage.Mode.IDENTIFIED])
def test_a_hundred_concurrent_submissions_by_one_user_store_one_response(branch_a, mode):
    page = survey_page(branch_a.page, mode=mode)
    user = UserFactory()
    outcomes = _hammer(page, user)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert outcomes.count(answering.Outcome.STORED) == 1
    assert outcomes.count(answering.Outcome.ALREADY_ANSWERED) == WAVES * PER_WAVE - 1
    if mode == SurveyPage.Mode.ANONYMOUS:
        # Sealed until a batch is mixed: one blob, one participation, one box (the first answers raced to make it).
        assert Participation.objects.filter(survey=page, user=user).count() == 1
        assert SealedResponse.objects.filter(survey=page).count() == 1 and not Response.objects.exists()
        assert SurveyBox.objects.filter(survey=page).count() == 1
    else:
        assert Response.objects.filter(survey=page).count() == 1
        assert Answer.objects.filter(survey=page).count() == 3
        assert ResponseTally.objects.get(survey=page).responses == 1
