"""The assessment's long work, run as background jobs (jobs/): the dashboard as XLSX and the report as PDF."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accountability import dashboard, exports, report
from accountability.models import IndicatorScheme
from jobs import FileResult, JobFailed, register
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
