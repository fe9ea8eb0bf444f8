"""HTTP in one ASGI worker: Django's ASGI handler, with each request's synchronous work in one hop to a
long-lived thread.

Every middleware and view here is synchronous. Django's own ASGI handler still runs them as several hops
between the event loop and a thread it creates for each request (asgiref's ThreadSensitiveContext), and
each new thread builds its own database wrapper and pool checkout. Under 1,000 ballots at once (`make
bench`, P3) that was about a quarter of a worker's CPU. Here:

- the body is read in the event loop, as Django does (a spooled file; a disconnect while sending it ends
  the request), and malformed requests get Django's own 400 and 413;
- one hop to a thread of a fixed pool runs `request_started`, the middleware chain and the view, sends
  the response (one hop back to the loop for a whole response, one per chunk when streaming), and closes
  it (`request_finished`: the database connection goes back to the pool). Everything that touches the
  database runs in that one thread, as under WSGI;
- code in a view that calls `async_to_sync` (the live consultation's broadcasts) runs in the worker's
  event loop, with its shared Redis connections: asgiref knows the loop of a thread it started.

The pool's size (HTTP_CONCURRENCY, by default DATABASE_POOL_SIZE; the database pool keeps one connection
more, for WebSocket consumers) bounds the requests inside Django at once: a request keeps its database
connection from its first query to its end, so with more requests inside than pooled connections each
would wait for one that only requests waiting for a thread could return. The others wait in the event
loop, holding no thread. WebSockets are Channels' own (config/asgi.py).

A client that leaves is noticed in the loop (as Django's handler listens for it): a request still waiting
for a thread is then dropped when its turn comes, without reaching Django, and a streamed answer stops at
its next chunk. A view already running is not interrupted (a thread cannot be cancelled; Django's handler
only stops awaiting it). Async views are not run natively (there are none; Django would run one through
async_to_sync).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync, sync_to_async

from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix


class PooledASGIHandler(ASGIHandler):
    def __init__(self, threads: int):
        self.threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # One synchronous chain, called from the thread: no hop between middleware and view.
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP here, not {scope['type']}.")
        try:
            body = await self.read_body(receive)
        except RequestAborted:
            return
        gone = threading.Event()
        listening = asyncio.create_task(_note_disconnect(receive, gone))
        try:
            await sync_to_async(self._respond, thread_sensitive=False, executor=self.threads)(scope, body, send, gone)
        finally:
            listening.cancel()

    def _respond(self, scope, body, send, gone: threading.Event) -> None:
        if gone.is_set():  # the client left while the request waited for a thread: nothing to answer
            body.close()
            return
        response = None
        try:
            set_script_prefix(get_script_prefix(scope))
            signals.request_started.send(sender=self.__class__, scope=scope)
            request, response = self.create_request(scope, body)
            if request is not None:
                response = self.get_response(request)
                response._handler_class = self.__class__
                if isinstance(response, FileResponse):
                    response.block_size = self.chunk_size  # the server chunks the socket writes
            try:
                self._send(response, send, gone)
            finally:
                response.close()  # request_finished: the thread's database connection goes back
        finally:
            body.close()
            if response is None:  # no answer at all (the view's task cancelled): end the request anyway
                signals.request_finished.send(sender=self.__class__)

    def _send(self, response, send, gone: threading.Event) -> None:
        start = {"type": "http.response.start", "status": response.status_code, "headers": _headers(response)}
        if not response.streaming:
            async_to_sync(self._send_whole)(send, start, response.content)
            return
        send_now = async_to_sync(send)
        send_now(start)
        # Parts gathered up to a chunk per hop to the loop: a CSV export yields a part per row.
        gathered = bytearray()
        for part in response:
            if gone.is_set():  # nobody reads the rest of an export any more
                return
            gathered += part
            if len(gathered) >= self.chunk_size:
                send_now({"type": "http.response.body", "body": bytes(gathered), "more_body": True})
                gathered.clear()
        send_now({"type": "http.response.body", "body": bytes(gathered)})

    async def _send_whole(self, send, start: dict, content: bytes) -> None:
        await send(start)
        for chunk, last in self.chunk_bytes(content):
            await send({"type": "http.response.body", "body": chunk, "more_body": not last})


async def _note_disconnect(receive, gone: threading.Event) -> None:
    """Once the body is read, the next message is the client's disconnect (or comes after the answer)."""
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()


def _headers(response) -> list[tuple[bytes, bytes]]:
    """As Django's ASGI handler encodes them (header case kept; cookies last)."""
    headers = [
        (
            header.encode("ascii") if isinstance(header, str) else header,
            value.encode("latin1") if isinstance(value, str) else value,
        )
        for header, value in response.items()
    ]
    headers += [
        (b"Set-Cookie", cookie.output(header="").encode("ascii").strip()) for cookie in response.cookies.values()
    ]
    return headers
