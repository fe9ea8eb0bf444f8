"""The pages: a resident reports on the form (with a photo), the handler acts, the resident rates."""

import pytest

from appeals.models import Appeal, Entry, Status

pytestmark = pytest.mark.django_db


def test_the_report_form_knows_the_residents_grid_and_last_building(client, neighbour, lamp, grids, worker_1):
    client.force_login(neighbour)
    page = client.get("/appeals/new/").content.decode()
    assert f'<option value="{grids[0].pk}" selected>' in page
    Appeal.objects.create(
        category=lamp,
        reporter=neighbour,
        grid=grids[0],
        unit=worker_1.grid_duties.get().branch,
        place="7号楼2单元",
        description="x",
        accept_due=Appeal._meta.get_field("created_at").default(),
        finish_due=Appeal._meta.get_field("created_at").default(),
    )
    assert 'value="7号楼2单元"' in client.get("/appeals/new/").content.decode()


def test_a_resident_reports_with_a_photo_and_the_handler_finishes_with_a_result_photo(
    client, neighbour, lamp, grids, worker_1, upload
):
    client.force_login(neighbour)
    response = client.post(
        "/appeals/new/",
        {
            "category": lamp.pk,
            "grid": grids[0].pk,
            "place": "3号楼",
            "description": "楼道灯坏了",
            "photos": [upload(size=(120, 90))],
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.pk}/"
    assert appeal.photos.count() == 1
    client.force_login(worker_1)
    assert f"appeal-{appeal.pk}" in client.get("/appeals/handle/").content.decode()
    client.post(f"/appeals/{appeal.pk}/act/", {"action": "accept"})
    client.post(
        f"/appeals/{appeal.pk}/act/", {"action": "finish", "body": "已更换灯泡", "photos": [upload(size=(120, 90))]}
    )
    appeal.refresh_from_db()
    assert (
        appeal.status == Status.DONE
        and appeal.photos.filter(is_result=True, entry__kind=Entry.Kind.FINISH).count() == 1
    )
    client.force_login(neighbour)
    assert "已更换灯泡" in client.get(f"/appeals/{appeal.pk}/").content.decode()
    client.post(f"/appeals/{appeal.pk}/rate/", {"rating": "satisfied", "comment": "很快"})
    appeal.refresh_from_db()
    assert appeal.rating == "satisfied"


def test_bad_input_gets_a_message_not_an_error(client, neighbour, lamp, grids, worker_1):
    client.force_login(neighbour)
    response = client.post("/appeals/new/", {"category": "abc", "grid": "", "description": ""})
    assert response.status_code == 200 and not Appeal.objects.exists()
    client.force_login(worker_1)
    for data in (
        {"action": "nope"},
        {"action": "transfer", "unit": "x"},
        {"action": "extend", "days": "９", "body": "因"},
    ):
        assert client.post("/appeals/999999999999999999999/act/", data).status_code == 404
    appeal = Appeal.objects.create(
        category=lamp,
        reporter=neighbour,
        grid=grids[0],
        unit=worker_1.grid_duties.get().branch,
        description="x",
        accept_due=Appeal._meta.get_field("created_at").default(),
        finish_due=Appeal._meta.get_field("created_at").default(),
    )
    for data in (
        {"action": "nope"},
        {"action": "transfer", "unit": "x"},
        {"action": "extend", "days": "９", "body": "因"},
    ):
        assert client.post(f"/appeals/{appeal.pk}/act/", data).status_code == 302


def test_pages_for_signed_in_users_send_visitors_to_sign_in(client):
    for url in ("/appeals/", "/appeals/new/", "/appeals/handle/", "/appeals/volunteer/"):
        assert client.get(url).status_code == 302


def test_a_member_registers_with_the_community(client, member_a, tree, grids):
    client.force_login(member_a)
    response = client.post(
        "/appeals/volunteer/",
        {
            "community": tree["community"].pk,
            "grid": grids[0].pk,
            "workplace": "区医院",
            "skills": "量血压",
            "availability": "周末",
        },
    )
    assert response.status_code == 302 and member_a.volunteer.skills == "量血压"


@pytest.mark.parametrize(
    "hours", ["NaN", "nan", "sNaN", "inf", "-Infinity", "-1", "0", "0.4", "24.1", "1e9", "两小时", ""]
)
def test_volunteer_hours_that_are_not_a_sensible_number_get_a_message_not_an_error(
    client, neighbour, lamp, grids, worker_1, member_a, tree, hours
):
    from appeals import handling
    from appeals.models import VolunteerHours

    volunteer = handling.register_volunteer(
        member_a, community=tree["community"], grid=grids[0], workplace="区医院", skills="量血压", availability="周末"
    )
    appeal = handling.report(neighbour, category=lamp, grid=grids[0], description="楼道灯坏了")
    client.force_login(worker_1)
    response = client.post(
        f"/appeals/{appeal.pk}/act/",
        {"action": "hours", "volunteer": volunteer.pk, "hours": hours, "body": "陪同就医"},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    # In the user's language (zh-hans by default).
    assert set(messages) & {"请以数字填写时长，例如 2 或 1.5。", "请填写 0.5 至 24 小时。"}, messages
    assert not VolunteerHours.objects.exists()


def test_volunteer_hours_keep_one_decimal(client, neighbour, lamp, grids, worker_1, member_a, tree):
    from appeals import handling
    from appeals.models import VolunteerHours

    volunteer = handling.register_volunteer(
        member_a, community=tree["community"], grid=grids[0], workplace="", skills="量血压", availability=""
    )
    appeal = handling.report(neighbour, category=lamp, grid=grids[0], description="楼道灯坏了")
    client.force_login(worker_1)
    client.post(f"/appeals/{appeal.pk}/act/", {"action": "hours", "volunteer": volunteer.pk, "hours": " 1.25 "})
    assert str(VolunteerHours.objects.get().hours) == "1.3"
