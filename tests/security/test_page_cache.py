"""The anonymous page cache never serves a restricted page, and visitors cannot multiply its entries (issue 13, H1, L3)."""

import pytest

from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client

from wagtail.models import PageViewRestriction

from home.factories import policy, policy_index

pytestmark = pytest.mark.django_db


def _page_entries() -> int:
    store = caches["pages"]
    return sum(1 for key in store._cache if ":home:page:zh-hans:" in key)  # LocMemCache in tests


def _enter_password(client, page, restriction, password):
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": password, "return_url": page.url},
    )
    assert response.status_code == 302


def test_a_password_protected_page_is_never_served_from_the_cache(client, home_page):
    page = policy(policy_index(home_page), title="密码保护文件", body="只给知道密码的人看的内容")
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-pass"
    )
    _enter_password(client, page, restriction, "s3cret-pass")
    for _ in range(2):
        shown = client.get(page.url)
        assert shown.status_code == 200 and "只给知道密码的人看的内容" in shown.content.decode()
        assert "X-Page-Cache" not in shown
    stranger = Client().get(page.url)
    assert "只给知道密码的人看的内容" not in stranger.content.decode()
    assert "X-Page-Cache" not in stranger
    assert 'name="password"' in stranger.content.decode()


def test_a_page_below_a_restricted_section_is_not_cached_either(client, home_page):
    index = policy_index(home_page)
    page = policy(index, title="下级文件", body="下级页面的内容")
    restriction = PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-pass"
    )
    _enter_password(client, page, restriction, "s3cret-pass")
    assert "下级页面的内容" in client.get(page.url).content.decode()
    assert "下级页面的内容" not in Client().get(page.url).content.decode()


@pytest.mark.parametrize("kind", [PageViewRestriction.LOGIN, PageViewRestriction.GROUPS])
def test_pages_for_signed_in_users_or_groups_are_not_cached(client, home_page, resident, kind):
    page = policy(policy_index(home_page), title="内部文件", body="内部的内容")
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=kind)
    if kind == PageViewRestriction.GROUPS:
        group = Group.objects.create(name="读者")
        restriction.groups.add(group)
        resident.groups.add(group)
    client.force_login(resident)
    assert "内部的内容" in client.get(page.url).content.decode()
    assert _page_entries() == 0
    assert "内部的内容" not in Client().get(page.url).content.decode()


def test_a_visitor_holding_a_page_password_does_not_fill_the_cache(client, home_page):
    index = policy_index(home_page)
    private = policy(index, title="密码保护文件", body="内容")
    public = policy(index, title="公开文件", body="公开的内容")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-pass"
    )
    _enter_password(client, private, restriction, "s3cret-pass")
    assert "X-Page-Cache" not in client.get(public.url)
    assert _page_entries() == 0
    assert Client().get(public.url)["X-Page-Cache"] == "miss"
    assert _page_entries() == 1


def test_unknown_query_parameters_make_no_new_cache_entries(client, home_page):
    index = policy_index(home_page)
    assert client.get(index.url)["X-Page-Cache"] == "miss"
    for n in range(5):
        response = client.get(f"{index.url}?utm_source={n}")
        assert response.status_code == 200 and "X-Page-Cache" not in response
    assert _page_entries() == 1


def test_known_parameters_share_one_entry_whatever_their_order(client, home_page):
    index = policy_index(home_page)
    assert client.get(f"{index.url}?page=1&category=governance")["X-Page-Cache"] == "miss"
    assert client.get(f"{index.url}?category=governance&page=1")["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in client.get(f"{index.url}?page=1&page=2")
    assert "X-Page-Cache" not in client.get(f"{index.url}?issuer={'长' * 101}")
    assert _page_entries() == 1


def test_pages_are_kept_in_the_bounded_page_store_not_with_sessions(client, home_page):
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert _page_entries() == 1
    assert not _default_keys(":home:page:")


def _default_keys(fragment: str) -> list[str]:
    """Keys of the default store (sessions, rate limits) holding the fragment: locmem or Redis."""
    store = caches["default"]._cache
    if isinstance(store, dict):
        return [key for key in store if fragment in key]
    return [key.decode() for key in store.get_client().keys(f"*{fragment}*")]


def test_unknown_parameters_make_no_new_survey_results_entry(client, branch_a, org_admin):
    from surveys.factories import add_responses, qid, survey_page

    page = survey_page(branch_a.page)
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 4)
    client.force_login(org_admin)
    url = page.url + "results/"

    def results_entries() -> int:
        return sum(1 for key in caches["pages"]._cache if "template.cache.survey_results" in key)

    assert client.get(url).status_code == 200
    assert results_entries() == 1
    for n in range(3):
        assert client.get(f"{url}?utm_source={n}").status_code == 200
    assert results_entries() == 1
