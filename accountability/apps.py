from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountabilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accountability"
    verbose_name = _("Lists, supervision and assessment")

    def ready(self) -> None:
        from accountability.models import Assessment, IndicatorScheme, SupervisionNotice, Task
        from home.models.site import watch_panel_models

        # The home page's panel of waiting work (wagtail_hooks.waiting_work) reads them.
        watch_panel_models(Task, SupervisionNotice, Assessment, IndicatorScheme)


# Strings this app added to shared files (the site header, notifications' kinds and settings), named here so
# that makemessages keeps their translations in this app's catalogue.
SHARED_STRINGS = (
    pgettext_lazy("three lists and assessment", "Lists"),
    _("A reminder about work that is due"),
    _("reminders about work that is due"),
)
