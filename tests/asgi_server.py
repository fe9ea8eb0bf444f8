"""The production ASGI application (HTTP and WebSocket, static files from the apps since the tests run no
collectstatic) served by uvicorn in a thread, and Debian's Chromium: for browser tests that need live updates,
which the WSGI live_server cannot carry."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def serving() -> Iterator[str]:
    """Serve the site until the block ends; yields its base URL. Needs DJANGO_ALLOW_ASYNC_UNSAFE (the test's
    database connection is used from the server's event loop)."""
    from channels.routing import ProtocolTypeRouter

    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config import asgi

    application = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(asgi.application.application_mapping["http"]),
            "websocket": asgi.application.application_mapping["websocket"],
        }
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--no-first-run"])
        yield browser
        browser.close()
