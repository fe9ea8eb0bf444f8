"""Jobs: a person starts long work, sees its progress, downloads its result; nobody else sees it."""

import logging

import pytest

from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

import jobs
from accounts.factories import UserFactory
from jobs.models import Job
from tests.jobs.kinds import attempts

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def owner(db):
    return UserFactory()


@pytest.fixture
def other(db):
    return UserFactory()


def test_a_job_runs_with_progress_and_ends_in_a_download_for_its_owner(client, owner, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    job = jobs.start(owner, "tests.echo", "回声", text="你好")
    assert job.status == Job.Status.DONE and job.percent == 100 and job.result_name == "echo.txt"
    client.force_login(owner)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="100"' in html and reverse("jobs:download", args=[job.pk]) in html
    assert 'http-equiv="refresh"' not in html  # finished: nothing refreshes
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == f"{owner.pk}:你好".encode()
    assert "echo.txt" in download["Content-Disposition"]
    # The file lies in private storage, outside MEDIA_ROOT.
    assert (tmp_path / "jobs" / job.result_file.name).exists()


def test_a_job_may_end_in_a_link(client, owner):
    job = jobs.start(owner, "tests.link", "链接")
    client.force_login(owner)
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'href="/notifications/"' in html and "通知" in html
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_another_persons_job_is_not_found_and_anonymous_visitors_sign_in_first(
    client, owner, other, settings, tmp_path
):
    settings.PRIVATE_ROOT = tmp_path
    job = jobs.start(owner, "tests.refused", "拒绝")
    urls = [reverse(name, args=[job.pk]) for name in ("jobs:detail", "jobs:status", "jobs:download")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    client.force_login(other)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[job.pk + 1000])).status_code == 404
    listing = client.get(reverse("jobs:index")).content.decode()
    assert "拒绝" not in listing
    client.force_login(owner)
    assert "拒绝" in client.get(reverse("jobs:index")).content.decode()


def test_a_refused_job_shows_its_own_message(client, owner):
    job = jobs.start(owner, "tests.refused", "拒绝")
    assert job.status == Job.Status.FAILED and job.error == "你已无权导出。"
    client.force_login(owner)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "你已无权导出。" in html and 'role="alert"' in html


def test_an_unexpected_failure_is_logged_and_shows_a_plain_message_without_the_traceback(client, owner, caplog):
    with caplog.at_level(logging.ERROR, logger="jobs.running"):
        job = jobs.start(owner, "tests.broken", "出错")
    assert job.status == Job.Status.FAILED and job.percent == 30
    assert "secret internal detail" not in job.error and "Traceback" not in job.error
    assert f"{job.pk}" in job.error  # the number to quote to the administrators
    assert any("secret internal detail" in (record.exc_text or "") for record in caplog.records)
    client.force_login(owner)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "secret internal detail" not in html and "Traceback" not in html
    assert reverse("jobs:retry", args=[job.pk]) in html


def test_the_failure_message_is_in_the_language_the_owner_used(owner):
    with translation.override("en"):
        english = jobs.start(owner, "tests.broken", "broken")
    with translation.override("zh-hans"):
        chinese = jobs.start(owner, "tests.broken", "出错")
    assert english.error.startswith("Something went wrong")
    assert chinese.error.startswith("处理时出了问题")


def test_a_failed_job_is_retried_by_a_post_and_then_succeeds(client, owner, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    attempts["flaky"] = 0
    job = jobs.start(owner, "tests.flaky", "重试")
    assert job.status == Job.Status.FAILED
    client.force_login(owner)
    assert client.get(reverse("jobs:retry", args=[job.pk])).status_code == 405  # a POST only (CSRF-checked)
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2 and job.error == "" and job.result_name == "ok.txt"
    # A job that did not fail is not run again.
    client.post(reverse("jobs:retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.attempts == 2


def test_a_retry_needs_the_csrf_token(owner):
    from django.test import Client

    attempts["flaky"] = 0
    job = jobs.start(owner, "tests.flaky", "重试")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.post(reverse("jobs:retry", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_on_the_database_backend_in_a_worker(client, settings, tmp_path):
    """Enqueued in django-tasks-db's table, waiting (the page refreshes itself), then run by `db_worker`."""
    settings.PRIVATE_ROOT = tmp_path
    settings.TASKS = DATABASE_TASKS
    owner = UserFactory()
    job = jobs.start(owner, "tests.echo", "数据库队列", text="db")
    assert job.status == Job.Status.QUEUED and job.task_result_id
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(id=job.task_result_id, status="READY").exists()
    client.force_login(owner)
    html = client.get(job.get_absolute_url()).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'value="0"' in html and "jobs/progress.js" in html
    assert client.get(reverse("jobs:status", args=[job.pk])).json() == {
        "status": "queued",
        "status_label": "等待中",
        "stage": "等待中",
        "percent": 0,
        "active": True,
    }
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["active"] is False and status["percent"] == 100
    assert b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content) == f"{owner.pk}:db".encode()


def test_a_stale_job_can_be_started_again(client, owner, settings):
    import datetime as dt

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = jobs.start(owner, "tests.echo", "丢失", text="x")
    assert job.status == Job.Status.QUEUED and not job.can_retry
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(owner)
    html = client.get(job.get_absolute_url()).content.decode()
    assert reverse("jobs:retry", args=[job.pk]) in html and 'http-equiv="refresh"' not in html


def test_an_unknown_kind_is_refused_when_starting(owner):
    with pytest.raises(KeyError):
        jobs.start(owner, "tests.nothing", "无")
    assert not Job.objects.exists()
