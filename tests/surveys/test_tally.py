"""The response tally: the results page reads one row, not an aggregate over the responses (issue 19)."""

import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import UserFactory
from surveys import mixing
from surveys.factories import add_responses, qid, survey_page
from surveys.models import Response, ResponseTally, SurveyPage

pytestmark = pytest.mark.django_db


def _tally(page) -> tuple[int, int]:
    row = ResponseTally.objects.get(survey=page)
    return row.responses, row.changes


def _answers(page, age="30岁以下"):
    return {f"q-{qid(page, 0)}": age, f"q-{qid(page, 1)}": ["健康讲座"], f"q-{qid(page, 2)}": "3"}


def test_a_new_survey_starts_with_an_empty_tally(branch_a):
    assert _tally(survey_page(branch_a.page)) == (0, 0)


def test_a_submission_counts_one_response_and_an_edit_counts_a_change_only(client, resident, branch_a):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    client.post(page.url, _answers(page))
    assert _tally(page) == (1, 1)
    client.post(page.url, _answers(page, "60岁及以上") | {"revision": "1"})
    assert _tally(page) == (1, 2)
    client.post(page.url, _answers(page) | {"revision": "1"})  # stale tab: nothing changes
    assert _tally(page) == (1, 2)


def test_deleting_responses_with_their_people_takes_them_off_the_tally(branch_a):
    page = survey_page(branch_a.page)
    people = UserFactory.create_batch(3)
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 3, users=people)
    people[0].delete()
    Response.objects.filter(user=people[1]).delete()
    assert _tally(page)[0] == Response.objects.filter(survey=page).count() == 1


def test_a_mixed_batch_of_sealed_answers_is_counted_when_it_is_written(client, branch_a):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    for person in UserFactory.create_batch(4):
        client.force_login(person)
        client.post(page.url, _answers(page))
    assert _tally(page) == (0, 0)  # sealed: nothing readable, nothing counted
    page.closes_at = timezone.now() - dt.timedelta(minutes=1)
    page.save()
    mixing.settle(page)
    assert _tally(page)[0] == Response.objects.filter(survey=page).count() == 4


def test_the_cached_results_page_counts_nothing_over_the_responses(client, branch_a, org_admin):
    page = survey_page(branch_a.page)
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 20)
    client.force_login(org_admin)
    url = page.url + "results/"
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert "20 份答卷" in response.content.decode()
    over_responses = [q["sql"] for q in captured if '"surveys_response"' in q["sql"] and "COUNT(" in q["sql"].upper()]
    assert over_responses == []


def test_results_filtered_by_grid_show_the_filtered_count_and_refresh_after_a_response(
    client, branch_a, org_admin, tree
):
    page = survey_page(branch_a.page, ask_grid=True)
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 4, grid=tree["grid"])
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 2)
    client.force_login(org_admin)
    url = f"{page.url}results/?grid={tree['grid'].pk}"
    assert client.get(url).context["response_count"] == 4
    add_responses(page, [{qid(page, 0): "60岁及以上"}], grid=tree["grid"])
    assert client.get(url).context["response_count"] == 5
    assert client.get(page.url + "results/").context["response_count"] == 7


def test_a_survey_without_a_tally_row_is_counted_from_its_responses(client, branch_a, org_admin):
    page = survey_page(branch_a.page)
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 3)
    ResponseTally.objects.filter(survey=page).delete()  # as for a page loaded raw from a fixture
    client.force_login(org_admin)
    assert client.get(page.url + "results/").context["response_count"] == 3
