# ruff: noqa: S310 - requests go to the local servers the test starts
"""`make run-prod`'s topology: nginx in front of two uvicorn workers on PostgreSQL and Redis.

The workers share sessions (a login through one is valid on the other) and live updates (a post
through one reaches a WebSocket on the other), and nginx serves static files itself.
"""

import asyncio
import importlib.util
import json
import os
import re
import signal
import socket
import time
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
import redis
import websockets
from allauth.account.models import EmailAddress

from django.contrib.auth.hashers import PBKDF2PasswordHasher

from consultation.factories import make_consultation
from consultation.models import Post
from home.factories import policy, policy_index
from home.models import BranchPage
from tests.concurrency import served_database_url
from tests.conftest import require_service
from tests.consultation.conftest import end_other_sessions
from tests.consultation.test_two_processes import REDIS_URL, _post_through

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "topology-test-password-2026"
EDGE_SECONDS = 5  # EDGE_CACHE_SECONDS's default, which the workers run with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _load_prodctl():
    # site/ is not a package (the standard library owns the name), so load the script by path.
    spec = importlib.util.spec_from_file_location("prodctl", ROOT / "site" / "deploy" / "prodctl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_base_port(workers: int) -> int:
    """A port p with p, p+1 … p+workers all free (pass the workers and the ports after them that the
    topology takes: the page-cache Redis listens on the port after the last worker's)."""
    for _attempt in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + workers < 65536 and all(_port_free(base + i) for i in range(workers + 1)):
            return base
    raise RuntimeError("no run of free ports")


def _port_free(port: int) -> bool:
    """Nothing listens on it and a server could bind it as redis-server, nginx and uvicorn do (with
    SO_REUSEADDR): an open outgoing connection's local port is not seen by connecting to it, but makes
    binding it fail."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def topology(django_db_setup, django_db_blocker, tmp_path_factory):
    """One topology for the module (starting it migrates and collects static files: seconds)."""
    try:
        reachable = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        reachable = False
    require_service(reachable, f"Redis at {REDIS_URL}")
    prodctl = _load_prodctl()
    environ = {
        **prodctl.os.environ,
        "DATABASE_URL": served_database_url(),
        "REDIS_URL": REDIS_URL,
        "WORKERS": "2",
        "PORT": str(_free_base_port(3)),  # nginx, two workers, the page-cache Redis
        "RUN_DIR": str(tmp_path_factory.mktemp("run")),
    }
    environ.pop("DJANGO_SETTINGS_MODULE", None)  # the production settings, as `make run-prod` uses
    topology = prodctl.Topology(environ)
    try:
        # Not `migrate`: its post_migrate handlers would re-create the content types that a
        # transactional test's flush removed, and the next test's restore would then collide.
        topology.start(migrate=False)
        yield topology
    finally:
        topology.stop()
        with django_db_blocker.unblock():
            end_other_sessions()


def _log_in(port: int, email: str) -> str:
    """Sign in through allauth's form on one worker, as a browser would; returns the session cookie."""
    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(jar)
    html = opener.open(f"http://127.0.0.1:{port}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    # Production cookies are Secure; the jar would not send them over plain HTTP, so pass them by hand.
    csrf = _cookie(jar, "csrftoken")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/accounts/login/",
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}).encode(),
        headers={"Cookie": f"csrftoken={csrf}", "Referer": f"http://127.0.0.1:{port}/accounts/login/"},
    )
    opener.open(request).read()
    return _cookie(jar, "sessionid")


def _cookie(jar, name: str) -> str:
    return next(cookie.value for cookie in jar.cookiejar if cookie.name == name)


def _get(url: str, **headers) -> tuple[int, Message, bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _sign_in(user, port: int) -> str:
    # The workers run the production settings, whose hashers do not include the tests' fast MD5.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "topologysalt", iterations=1000)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return _log_in(port, user.email)


def test_a_login_through_one_worker_is_valid_on_the_other(topology, member_a):
    first, second = topology.worker_ports

    session = _sign_in(member_a, first)

    status, _headers, body = _get(f"http://127.0.0.1:{second}/accounts/profile/", Cookie=f"sessionid={session}")
    assert status == 200
    assert member_a.display_name in body.decode()
    status, headers, _body = _get(f"http://127.0.0.1:{second}/accounts/profile/")
    assert status == 302 and "/accounts/login/" in headers["Location"]


def test_a_post_through_one_worker_reaches_a_websocket_on_the_other(topology, branch_a, resident, member_a):
    consultation = make_consultation(BranchPage.objects.get(pk=branch_a.page_id))
    first, second = topology.worker_ports
    listener, poster = _sign_in(resident, first), _sign_in(member_a, first)

    async def scenario():
        uri = f"ws://127.0.0.1:{second}/ws/consultations/{consultation.pk}/"
        headers = {"Cookie": f"sessionid={listener}", "Origin": f"http://127.0.0.1:{second}"}
        async with websockets.connect(uri, additional_headers=headers) as ws:
            # The client offers permessage-deflate; the workers decline it (tiny events, issue 19).
            assert "Sec-WebSocket-Extensions" not in ws.response.headers
            await ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "pong"}
            loop = asyncio.get_running_loop()
            status = await loop.run_in_executor(None, _post_through, first, consultation, poster, "两个进程之间")
            assert status == 200
            return json.loads(await asyncio.wait_for(ws.recv(), 5))

    message = asyncio.run(scenario())
    post = Post.objects.get(consultation=consultation, body="两个进程之间")
    assert message["kind"] == "post.created" and message["data"]["id"] == post.pk


