# ruff: noqa: S310 - requests go to the local test servers only
"""Two server processes sharing PostgreSQL and Redis: a post made through one reaches a WebSocket
client connected to the other. This is the production set-up (several uvicorn workers)."""

import asyncio
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redis
import websockets

from django.test import Client

from consultation.models import Post
from tests.concurrency import free_port, served_database_url
from tests.conftest import require_service
from tests.consultation.conftest import end_other_sessions

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def servers():
    try:
        reachable = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        reachable = False
    require_service(reachable, f"Redis at {REDIS_URL}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": served_database_url(),
        "REDIS_URL": REDIS_URL,
    }
    ports, processes = [free_port(), free_port()], []
    for port in ports:
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 - local test server
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"server on port {port} did not start")
                time.sleep(0.3)
    yield ports
    for process in processes:
        process.terminate()
        process.wait(timeout=10)
    end_other_sessions()


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _post_through(port: int, consultation, session: str, body: str) -> int:
    """Post as a browser would: load the page for the CSRF token, then submit the form."""
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.addheaders = [("Cookie", f"sessionid={session}")]
    html = opener.open(base + consultation.url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = next(c for c in opener.handlers if isinstance(c, urllib.request.HTTPCookieProcessor)).cookiejar
    csrf_cookie = next(c.value for c in cookie if c.name == "csrftoken")
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "body": body}).encode()
    request = urllib.request.Request(
        f"{base}/consultations/{consultation.pk}/posts/",
        data=data,
        headers={"Cookie": f"sessionid={session}; csrftoken={csrf_cookie}", "Accept": "application/json"},
    )
    return urllib.request.urlopen(request, timeout=10).status  # noqa: S310 - local test server


def test_a_post_through_one_process_reaches_a_websocket_on_the_other(servers, consultation, resident, member_a):
    port_a, port_b = servers
    listener, poster = _session(resident), _session(member_a)

    async def scenario():
        uri = f"ws://127.0.0.1:{port_b}/ws/consultations/{consultation.pk}/"
        headers = {"Cookie": f"sessionid={listener}", "Origin": f"http://127.0.0.1:{port_b}"}
        async with websockets.connect(uri, additional_headers=headers) as ws:
            await ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "pong"}
            status = await asyncio.get_running_loop().run_in_executor(
                None, _post_through, port_a, consultation, poster, "跨进程送达的意见"
            )
            assert status == 200
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            return message, time.time()

    message, received_at = asyncio.run(scenario())
    # Events carry the post's id, never its text (the page fetches the post rendered for its viewer).
    post = Post.objects.get(body="跨进程送达的意见")
    assert message["kind"] == "post.created" and message["data"]["id"] == post.pk
    # From the post's creation in process A to its arrival through process B: within a second.
    assert received_at - post.created_at.timestamp() < 1.0
    assert post.author == member_a


def _redis_layer(settings, prefix: str):
    """A channel layer on the test Redis with the production host options."""
    from channels_redis.core import RedisChannelLayer

    try:
        reachable = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        reachable = False
    require_service(reachable, f"Redis at {REDIS_URL}")
    return RedisChannelLayer(hosts=[{"address": REDIS_URL, **settings.CHANNEL_LAYER_HOST_OPTIONS}], prefix=prefix)


def test_the_channel_layer_serves_more_sockets_than_redis_pys_default_pool(settings):
    """Issue 19 (P5): redis-py caps a pool at 100 connections by default; 300 channels of one process
    joining a group, receiving and leaving at once must all get the event (CHANNEL_LAYER_MAX_CONNECTIONS)."""
    layer = _redis_layer(settings, "asgi-pool-test")
    group = "pool-test"

    async def scenario():
        channels = [await layer.new_channel() for _ in range(300)]
        await asyncio.gather(*(layer.group_add(group, channel) for channel in channels))
        receiving = [asyncio.create_task(layer.receive(channel)) for channel in channels]
        await asyncio.sleep(0.1)
        await layer.group_send(group, {"type": "consultation.event", "text": "{}"})
        messages = await asyncio.wait_for(asyncio.gather(*receiving), 20)
        await asyncio.gather(*(layer.group_discard(group, channel) for channel in channels))
        await layer.flush()
        return messages

    assert [m["text"] for m in asyncio.run(scenario())] == ["{}"] * 300


def test_an_idle_receive_outlives_empty_blocking_pops(settings):
    """Issue 19 (P5): a read timeout no longer than channels-redis's 5 s BZPOPMIN killed idle consumers
    on a busy worker (their clients lost every later event)."""
    from channels_redis.core import RedisChannelLayer

    layer = _redis_layer(settings, "asgi-idle-test")

    async def scenario():
        channel = await layer.new_channel()
        receiving = asyncio.create_task(layer.receive(channel))
        await asyncio.sleep(RedisChannelLayer.brpop_timeout + 1)  # one pop came back empty
        await layer.send(channel, {"type": "consultation.event", "text": "late"})
        message = await asyncio.wait_for(receiving, 5)
        await layer.flush()
        return message

    assert asyncio.run(scenario())["text"] == "late"


def test_a_cancelled_receive_always_ends(settings):
    """A closed socket's consumer cancels its receive. With a socket timeout, redis-py sent each command
    under `asyncio.wait_for`, which on Python 3.11 swallowed a cancellation arriving as the send completed:
    about one receive in seven went on popping for ever (and hung CI, where the event loop's shutdown
    waited for it). Cancelled at every point of its first commands, each receive must end."""
    from channels_redis.core import RedisChannelLayer

    layer = _redis_layer(settings, "asgi-cancel-test")

    async def scenario() -> list[int]:
        still_running = []
        for steps in range(40):  # the first commands' sends fall between the 9th and the 40th step
            channel = await layer.new_channel()
            receiving = asyncio.create_task(layer.receive(channel))
            for _ in range(steps):
                await asyncio.sleep(0)
            receiving.cancel()
            done, _ = await asyncio.wait([receiving], timeout=2)
            if not done:
                still_running.append(steps)
                receiving.cancel()
                await asyncio.wait([receiving], timeout=RedisChannelLayer.brpop_timeout + 1)
        await layer.flush()
        return still_running

    assert asyncio.run(scenario()) == []
