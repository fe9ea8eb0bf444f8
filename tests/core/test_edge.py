"""What Django lets nginx keep for anonymous visitors (core/edge.py); nginx itself is tried in
tests/config/test_production_topology.py."""

import pytest

from django.test import Client

from home.factories import policy, policy_index

pytestmark = pytest.mark.django_db

EDGE = {"HTTP_X_EDGE_CACHE": "1"}


@pytest.fixture
def page(home_page):
    return policy(policy_index(home_page), title="边缘缓存的通知")


def test_a_shareable_page_asked_for_by_nginx_carries_the_placeholder_and_no_cookie(page):
    for expected in ("miss", "hit"):
        response = Client().get(page.url, **EDGE)
        assert response["X-Page-Cache"] == expected
        assert response["X-Accel-Expires"] == "5" and response["X-Edge-Token"] == "1"
        assert b'name="csrfmiddlewaretoken" value="__EDGE_CSRF__"' in response.content
        assert not response.cookies


def test_without_nginx_asking_the_page_is_left_as_it_is(page):
    response = Client().get(page.url)
    assert "X-Accel-Expires" not in response and b"__EDGE_CSRF__" not in response.content
    assert "csrftoken" in response.cookies


def test_a_signed_in_visitor_is_never_shared(page, resident):
    client = Client()
    client.force_login(resident)
    response = client.get(page.url, **EDGE)
    assert "X-Accel-Expires" not in response and b"__EDGE_CSRF__" not in response.content


def test_a_restricted_page_is_never_shared(page):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="x")
    response = Client().get(page.url, **EDGE)
    assert response.status_code == 200 and "X-Accel-Expires" not in response


def test_a_page_with_a_query_the_cache_does_not_know_is_never_shared(page):
    response = Client().get(page.url + "?utm=1", **EDGE)
    assert "X-Accel-Expires" not in response


def test_edge_caching_can_be_switched_off(page, settings):
    settings.EDGE_CACHE_SECONDS = 0
    response = Client().get(page.url, **EDGE)
    assert "X-Accel-Expires" not in response and "csrftoken" in response.cookies
