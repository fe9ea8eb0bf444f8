from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from organizations import signals  # noqa: F401
