"""Home's views: the sitemap, and a section's organisational life records and study completion.

The section's views are routes of `BranchPage` (home/models/site.py); who may see them is declared in
home/rules.py.
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.contrib.sites.requests import RequestSite
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.contrib.sitemaps import Sitemap

from core import params
from core.pages import PER_PAGE
from home.models.meetings import MeetingRecord
from home.models.study import StudyRecord


def sitemap(request):
    """sitemap.xml for the request's site: every live, public page with its last change."""
    return TemplateResponse(
        request,
        "home/sitemap.xml",
        {"urls": Sitemap(request).get_urls(site=RequestSite(request), protocol=request.scheme)},
        content_type="application/xml",
    )


def section_view(perm: str):
    """A view of a section's own records: sign in first, then a 404 for anyone without `perm` on it."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, section):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not section.allows(request.user, perm):
                raise Http404
            return view(request, section)

        return wrapped

    return decorator


@section_view("home.view_meeting_records")
def branch_meetings(request, section):
    """The branch's meeting records of one year (this year unless chosen), with the cadence per quarter."""
    year = params.year(request.GET.get("year")) or timezone.localdate().year
    records = MeetingRecord.objects.held().filter(branch_id=section.organization_id).order_by("-date", "-pk")
    page = Paginator(records.filter(date__year=year), PER_PAGE).get_page(request.GET.get("page"))
    years = records.dates("date", "year", order="DESC")
    return TemplateResponse(
        request,
        "home/branch_meetings.html",
        {
            "page": section,
            "self": section,
            "records": page,
            "year": year,
            "years": [d.year for d in years],
            "cadence": MeetingRecord.objects.cadence(section.organization_id, year),
        },
    )


@section_view("home.view_study_completion")
def study_completion(request, section):
    table = StudyRecord.objects.completion_table(section.organization)
    return TemplateResponse(request, "home/branch_study.html", {"page": section, "self": section, "table": table})


@section_view("home.view_study_completion")
def study_completion_export(request, section):
    """The table as XLSX, written by a background job (home/jobs.py): the form posts here."""
    from jobs.views import start_or_offer  # here: home's models import these views while apps load

    title = _("Study completion (XLSX): %(branch)s") % {"branch": section.organization.name}
    return start_or_offer(request, "home.study_completion_xlsx", title, section_id=section.pk)
