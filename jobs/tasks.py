"""The one task behind every job: it runs the job's registered function (jobs.running.run)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    from jobs.running import run

    return run(job_id)
