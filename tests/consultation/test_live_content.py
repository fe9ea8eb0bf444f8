"""The live event log carries no content (issue 13 M1), a live post is the same HTML as after a reload
(issue 12.2), and an open socket stops receiving once its user loses the right to follow (issue 13 L1)."""

import importlib
import json
import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from config.asgi import application
from consultation import moderation, posting
from consultation.factories import make_consultation
from consultation.models import Audience, Event
from organizations.models import RosterEntry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def members_only(branch_page, branch_a):
    return make_consultation(
        branch_page, slug="members-only", audience=Audience.BRANCHES, eligible_organizations=[branch_a]
    )


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _socket(consultation, cookie):
    headers = [(b"origin", b"http://testserver"), (b"cookie", cookie.encode())]
    return WebsocketCommunicator(application, f"/ws/consultations/{consultation.pk}/", headers=headers)


# --- M1: the event log gives current, visible content only -------------------------------------------------


def test_a_hidden_post_and_text_edited_away_are_not_in_the_event_log(client, consultation, member_a, editor_a):
    hidden = posting.create_post(consultation, member_a, "后来被隐藏的联系电话13800000000")
    edited = posting.create_post(consultation, member_a, "写错了的门牌号")
    posting.edit_post(edited, member_a, "改正后的意见")
    moderation.moderate(hidden, editor_a, "hide", "含个人信息")
    client.force_login(editor_a)
    response = client.get(reverse("consultation:events", args=[consultation.pk]), {"after": 0})
    text = response.content.decode("unicode_escape")
    assert "13800000000" not in text and "写错了的门牌号" not in text and "改正后的意见" not in text
    events = response.json()["events"]
    about_hidden = [e for e in events if e["data"].get("id") == hidden.pk]
    assert about_hidden and all(e["kind"] == "post.removed" for e in about_hidden)
    assert {e["kind"] for e in events if e["data"].get("id") == edited.pk} == {"post.created", "post.edited"}
    # The stored rows hold no text either.
    assert "13800000000" not in json.dumps([e.payload for e in Event.objects.all()], ensure_ascii=False)


def test_events_stored_with_text_by_earlier_versions_never_send_it_again(client, consultation, member_a, resident):
    post = posting.create_post(consultation, member_a, "原文")
    Event.objects.filter(kind="post.created").update(payload={"id": post.pk, "body": "原文", "author": "党员甲"})
    client.force_login(resident)
    events = client.get(reverse("consultation:events", args=[consultation.pk]), {"after": 0}).json()["events"]
    assert events[0]["data"] == {"id": post.pk}
    # The migration scrubs the stored rows.
    migration = importlib.import_module("consultation.migrations.0002_event_payloads_without_content")
    migration.scrub(django_apps, None)
    assert Event.objects.get(kind="post.created").payload == {"id": post.pk}


async def test_catch_up_over_the_socket_does_not_return_a_hidden_post(consultation, member_a, editor_a, resident):
    post = await database_sync_to_async(posting.create_post)(consultation, member_a, "不当言论")
    await database_sync_to_async(moderation.moderate)(post, editor_a, "hide", "违规")
    socket = _socket(consultation, await database_sync_to_async(_cookie)(resident))
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "catch_up", "after": 0})
    reply = await socket.receive_json_from()
    assert "不当言论" not in json.dumps(reply, ensure_ascii=False)
    assert {e["kind"] for e in reply["events"]} == {"post.removed"}
    await socket.disconnect()


# --- 12.2: a live post is the post as rendered after a reload ------------------------------------------------


def _article(html: str, post_id: int) -> str:
    """The <article> of one post in a page (posts nest, so count the tags)."""
    start = html.index(f'id="post-{post_id}"')
    start = html.rindex("<article", 0, start)
    depth, position = 0, start
    for match in re.finditer(r"<article\b|</article>", html[start:]):
        depth += 1 if match.group().startswith("<article") else -1
        if depth == 0:
            position = start + match.end()
            break
    return html[start:position]


