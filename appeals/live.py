"""Telling handlers' open lists about new and moved requests through the channel layer.

An event names only the request; the open page fetches the row from the server (the same template as
after a reload, for this viewer, permission checked), so nothing private travels through the layer.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from core.tree import ancestor_paths

logger = logging.getLogger(__name__)


def grid_group(grid_id: int) -> str:
    return f"appeals.grid.{grid_id}"


def unit_group(organization_id: int) -> str:
    return f"appeals.unit.{organization_id}"


def groups_of(appeal) -> list[str]:
    """Every organisation from the unit up to the street (admins above see it too) and, while the request
    is at grid level, the grid's worker. A request above the grid is not on the worker's list, and a
    complaint about the grid must not even ping the worker it is about (art. 35)."""
    from appeals.models import Level
    from organizations.models import Organization

    paths = ancestor_paths(appeal.unit, inclusive=True)
    ids = Organization.objects.filter(path__in=paths).values_list("pk", flat=True)
    grid = [grid_group(appeal.grid_id)] if appeal.level == Level.GRID and appeal.complains_about_id is None else []
    return [*grid, *(unit_group(pk) for pk in ids)]


def _send(groups: list[str], event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    def send():
        for group in groups:
            try:
                async_to_sync(layer.group_send)(group, {"type": "appeal.event", "event": event})
            except Exception:  # best effort: the list is right again after a reload
                logger.exception("Could not announce request %s", event.get("id"))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send()
        return
    helper = threading.Thread(target=send, daemon=True)
    helper.start()
    helper.join(timeout=5)


def announce(appeal) -> None:
    """A request arrived at (or moved to) a unit: open handler lists fetch its row."""
    _send(groups_of(appeal), {"type": "appeal", "id": appeal.pk})
