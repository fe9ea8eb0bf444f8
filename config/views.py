"""Site-wide views that belong to no app."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


async def _roundtrip(layer) -> bool:
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "health.check", "token": token})
    # A broken layer must not hang the probe.
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    return message.get("token") == token


def _channel_layer_ok() -> bool:
    try:
        return async_to_sync(_roundtrip)(get_channel_layer())
    except Exception:
        return False


def _checks() -> dict[str, bool]:
    return {"database": _database_ok(), "channel_layer": _channel_layer_ok()}


def healthz(request):
    """For machines (load balancers, monitoring): JSON, 503 when a check fails."""
    checks = _checks()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "fail", **{k: "ok" if v else "fail" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


@cache_control(no_store=True)
def status(request):
    """For people: the same checks as /healthz, as a page in the reader's language."""
    checks = _checks()
    return TemplateResponse(request, "status.html", {"checks": checks, "healthy": all(checks.values())})


@cache_control(max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the site's own icon."""
    return redirect(static("img/favicon.svg"))
