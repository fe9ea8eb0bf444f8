"""The home page's lists, read together (home/lists.py): the same pages in the same order as one query per list,
fresh after every publish for signed-in visitors too, and never a page under a view restriction."""

import datetime as dt

import pytest

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

from home.factories import news, news_index, policy, policy_index, study, study_index
from home.lists import PageLists
from home.models import BranchPage, PolicyPage
from surveys.factories import satisfaction_page, survey_page
from surveys.models import SatisfactionSurveyPage, SurveyPage

pytestmark = pytest.mark.django_db


def _section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


# --- Freshness ---------------------------------------------------------------------------------------------


def test_a_policy_published_after_the_lists_were_cached_shows_at_once_for_a_signed_in_resident(
    client, home_page, resident
):
    index = policy_index(home_page)
    policy(index, title="旧文件")
    draft = policy(index, title="刚刚发布的文件", issued_on=dt.date(2026, 1, 1), live=False)
    client.force_login(resident)
    assert "刚刚发布的文件" not in client.get("/").content.decode()  # the lists' fragment is cached now
    draft.save_revision().publish()
    assert "刚刚发布的文件" in _section(client.get("/").content.decode(), "policies-heading")


def test_an_unpublished_policy_leaves_the_lists_at_once_for_a_signed_in_resident(client, home_page, resident):
    page = policy(policy_index(home_page), title="即将撤下的文件")
    client.force_login(resident)
    assert "即将撤下的文件" in client.get("/").content.decode()
    page.unpublish()
    assert "即将撤下的文件" not in client.get("/").content.decode()


# --- View restrictions --------------------------------------------------------------------------------------


def test_pages_under_a_view_restriction_are_listed_to_nobody_not_even_to_those_who_may_open_them(
    client, home_page, resident
):
    open_index, closed_index = policy_index(home_page), policy_index(home_page, title="内部文件")
    policy(open_index, title="公开文件")
    policy(closed_index, title="仅限登录的文件")
    PageViewRestriction.objects.create(page=closed_index, restriction_type=PageViewRestriction.LOGIN)
    for signed_in in (False, True):
        if signed_in:
            client.force_login(resident)
        html = client.get("/").content.decode()
        assert "公开文件" in html and "仅限登录的文件" not in html


def test_a_view_restriction_added_after_the_lists_were_cached_hides_its_pages_at_once(client, home_page, resident):
    index = policy_index(home_page)
    policy(index, title="即将受限的文件")
    client.force_login(resident)
    assert "即将受限的文件" in client.get("/").content.decode()
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    assert "即将受限的文件" not in client.get("/").content.decode()


def test_a_sign_in_restriction_on_the_home_page_itself_still_applies(client, home_page, resident):
    PageViewRestriction.objects.create(page=home_page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(resident)
    response = client.get("/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_a_group_restriction_on_the_home_page_admits_only_its_groups(client, home_page, resident):
    group = Group.objects.create(name="街道工作人员")
    restriction = PageViewRestriction.objects.create(page=home_page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(group)
    client.force_login(resident)
    assert client.get("/").status_code == 302
    resident.groups.add(group)
    assert client.get("/").status_code == 200


def test_a_password_on_the_home_page_asks_for_it(client, home_page):
    PageViewRestriction.objects.create(page=home_page, restriction_type=PageViewRestriction.PASSWORD, password="党建")
    policy(policy_index(home_page), title="密码后面的文件")
    html = client.get("/").content.decode()
    assert 'name="password"' in html and "密码后面的文件" not in html


def test_a_restriction_elsewhere_leaves_the_home_page_open(client, home_page):
    index = policy_index(home_page)
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/").status_code == 200


# --- What the lists hold -------------------------------------------------------------------------------------


def test_each_list_holds_its_five_latest_in_order(client, home_page, resident):
    policies, newsroom = policy_index(home_page), news_index(home_page)
    for day in (3, 9, 1, 7, 5, 8, 2):
        policy(policies, title=f"文件{day}号", issued_on=dt.date(2026, 3, day))
        news(newsroom, title=f"新闻{day}号", date=dt.date(2026, 4, day))
    html = client.get("/").content.decode()
    for heading, prefix in (("policies-heading", "文件"), ("news-heading", "新闻")):
        section = _section(html, heading)
        shown = sorted((title for day in range(1, 10) if (title := f"{prefix}{day}号") in section), key=section.index)
        assert shown == [f"{prefix}{day}号" for day in (9, 8, 7, 5, 3)]


def test_organisations_are_listed_in_tree_order_and_the_study_link_leads_to_the_first_study_index(
    client, home_page, resident
):
    second = home_page.add_child(instance=BranchPage(title="乙组织", slug="b-org"))
    home_page.add_child(instance=BranchPage(title="甲组织", slug="a-org"))
    first_index = study_index(home_page)
    study(first_index, title="学习一")
    study_index(home_page, title="第二个学习园地")
    client.force_login(resident)
    html = client.get("/").content.decode()
    organisations = _section(html, "sections-heading")
    assert organisations.index("乙组织") < organisations.index("甲组织")
    assert f'href="{first_index.url}progress/"' in html
    assert second.url in organisations


def test_the_lists_are_read_in_two_queries_and_only_when_looked_at(home_page):
    policy(policy_index(home_page), title="文件一")
    news(news_index(home_page), title="新闻一")
    survey_page(home_page, title="问卷一")
    lists = PageLists()
    with CaptureQueriesContext(connection) as captured:
        policies = lists.add(PolicyPage.objects.live().order_by("-issued_on"), 5)
        surveys = lists.add(SurveyPage.objects.live().order_by("-first_published_at"), 5)
        empty = lists.add(BranchPage.objects.live().order_by("path"))
    assert len(captured) == 0
    with CaptureQueriesContext(connection) as captured:
        assert [p.title for p in policies] == ["文件一"] and [s.title for s in surveys] == ["问卷一"]
        assert len(empty) == 0
    assert len(captured) == 2


def test_each_item_is_an_instance_of_its_lists_page_type(home_page):
    satisfaction_page(home_page, title="满意度测评")
    lists = PageLists()
    as_surveys = lists.add(SurveyPage.objects.live().order_by("path"))
    as_themselves = lists.add(SatisfactionSurveyPage.objects.live().order_by("path"))
    assert type(as_surveys[0]) is SurveyPage and type(as_themselves[0]) is SatisfactionSurveyPage
    assert as_themselves[0].title == "满意度测评" and as_themselves[0].url
