"""A job: one piece of long work a person started, its progress and its result."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.private_files import PrivateStorage

# A queued or running job whose progress has not moved for this long is taken as lost (its worker died):
# it may be retried.
STALE_AFTER = timedelta(hours=1)


def files_kept_for() -> timedelta:
    """How long a result file is kept after its job ended (JOBS_FILES_KEPT_DAYS): exports, rosters and
    reports are personal data, kept only as long as a person needs to download them."""
    return timedelta(days=settings.JOBS_FILES_KEPT_DAYS)


class JobQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The user's own jobs, newest first (nobody sees another person's jobs)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user).order_by("-created_at", "-pk")


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job status", "Waiting")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        DONE = "done", pgettext_lazy("job status", "Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The owner's language when they started it: stages and messages are written in it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    result_file = models.FileField(
        _("result file"), storage=PrivateStorage("jobs"), upload_to="%Y/%m/", max_length=255, blank=True
    )
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_url = models.CharField(_("result link"), max_length=500, blank=True)
    result_label = models.CharField(_("result link text"), max_length=200, blank=True)
    error = models.TextField(_("error message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # When housekeeping deleted the result file (jobs/housekeeping.py): a result is kept JOBS_FILES_KEPT_DAYS.
    file_deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="jobs_owner_created"),
            # Housekeeping's search for files past their time reads only the jobs that still keep one.
            models.Index(
                fields=["finished_at"],
                name="jobs_kept_files",
                condition=models.Q(status="done") & ~models.Q(result_file=""),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_stale(self) -> bool:
        return self.is_active and timezone.now() - self.updated_at > STALE_AFTER

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stale or self.file_was_deleted

    @property
    def has_file(self) -> bool:
        return self.status == self.Status.DONE and bool(self.result_file)

    @property
    def file_was_deleted(self) -> bool:
        """Its file was deleted after its time: running it again makes a new one from today's data."""
        return self.status == self.Status.DONE and self.file_deleted_at is not None

    @property
    def file_kept_until(self) -> datetime | None:
        if not self.has_file or self.finished_at is None:
            return None
        return self.finished_at + files_kept_for()

    def stage_text(self) -> str:
        if self.stage:
            return self.stage
        return str(self.get_status_display())
