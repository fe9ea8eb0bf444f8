"""The ballot box opened by an RQ worker (production's backend): the task reaches Redis only once the close commits."""

import pytest

from django.db import transaction

from core import sealing
from evaluation import voting
from evaluation.models import Ballot, SealedBallot, Stage
from tests.jobs.test_redis_backend import rq_queue  # noqa: F401 - the fixture

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_the_close_reaches_redis_after_its_commit_and_an_rq_worker_opens_the_box(
    rq_queue,  # noqa: F811
    open_campaign,
    voters,
    secretary_a,
):
    import django_rq
    from django_tasks_rq import Job as RQJob
    from rq import SimpleWorker

    for voter in voters:
        voting.cast_member_ballot(open_campaign, voter, {})

    def openings() -> int:
        return sum("open_ballot_box" in job.func_name for job in rq_queue.get_jobs())

    with transaction.atomic():
        open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
        assert openings() == 0  # a worker must not find the campaign still balloting
    assert openings() == 1
    assert django_rq.get_worker("default", job_class=RQJob, worker_class=SimpleWorker).work(burst=True)
    assert not SealedBallot.objects.exists() and Ballot.objects.count() == len(voters)
    assert not sealing.has_key(open_campaign.seal_scope)
