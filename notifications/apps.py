from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-site notifications and the emails that follow them (immediately or as a daily digest).

    Any feature app tells its users something with `notifications.delivery.notify`; what a notification
    says is kept in its kind and detail, so this app reads no feature app's code.
    """

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from notifications.models import Notification
        from notifications.unread import forget_pages_of_recipient

        # The header's unread badge is part of the pages kept for each viewer (core/cache.py).
        post_save.connect(forget_pages_of_recipient, sender=Notification, dispatch_uid="notifications-unread-save")
        post_delete.connect(forget_pages_of_recipient, sender=Notification, dispatch_uid="notifications-unread-delete")
