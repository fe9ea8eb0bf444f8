from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor every feature app stands on: the page base, body blocks, page cache, Chinese text."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import cache

        cache.connect_signals()
