"""Telling members and organisations about meetings and terms, through the notifications app."""

from __future__ import annotations

from notifications.delivery import notify
from notifications.models import Notification


def tell(recipient_ids, message: str, link: str, *, actor=None) -> None:
    """A notice in the site and, by each user's settings, by email now or in the daily digest."""
    notify(recipient_ids, Notification.Kind.ORGLIFE, None, actor=actor, detail=message, link=link)
