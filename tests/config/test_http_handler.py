"""HTTP in a worker (config/http.py): one hop to a long-lived thread per request, and back for the answer."""

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.testing import HttpCommunicator

from django.core.signals import request_finished
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.http import PooledASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)

seen: dict[str, object] = {}


def plain(request):
    seen["view_thread"] = threading.get_ident()
    response = HttpResponse("你好", content_type="text/plain; charset=utf-8")
    response.set_cookie("flavour", "plain")
    return response


BIG = PooledASGIHandler.chunk_size


def streamed(request):
    """Many small parts (a CSV export yields one per row), then two of a whole chunk each."""
    seen["view_thread"] = threading.get_ident()
    parts = [b"row,"] * 10 + [b"a" * BIG, b"b" * BIG]
    response = StreamingHttpResponse(iter(parts), content_type="text/csv")
    response._resource_closers.append(lambda: seen.setdefault("closed_in", threading.get_ident()))
    return response


async def _running_loop():
    return asyncio.get_running_loop()


def loop_of_async_to_sync(request):
    seen["view_loop"] = async_to_sync(_running_loop)()
    return HttpResponse("ok")


@csrf_exempt
def echo(request):
    return HttpResponse(request.POST.get("word", ""))


def broken(request):
    seen["view_thread"] = threading.get_ident()
    raise RuntimeError("a bug in a view")


def _thread_of_this_call():
    return threading.get_ident()


async def _back_to_the_thread():
    return await sync_to_async(_thread_of_this_call)()


def nested(request):
    """async_to_sync in a view, whose coroutine calls sync code again: that runs back in the view's thread."""
    seen["view_thread"] = threading.get_ident()
    seen["nested_thread"] = async_to_sync(_back_to_the_thread)()
    return HttpResponse("ok")


release = threading.Event()


def slow(request):
    """Holds the pool's one thread until the test releases it."""
    release.wait(10)
    return HttpResponse("slow")


def endless(request):
    """An export that would go on for a long time: counts the parts asked of it."""

    def parts():
        while seen.setdefault("parts", 0) < 10_000:
            seen["parts"] += 1
            yield b"x" * 1024

    return StreamingHttpResponse(parts(), content_type="text/csv")


urlpatterns = [
    path("plain/", plain),
    path("slow/", slow),
    path("endless/", endless),
    path("streamed/", streamed),
    path("loop/", loop_of_async_to_sync),
    path("echo/", echo),
    path("broken/", broken),
    path("nested/", nested),
]


@pytest.fixture
def handler(settings):
    settings.ROOT_URLCONF = __name__
    seen.clear()
    return PooledASGIHandler(threads=1)


@pytest.fixture
def finished_threads():
    """The thread each request_finished was sent from, in order."""
    threads: list[int] = []

    def on_finished(**kwargs):
        threads.append(threading.get_ident())

    request_finished.connect(on_finished)
    yield threads
    request_finished.disconnect(on_finished)


def _scope(method: str, path: str) -> dict:
    headers = [(b"host", b"testserver")]
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": headers,
    }


def _get(handler, url: str, **kwargs) -> HttpCommunicator:
    return HttpCommunicator(handler, kwargs.pop("method", "GET"), url, headers=[(b"host", b"testserver")], **kwargs)


async def test_a_page_with_its_headers_and_cookies_reaches_the_client(handler):
    response = await _get(handler, "/plain/").get_response()
    assert response["status"] == 200 and response["body"].decode() == "你好"
    headers = dict(response["headers"])
    assert headers[b"Content-Type"] == b"text/plain; charset=utf-8"
    assert headers[b"Set-Cookie"].startswith(b"flavour=plain")


async def test_a_request_and_its_end_run_on_one_reused_thread_of_the_pool(handler, finished_threads):
    for _ in range(2):
        communicator = _get(handler, "/plain/")
        await communicator.get_response()
        await communicator.wait(5)  # the answer is sent first, then the request ends
        first = seen.setdefault("first_thread", seen["view_thread"])
    # request_finished gives the database connection back: in the thread that used it, after each request.
    assert finished_threads == [first, first] and seen["view_thread"] == first
    assert first != threading.get_ident()


