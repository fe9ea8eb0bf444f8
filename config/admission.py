"""Admission control for HTTP requests in one ASGI worker.

Django runs a request's sync parts (middleware, view) as separate hops onto one thread, and a request
keeps its database connection from its first query until it finishes. With more requests in flight
than pooled connections, the thread blocks waiting for a connection that only requests waiting for
the thread can return: every request then fails after the pool's timeout. Holding excess requests
here, in the event loop, before Django sees them, keeps in flight at most as many as the pool serves.
WebSockets are not limited: they hold no connection between messages.
"""

from __future__ import annotations

import asyncio


class AdmissionLimit:
    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._slots is None:  # created inside the server's event loop
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            return await self.app(scope, receive, send)
