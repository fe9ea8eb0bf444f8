"""What every consultation action shares: how it refuses (a message for the user, answered 400 or 403)
and the posting rate limit. The actions themselves live by topic: posting, moderation, stages, voting,
outcome, statements."""

from __future__ import annotations

from django.core.cache import cache

from consultation import conf


class ActionError(Exception):
    """A refused action, with a message for the user in their language."""

    status = 400


class NotPermitted(ActionError):
    """Refused because of who asks (not eligible, not an organiser): answered 403, not 400."""

    status = 403


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ActionError(message)


def permit(condition: bool, message: str) -> None:
    if not condition:
        raise NotPermitted(message)


def rate_limited(user) -> bool:
    count, window = conf.get("POST_RATE")
    key = f"consultation:post-rate:{user.pk}"
    cache.add(key, 0, timeout=window)
    try:
        current = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        current = 1
    return current > count
