"""Jobs' files are kept no longer than a person needs them: a result file is deleted JOBS_FILES_KEPT_DAYS after
its job ended and its page offers to make it again; an upload whose job never read it is deleted after a day;
a job deleted with its owner takes its file along."""

import datetime as dt
import io

import pytest

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import jobs
from accounts.factories import UserFactory
from jobs.housekeeping import UPLOADS_KEPT, delete_expired_files, delete_stranded_uploads
from jobs.models import Job
from organizations.jobs import UPLOADS

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    settings.JOBS_FILES_KEPT_DAYS = 7
    return UserFactory()


def _file_of(job: Job, tmp_path):
    return tmp_path / "jobs" / job.result_file.name


def test_a_result_file_is_deleted_after_its_days_and_its_page_offers_to_make_it_again(client, owner, tmp_path):
    job = jobs.start(owner, "tests.echo", "导出", text="一")
    stored = _file_of(job, tmp_path)
    client.force_login(owner)
    kept_until = timezone.localtime(job.finished_at + dt.timedelta(days=7)).date().isoformat()
    assert f"文件保留至 {kept_until}" in client.get(job.get_absolute_url()).content.decode()

    assert delete_expired_files(job.finished_at + dt.timedelta(days=7, minutes=1)) == 1

    assert not stored.exists()
    job.refresh_from_db()
    assert not job.result_file and job.file_deleted_at and job.status == Job.Status.DONE
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    html = client.get(job.get_absolute_url()).content.decode()
    assert "生成的文件只保留 7 天" in html and "重新生成" in html and "重试" not in html
    assert "文件已过保留期删除" in client.get(reverse("jobs:index")).content.decode()

    client.post(reverse("jobs:retry", args=[job.pk]))  # made again, from today's data
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.file_deleted_at is None and job.attempts == 2
    assert b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content) == f"{owner.pk}:一".encode()


def test_a_file_within_its_days_is_kept(owner, tmp_path):
    job = jobs.start(owner, "tests.echo", "导出", text="二")
    assert delete_expired_files(job.finished_at + dt.timedelta(days=6, hours=23)) == 0
    assert _file_of(job, tmp_path).exists()
    job.refresh_from_db()
    assert job.has_file and job.file_deleted_at is None and not job.can_retry


def test_a_job_being_made_again_keeps_its_file(owner, tmp_path):
    job = jobs.start(owner, "tests.echo", "导出", text="三")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)  # retried: its old file is replaced at the end
    assert delete_expired_files(job.finished_at + dt.timedelta(days=30)) == 0
    assert _file_of(job, tmp_path).exists()


def test_how_long_files_are_kept_is_a_setting(owner, settings, tmp_path):
    settings.JOBS_FILES_KEPT_DAYS = 1
    job = jobs.start(owner, "tests.echo", "导出", text="四")
    assert delete_expired_files(job.finished_at + dt.timedelta(days=1, minutes=1)) == 1


def test_a_job_deleted_with_its_owner_takes_its_file_along(owner, tmp_path, django_capture_on_commit_callbacks):
    job = jobs.start(owner, "tests.echo", "导出", text="五")
    stored = _file_of(job, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        owner.delete()
    assert not Job.objects.exists() and not stored.exists()


def _roster_job(owner, stored: str, *, moved: dt.datetime) -> Job:
    return Job.objects.create(
        owner=owner,
        kind="organizations.roster_import",
        title="导入",
        status=Job.Status.QUEUED,
        params={"branch_id": 1, "stored": stored, "filename": "名册.xlsx"},
        updated_at=moved,
    )


def test_an_upload_whose_job_never_read_it_is_deleted_after_a_day(owner, tmp_path):
    now = timezone.now()
    stranded = UPLOADS.save("stranded.xlsx", ContentFile(b"roster"))  # no job names it
    lost = UPLOADS.save("lost.xlsx", ContentFile(b"roster"))  # its job has not moved for longer than a day
    waiting = UPLOADS.save("waiting.xlsx", ContentFile(b"roster"))  # its job is still in the queue
    _roster_job(owner, lost, moved=now - dt.timedelta(hours=1))
    _roster_job(owner, waiting, moved=now + UPLOADS_KEPT)
    assert delete_stranded_uploads(now + UPLOADS_KEPT - dt.timedelta(minutes=1)) == 0
    assert delete_stranded_uploads(now + UPLOADS_KEPT + dt.timedelta(minutes=1)) == 2
    assert not UPLOADS.exists(stranded) and not UPLOADS.exists(lost) and UPLOADS.exists(waiting)


def test_two_clicks_on_make_it_again_start_it_once(owner):
    job = jobs.start(owner, "tests.echo", "导出", text="六")
    delete_expired_files(job.finished_at + dt.timedelta(days=8))
    first, second = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)  # two tabs, read before either click
    assert first.can_retry and second.can_retry
    from jobs import running

    running.retry(first)
    running.retry(second)
    job.refresh_from_db()
    assert job.attempts == 2 and job.has_file


def test_with_nothing_uploaded_there_is_nothing_to_sweep(owner):
    assert delete_stranded_uploads() == 0


def test_the_command_says_what_it_deleted(owner):
    out = io.StringIO()
    call_command("expire_job_files", stdout=out)
    assert out.getvalue().strip() == "result files deleted: 0, stranded uploads deleted: 0"
