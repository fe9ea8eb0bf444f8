"""`{% site_header %}` (core/templatetags/site_header.py) draws what includes/header.html draws, for every
kind of visitor, whoever was served before them."""

import re

import pytest

from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import escape

from accounts.factories import UserFactory
from core.templatetags import site_header
from notifications.models import Notification

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PATH = '/surveys/?q=<b>it\'s"引号"&amp=1'


def _draw(source: str, user, path: str = PATH) -> str:
    request = RequestFactory().get(path)
    request.user, request.session = user, {}
    return engines["django"].from_string("{% load site_header %}" + source).render({}, request)


def _both(user, path: str = PATH) -> tuple[str, str]:
    """The header drawn by the tag and by including the template, with the CSRF tokens (masked afresh
    for every page) checked and set aside."""
    kept, drawn = _draw("{% site_header %}", user, path), _draw('{% include "includes/header.html" %}', user, path)
    for html in (kept, drawn):
        tokens = set(TOKEN.findall(html))
        assert len(tokens) == 1 and len(tokens.pop()) == 64  # one token, in both forms
    return TOKEN.sub("token", kept), TOKEN.sub("token", drawn)


@pytest.fixture
def reader(db):
    user = UserFactory(display_name='<script>alert("名")</script> & 张三')
    Notification.objects.bulk_create(
        [Notification(recipient=user, kind=Notification.Kind.REPLY, detail=f"回复{n}") for n in range(3)]
    )
    return user


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_header_is_the_same_for_every_kind_of_visitor_in_each_language(language, reader, editor_a):
    admin = UserFactory(is_superuser=True, display_name="管理员")
    nobody_unread = UserFactory(display_name="李四")
    with translation.override(language):
        for user in (AnonymousUser(), reader, admin, nobody_unread, AnonymousUser(), reader):
            kept, drawn = _both(user)
            assert kept == drawn


def test_what_belongs_to_the_visitor_is_theirs_and_escaped(reader):
    site_header._skeletons.clear()
    _draw("{% site_header %}", UserFactory(display_name="前一位"))
    html = _draw("{% site_header %}", reader)
    path = RequestFactory().get(PATH).get_full_path()
    assert "'" in path and "&" in path  # what the URL leaves for HTML to escape
    assert "前一位" not in html and "\ue000" not in html
    assert "&lt;script&gt;alert(&quot;名&quot;)&lt;/script&gt; &amp; 张三" in html and "<script>" not in html
    assert '<span class="badge">3<span class="visually-hidden">' in html
    assert f'name="next" type="hidden" value="{escape(path)}"' in html, re.findall(r'name="next"[^>]*', html)


def test_an_admin_sees_the_admin_links_and_a_resident_does_not(reader):
    admin = UserFactory(is_superuser=True)
    assert 'href="/admin/"' in _draw("{% site_header %}", admin)
    assert 'href="/admin/"' not in _draw("{% site_header %}", reader)


def test_with_debug_the_header_is_drawn_each_time(reader, settings):
    settings.DEBUG = True
    kept, drawn = _both(reader)
    assert kept == drawn and not site_header._skeletons
