"""The unread count in the header of every signed-in page, and the pages kept for each viewer that show it.

A signed-in viewer's copy of a page (core/cache.py) is drawn with their unread badge, so every change to a
person's notifications forgets their copies: the bulk writes here say so themselves, single rows by signal
(notifications/apps.py). The count itself is kept under the same version (`unread_count`).
"""

from __future__ import annotations

from django.conf import settings

from core import cache as page_cache

_KEY = "notifications:unread:{}"


def unread_count(user) -> int:
    """The user's unread notifications, as the header's badge shows them.

    Where every process shares the page store (PAGE_CACHE_VIEWER_COPIES), the count is kept there with the
    user's viewer version it was counted under. Every change to their notifications moves that version on
    (`forget_pages_of`, now and again after commit), so a count kept under an older one is counted again:
    one cache round trip instead of a database query on every signed-in page. Elsewhere (one process's
    memory, which a task worker's notifications would never reach) it is counted each time.
    """
    if not settings.PAGE_CACHE_VIEWER_COPIES:
        return _counted(user)
    version_key, key = page_cache.viewer_version_key(user.pk), _KEY.format(user.pk)
    found = page_cache.cache.get_many([version_key, key])
    version, kept = found.get(version_key), found.get(key)
    if kept is not None and version is not None and kept[0] == version:
        return kept[1]
    if version is None:
        version = page_cache.version(version_key)  # before counting: a change meanwhile moves it on again
    count = _counted(user)
    page_cache.cache.set(key, (version, count), page_cache.replica_bound(page_cache.VIEWER_TIMEOUT))
    return count


def _counted(user) -> int:
    return user.notifications.filter(read_at=None).count()


def forget_pages_of(*user_ids: int | None) -> None:
    page_cache.forget_viewer(*user_ids)


def forget_pages_of_recipient(sender, instance, **kwargs) -> None:
    forget_pages_of(instance.recipient_id)