def test_nginx_serves_static_files_compressed_and_cached(topology):
    css = next((ROOT / "static" / "css").glob("*.*.css"))  # the hashed name collectstatic wrote
    status, headers, body = _get(f"{topology.url}/static/css/{css.name}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Server"].startswith("nginx")
    assert headers.get("Content-Encoding") == "gzip"
    assert "max-age=315360000" in headers["Cache-Control"]


def _edge_get(url: str, **headers) -> tuple[int, Message, bytes]:
    """A visitor without cookies, in Chinese, through nginx."""
    return _get(url, **{"Accept-Language": "zh-CN,zh;q=0.9", **headers})


@pytest.fixture
def edge_page(topology, home_page, monkeypatch):
    """A published policy page; this process's page-cache purges reach the workers' cache Redis."""
    from django.core.cache.backends.redis import RedisCache

    import core.cache

    monkeypatch.setattr(core.cache, "cache", RedisCache(topology.env["CACHE_REDIS_URL"], {}))
    page = policy(policy_index(home_page), title="边缘缓存的通知")
    return page


def test_nginx_serves_a_cached_anonymous_page_without_reaching_a_worker(topology, edge_page):
    url = f"{topology.url}{edge_page.url}"
    status, first, _body = _edge_get(url)
    assert status == 200 and first["X-Edge-Cache"] in ("MISS", "EXPIRED")
    status, again, body = _edge_get(url)
    assert status == 200 and again["X-Edge-Cache"] == "HIT"
    # With every web worker frozen, nginx still answers the page by itself.
    workers = [int(path.read_text()) for path in topology.run.glob("worker-*.pid")]
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    try:
        status, frozen, body = _edge_get(url)
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
    assert status == 200 and frozen["X-Edge-Cache"] == "HIT"
    assert "边缘缓存的通知" in body.decode()


def test_each_visitor_of_a_cached_page_gets_a_csrf_token_of_their_own_that_works(topology, edge_page):
    url = f"{topology.url}/"
    _edge_get(url)
    tokens = []
    for _visitor in range(2):
        status, headers, body = _edge_get(url)
        assert status == 200 and headers["X-Edge-Cache"] == "HIT"
        cookies = headers.get_all("Set-Cookie")
        assert len(cookies) == 1  # nginx's, not also one from Django
        cookie = re.search(r"^csrftoken=([0-9a-f]{32});", cookies[0]).group(1)
        form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
        assert form_token == cookie and b"__EDGE_CSRF__" not in body
        tokens.append(cookie)
    assert tokens[0] != tokens[1]
    # The token nginx made is one Django accepts: the language switch goes through.
    request = urllib.request.Request(
        f"{topology.url}/i18n/setlang/",
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": tokens[1], "language": "en", "next": "/"}).encode(),
        headers={"Cookie": f"csrftoken={tokens[1]}", "Referer": f"{topology.url}/"},
    )
    status, headers, _body = _post_no_redirect(request)
    assert status == 302 and any(c.startswith("django_language=en") for c in headers.get_all("Set-Cookie"))


def _post_no_redirect(request) -> tuple[int, Message, bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_signed_in_visitors_and_restricted_pages_are_never_kept_by_nginx(topology, edge_page, member_a):
    from wagtail.models import PageViewRestriction

    session = _sign_in(member_a, topology.worker_ports[0])
    url = f"{topology.url}{edge_page.url}"
    for _ in range(2):
        status, headers, body = _edge_get(url, Cookie=f"sessionid={session}")
        assert status == 200 and headers["X-Edge-Cache"] == "BYPASS"
    PageViewRestriction.objects.create(page=edge_page, restriction_type=PageViewRestriction.LOGIN)
    time.sleep(EDGE_SECONDS + 1)
    for _ in range(2):
        status, headers, _body = _edge_get(url)
        assert status == 302 and headers.get("X-Edge-Cache") != "HIT"


def test_a_publish_reaches_anonymous_visitors_within_the_promised_seconds(topology, edge_page):
    url = f"{topology.url}{edge_page.url}"
    _edge_get(url)
    assert _edge_get(url)[1]["X-Edge-Cache"] == "HIT"
    edge_page.title = "边缘缓存的通知（修订）"
    edge_page.save_revision().publish()
    published = time.monotonic()
    while "修订" not in _edge_get(url)[2].decode():
        assert time.monotonic() - published < EDGE_SECONDS + 1, "the new version did not show in time"
        time.sleep(0.2)


def test_a_job_runs_on_the_topologys_rq_workers(topology, settings, member_a):
    """Production's task queue: a job enqueued on RQ (Redis) is taken and run by an `rqworker` process."""
    import time

    import jobs
    from jobs.models import Job

    assert topology.env["TASKS_BACKEND"] == "rq" and "rqworker" in topology.task_worker_command()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": topology.env["REDIS_URL"], "DEFAULT_TIMEOUT": 60}}
    # An appraisal that does not exist: the worker runs the job, which ends with its message for the user.
    job = jobs.start(member_a, "evaluation.appraisal_report", "汇总表", campaign_id=0)
    assert job.status == Job.Status.QUEUED
    deadline = time.monotonic() + 60
    while job.is_active and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "你已无权查看本次评议的计票结果。"


def test_stop_leaves_no_process_and_frees_the_ports(topology):
    # Last in the module: it stops the shared topology.
    # Two web workers, two task workers (RQ), nginx and the page cache's redis-server.
    assert len(topology.running_pids()) == 6
    topology.stop()
    assert topology.running_pids() == []
    assert all(_port_free(port) for port in [topology.port, *topology.worker_ports])