@pytest.mark.parametrize("viewer", ["resident", "member_a", "editor_a"])
def test_a_post_fetched_live_is_the_same_html_as_after_a_reload(client, consultation, member_a, viewer, request):
    post = posting.create_post(consultation, member_a, "请在 https://example.cn/plan 查看方案\n第二行", kind="proposal")
    client.force_login(request.getfixturevalue(viewer))
    page = client.get(consultation.url).content.decode()
    fragment = client.get(reverse("consultation:post_fragment", args=[post.pk])).content.decode()
    assert CSRF.sub("", fragment.strip()) == CSRF.sub("", _article(page, post.pk).strip())
    # No official badge on an ordinary post; a report button for others, an edit link for the author.
    assert "badge--official" not in fragment and "badge--kind" in fragment
    if viewer == "member_a":
        assert 'class="post__edit"' in fragment and "post__report" not in fragment
    else:
        assert "post__report" in fragment


def test_post_fragment_obeys_visibility(client, members_only, consultation, member_a, member_b_user, editor_a):
    inside = posting.create_post(members_only, member_a, "支部内部")
    hidden = posting.create_post(consultation, member_a, "将被隐藏")
    moderation.moderate(hidden, editor_a, "hide", "违规")
    url = lambda post: reverse("consultation:post_fragment", args=[post.pk])  # noqa: E731
    assert client.get(url(inside)).status_code == 404
    client.force_login(member_b_user)
    assert client.get(url(inside)).status_code == 404
    assert client.get(url(hidden)).status_code == 404
    client.force_login(member_a)
    assert client.get(url(inside)).status_code == 200
    assert client.get(url(hidden)).status_code == 200  # the author sees their hidden post, as on the page


# --- L1: a socket stops receiving when its user loses the right ----------------------------------------------


async def test_a_member_who_leaves_the_party_stops_receiving_members_only_events(members_only, member_a):
    socket = _socket(members_only, await database_sync_to_async(_cookie)(member_a))
    assert (await socket.connect())[0]
    await database_sync_to_async(posting.create_post)(members_only, member_a, "第一条")
    assert (await socket.receive_json_from(timeout=1))["kind"] == "post.created"
    await database_sync_to_async(RosterEntry.objects.filter(user=member_a).update)(status="left")
    entry = await database_sync_to_async(RosterEntry.objects.get)(user=member_a)
    await database_sync_to_async(entry.save)()  # the roster change signals the user's open sockets
    closed = await socket.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": 4403}


async def test_a_socket_rechecks_before_an_event_once_its_last_check_is_old(members_only, member_a, editor_a, settings):
    settings.GONGZHI_CONSULTATION = {"SOCKET_RECHECK_SECONDS": 0}
    socket = _socket(members_only, await database_sync_to_async(_cookie)(member_a))
    assert (await socket.connect())[0]
    # Leaving without any signal (a bulk update): the next event is checked and not delivered.
    await database_sync_to_async(RosterEntry.objects.filter(user=member_a).update)(status="left")
    await database_sync_to_async(posting.create_post)(members_only, editor_a, "党员离开后发布")
    closed = await socket.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": 4403}


async def test_signing_out_closes_the_users_open_sockets(members_only, member_a):
    client = Client()
    await database_sync_to_async(client.force_login)(member_a)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    socket = _socket(members_only, cookie)
    assert (await socket.connect())[0]
    await database_sync_to_async(client.post)(reverse("account_logout"))
    closed = await socket.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": 4403}


async def test_an_open_consultation_keeps_its_sockets_when_rights_are_rechecked(consultation, resident, member_a):
    socket = _socket(consultation, await database_sync_to_async(_cookie)(resident))
    assert (await socket.connect())[0]
    await database_sync_to_async(resident.save)()
    post = await database_sync_to_async(posting.create_post)(consultation, member_a, "大家好")
    assert (await socket.receive_json_from(timeout=1))["data"]["id"] == post.pk
    await socket.disconnect()
