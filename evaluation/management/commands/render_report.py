from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from evaluation import pdf, tally
from evaluation.models import AppraisalCampaign
from surveys.models import SurveyPage


class Command(BaseCommand):
    help = "Render a PDF report: `appraisal --campaign ID -o FILE` or `satisfaction --survey ID -o FILE`."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["appraisal", "satisfaction"])
        parser.add_argument("--campaign", type=int)
        parser.add_argument("--survey", type=int)
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--timeout", type=int, default=pdf.DEFAULT_TIMEOUT)

    def handle(self, *args, kind, output: Path, timeout: int, **options):
        translation.activate(settings.LANGUAGE_CODE)
        if kind == "appraisal":
            document = self._appraisal(options["campaign"], timeout)
        else:
            document = self._satisfaction(options["survey"], timeout)
        output.write_bytes(document)
        self.stdout.write(f"{output} ({len(document):,} bytes)")

    def _appraisal(self, campaign_id: int | None, timeout: int) -> bytes:
        campaign = AppraisalCampaign.objects.filter(pk=campaign_id).select_related("branch").first()
        if campaign is None:
            raise CommandError(f"No appraisal campaign with id {campaign_id}.")
        try:
            return pdf.render_appraisal_pdf(campaign, timeout=timeout)
        except tally.ResultsHidden:
            raise CommandError("Results exist only after balloting closes.") from None
        except pdf.ReportError as error:
            raise CommandError(f"The report failed: {error}") from None

    def _satisfaction(self, survey_id: int | None, timeout: int) -> bytes:
        survey = SurveyPage.objects.filter(pk=survey_id).specific().first()
        if survey is None:
            raise CommandError(f"No survey with id {survey_id}.")
        try:
            return pdf.render_satisfaction_pdf(survey, timeout=timeout)
        except pdf.ReportError as error:
            raise CommandError(f"The report failed: {error}") from None
