from django.utils.functional import SimpleLazyObject


def notifications(request) -> dict:
    """The signed-in user's unread notification count, queried only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: user.notifications.filter(read_at=None).count())}
