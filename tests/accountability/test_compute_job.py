"""Issue 19: the indicators are computed by a job with progress for the person who asked (accountability/jobs.py)."""

import datetime as dt

import pytest

from django.core.management import call_command
from django.urls import reverse

import jobs
from accountability import assessment as scoring
from accountability.models import Assessment, IndicatorScheme, IndicatorScore
from jobs.models import Job
from organizations import roles
from tests.accountability.conftest import make_task

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_computing_is_a_job_that_ends_on_the_dashboard_with_the_figures_stored(client, scheme, branch_a, org_admin):
    make_task(branch_a, due_on=dt.date(2025, 3, 1), status="done", completed_on=dt.date(2025, 3, 1))
    client.force_login(org_admin)
    response = client.post(reverse("accountability:scheme", args=[scheme.pk]), {"action": "compute"})
    job = Job.objects.get(owner=org_admin, kind="accountability.compute_indicators")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == Job.Status.DONE and job.result_url == reverse("accountability:scheme", args=[scheme.pk])
    assert "项" in job.result_label or "figures" in job.result_label
    assessment = Assessment.objects.get(scheme=scheme, organization=branch_a)
    assert IndicatorScore.objects.get(assessment=assessment, indicator__source="tasks").value == 100.0
    assert assessment.computed_at is not None
    scheme.refresh_from_db()
    assert scheme.status == IndicatorScheme.Status.SCORING


def test_computing_twice_writes_the_same_figures_once(scheme, branch_a, org_admin):
    make_task(branch_a, due_on=dt.date(2025, 3, 1))
    first = jobs.start(org_admin, "accountability.compute_indicators", "1", scheme_id=scheme.pk)
    rows = sorted(IndicatorScore.objects.values_list("assessment_id", "indicator_id", "value"))
    second = jobs.start(org_admin, "accountability.compute_indicators", "2", scheme_id=scheme.pk)
    assert first.status == second.status == Job.Status.DONE
    assert sorted(IndicatorScore.objects.values_list("assessment_id", "indicator_id", "value")) == rows


def test_the_job_asks_the_permission_again_and_refuses_a_final_scheme(scheme, org_admin, tree, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = jobs.start(org_admin, "accountability.compute_indicators", "无权", scheme_id=scheme.pk)
    roles.revoke(org_admin, tree["street"], roles.Role.ADMIN)
    from jobs.running import run

    assert run(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert "无权" in job.error and not IndicatorScore.objects.exists()

    roles.grant(org_admin, tree["street"], roles.Role.ADMIN)
    late = jobs.start(org_admin, "accountability.compute_indicators", "已定", scheme_id=scheme.pk)
    IndicatorScheme.objects.filter(pk=scheme.pk).update(status=IndicatorScheme.Status.FINAL)
    assert run(late.pk) == Job.Status.FAILED
    late.refresh_from_db()
    assert "最终" in late.error or "定" in late.error
    assert not IndicatorScore.objects.exists()


def test_a_final_scheme_is_not_computed_from_the_page(client, scheme, org_admin):
    IndicatorScheme.objects.filter(pk=scheme.pk).update(status=IndicatorScheme.Status.FINAL)
    client.force_login(org_admin)
    response = client.post(reverse("accountability:scheme", args=[scheme.pk]), {"action": "compute"})
    assert response.status_code == 302 and not Job.objects.exists()


def test_progress_counts_the_organisations(scheme, branch_a, branch_b, org_admin):
    seen = []
    scoring.compute(scheme, org_admin, progress=lambda done, total: seen.append((done, total)))
    total = Assessment.objects.filter(scheme=scheme).count()
    assert total >= 2 and seen == [(n, total) for n in range(1, total + 1)]


@pytest.mark.django_db(transaction=True)
def test_the_job_runs_in_a_db_worker(scheme, branch_a, org_admin, settings):
    settings.TASKS = DATABASE_TASKS
    make_task(branch_a, due_on=dt.date(2025, 3, 1), status="done", completed_on=dt.date(2025, 3, 1))
    job = jobs.start(org_admin, "accountability.compute_indicators", "数据库队列", scheme_id=scheme.pk)
    assert job.status == Job.Status.QUEUED and not IndicatorScore.objects.exists()
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100
    assert IndicatorScore.objects.filter(assessment__organization=branch_a, indicator__source="tasks").exists()
