"""The assessment's long work, run as background jobs (jobs/): the indicators computed, the dashboard as XLSX
and the report as PDF."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability import assessment as scoring
from accountability import dashboard, exports, report
from accountability.models import IndicatorScheme
from jobs import FileResult, JobFailed, LinkResult, register
from jobs.reports import file_result, pdf_result
from organizations.models import Organization


def _board(user, progress, scheme_id: int, within: str) -> dashboard.Dashboard:
    """The scheme's dashboard (optionally one community's part), if the user may still run the scheme."""
    scheme = IndicatorScheme.objects.select_related("organization").filter(pk=scheme_id).first()
    if scheme is None or not user.has_perm("accountability.run_scheme", scheme):
        raise JobFailed(_("You may no longer see this assessment."))
    part = None
    if within:
        part = Organization.objects.filter(code=within, path__startswith=scheme.organization.path).first()
        if part is None:
            raise JobFailed(_("This organisation is no longer part of the assessment."))
    progress(_("Computing the scores"), 10)
    return dashboard.build(scheme, part)


@register("accountability.dashboard_xlsx")
def dashboard_xlsx(user, progress, scheme_id: int, within: str = "") -> FileResult:
    board = _board(user, progress, scheme_id, within)
    progress(_("Writing the spreadsheet"), 50)
    return file_result(
        progress, lambda path: exports.write_dashboard_xlsx(board, path), exports.filename(board, "xlsx")
    )


@register("accountability.report_pdf")
def report_pdf(user, progress, scheme_id: int, within: str = "") -> FileResult:
    board = _board(user, progress, scheme_id, within)
    progress(_("Drawing the charts"), 25)
    html = report.report_html(board)
    return pdf_result(progress, html, exports.filename(board, "pdf"))


@register("accountability.compute_indicators")
def compute_indicators(user, progress, scheme_id: int) -> LinkResult:
    """Every assessed branch's computed indicators, for whoever runs the scheme (asked again here); the
    figures are stored on the scores as before and the job ends with a link to the dashboard."""
    scheme = IndicatorScheme.objects.select_related("organization").filter(pk=scheme_id).first()
    if scheme is None or not user.has_perm("accountability.run_scheme", scheme):
        raise JobFailed(_("You may no longer run this assessment."))
    progress(_("Reading the platform's data"), 2)

    def counted(done: int, total: int) -> None:
        progress(_("Organisation %(done)s of %(total)s") % {"done": done, "total": total}, 2 + 90 * done // total)

    try:
        written = scoring.compute(scheme, user, progress=counted)
    except ValidationError as error:
        raise JobFailed(" ".join(error.messages)) from None
    label = _("%(n)d figures computed from the platform's data.") % {"n": written}
    return LinkResult(reverse("accountability:scheme", args=[scheme.pk]), label)
