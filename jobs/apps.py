from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Long work run as background tasks, with a progress page for the person who started it."""

    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        # Each app's job functions live in its `jobs.py`, registered on import (web and task workers alike).
        autodiscover_modules("jobs")
        from jobs import signals  # noqa: F401  (connects the receivers)
