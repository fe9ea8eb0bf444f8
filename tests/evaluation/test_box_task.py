"""Issue 19: the ballot box is opened by a task once the close has committed (evaluation/tasks.py).

The close only moves the stage (later ballots are refused); a task worker then mixes every sealed ballot
and destroys the key. Meanwhile the secretary sees 正在开箱 and no result; then 已开箱 and the tally. The
task is safe to run twice, or twice at once, and nothing it logs names a voter.
"""

import logging

import pytest

from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from core import sealing
from evaluation import mixing, voting
from evaluation.models import AppraisalCampaign, Ballot, Receipt, SealedBallot, Stage
from evaluation.tasks import open_ballot_box
from jobs import JobFailed
from jobs.registry import function_of
from tests.concurrency import run_concurrently

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _cast_all(campaign, voters) -> None:
    for voter in voters:
        voting.cast_member_ballot(campaign, voter, {})


@pytest.mark.django_db(transaction=True)
def test_the_close_enqueues_the_opening_and_a_db_worker_opens_the_box(
    client, open_campaign, voters, secretary_a, settings, caplog
):
    settings.TASKS = DATABASE_TASKS
    from django_tasks_db.models import DBTaskResult

    _cast_all(open_campaign, voters)
    client.force_login(secretary_a)
    response = client.post(
        reverse("evaluation:manage", args=[open_campaign.pk]),
        {"action": "stage", "stage": Stage.ASSESSMENT, "confirm": "close"},
    )
    assert response.status_code == 302
    campaign = AppraisalCampaign.objects.get(pk=open_campaign.pk)
    # Closed (no later ballot gets in), the ballots still sealed, the task waiting in the database.
    assert campaign.stage == Stage.ASSESSMENT and campaign.box_opening
    assert SealedBallot.objects.count() == len(voters) and not Ballot.objects.exists()
    assert DBTaskResult.objects.filter(task_path="evaluation.tasks.open_ballot_box", status="READY").count() == 1
    manage = client.get(reverse("evaluation:manage", args=[campaign.pk])).content.decode()
    assert "正在开箱" in manage
    opening = client.get(reverse("evaluation:results", args=[campaign.pk]))
    assert opening.status_code == 200 and "正在开箱" in opening.content.decode()
    assert 'http-equiv="refresh"' in opening.content.decode() and "no-store" in opening["Cache-Control"]
    published = client.get(reverse("evaluation:published_ballots", args=[campaign.pk]), {"format": "json"})
    assert published.status_code == 503 and published.json()["opening"] is True
    # A summary asked for now would count none of the sealed ballots: the job refuses, and can be retried.
    with pytest.raises(JobFailed, match="票箱仍在开箱"):
        function_of("evaluation.appraisal_report")(secretary_a, lambda *args: None, campaign_id=campaign.pk)

    with caplog.at_level(logging.DEBUG):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert not SealedBallot.objects.exists()
    assert Ballot.objects.count() == Receipt.objects.count() == len(voters)
    assert not sealing.has_key(campaign.seal_scope)
    assert DBTaskResult.objects.get(task_path="evaluation.tasks.open_ballot_box").status == "SUCCESSFUL"
    # Nothing logged while opening names a voter or their account.
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert not any(voter.display_name in logged or voter.username in logged for voter in voters)
    manage = client.get(reverse("evaluation:manage", args=[campaign.pk])).content.decode()
    assert "已开箱" in manage and "正在开箱" not in manage
    results = client.get(reverse("evaluation:results", args=[campaign.pk])).content.decode()
    assert "正在开箱" not in results and "党员0" in results


@pytest.mark.django_db(transaction=True)
def test_a_close_that_rolls_back_enqueues_nothing(open_campaign, voters, secretary_a, settings):
    settings.TASKS = DATABASE_TASKS
    from django_tasks_db.models import DBTaskResult

    _cast_all(open_campaign, voters[:2])
    with pytest.raises(RuntimeError), transaction.atomic():
        open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
        raise RuntimeError("the request failed after the close")
    assert not DBTaskResult.objects.exists()
    assert AppraisalCampaign.objects.get(pk=open_campaign.pk).stage == Stage.BALLOTING
    assert SealedBallot.objects.count() == 2


def test_the_task_is_enqueued_only_when_the_close_commits(
    open_campaign, voters, secretary_a, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    _cast_all(open_campaign, voters[:2])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert default_task_backend.results == []  # not before the commit
    for callback in callbacks:
        callback()
    assert [result.args for result in default_task_backend.results] == [[open_campaign.pk]]


def test_opening_twice_mixes_once_and_an_open_or_missing_campaign_is_left_alone(
    open_campaign, voters, secretary_a, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _cast_all(open_campaign, voters)
    assert open_ballot_box.call(open_campaign.pk) == 0  # still balloting: the box stays sealed
    assert open_ballot_box.call(open_campaign.pk + 1000) == 0
    assert SealedBallot.objects.count() == len(voters)
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert open_ballot_box.call(open_campaign.pk) == len(voters)
    assert open_ballot_box.call(open_campaign.pk) == 0
    assert Ballot.objects.count() == Receipt.objects.count() == len(voters)


def test_a_lost_task_is_finished_by_mix_ballots(open_campaign, voters, secretary_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _cast_all(open_campaign, voters)
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert SealedBallot.objects.count() == len(voters)
    call_command("mix_ballots", verbosity=0)
    assert not SealedBallot.objects.exists() and Ballot.objects.count() == len(voters)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_opening_the_box_at_once_mix_every_ballot_once(open_campaign, voters, secretary_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _cast_all(open_campaign, voters)
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    results = run_concurrently(lambda _i: mixing.open_box(open_campaign.pk), 4)
    assert sorted(results) == [0, 0, 0, len(voters)], results
    assert Ballot.objects.count() == Receipt.objects.count() == len(voters)
    assert not SealedBallot.objects.exists() and not sealing.has_key(open_campaign.seal_scope)
