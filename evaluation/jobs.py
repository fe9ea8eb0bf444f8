"""Evaluation's long work, run as background jobs (jobs/): the appraisal summary and the satisfaction report (PDF)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.pdf import ReportError
from evaluation import pdf
from evaluation.models import AppraisalCampaign
from jobs import FileResult, JobFailed, register
from jobs.reports import pdf_result
from surveys.models import SurveyPage


@register("evaluation.appraisal_report")
def appraisal_report(user, progress, campaign_id: int) -> FileResult:
    """The summary table of a closed ballot as PDF, for whoever may see the tally (asked again here)."""
    campaign = AppraisalCampaign.objects.select_related("branch").filter(pk=campaign_id).first()
    if campaign is None or not user.has_perm("evaluation.view_tally", campaign):
        raise JobFailed(_("You may no longer see this appraisal's tally."))
    if campaign.box_opening:
        # The sealed ballots are not counted until the task worker has opened the box: a summary now would
        # show none of them.
        raise JobFailed(_("The ballot box is still being opened. Try again in a minute."))
    progress(_("Counting the ballots"), 10)
    html = pdf.appraisal_html(campaign)
    progress(_("Writing the PDF"), 40)
    try:
        content = pdf.render_pdf(html)
    except ReportError:
        raise JobFailed(_("The PDF could not be written in time. Try again later."))
    progress(_("Saving the file"), 95)
    return FileResult(f"appraisal-{campaign.branch.code}-{campaign.year}.pdf", content=content)


@register("evaluation.satisfaction_report")
def satisfaction_report(user, progress, survey_id: int) -> FileResult:
    """A satisfaction survey's summary (满意度测评汇总) as PDF, for whoever may see its results (asked again)."""
    survey = SurveyPage.objects.filter(pk=survey_id).specific().first()
    if survey is None or not user.has_perm("surveys.view_results", survey):
        raise JobFailed(_("You may no longer see this survey's results."))
    progress(_("Counting the answers"), 10)
    html = pdf.satisfaction_html(survey)
    return pdf_result(progress, html, f"satisfaction-{survey.pk}.pdf")
