"""Issue 19: a large roster file is imported by a job: "row N of M", all or nothing, errors with line numbers."""

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from jobs.models import Job
from jobs.running import run
from organizations import roles
from organizations.jobs import UPLOADS
from organizations.models import RosterEntry

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/roster/import/"
HEADER = "编号,姓名,性别,党员类型,入党日期,网格,状态,邮箱,手机"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def roster(count: int, bad_lines: tuple[int, ...] = ()) -> SimpleUploadedFile:
    """`count` members; a line number in `bad_lines` (the header is line 1) gets a gender nobody has."""
    lines = [HEADER]
    for line in range(2, count + 2):
        gender = "未知" if line in bad_lines else "男"
        lines.append(f"M{line:05d},党员{line},{gender},正式党员,2001-07-01,,正常,,")
    return SimpleUploadedFile("roster.csv", "\n".join(lines).encode(), content_type="text/csv")


@pytest.fixture
def large(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    settings.ROSTER_IMPORT_JOB_BYTES = 1_000  # so that a few dozen rows make a "large" file


def test_a_large_file_is_imported_by_a_job_with_row_progress(client, editor_a, branch_a, large, tmp_path):
    client.force_login(editor_a)
    response = client.post(IMPORT_URL, {"branch": branch_a.pk, "file": roster(600)})
    job = Job.objects.get(owner=editor_a, kind="organizations.roster_import")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == Job.Status.DONE, job.error
    assert RosterEntry.objects.filter(branch=branch_a).count() == 600
    assert "600" in job.result_label and job.result_url == IMPORT_URL
    assert not any((tmp_path / "roster-imports").iterdir())  # the upload is deleted once read


def test_a_file_with_bad_rows_imports_nothing_and_lists_the_lines_in_the_users_language(
    client, editor_a, branch_a, large
):
    client.force_login(editor_a)
    client.post(IMPORT_URL, {"branch": branch_a.pk, "file": roster(300, bad_lines=(7, 250))})
    job = Job.objects.get(owner=editor_a)
    assert job.status == Job.Status.FAILED and not RosterEntry.objects.exists()
    assert job.error.startswith("未导入任何数据") or "2" in job.error.splitlines()[0]
    assert any(line.startswith("第 7 行") or "7" in line.split("：")[0] for line in job.error.splitlines()[1:])
    assert "250" in job.error
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<br>" in page  # one problem per line


def test_the_job_asks_again_whether_the_user_manages_the_branch(editor_a, branch_a, large, settings):
    from django.test import Client

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = Client()
    client.force_login(editor_a)
    client.post(IMPORT_URL, {"branch": branch_a.pk, "file": roster(100)})
    job = Job.objects.get(owner=editor_a)
    assert job.status == Job.Status.QUEUED
    roles.revoke(editor_a, branch_a, roles.Role.EDITOR)
    assert run(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert not RosterEntry.objects.exists() and not UPLOADS.exists(job.params["stored"])


def test_a_small_file_is_still_imported_in_the_request(client, editor_a, branch_a, settings):
    client.force_login(editor_a)
    response = client.post(IMPORT_URL, {"branch": branch_a.pk, "file": roster(3)}, follow=True)
    assert response.status_code == 200 and not Job.objects.exists()
    assert RosterEntry.objects.filter(branch=branch_a).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_import_job_runs_in_a_db_worker_and_twice_changes_nothing(client, editor_a, branch_a, large, settings):
    settings.TASKS = DATABASE_TASKS
    client.force_login(editor_a)
    for _ in range(2):
        client.post(IMPORT_URL, {"branch": branch_a.pk, "file": roster(200)})
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.QUEUED}
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    first, second = Job.objects.order_by("pk")
    assert first.status == second.status == Job.Status.DONE
    assert RosterEntry.objects.filter(branch=branch_a).count() == 200
    assert "200" in second.result_label  # the second import found every member unchanged
