from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = _("Membership")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from home.models.site import watch_panel_models
        from membership.models import Dossier

        # The home page's membership panel (wagtail_hooks.my_dossier) reads it.
        watch_panel_models(Dossier)
