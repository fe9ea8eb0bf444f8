"""Query counts stay the same as the site grows, and anonymous pages come from a purged cache."""

import pytest

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from home.factories import news, news_index, policy, policy_index, study, study_index
from home.models import PolicyPage

pytestmark = pytest.mark.django_db


# Search indexing is beside the point here; on PostgreSQL it makes adding 1,000 pages very slow.
NO_INDEXING = {"default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}}


def _bulk_policies(index, count):
    with override_settings(WAGTAILSEARCH_BACKENDS=NO_INDEXING):
        for n in range(count):
            policy(index, title=f"批量文件{n}", body="加强基层党建工作。")


def _queries(client, url) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def site_of(home_page):
    def build(count):
        index = policy_index(home_page)
        _bulk_policies(index, count)
        study(study_index(home_page), title="学习材料")
        news(news_index(home_page), title="新闻")
        return index

    return build


def test_home_policy_and_index_use_the_same_queries_for_10_and_1000_pages(client, site_of, home_page):
    index = site_of(10)
    first = PolicyPage.objects.descendant_of(index).first()
    small = [_queries(client, url) for url in ("/", index.url, first.url, index.url + "?page=1&category=governance")]
    _bulk_policies(index, 990)
    assert PolicyPage.objects.count() == 1000
    large = [_queries(client, url) for url in ("/", index.url, first.url, index.url + "?page=1&category=governance")]
    assert small == large


def test_anonymous_pages_are_cached_and_purged_on_publish(client, home_page):
    index = news_index(home_page)
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/")
    assert again["X-Page-Cache"] == "hit"
    # Answered before URL routing: no Site lookup, no page route, no query at all.
    assert len(captured) == 0
    news(index, title="刚刚发布的新闻")
    fresh = client.get("/")
    assert fresh["X-Page-Cache"] == "miss" and "刚刚发布的新闻" in fresh.content.decode()


def test_cached_pages_carry_each_visitors_own_csrf_token(client, home_page):
    from django.test import Client

    client.get("/")
    other = Client(enforce_csrf_checks=True)
    response = other.get("/")
    assert response["X-Page-Cache"] == "hit"
    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    switched = other.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_signed_in_users_are_never_served_the_anonymous_copy(client, home_page, resident):
    """They get a copy of their own (tests/home/test_viewer_copy.py), drawn for them."""
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
    client.force_login(resident)
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss" and "居民" in response.content.decode()


def test_a_view_restriction_added_after_caching_applies_at_once(client, home_page):
    from wagtail.models import PageViewRestriction

    page = policy(policy_index(home_page), title="内部文件")
    assert client.get(page.url)["X-Page-Cache"] == "miss"
    assert client.get(page.url)["X-Page-Cache"] == "hit"
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(page.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_each_language_is_cached_apart(client, home_page):
    client.get("/")
    client.cookies["django_language"] = "en"
    english = client.get("/")
    assert english["X-Page-Cache"] == "miss" and english["Content-Language"] == "en"


def test_signed_in_users_see_a_new_publication_at_once(client, home_page, resident):
    index = news_index(home_page)
    client.force_login(resident)
    client.get("/")  # fills the shared fragment of the home page's lists
    news(index, title="登录后立即可见的新闻")
    assert "登录后立即可见的新闻" in client.get("/").content.decode()
