from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo site: wires every app's demo data on top of the apps, which know nothing of it."""

    name = "demo"
    verbose_name = "Demo"
