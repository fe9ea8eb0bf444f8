"""Starting a job, running it in a task worker, and retrying it after a failure."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import router
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jobs import registry
from jobs.models import Job

logger = logging.getLogger(__name__)


def start(user, kind: str, title, **params) -> Job:
    """Create the user's job and enqueue it. `params` must be JSON (ids, not objects)."""
    registry.function_of(kind)  # KeyError: no such kind (a programming error, not user input)
    job = Job.objects.create(
        owner=user,
        kind=kind,
        title=str(title)[:200],
        params=params,
        language=translation.get_language() or Job._meta.get_field("language").default,
    )
    enqueue(job)
    job.refresh_from_db(using=router.db_for_write(Job))  # with the immediate backend (tests) it has already run
    return job


def enqueue(job: Job) -> None:
    # The database backend stores the task in the caller's transaction and django-rq enqueues on commit
    # (its default COMMIT_MODE), so no worker picks the job up before its row exists.
    from jobs.tasks import run_job

    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_result_id=result.id)


def retry(job: Job) -> Job:
    """Start a failed (or lost) job again, from the beginning, or one whose file was deleted after its time;
    the same page shows its progress."""
    if not job.can_retry:
        return job
    # Guarded by the state read: of two clicks (two tabs), only one starts it again.
    started = Job.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
        status=Job.Status.QUEUED,
        stage="",
        percent=0,
        error="",
        finished_at=None,
        file_deleted_at=None,
        attempts=job.attempts + 1,
        updated_at=timezone.now(),
    )
    if started:
        enqueue(job)
    job.refresh_from_db(using=router.db_for_write(Job))
    return job


def _primary():
    """Jobs read where they are written: a read replica may not have the row the web process just wrote."""
    return Job.objects.db_manager(router.db_for_write(Job))


def run(job_id: int) -> str:
    """Run one queued job (the body of the `run_job` task); returns its final status."""
    job = _primary().select_related("owner").filter(pk=job_id).first()
    if job is None:
        return "missing"
    now = timezone.now()
    # Claimed once: a duplicate delivery of the task finds the job no longer queued and does nothing.
    if not Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING, updated_at=now):
        return "skipped"
    with translation.override(job.language):
        progress = _Progress(job.pk)
        progress(_("Starting"), 0)
        try:
            result = registry.function_of(job.kind)(job.owner, progress, **job.params)
        except registry.JobFailed as failure:
            return _fail(job, str(failure.message))
        except (PermissionDenied, Http404, ObjectDoesNotExist):
            return _fail(job, _("You may no longer do this, or what it was about no longer exists."))
        except KeyError as error:
            if error.args == (job.kind,):
                return _fail(job, _("This kind of job no longer exists."))
            return _unexpected(job)
        except Exception:
            return _unexpected(job)
        try:
            return _finish(job, result)
        except Exception:
            return _unexpected(job)


class _Progress:
    """The `progress(stage, percent)` callback a job function gets: written at once, outside any transaction."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def __call__(self, stage, percent: float) -> None:
        percent = max(0, min(100, int(percent)))
        Job.objects.filter(pk=self.job_id).update(stage=str(stage)[:200], percent=percent, updated_at=timezone.now())


def _unexpected(job: Job) -> str:
    logger.exception("Job %s (%s) failed", job.pk, job.kind)
    return _fail(
        job,
        _(
            "Something went wrong while doing this. Try again; if it fails again, tell the site's administrators "
            "(job no. %(number)s)."
        )
        % {"number": job.pk},
    )


def _fail(job: Job, message: str) -> str:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=message, finished_at=now, updated_at=now)
    return Job.Status.FAILED


def _finish(job: Job, result) -> str:
    job = _primary().get(pk=job.pk)
    if job.result_file:
        job.result_file.delete(save=False)  # a retry replaces the earlier attempt's file
    job.result_name = job.result_url = job.result_label = ""
    if isinstance(result, registry.FileResult):
        if result.path is not None:
            path = Path(result.path)
            try:
                with path.open("rb") as handle:
                    job.result_file.save(result.filename, File(handle), save=False)
            finally:
                path.unlink(missing_ok=True)
        else:
            job.result_file.save(result.filename, ContentFile(result.content or b""), save=False)
        job.result_name = result.filename[:200]
    elif isinstance(result, registry.LinkResult):
        job.result_url = result.url[:500]
        job.result_label = str(result.label)[:200]
    now = timezone.now()
    job.status = Job.Status.DONE
    job.stage = _("Done")
    job.percent = 100
    job.error = ""
    job.finished_at = job.updated_at = now
    job.save(
        update_fields=[
            "status",
            "stage",
            "percent",
            "error",
            "finished_at",
            "updated_at",
            "result_file",
            "result_name",
            "result_url",
            "result_label",
        ]
    )
    return Job.Status.DONE
