from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from evaluation.models import AppraisalCampaign, Appraisee
        from home.models.site import watch_panel_models

        # The home page's appraisal panel (wagtail_hooks.current_appraisals) reads them.
        watch_panel_models(AppraisalCampaign, Appraisee)
