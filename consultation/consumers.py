"""Live updates of one consultation: parse, authorise, forward. Database work runs in sync helpers."""

from __future__ import annotations

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from consultation import conf
from consultation.live import group_name, user_group_name

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RATE_LIMITED = 4429
# Client messages are a few dozen characters ({"type": "catch_up", "after": 123}); anything far larger is
# refused before it is parsed, so a client cannot make the server decode megabytes of JSON.
MAX_MESSAGE_CHARS = 1024


def _may_receive(user, page_id: int) -> bool:
    from consultation.models import ConsultationPage

    consultation = ConsultationPage.objects.live().filter(pk=page_id).first()
    return consultation is not None and user.has_perm("consultation.receive_live", consultation)


def _still_may_receive(user_id: int, session_key: str | None, page_id: int) -> bool:
    """The right to follow, checked again: the session still signs this user in (not signed out or
    expired), the account is active, and the user may still see the consultation."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY, get_user_model

    if session_key:
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        if str(session.get(SESSION_KEY)) != str(user_id):
            return False
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return user is not None and _may_receive(user, page_id)


def _events_after(page_id: int, after: int, limit: int = 200) -> list[dict]:
    from consultation.models import Event

    return Event.messages_after(page_id, after, limit)


class ConsultationConsumer(AsyncJsonWebsocketConsumer):
    """Pushes a consultation's events (posts, replies, support counts, stage changes) to an open page.

    Client messages: {"type": "ping"} and {"type": "catch_up", "after": <seq>}.
    """

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.page_id = int(self.scope["url_route"]["kwargs"]["page_id"])
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await database_sync_to_async(_may_receive)(user, self.page_id):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = group_name(self.page_id)
        self.user_group = user_group_name(user.pk)
        self.user_id = user.pk
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.checked_at = time.monotonic()
        self.allowance, self.window = conf.get("SOCKET_RATE")
        self.sent_times: list[float] = []
        self.strikes = 0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(self.user_group, self.channel_name)
            self.group = None

    async def _still_allowed(self) -> bool:
        """Re-check the right (on a rights.changed message, and before an event once the last check is
        older than SOCKET_RECHECK_SECONDS); close the socket when it is gone."""
        allowed = await database_sync_to_async(_still_may_receive)(self.user_id, self.session_key, self.page_id)
        self.checked_at = time.monotonic()
        if not allowed:
            await self.disconnect(CLOSE_FORBIDDEN)
            await self.close(code=CLOSE_FORBIDDEN)
        return allowed

    async def rights_changed(self, message) -> None:
        if self.group:
            await self._still_allowed()

    def _over_limit(self) -> bool:
        now = time.monotonic()
        self.sent_times = [t for t in self.sent_times if now - t < self.window]
        self.sent_times.append(now)
        return len(self.sent_times) > self.allowance

    async def receive_json(self, content, **kwargs) -> None:
        if self._over_limit():
            self.strikes += 1
            if self.strikes > self.allowance:
                await self.close(code=CLOSE_RATE_LIMITED)
                return
            await self.send_json({"type": "error", "error": "rate limited"})
            return
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "malformed message"})
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "catch_up":
            after = content.get("after")
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                await self.send_json({"type": "error", "error": "after must be a non-negative integer"})
                return
            if not await self._still_allowed():
                return
            events = await database_sync_to_async(_events_after)(self.page_id, after)
            await self.send_json({"type": "events", "events": events})
        else:
            await self.send_json({"type": "error", "error": "unsupported message"})

    async def consultation_event(self, message) -> None:
        if not self.group:
            return
        if time.monotonic() - self.checked_at >= conf.get("SOCKET_RECHECK_SECONDS") and not await self._still_allowed():
            return
        await self.send(text_data=message["text"])  # JSON encoded once by live.broadcast

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.send_json({"type": "error", "error": "text frames only"})
            return
        if len(text_data) > MAX_MESSAGE_CHARS:
            await self.send_json({"type": "error", "error": "message too large"})
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
