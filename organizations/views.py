"""Roster import and export in the Wagtail admin."""

import io
import uuid

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from wagtail.admin import messages

import jobs
from organizations import roles
from organizations.forms import RosterImportForm
from organizations.jobs import UPLOADS
from organizations.models import Organization
from organizations.roster_import import RosterImportError, export_roster_xlsx, import_roster

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster_import(request):
    form = RosterImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors, more_errors = [], 0
    if request.method == "POST" and form.is_valid():
        branch, upload = form.cleaned_data["branch"], form.cleaned_data["file"]
        if upload.size > settings.ROSTER_IMPORT_JOB_BYTES:
            # A large file is checked and written by a job: its page shows "row N of M", then the outcome.
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            stored = UPLOADS.save(f"{uuid.uuid4().hex}{suffix}", upload)
            title = _("Roster import: %(branch)s") % {"branch": branch.name}
            job = jobs.start(
                request.user,
                "organizations.roster_import",
                title,
                branch_id=branch.pk,
                stored=stored,
                filename=upload.name,
            )
            return redirect(job)
        try:
            result = import_roster(upload.read(), upload.name, branch)
        except RosterImportError as error:
            errors, more_errors = error.errors, error.more
            messages.error(
                request,
                _("Nothing was imported: the file has %(count)s problem(s).") % {"count": error.total},
            )
        else:
            messages.success(
                request,
                _("Roster of %(branch)s imported: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
                % {"branch": branch.name, **vars(result)},
            )
            return redirect("organizations_roster_import")
    branches = form.fields["branch"].queryset
    return render(
        request,
        "organizations/roster_import.html",
        {"form": form, "errors": errors, "more_errors": more_errors, "branches": branches},
    )


def roster_export(request, code: str):
    # Branches the user does not manage do not exist for them (404), as in the snippet views.
    branches = roles.managed_organizations(request.user).filter(kind=Organization.Kind.BRANCH)
    branch = get_object_or_404(branches, code=code)
    buffer = io.BytesIO()
    export_roster_xlsx(branch, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="roster-{branch.code}.xlsx"'
    return response
