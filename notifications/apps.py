from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-site notifications and the emails that follow them (immediately or as a daily digest).

    Any feature app tells its users something with `notifications.delivery.notify`; what a notification
    says is kept in its kind and detail, so this app reads no feature app's code.
    """

    name = "notifications"
    verbose_name = _("Notifications")
