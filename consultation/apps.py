from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "consultation"
    verbose_name = _("Consultation")

    def ready(self) -> None:
        from consultation import page_cache
        from consultation.live import connect_signals
        from consultation.recipients import hidden_notifications
        from notifications import visibility

        connect_signals()
        page_cache.connect_signals()
        visibility.register(hidden_notifications)
