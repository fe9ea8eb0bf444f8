"""Reads to a streaming replica, writes to the primary, and a writer's own reads to the primary (issue 19.3).

Enabled by REPLICA_DATABASE_URL (the `replica` alias; `make run-prod REPLICA=1` starts one with
pg_basebackup). Read-your-writes holds at two scales:
- in a request: once anything is written (an INSERT, UPDATE or DELETE reaches the primary), or inside a
  transaction, every read of that request goes to the primary (a replica may lag, and a transaction must
  see its own rows). Asking for the write database is not a write: `get_or_create` asks for it on every
  page that only reads, and pinning on that would send nearly every page to the primary;
- across requests: a request that wrote, or any POST, leaves the visitor a short-lived cookie
  (READ_YOUR_WRITES_SECONDS) under which their reads go to the primary, so the page they are sent to
  after saving shows what they saved even if the replica is a second behind. The cookie is no secret: a
  client that forges it only sends its own reads to the primary.
Migrations run on the primary only; the replica follows through streaming replication.
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.db import connections

PRIMARY, REPLICA = "default", "replica"
PIN_COOKIE = "gz_primary"
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("gongzhi_read_primary", default=False)


def replica_enabled() -> bool:
    return REPLICA in settings.DATABASES


def pin_to_primary() -> None:
    """From now on, in this request (or task), read from the primary."""
    _pinned.set(True)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


_WRITES = ("INSERT", "UPDATE", "DELETE")


def _pin_on_write(execute, sql, params, many, context):
    if sql.lstrip()[:6].upper() in _WRITES:
        pin_to_primary()
    return execute(sql, params, many, context)


def _seconds() -> int:
    return getattr(settings, "READ_YOUR_WRITES_SECONDS", 10)


class ReadYourWritesMiddleware:
    """Sets the request's starting point (pinned or not) and leaves the cookie after a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_enabled():
            return self.get_response(request)
        token = _pinned.set(self._recent_writer(request))
        try:
            with connections[PRIMARY].execute_wrapper(_pin_on_write):
                response = self.get_response(request)
            if _pinned.get() or request.method not in ("GET", "HEAD", "OPTIONS"):
                response.set_cookie(
                    PIN_COOKIE, str(int(time.time())), max_age=_seconds(), httponly=True, samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )  # fmt: skip
            return response
        finally:
            _pinned.reset(token)

    @staticmethod
    def _recent_writer(request) -> bool:
        raw = request.COOKIES.get(PIN_COOKIE, "")
        return raw.isdigit() and time.time() - int(raw) < _seconds()
