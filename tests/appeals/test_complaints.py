"""A complaint about those who handle it (《北京市接诉即办工作条例》 art. 35 in spirit): the resident says so on
the form, the request starts at the level above the one complained about, and the people complained about
(the grid worker, the branch, or the community) never handle it, are never told, never learn who reported."""

import re

import pytest

from accounts.factories import UserFactory
from appeals import dispatch, handling
from appeals.models import Appeal, Complaint, Level
from notifications.models import Notification
from organizations import roles

pytestmark = pytest.mark.django_db


def _report_on_the_form(client, user, category, grid, complaint):
    client.force_login(user)
    return client.post(
        "/appeals/new/",
        {
            "category": category.pk,
            "grid": grid.pk,
            "description": "网格员答应修灯，两周没人来",
            "complains_about": complaint,
        },
    )


def test_the_report_form_asks_whether_it_is_a_complaint_in_chinese(client, neighbour, lamp, grids, worker_1):
    client.force_login(neighbour)
    page = client.get("/appeals/new/").content.decode()
    assert "这是对网格或社区办理情况的投诉吗" in page
    assert 'name="complains_about" value="grid"' in page and 'name="complains_about" value="community"' in page
    assert re.search(r'name="complains_about" value=""[^>]*checked', page)  # "no" unless the resident says so


def test_a_complaint_about_the_grid_worker_goes_to_the_community_never_to_the_grid(
    client, neighbour, lamp, grids, worker_1, branch_a, secretary_a, tree
):
    response = _report_on_the_form(client, neighbour, lamp, grids[0], Complaint.GRID)
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert appeal.complaint == Complaint.GRID and appeal.complains_about == branch_a
    assert appeal.level == Level.COMMUNITY and appeal.unit == tree["community"]
    for concerned in (worker_1, secretary_a):
        assert not concerned.has_perm("appeals.handle", appeal)
        assert not concerned.has_perm("appeals.view_appeal", appeal)
        assert not Notification.objects.filter(recipient=concerned, link=f"/appeals/{appeal.pk}/").exists()
        assert concerned.pk not in dispatch.handler_ids(appeal)
        client.force_login(concerned)
        assert client.get(f"/appeals/{appeal.pk}/row/").status_code == 404
        assert f"appeal-{appeal.pk}" not in client.get("/appeals/handle/?tab=area").content.decode()


def test_a_complaint_about_the_community_goes_to_the_street(client, neighbour, lamp, grids, worker_1, tree):
    community_admin = UserFactory()
    roles.grant(community_admin, tree["community"], roles.Role.ADMIN)
    _report_on_the_form(client, neighbour, lamp, grids[0], Complaint.COMMUNITY)
    appeal = Appeal.objects.get()
    assert appeal.complains_about == tree["community"]
    assert appeal.level == Level.STREET and appeal.unit == tree["street"]
    assert not community_admin.has_perm("appeals.handle", appeal)
    assert not worker_1.has_perm("appeals.handle", appeal)


def test_a_grid_worker_who_also_helps_the_community_never_handles_a_complaint_about_them(
    client, neighbour, lamp, grids, worker_1, tree, org_admin
):
    roles.grant(worker_1, tree["community"], roles.Role.EDITOR)
    _report_on_the_form(client, neighbour, lamp, grids[0], Complaint.GRID)
    appeal = Appeal.objects.get()
    assert appeal.unit == tree["community"]
    assert not worker_1.has_perm("appeals.handle", appeal)
    assert not Appeal.objects.for_handler(worker_1).filter(pk=appeal.pk).exists()
    assert worker_1.pk not in dispatch.handler_ids(appeal)
    with pytest.raises(handling.NotPermitted):
        handling.accept(appeal, worker_1)
    assert org_admin.has_perm("appeals.handle", appeal) and org_admin.has_perm("appeals.see_reporter", appeal)


def test_a_complaint_is_never_transferred_or_sent_back_to_those_it_is_about(
    neighbour, lamp, grids, worker_1, branch_a, branch_b, tree, org_admin
):
    appeal = handling.report(neighbour, category=lamp, grid=grids[0], description="网格员态度差", complaint="grid")
    assert branch_a not in dispatch.transfer_targets(appeal) and branch_b in dispatch.transfer_targets(appeal)
    with pytest.raises(handling.ActionError):
        handling.transfer(appeal, org_admin, branch_a, "请支部说明情况")
    appeal.refresh_from_db()
    assert appeal.unit == tree["community"] and not worker_1.has_perm("appeals.handle", appeal)


def test_a_complaint_about_a_grid_without_a_branch_goes_above_its_community(client, neighbour, lamp, tree):
    from appeals.factories import make_duty
    from organizations.factories import GridFactory

    grid = GridFactory(community=tree["community"], name="第三网格", code="heping-g3")
    worker = UserFactory()
    make_duty(grid, worker=worker, branch=None)
    appeal = handling.report(neighbour, category=lamp, grid=grid, description="网格员不回复", complaint="grid")
    assert appeal.complains_about == tree["community"] and appeal.unit == tree["street"]
    assert not worker.has_perm("appeals.handle", appeal) and worker.pk not in dispatch.handler_ids(appeal)


def test_a_made_up_complaint_choice_gets_a_message_and_stores_nothing(client, neighbour, lamp, grids, worker_1):
    response = _report_on_the_form(client, neighbour, lamp, grids[0], "street")
    assert response.status_code == 200 and not Appeal.objects.exists()
    assert "complains_about" in response.context["form"].errors
