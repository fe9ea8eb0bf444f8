"""Keeping jobs' files no longer than a person needs them: exports, rosters and reports are personal data.

- `delete_expired_files`: a result file is deleted JOBS_FILES_KEPT_DAYS after its job ended; the job's page then
  says so and offers to make it again (the job function checks the person's permission again).
- `delete_stranded_uploads`: an uploaded file waits for its job, which deletes it once read; one whose job
  never ran (a lost worker) is deleted after UPLOADS_KEPT, unless a job that moved within that time names it.
- A job deleted with its owner takes its file along (jobs/signals.py).

Run by `manage.py expire_job_files` (gongzhi-jobs.timer, every five minutes).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.storage import Storage
from django.utils import timezone

from jobs import registry
from jobs.models import Job, files_kept_for

logger = logging.getLogger(__name__)

# Longer than a lost job waits before it may be retried (STALE_AFTER), so a retry that day finds its file.
UPLOADS_KEPT = dt.timedelta(days=1)


def delete_expired_files(now: dt.datetime | None = None) -> int:
    """Delete the result files of jobs that ended more than JOBS_FILES_KEPT_DAYS ago; returns how many."""
    now = now or timezone.now()
    expired = (
        Job.objects.filter(status=Job.Status.DONE, finished_at__lt=now - files_kept_for())
        .exclude(result_file="")
        .only("pk", "result_file")
    )
    deleted = 0
    for job in expired.iterator(chunk_size=500):
        name = job.result_file.name
        # The row first, guarded by the file it names: a job retried meanwhile (a new file, or not done) is left
        # alone, and a download that reads the row after this finds no file rather than a missing one.
        if Job.objects.filter(pk=job.pk, status=Job.Status.DONE, result_file=name).update(
            result_file="", file_deleted_at=now
        ):
            job.result_file.storage.delete(name)
            deleted += 1
    return deleted


def _files(storage: Storage, folder: str = ""):
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _files(storage, f"{folder}/{sub}" if folder else sub)


def delete_stranded_uploads(now: dt.datetime | None = None) -> int:
    """Delete uploaded files older than UPLOADS_KEPT that no live job names; returns how many."""
    now = now or timezone.now()
    deleted = 0
    for kind, storage in registry.upload_storages().items():
        # A job that has not moved for UPLOADS_KEPT is lost (its task will never run): its file goes too, and a
        # retry asks for it again.
        waiting = set(
            Job.objects.filter(
                kind=kind, status__in=(Job.Status.QUEUED, Job.Status.RUNNING), updated_at__gte=now - UPLOADS_KEPT
            ).values_list("params__stored", flat=True)
        )
        try:
            names = list(_files(storage))
        except FileNotFoundError:  # nothing was ever uploaded
            continue
        for name in names:
            try:
                if name in waiting or now - storage.get_modified_time(name) < UPLOADS_KEPT:
                    continue
            except FileNotFoundError:  # its job read and deleted it meanwhile
                continue
            storage.delete(name)
            logger.info("Deleted %s of a %s job that never read it", name, kind)
            deleted += 1
    return deleted
