"""Live updates: the WebSocket consumer authorises, forwards events, and clients catch up over HTTP."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from django.test import Client
from django.urls import reverse

from config.asgi import application
from consultation import posting, stages
from consultation.factories import make_consultation
from consultation.models import Audience, Event, Reaction

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _socket(consultation, cookie=None, origin=b"http://testserver"):
    headers = [(b"origin", origin)]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, f"/ws/consultations/{consultation.pk}/", headers=headers)


@pytest.fixture
def members_only(branch_page, branch_a):
    return make_consultation(
        branch_page, slug="members-only", audience=Audience.BRANCHES, eligible_organizations=[branch_a]
    )


async def test_anonymous_connection_is_refused(consultation):
    connected, _ = await _socket(consultation).connect()
    assert not connected


async def test_connection_from_a_foreign_origin_is_refused(consultation, resident):
    cookie = await database_sync_to_async(_cookie)(resident)
    connected, _ = await _socket(consultation, cookie, origin=b"http://evil.example").connect()
    assert not connected


async def test_signed_in_resident_receives_a_new_post_and_support_counts(consultation, resident, member_a):
    cookie = await database_sync_to_async(_cookie)(resident)
    socket = _socket(consultation, cookie)
    connected, _ = await socket.connect()
    assert connected
    post = await database_sync_to_async(posting.create_post)(consultation, member_a, "实时出现的意见")
    message = await socket.receive_json_from(timeout=1)
    assert message["type"] == "event" and message["kind"] == "post.created"
    assert message["data"] == {"id": post.pk, "parent": None, "root": None, "depth": 0}
    await database_sync_to_async(posting.react)(post, resident, Reaction.SUPPORT)
    message = await socket.receive_json_from(timeout=1)
    assert message["kind"] == "post.reactions" and message["data"]["support"] == 1
    assert message["seq"] == 2
    await socket.disconnect()


async def test_stage_change_reaches_open_pages(consultation, resident, editor_a):
    socket = _socket(consultation, await database_sync_to_async(_cookie)(resident))
    assert (await socket.connect())[0]
    await database_sync_to_async(stages.change_stage)(
        consultation, editor_a, "voting" if consultation.voting_enabled else "published"
    )
    message = await socket.receive_json_from(timeout=1)
    assert message["kind"] == "stage.changed" and message["data"]["stage"] == "published"
    await socket.disconnect()


async def test_only_eligible_users_receive_a_members_only_consultation(members_only, member_a, resident, member_b_user):
    refused = _socket(members_only, await database_sync_to_async(_cookie)(resident))
    assert not (await refused.connect())[0]
    allowed = _socket(members_only, await database_sync_to_async(_cookie)(member_a))
    assert (await allowed.connect())[0]
    post = await database_sync_to_async(posting.create_post)(members_only, member_a, "支部内部讨论")
    assert (await allowed.receive_json_from(timeout=1))["data"]["id"] == post.pk
    await allowed.disconnect()
    other_branch = _socket(members_only, await database_sync_to_async(_cookie)(member_b_user))
    assert not (await other_branch.connect())[0]


async def test_malformed_and_unknown_messages_get_an_error_frame_not_a_crash(consultation, resident):
    socket = _socket(consultation, await database_sync_to_async(_cookie)(resident))
    await socket.connect()
    await socket.send_to(text_data="{not json")
    assert (await socket.receive_json_from())["type"] == "error"
    await socket.send_json_to({"type": "delete_everything"})
    assert (await socket.receive_json_from())["type"] == "error"
    await socket.send_json_to({"type": "catch_up", "after": "zero"})
    assert (await socket.receive_json_from())["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from()) == {"type": "pong"}
    await socket.disconnect()


async def test_catch_up_over_the_socket_returns_events_after_the_cursor(consultation, resident, member_a):
    for text in ("一", "二", "三"):
        await database_sync_to_async(posting.create_post)(consultation, member_a, text)
    socket = _socket(consultation, await database_sync_to_async(_cookie)(resident))
    await socket.connect()
    await socket.send_json_to({"type": "catch_up", "after": 1})
    reply = await socket.receive_json_from()
    assert [e["seq"] for e in reply["events"]] == [2, 3]
    await socket.disconnect()


async def test_a_connection_sending_too_fast_is_limited_then_closed(consultation, resident, settings):
    settings.GONGZHI_CONSULTATION = {"SOCKET_RATE": (3, 60)}
    socket = _socket(consultation, await database_sync_to_async(_cookie)(resident))
    await socket.connect()
    replies = []
    for _ in range(4):
        await socket.send_json_to({"type": "ping"})
        replies.append(await socket.receive_json_from())
    assert replies[:3] == [{"type": "pong"}] * 3
    assert replies[3] == {"type": "error", "error": "rate limited"}
    for _ in range(2):
        await socket.send_json_to({"type": "ping"})
        assert (await socket.receive_json_from())["error"] == "rate limited"
    await socket.send_json_to({"type": "ping"})
    closed = await socket.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": 4429}


def test_catch_up_endpoint_returns_events_after_the_cursor(client, consultation, resident, member_a):
    posts = [posting.create_post(consultation, member_a, text) for text in ("甲", "乙", "丙")]
    client.force_login(resident)
    body = client.get(reverse("consultation:events", args=[consultation.pk]), {"after": 1}).json()
    assert [e["seq"] for e in body["events"]] == [2, 3]
    assert [e["data"]["id"] for e in body["events"]] == [posts[1].pk, posts[2].pk]
    assert body["last"] == 3 and body["more"] is False


def test_catch_up_endpoint_refuses_those_who_may_not_follow(client, members_only, member_a, resident):
    post = posting.create_post(members_only, member_a, "内部")
    url = reverse("consultation:events", args=[members_only.pk])
    assert client.get(url).status_code == 403
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(member_a)
    assert client.get(url).json()["events"][0]["data"]["id"] == post.pk


def test_event_sequence_numbers_are_contiguous_per_consultation(branch_page, consultation, member_a):
    other = make_consultation(branch_page, slug="other")
    posting.create_post(consultation, member_a, "1")
    posting.create_post(other, member_a, "x")
    posting.create_post(consultation, member_a, "2")
    assert list(Event.objects.filter(consultation=consultation).values_list("seq", flat=True)) == [1, 2]
    assert list(Event.objects.filter(consultation=other).values_list("seq", flat=True)) == [1]


def test_held_posts_are_not_broadcast(consultation, member_a):
    from consultation.models import Keyword

    Keyword.objects.create(word="广告")
    posting.create_post(consultation, member_a, "这是广告")
    assert not Event.objects.exists()


def test_page_without_javascript_still_lists_posts_and_offers_forms(client, consultation, resident, member_a):
    posting.create_post(consultation, member_a, "服务器渲染的意见")
    client.force_login(resident)
    html = client.get(consultation.url).content.decode()
    assert "服务器渲染的意见" in html
    assert f'action="{reverse("consultation:post_create", args=[consultation.pk])}"' in html
    assert f'data-live-url="/ws/consultations/{consultation.pk}/"' in html


async def test_an_event_reaches_its_consultations_pages_only_as_its_log_entry(
    branch_page, consultation, resident, member_a
):
    """Issue 19 (P5): the event is encoded once per broadcast, not per socket; each open page of the
    consultation gets exactly the logged message, and a page of another consultation gets nothing."""
    other = await database_sync_to_async(make_consultation)(branch_page, slug="another-one")
    cookie = await database_sync_to_async(_cookie)(resident)
    here, there = _socket(consultation, cookie), _socket(other, cookie)
    assert (await here.connect())[0] and (await there.connect())[0]
    also_here = _socket(consultation, await database_sync_to_async(_cookie)(member_a))
    assert (await also_here.connect())[0]
    post = await database_sync_to_async(posting.create_post)(consultation, member_a, "只发给本议事的页面")
    logged = await database_sync_to_async(Event.messages_after)(consultation.pk, 0)
    assert await here.receive_json_from(timeout=1) == logged[-1]
    assert await also_here.receive_json_from(timeout=1) == logged[-1]
    assert logged[-1]["data"]["id"] == post.pk
    assert await there.receive_nothing(timeout=0.3)
    for socket in (here, there, also_here):
        await socket.disconnect()
