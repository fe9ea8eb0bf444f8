"""Organisations' long work, run as background jobs (jobs/): a large roster import."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.private_files import PrivateStorage
from jobs import JobFailed, LinkResult, register
from organizations import roles
from organizations.models import Organization
from organizations.roster_import import RosterImportError, apply_roster, error_report, parse_roster

# Uploaded roster files wait here for their job, which deletes them when it has read them (and housekeeping,
# those of a job that never ran).
UPLOADS = PrivateStorage("roster-imports")


@register("organizations.roster_import", uploads=UPLOADS)
def roster_import(user, progress, branch_id: int, stored: str, filename: str) -> LinkResult:
    """Check every row ("row N of M"), then write the whole roster in one transaction, or nothing.

    The branch must still be one the user manages (asked again here). The uploaded file is deleted once read:
    a retry asks for it again."""
    try:
        branch = roles.managed_organizations(user).filter(kind=Organization.Kind.BRANCH, pk=branch_id).first()
        if branch is None:
            raise JobFailed(_("You may no longer import this branch's roster."))
        try:
            with UPLOADS.open(stored) as handle:
                data = handle.read()
        except FileNotFoundError:
            raise JobFailed(_("The uploaded file is no longer kept: upload it again.")) from None
        progress(_("Reading the file"), 5)

        def rows_checked(row: int, rows: int) -> None:
            progress(_("Row %(row)s of %(rows)s") % {"row": row, "rows": rows}, 5 + 80 * row // max(rows, 1))

        try:
            rows = parse_roster(data, filename, branch, progress=rows_checked)
        except RosterImportError as error:
            raise JobFailed(error_report(error)) from None
        progress(_("Saving the roster"), 90)
        result = apply_roster(rows, branch)
    finally:
        UPLOADS.delete(stored)
    summary = _("Roster of %(branch)s imported: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.") % {
        "branch": branch.name,
        **vars(result),
    }
    return LinkResult(reverse("organizations_roster_import"), summary)
