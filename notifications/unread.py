"""The unread count in the header of every signed-in page, and the pages kept for each viewer that show it.

A signed-in viewer's copy of a page (core/cache.py) is drawn with their unread badge, so every change to a
person's notifications forgets their copies: the bulk writes here say so themselves, single rows by signal
(notifications/apps.py).
"""

from __future__ import annotations

from core import cache as page_cache


def forget_pages_of(*user_ids: int | None) -> None:
    page_cache.forget_viewer(*user_ids)


def forget_pages_of_recipient(sender, instance, **kwargs) -> None:
    forget_pages_of(instance.recipient_id)
