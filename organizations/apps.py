from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from organizations import signals

        # Groups created before a permission was added to roles.py get it at the next migrate.
        post_migrate.connect(signals.sync_roles_after_migrate, sender=self)