async def test_a_streaming_answer_arrives_in_chunks_and_is_closed_in_the_views_thread(handler):
    app = ApplicationCommunicator(handler, _scope("GET", "/streamed/"))
    await app.send_input({"type": "http.request", "body": b""})
    start = await app.receive_output(5)
    assert start["type"] == "http.response.start" and start["status"] == 200
    bodies = [await app.receive_output(5) for _ in range(3)]
    await app.wait(5)
    # Small parts are gathered up to a chunk per hop to the event loop; the last message ends the body.
    assert [len(b["body"]) for b in bodies] == [40 + BIG, BIG, 0]
    assert [b.get("more_body", False) for b in bodies] == [True, True, False]
    assert b"".join(b["body"] for b in bodies) == b"row," * 10 + b"a" * BIG + b"b" * BIG
    assert seen["closed_in"] == seen["view_thread"] != threading.get_ident()


async def test_a_view_that_fails_answers_500_and_the_request_still_ends(handler, finished_threads):
    communicator = _get(handler, "/broken/")
    response = await communicator.get_response()
    await communicator.wait(5)
    assert response["status"] == 500
    assert finished_threads == [seen["view_thread"]]


async def test_sync_code_called_back_from_a_views_async_code_runs_in_the_views_thread(handler):
    """No deadlock and no other thread: with one thread in the pool, it can only be the same one."""
    response = await _get(handler, "/nested/").get_response()
    assert response["status"] == 200
    assert seen["nested_thread"] == seen["view_thread"]


async def test_async_code_in_a_view_runs_on_the_workers_event_loop(handler):
    """The live consultation's broadcasts use the worker's Redis connections, not a new loop's."""
    response = await _get(handler, "/loop/").get_response()
    assert response["status"] == 200
    assert seen["view_loop"] is asyncio.get_running_loop()


async def test_a_form_body_is_read_before_the_view(handler):
    body = b"word=%E5%85%B1%E6%B2%BB"
    communicator = _get(handler, "/echo/", method="POST", body=body)
    communicator.scope["headers"] += [(b"content-type", b"application/x-www-form-urlencoded")]
    response = await communicator.get_response()
    assert response["status"] == 200 and response["body"].decode() == "共治"


async def test_a_client_gone_while_sending_the_body_reaches_no_view(handler):
    app = ApplicationCommunicator(handler, _scope("POST", "/plain/"))
    await app.send_input({"type": "http.request", "body": b"part", "more_body": True})
    await app.send_input({"type": "http.disconnect"})
    await app.wait(5)
    assert "view_thread" not in seen


async def test_a_request_whose_client_left_while_it_waited_for_a_thread_reaches_no_view(handler, finished_threads):
    release.clear()
    busy = ApplicationCommunicator(handler, _scope("GET", "/slow/"))
    await busy.send_input({"type": "http.request", "body": b""})
    await asyncio.sleep(0.2)  # the pool's one thread is in the slow view
    waiting = ApplicationCommunicator(handler, _scope("GET", "/plain/"))
    await waiting.send_input({"type": "http.request", "body": b""})
    await asyncio.sleep(0.1)
    await waiting.send_input({"type": "http.disconnect"})
    await asyncio.sleep(0.1)
    release.set()
    assert (await busy.receive_output(5))["status"] == 200
    await busy.wait(5)
    await waiting.wait(5)
    assert "view_thread" not in seen  # the plain view never ran
    assert len(finished_threads) == 1  # only the slow request began and ended


async def test_a_streamed_answer_stops_soon_after_its_client_leaves(handler):
    app = ApplicationCommunicator(handler, _scope("GET", "/endless/"))
    await app.send_input({"type": "http.request", "body": b""})
    assert (await app.receive_output(5))["status"] == 200
    await app.receive_output(5)  # the first chunk
    await app.send_input({"type": "http.disconnect"})
    await app.wait(5)
    assert seen["parts"] < 1_000
