from django.utils.functional import SimpleLazyObject

from notifications.unread import unread_count


def notifications(request) -> dict:
    """The signed-in user's unread notification count, looked up only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
