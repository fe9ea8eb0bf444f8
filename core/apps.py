from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor every feature app stands on (issue 14 moves the shared page base here)."""

    name = "core"
    verbose_name = "Core"
