"""Production's task queue for real: a job enqueued on RQ (Redis) and run by an RQ worker.

Needs a Redis (REDIS_URL): the PostgreSQL + Redis pass runs it; without REDIS_URL it is deselected
(tests/conftest.py, marker `redis`). The worker is RQ's SimpleWorker in burst mode, in this process: it takes
the job from Redis exactly as `manage.py rqworker --job-class django_tasks_rq.Job` does, runs it, and stops.
"""

import os

import pytest

from django.test import override_settings

import jobs
from accounts.factories import UserFactory
from jobs.models import Job
from tests.conftest import require_service
from tests.jobs import kinds  # noqa: F401 - registers the test kinds

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL", "")
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.fixture
def rq_queue(settings, tmp_path):
    import redis

    try:
        reachable = bool(REDIS_URL) and redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        reachable = False
    require_service(reachable, f"Redis at {REDIS_URL or '(REDIS_URL unset)'}")
    settings.PRIVATE_ROOT = tmp_path
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES={"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}):
        import django_rq

        queue = django_rq.get_queue("default")
        queue.empty()
        yield queue
        queue.empty()


def test_a_job_enqueued_on_redis_is_run_by_an_rq_worker(rq_queue):
    import django_rq
    from django_tasks_rq import Job as RQJob
    from rq import SimpleWorker

    from jobs.tasks import run_job

    owner = UserFactory()
    job = jobs.start(owner, "tests.echo", "Redis 队列", text="rq")
    assert job.status == Job.Status.QUEUED and job.task_result_id
    assert job.task_result_id in rq_queue.job_ids  # waiting in Redis, not in the database
    worker = django_rq.get_worker("default", job_class=RQJob, worker_class=SimpleWorker)
    assert worker.work(burst=True)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100
    assert job.result_file.read() == f"{owner.pk}:rq".encode()
    result = run_job.get_result(job.task_result_id)
    assert result.status == "SUCCESSFUL" and result.return_value == "done"


def test_a_failing_job_on_redis_ends_with_its_message(rq_queue):
    import django_rq
    from django_tasks_rq import Job as RQJob
    from rq import SimpleWorker

    job = jobs.start(UserFactory(), "tests.refused", "Redis 拒绝")
    django_rq.get_worker("default", job_class=RQJob, worker_class=SimpleWorker).work(burst=True)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "你已无权导出。"
