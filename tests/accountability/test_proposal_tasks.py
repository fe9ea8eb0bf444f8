"""The daily run enqueues the proposal of problems in batches of branches; task workers share them; a batch run
twice proposes nothing twice, and one branch's failure does not cost the others their proposals."""

import datetime as dt
import io

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from accountability import proposals
from accountability.models import ProblemProposal
from accountability.tasks import propose_for_branches
from organizations.models import Organization

# The day of every test here (`on_day`: the cadence reads the date itself): with no meeting recorded, each
# branch's ended quarters of 2026 are proposed as missed cadence.
DAY = dt.date(2026, 11, 30)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _branch_ids() -> list[int]:
    return list(Organization.objects.filter(kind=Organization.Kind.BRANCH).order_by("pk").values_list("pk", flat=True))


def _proposed_for() -> set[int]:
    return set(ProblemProposal.objects.values_list("organization_id", flat=True))


@pytest.fixture
def on_day(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: DAY)


@pytest.mark.django_db(transaction=True)
def test_the_daily_run_enqueues_batches_of_branches_that_a_db_worker_proposes_for(settings, tree, on_day):
    settings.TASKS = DATABASE_TASKS
    from django_tasks_db.models import DBTaskResult

    out = io.StringIO()
    call_command("run_accountability", batch=1, stdout=out)

    assert "proposal batches enqueued: 2 (2 branches)" in out.getvalue()
    assert not ProblemProposal.objects.exists()  # nothing is proposed in the command itself
    assert DBTaskResult.objects.filter(task_path="accountability.tasks.propose_for_branches").count() == 2
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert _proposed_for() == set(_branch_ids())


@pytest.mark.django_db
def test_a_batch_delivered_twice_proposes_each_finding_once(tree, on_day):
    day = DAY.isoformat()
    first = propose_for_branches.call(_branch_ids(), day)
    assert first > 0 and ProblemProposal.objects.count() == first
    assert propose_for_branches.call(_branch_ids(), day) == 0
    assert ProblemProposal.objects.count() == first


@pytest.mark.django_db
def test_now_proposes_in_the_command_itself(tree, on_day):
    out = io.StringIO()
    call_command("run_accountability", now=True, stdout=out)
    assert f"proposed {ProblemProposal.objects.count()}" in out.getvalue()
    assert _proposed_for() == set(_branch_ids())


@pytest.fixture
def branch_a_broken(tree, monkeypatch):
    real = proposals.propose

    def propose(organization, year, today=None):
        if organization.pk == tree["branch_a"].pk:
            raise ValueError("a broken record")
        return real(organization, year, today)

    monkeypatch.setattr(proposals, "propose", propose)


@pytest.mark.django_db
def test_one_branch_failing_does_not_stop_the_rest_of_its_batch(tree, on_day, branch_a_broken):
    with pytest.raises(RuntimeError, match=str(tree["branch_a"].pk)):
        propose_for_branches.call(_branch_ids(), DAY.isoformat())
    assert _proposed_for() == {tree["branch_b"].pk}


@pytest.mark.django_db
def test_now_goes_on_past_a_failed_batch_and_then_fails(tree, on_day, branch_a_broken):
    with pytest.raises(CommandError, match="1 batch"):
        call_command("run_accountability", now=True, batch=1, stdout=io.StringIO(), stderr=io.StringIO())
    assert _proposed_for() == {tree["branch_b"].pk}


@pytest.mark.django_db
def test_only_branches_are_proposed_for(tree, on_day):
    others = [tree["street"].pk, tree["community"].pk]
    assert propose_for_branches.call(others, DAY.isoformat()) == 0
    assert not ProblemProposal.objects.exists()
