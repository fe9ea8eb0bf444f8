"""Issue 13 M2 and L4: filtered results, exports and invitation lists tell no one's anonymous answer;
out-of-range numbers in survey forms and admin actions get a clear answer, never a server error."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest

from django.urls import reverse
from django.utils import timezone

from organizations.factories import GridFactory
from surveys import mixing
from surveys.factories import add_responses, qid, survey_page
from surveys.invitations import issue
from surveys.models import Draft, Invitation, SurveyPage
from tests.surveys.exporting import export_aggregates, export_responses

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture
def cells(tree):
    """An anonymous survey of the community: branch A's members in grid 1 (6), one member of branch B in
    grid 1 (the only one who chose 60岁及以上), and residents counted under the community in grid 2 (4)."""
    community, branch_a, branch_b = tree["community"], tree["branch_a"], tree["branch_b"]
    grid1, grid2 = tree["grid"], GridFactory(community=community, name="第二网格", code="heping-g2")
    page = survey_page(community.page, mode=SurveyPage.Mode.ANONYMOUS, ask_grid=True)
    young, middle, old = "30岁以下", "30–59岁", "60岁及以上"
    add_responses(page, [{qid(page, 0): young}] * 3 + [{qid(page, 0): middle}] * 3, grid=grid1, organization=branch_a)
    add_responses(page, [{qid(page, 0): old}], grid=grid1, organization=branch_b)
    add_responses(page, [{qid(page, 0): middle}] * 4, grid=grid2, organization=community)
    return page, [community, branch_a, branch_b], [grid1, grid2]


def _view(client, page, **filters):
    response = client.get(page.url + "results/", {k: v.pk for k, v in filters.items() if v is not None})
    results = response.context["results"]
    age = dict((label, n) for label, n, _share in results.questions[0].rows)
    return results.total, age


def test_no_two_filtered_views_of_an_anonymous_survey_differ_by_fewer_than_three_responses(client, cells, org_admin):
    page, organizations, grids = cells
    client.force_login(org_admin)
    views = {
        (organization, grid): _view(client, page, organization=organization, grid=grid)
        for organization, grid in itertools.product([None, *organizations], [None, *grids])
    }
    assert views[(None, None)][0] == 11 and views[(None, None)][1]["60岁及以上"] == 1  # overall: everyone
    for (total_a, age_a), (total_b, age_b) in itertools.combinations(views.values(), 2):
        assert abs(total_a - total_b) == 0 or abs(total_a - total_b) >= 3
    # Grid 1 minus branch A would be the one member of branch B: their cell is counted only overall.
    for key, (_total, age) in views.items():
        if key != (None, None):
            assert age.get("60岁及以上", 0) == 0, key
    html = client.get(page.url + "results/", {"grid": grids[0].pk}).content.decode()
    assert "只计入未筛选的总体结果" in html


def test_anonymous_results_offer_no_date_filter_and_ignore_dates(client, cells, org_admin, branch_a):
    page, _organizations, _grids = cells
    client.force_login(org_admin)
    response = client.get(page.url + "results/", {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert response.context["results"].total == 11
    assert 'name="date_from"' not in response.content.decode()
    identified = survey_page(branch_a.page)
    assert 'name="date_from"' in client.get(identified.url + "results/").content.decode()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_anonymous_raw_export_hides_where_small_cells_are_and_filtered_groups_under_three(client, cells, org_admin):
    page, organizations, grids = cells
    client.force_login(org_admin)
    rows = _csv(export_responses(client, page, "csv"))
    assert len(rows) == 12 and {row[1] for row in rows[1:]} == {timezone.localdate().isoformat()}
    lonely = [row for row in rows[1:] if row[4] == "60岁及以上"]
    assert lonely == [[lonely[0][0], lonely[0][1], "", "", "60岁及以上"] + lonely[0][5:]]
    # A filter that leaves fewer than three responses exports no row at all.
    assert len(_csv(export_responses(client, page, "csv", {"organization": organizations[2].pk}))) == 1
    assert len(_csv(export_responses(client, page, "csv", {"grid": grids[0].pk}))) == 7


def test_satisfaction_breakdowns_of_an_anonymous_survey_leave_out_cells_under_three(tree):
    from surveys.factories import satisfaction_page
    from surveys.satisfaction import summarise

    community = tree["community"]
    grid2 = GridFactory(community=community, name="第二网格", code="heping-g2")
    page = satisfaction_page(community.page, target_organization=community)
    dimension = page.question_list()[0][2]["dimensions"][0]["label"]
    answer = {qid(page, 0): {dimension: "satisfied"}}
    add_responses(page, [answer] * 5, grid=tree["grid"])
    add_responses(page, [{qid(page, 0): {dimension: "dissatisfied"}}], grid=grid2)
    add_responses(page, [answer] * 4, organization=community)  # no grid given
    summary = summarise(page)
    assert summary.responses == 10 and summary.overall.dissatisfied == 1
    # Grid 2's one resident is in no breakdown; nor is the next smallest group (those who gave no grid),
    # else the total minus the breakdowns would be that one resident.
    assert [(g.name, g.responses) for g in summary.by_grid] == [("第一网格", 5)]
    assert sum(g.counts.dissatisfied for g in summary.by_organization) == 0
    assert summary.left_out == 5


def test_which_invited_person_answered_is_not_shown_until_the_close(client, branch_a, editor_a):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.INVITATION)
    (code, used), (_other, unused) = issue(page, ["王秀英", "李建国"])
    data = {f"q-{qid(page, 0)}": "30岁以下", f"q-{qid(page, 1)}": ["健康讲座"], f"q-{qid(page, 2)}": "4"}
    client.post(page.url, data | {"code": code})
    assert Invitation.objects.get(pk=used.pk).used
    client.force_login(editor_a)
    url = reverse("surveys_invitations", args=[page.pk])
    listing = client.get(url)
    html = listing.content.decode()
    assert "已使用 1 个" in html  # the count is shown
    assert "已使用</td>" not in html and html.count("已发放</td>") == 2
    # Both names can be revoked: the button does not tell who answered either.
    assert all(row.can_revoke for row in listing.context["invitations"])
    page.closes_at = timezone.now() - dt.timedelta(seconds=1)
    page.save()
    html = client.get(url).content.decode()
    assert "已使用</td>" in html and "未使用</td>" in html


# --- L4: numbers out of range ------------------------------------------------------------------------------


def test_a_huge_step_or_revision_in_a_survey_form_is_no_server_error(client, resident, branch_a):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    response = client.post(page.url, {f"q-{qid(page, 0)}": "30岁以下", "action": "save", "step": HUGE})
    assert response.status_code == 302
    assert Draft.objects.get().step == 0  # one step only: the last step is the first
    response = client.post(page.url, {f"q-{qid(page, 0)}": "30岁以下", "revision": HUGE, "step": "-3"})
    assert response.status_code == 200  # the form again, with the missing answers marked
    asks_grid = survey_page(branch_a.page, ask_grid=True)
    response = client.post(asks_grid.url, {f"q-{qid(asks_grid, 0)}": "30岁以下", "grid": HUGE})
    assert response.status_code == 200 and "请选择您所在的网格" in response.content.decode()


def test_revoking_an_invitation_that_is_not_a_number_is_not_found(client, branch_a, editor_a):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.INVITATION)
    ((_code, invitation),) = issue(page, ["王秀英"])
    client.force_login(editor_a)
    url = reverse("surveys_invitations_revoke", args=[page.pk])
    for bad in ("abc", HUGE, "²", str(invitation.pk + 1000)):
        assert client.post(url, {"invitation": bad}).status_code == 404, bad
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert client.get(f"/admin/surveys/{HUGE}/invitations/").status_code == 404
    assert client.post(f"/admin/surveys/{HUGE}/invitations/revoke/").status_code == 404


def test_huge_filter_values_on_results_are_ignored(client, branch_a, org_admin):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    mixing.box_for(page)
    client.force_login(org_admin)
    for key in ("organization", "grid", "date_from"):
        assert client.get(page.url + "results/", {key: HUGE}).status_code == 200
        assert export_aggregates(client, page, "csv", {key: HUGE}).status_code == 200


def test_a_lost_key_leaves_answers_waiting_and_is_reported_not_a_server_error(client, branch_a, org_admin):
    from django.core.management import CommandError, call_command

    from accounts.factories import UserFactory
    from core import sealing

    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    data = {f"q-{qid(page, 0)}": "30岁以下", f"q-{qid(page, 1)}": ["健康讲座"], f"q-{qid(page, 2)}": "4"}
    client.force_login(UserFactory())
    client.post(page.url, data)
    sealing.destroy(page.box().scope)
    page.closes_at = timezone.now() - dt.timedelta(seconds=1)
    page.save()
    client.force_login(org_admin)
    response = client.get(page.url + "results/")
    assert response.status_code == 200 and "1 份答卷待汇总" in response.content.decode()
    with pytest.raises(CommandError):
        call_command("mix_responses", stdout=io.StringIO(), stderr=io.StringIO())
    assert mixing.pending(page) == 1


def test_a_worker_mixes_each_full_batch_and_settles_the_survey_at_its_close(client, branch_a, settings):
    from django_tasks import task_backends

    from accounts.factories import UserFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SEALING_MIX_BATCH = 2
    closes = timezone.now() + dt.timedelta(days=3)
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS, closes_at=closes)
    data = {f"q-{qid(page, 0)}": "30岁以下", f"q-{qid(page, 1)}": ["健康讲座"], f"q-{qid(page, 2)}": "4"}
    for _ in range(4):
        client.force_login(UserFactory())
        client.post(page.url, data)
    ours = ("settle_at_close", "mix_survey")
    queued = [(r.task.name, r.task.run_after, r.args) for r in task_backends["default"].results if r.task.name in ours]
    assert queued == [("settle_at_close", closes, [page.pk]), ("mix_survey", None, [page.pk])]
    assert mixing.pending(page) == 4  # the worker has not run yet
