"""The user's jobs: the list, a job's progress page (and its JSON), the result's download, a retry."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.private_files import private_file_response
from jobs import running
from jobs.models import Job
from jobs.running import start


def _job(request, pk: int, perm: str = "jobs.view_job") -> Job:
    """The job if it is the user's own; another person's job is not found (its existence is not told).

    Looked up among the user's own jobs first: a superuser, to whom `has_perm` says yes for everything, does
    not see other people's exports either."""
    job = get_object_or_404(Job.objects.owned_by(request.user), pk=pk)
    if not request.user.has_perm(perm, job):
        raise Http404
    return job


@login_required
def index(request):
    jobs = Paginator(Job.objects.owned_by(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@never_cache
@login_required
def detail(request, pk: int):
    return render(
        request, "jobs/job.html", {"job": _job(request, pk), "files_kept_days": settings.JOBS_FILES_KEPT_DAYS}
    )


@never_cache
@login_required
def status(request, pk: int):
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "stage": job.stage_text(),
            "percent": job.percent,
            "active": job.is_active,
        }
    )


@login_required
def download(request, pk: int):
    job = _job(request, pk)
    if not job.has_file:
        raise Http404
    return private_file_response(job.result_file, filename=job.result_name or None)


@require_POST
@login_required
def retry(request, pk: int):
    job = _job(request, pk, "jobs.retry_job")
    running.retry(job)
    return redirect(job)


def start_or_offer(request, kind: str, title, **params):
    """The view behind a report's button: a POST starts the job for the user (after the calling view has
    checked their permission) and goes to its progress page. A GET (an old link or a bookmark to the file)
    starts nothing (a GET must not do work) but shows a page whose button posts the same address."""
    if request.method == "POST":
        return redirect(start(request.user, kind, title, **params))
    return TemplateResponse(request, "jobs/start.html", {"title": title})
