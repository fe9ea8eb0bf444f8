from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "consultation"
    verbose_name = _("Consultation")

    def ready(self) -> None:
        from consultation.live import connect_signals

        connect_signals()
