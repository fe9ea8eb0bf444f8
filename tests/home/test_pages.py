import pytest

from django.urls import reverse

from organizations.factories import RosterEntryFactory
from organizations.models import RosterEntry

pytestmark = pytest.mark.django_db


def test_home_page_renders_in_chinese_by_default(client, tree):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "和平社区党委" in html
    assert "首页" in html and "登录" in html


def test_language_switch_to_english_and_back(client, tree):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Sign in" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_branch_page_shows_its_active_member_count(client, branch_a):
    RosterEntryFactory.create_batch(3, branch=branch_a)
    RosterEntryFactory(branch=branch_a, status=RosterEntry.Status.LEFT)
    response = client.get(branch_a.page.url)
    assert response.status_code == 200
    assert response.context["member_count"] == 3


def test_profile_lists_the_users_roles(client, secretary_a, branch_a):
    client.force_login(secretary_a)
    html = client.get(reverse("accounts_profile")).content.decode()
    assert branch_a.name in html


def test_profile_requires_sign_in(client, db):
    response = client.get(reverse("accounts_profile"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_search_finds_a_page_by_its_title(client, tree):
    response = client.get(reverse("search"), {"q": "和平社区党委"})
    assert response.status_code == 200
    assert "和平社区党委" in [str(page.title) for page in response.context["results"]]


def test_an_english_browser_still_gets_chinese_until_the_visitor_switches(client, tree):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_sitemap_xml_lists_live_pages(client, tree):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert "和平社区党委" in response.content.decode() or "/heping/" in response.content.decode()


def test_header_shows_the_unread_notification_count(client, resident, tree):
    from notifications.models import Notification

    Notification.objects.create(recipient=resident, kind=Notification.Kind.REPLY, detail="有人回复了您")
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert 'class="badge">1<' in html
