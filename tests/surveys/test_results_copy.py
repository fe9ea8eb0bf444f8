"""The results page kept for each signed-in viewer (core/cache.py; issue 19).

A copy is answered before routing while nothing it shows has changed; a response written, counted or
waiting to be counted, a lost right, or the survey's closing time each make the next visit draw it anew.
"""

import datetime as dt
from unittest import mock

import pytest

from django.utils import timezone

from accounts.factories import UserFactory
from core import cache as page_cache
from organizations import roles
from surveys.factories import add_responses, qid, survey_page
from surveys.models import SurveyPage

pytestmark = pytest.mark.django_db


def _visit(client, page):
    response = client.get(page.url + "results/")
    return response.status_code, response.get("X-Page-Cache"), response.content.decode()


@pytest.fixture
def admin_client(sign_in, org_admin):
    return sign_in(org_admin)


def test_an_organiser_gets_their_own_copy_on_the_second_visit(admin_client, branch_a):
    page = survey_page(branch_a.page)
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 3)
    assert _visit(admin_client, page)[:2] == (200, "miss")
    status, cached, html = _visit(admin_client, page)
    assert (status, cached) == (200, "hit") and "3 份答卷" in html


def test_a_new_response_is_counted_on_the_next_visit(
    admin_client, client, branch_a, django_capture_on_commit_callbacks
):
    page = survey_page(branch_a.page)
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 3)
    _visit(admin_client, page)
    with django_capture_on_commit_callbacks(execute=True):
        add_responses(page, [{qid(page, 0): "60岁及以上"}])
    status, cached, html = _visit(admin_client, page)
    assert cached == "miss" and "4 份答卷" in html


def test_a_sealed_answer_waiting_to_be_counted_shows_on_the_next_visit(admin_client, branch_a):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    assert "data-pending" not in _visit(admin_client, page)[2]
    answerer = UserFactory()
    from django.test import Client

    other = Client()
    other.force_login(answerer)
    other.post(page.url, {f"q-{qid(page, 0)}": "30岁以下", f"q-{qid(page, 1)}": ["健康讲座"], f"q-{qid(page, 2)}": "3"})
    status, cached, html = _visit(admin_client, page)
    assert cached == "miss" and 'data-pending="1"' in html


def test_an_organiser_who_loses_the_role_loses_the_copy(admin_client, org_admin, tree, branch_a):
    page = survey_page(branch_a.page)
    assert _visit(admin_client, page)[0] == 200
    roles.revoke(org_admin, tree["street"], roles.Role.ADMIN)
    assert _visit(admin_client, page)[0] == 403


def test_a_copy_is_kept_no_longer_than_until_the_survey_closes(admin_client, branch_a):
    page = survey_page(branch_a.page, closes_at=timezone.now() + dt.timedelta(minutes=2))
    with mock.patch.object(page_cache.cache, "set", wraps=page_cache.cache.set) as stored:
        _visit(admin_client, page)
    ((_key, _value, timeout),) = [c.args for c in stored.call_args_list if c.args[0].startswith("home:page:viewer:")]
    assert 0 < timeout <= 121


def test_filtered_results_are_drawn_every_time(admin_client, branch_a):
    page = survey_page(branch_a.page)
    _visit(admin_client, page)
    response = admin_client.get(page.url + "results/?date_from=2026-01-01")
    assert response.status_code == 200 and response.get("X-Page-Cache") is None
