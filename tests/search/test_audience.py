"""Issue 13 H5: a consultation for some members or residents only is found, listed and announced only to
those it concerns: site search, the consultation index, the home page, the sitemap and notifications."""

import pytest

from django.urls import reverse

from consultation import outcome, posting, rules, stages
from consultation.factories import make_consultation
from consultation.models import Audience
from home.models import BranchPage, HomePage
from notifications.models import Notification
from organizations.models import Residence

pytestmark = pytest.mark.django_db

SECRET = "支部内部整改议题"
BACKGROUND = [("paragraph", "<p>涉及党员违纪问题的处理意见</p>")]


@pytest.fixture
def pages(home_page, branch_a, tree):
    section = BranchPage.objects.get(pk=branch_a.page_id)
    members = make_consultation(
        section,
        slug="members",
        title=SECRET,
        summary="只给本支部党员看的摘要",
        background=BACKGROUND,
        audience=Audience.BRANCHES,
        eligible_organizations=[branch_a],
    )
    grid = make_consultation(
        section, slug="grid", title="第一网格停车议题", audience=Audience.GRIDS, eligible_grids=[tree["grid"]]
    )
    public = make_consultation(section, slug="public", title="公开议题停车")
    return {"members": members, "grid": grid, "public": public}


@pytest.fixture
def member_b_user(branch_b):
    from accounts.factories import UserFactory
    from organizations.factories import RosterEntryFactory

    user = UserFactory(display_name="党员乙")
    RosterEntryFactory(branch=branch_b, user=user, name="党员乙")
    return user


def _found(client, query) -> list[str]:
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return [str(item["page"].title) for item in response.context["items"]]


def test_site_search_does_not_find_a_members_only_consultation_for_others(client, pages, member_a, member_b_user):
    for query in ("整改", "违纪"):  # title and background text
        assert _found(client, query) == []
        response = client.get(reverse("search"), {"q": query})
        assert "只给本支部党员看的摘要" not in response.content.decode()
    client.force_login(member_b_user)
    assert _found(client, "整改") == []
    client.force_login(member_a)
    assert _found(client, "整改") == [SECRET] and _found(client, "违纪") == [SECRET]


def test_site_search_finds_a_grid_consultation_for_its_residents_only(client, pages, resident, tree):
    client.force_login(resident)
    assert _found(client, "停车") == ["公开议题停车"]
    Residence.objects.create(user=resident, grid=tree["grid"])
    assert sorted(_found(client, "停车")) == sorted(["公开议题停车", "第一网格停车议题"])


def test_organisers_find_their_restricted_consultations(client, pages, editor_a):
    client.force_login(editor_a)
    assert _found(client, "整改") == [SECRET]


def test_the_home_page_and_the_sections_list_only_consultations_open_to_everyone(client, pages, member_a):
    home = HomePage.objects.get()
    for user in (None, member_a):
        if user:
            client.force_login(user)
        for page in (home, pages["members"].get_parent()):
            html = client.get(page.url).content.decode()
            assert "公开议题停车" in html
            assert SECRET not in html and "只给本支部党员看的摘要" not in html and "第一网格停车议题" not in html


def test_the_sitemap_leaves_out_restricted_consultations(client, pages):
    body = client.get("/sitemap/").content.decode()
    assert pages["public"].full_url in body
    assert pages["members"].full_url not in body and pages["grid"].full_url not in body


def test_the_consultation_index_lists_restricted_consultations_only_to_those_concerned(
    client, pages, member_a, member_b_user
):
    html = client.get(reverse("consultation:index")).content.decode()
    assert SECRET not in html and "公开议题停车" in html
    client.force_login(member_b_user)
    assert SECRET not in client.get(reverse("consultation:index")).content.decode()
    client.force_login(member_a)
    assert SECRET in client.get(reverse("consultation:index")).content.decode()


def test_a_restricted_page_shows_its_summary_only_to_those_concerned(client, pages, member_a):
    html = client.get(pages["members"].url).content.decode()
    assert "只给本支部党员看的摘要" not in html and "违纪" not in html
    client.force_login(member_a)
    assert "只给本支部党员看的摘要" in client.get(pages["members"].url).content.decode()


def test_hidden_ids_follow_the_audience_rule(pages, member_a, member_b_user, editor_a, resident, tree):
    from django.contrib.auth.models import AnonymousUser

    restricted = {pages["members"].pk, pages["grid"].pk}
    assert rules.hidden_consultation_ids(AnonymousUser()) == restricted
    assert rules.hidden_consultation_ids(member_b_user) == restricted
    assert rules.hidden_consultation_ids(member_a) == {pages["grid"].pk}
    assert rules.hidden_consultation_ids(editor_a) == set()
    Residence.objects.create(user=resident, grid=tree["grid"])
    assert rules.hidden_consultation_ids(resident) == {pages["members"].pk}


def test_a_member_who_left_is_no_longer_notified_nor_shown_old_notifications(client, pages, member_a, editor_a):
    from organizations.models import RosterEntry

    consultation = pages["members"]
    posting.create_post(consultation, member_a, "我的意见")
    stages.change_stage(consultation, editor_a, "published")
    assert Notification.objects.filter(recipient=member_a).count() == 1
    RosterEntry.objects.filter(user=member_a).update(status="left")
    outcome.publish_outcome(consultation, editor_a, "结果：整改完成")
    assert Notification.objects.filter(recipient=member_a).count() == 1
    client.force_login(member_a)
    assert SECRET not in client.get(reverse("notifications:index")).content.decode()
