"""The admin on an intranet: no request to another host, and the editing-sessions ping answers 200."""

import io
import re
from unittest import mock

import pytest

from django.test import Client

from accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

# What a browser fetches by itself: src / srcset, data-* values that scripts fetch, <link href>
# (stylesheets, icons). Plain links (<a href>, e.g. Wagtail's editor guide) fetch nothing until clicked.
EXTERNAL = re.compile(
    r"""(?:\bsrc|\bsrcset|\bdata-[\w-]+|<link\b[^>]*\bhref)=["'](?:https?:)?//(?!testserver[/:"'])([^/"']+)"""
)


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def _external_hosts(html: str) -> set[str]:
    hosts = set(EXTERNAL.findall(html))
    # Update checks and avatars are fetched by scripts from URLs written into the page's config.
    hosts |= set(re.findall(r"(?:releases\.wagtail\.org|gravatar\.com)", html))
    return hosts


def test_admin_dashboard_and_editor_reference_no_other_host(client, superuser, home_page):
    client.force_login(superuser)
    for url in ["/admin/", f"/admin/pages/{home_page.pk}/edit/", f"/admin/pages/{home_page.pk}/", "/admin/account/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not _external_hosts(response.content.decode()), (url, _external_hosts(response.content.decode()))


def test_admin_shows_no_gravatar_and_no_update_check(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert "gravatar" not in html
    assert "data-w-upgrade" not in html and "releases.wagtail.org" not in html


def _ping_url(client, page) -> str:
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    return re.search(r'data-w-swap-src-value="([^"]+)"', html).group(1)


def test_editing_sessions_ping_answers_200_to_what_the_editor_sends(superuser, home_page):
    """Posted as Wagtail's script posts it: a multipart body, the CSRF token in a header, CSRF enforced."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    url = _ping_url(client, home_page)
    token = client.cookies["csrftoken"].value
    boundary = "----WebKitFormBoundaryGongzhi"
    for body in [
        f"--{boundary}--\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; name="is_editing"\r\n\r\n1\r\n--{boundary}--\r\n',
    ]:
        response = client.post(
            url,
            data=body.encode(),
            content_type=f"multipart/form-data; boundary={boundary}",
            headers={"X-CSRFToken": token, "X-Requested-With": "XMLHttpRequest"},
        )
        assert response.status_code == 200, response.content
        assert response.json()["session_id"]


def _daphne_request(body: bytes, content_type: bytes):
    """A request as Daphne's HTTP protocol receives it, with its Django hand-off replaced by a mock."""
    from daphne.http_protocol import WebRequest

    channel = mock.Mock()
    request = WebRequest(channel)
    request.process = mock.Mock()
    request.requestHeaders.setRawHeaders(b"content-type", [content_type])
    request.requestHeaders.setRawHeaders(b"content-length", [str(len(body)).encode()])
    request.content = io.BytesIO(body)
    request.content.seek(0, io.SEEK_END)  # as Twisted leaves it after receiving the body
    request.requestReceived(b"POST", b"/admin/editing-sessions/ping/wagtailcore/page/3/1/", b"HTTP/1.1")
    return request, channel


def test_the_development_server_hands_an_empty_form_body_to_django():
    """`make run` serves through Daphne, whose Twisted parser answered such a body with its own 400."""
    import config.settings.dev  # noqa: F401  (the development settings apply the fix)

    # Wagtail's ping with nothing to report: a multipart body without a single field.
    request, channel = _daphne_request(b"------B--\r\n", b"multipart/form-data; boundary=----B")
    assert not channel._respondToBadRequestAndDisconnect.called
    assert request.process.called
