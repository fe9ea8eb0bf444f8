"""Sending events to open consultation pages through the channel layer."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def group_name(consultation_id: int) -> str:
    return f"consultation.{consultation_id}"


def broadcast(consultation_id: int, message: dict) -> None:
    """Best effort: a lost message is recovered by the page's catch-up request."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(consultation_id), {"type": "consultation.event", "event": message})
    except Exception:  # the event is stored; clients catch up
        logger.exception("Could not broadcast an event of consultation %s", consultation_id)
