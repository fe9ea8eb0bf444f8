"""Helpers for tests that run code beside the test itself: threads released at once, servers on free ports."""

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

from django.db import connections


def run_concurrently(work: Callable[[int], object], count: int) -> list[object]:
    """Start `count` threads released together by a barrier; return each result or raised exception.

    Use with `@pytest.mark.django_db(transaction=True)` (and `@pytest.mark.postgres` when the race
    needs a real server): threads cannot see data inside the test's own transaction.
    """
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # the caller inspects what each thread raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def free_port() -> int:
    """A TCP port nobody listens on now, for a server a test starts."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_database_url() -> str:
    """The test database as a URL, for server processes a test starts on it."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def end_other_sessions() -> None:
    """On PostgreSQL, end the sessions servers started by a test left open, so the test database can be dropped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@contextlib.contextmanager
def serve_asgi(monkeypatch) -> Iterator[str]:
    """The production ASGI application (HTTP and WebSocket) under uvicorn in a thread; yields its base URL.

    Static files come from the apps (no collectstatic in tests). The server's threads query the test
    database from inside its event loop's thread, hence DJANGO_ALLOW_ASYNC_UNSAFE.
    """
    import uvicorn
    from channels.routing import ProtocolTypeRouter

    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config import asgi

    application = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(asgi.application.application_mapping["http"]),
            "websocket": asgi.application.application_mapping["websocket"],
        }
    )
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        end_other_sessions()
