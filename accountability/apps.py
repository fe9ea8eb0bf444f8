from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountabilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accountability"
    verbose_name = _("Lists, supervision and assessment")


# Strings this app added to shared files (the site header, notifications' kinds and settings), named here so
# that makemessages keeps their translations in this app's catalogue.
SHARED_STRINGS = (
    pgettext_lazy("three lists and assessment", "Lists"),
    _("A reminder about work that is due"),
    _("reminders about work that is due"),
)
