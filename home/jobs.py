"""The home app's long work, run as background jobs (jobs/): a branch's study completion table as XLSX."""

from __future__ import annotations

from django.utils.translation import gettext as _

from wagtail.models import Page

from home import exports
from home.models import StudyRecord
from jobs import FileResult, JobFailed, register
from jobs.reports import file_result


@register("home.study_completion_xlsx")
def study_completion_xlsx(user, progress, section_id: int) -> FileResult:
    """The section's members and the required study each completed, for whoever may still see the table."""
    page = Page.objects.filter(pk=section_id).first()
    section = page.specific if page is not None else None
    if section is None or not hasattr(section, "allows") or not section.allows(user, "home.view_study_completion"):
        raise JobFailed(_("You may no longer see this branch's study completion."))
    progress(_("Counting who studied what"), 10)
    table = StudyRecord.objects.completion_table(section.organization)
    progress(_("Writing the spreadsheet"), 50)
    branch = section.organization
    return file_result(
        progress, lambda path: exports.study_completion_xlsx(branch, table, path), exports.filename(branch)
    )
