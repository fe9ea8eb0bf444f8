"""Background work of the lists, run by Django's Tasks API (`make run` starts `manage.py db_worker`).

- `propose_for_branches`: the rules that propose problems (accountability/proposals.py), for a batch of
  branches. The daily run (`manage.py run_accountability`) enqueues one per PROPOSAL_BATCH branches, so that
  a city's branches are shared by every task worker instead of taking one process the whole morning. Each
  finding is proposed once (its key is unique per organisation), so a batch run twice proposes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

logger = logging.getLogger(__name__)

PROPOSAL_BATCH = 200


@task()
def propose_for_branches(branch_ids: list[int], day: str) -> int:
    """Propose problems for these branches as of `day` (ISO date: a task's arguments are JSON). One branch's
    failure is logged and does not stop the rest of its batch; the batch then fails, so the worker shows it."""
    from accountability import proposals
    from organizations.models import Organization

    today = dt.date.fromisoformat(day)
    proposed, failed = 0, []
    branches = Organization.objects.filter(pk__in=branch_ids, kind=Organization.Kind.BRANCH).select_related("page")
    for branch in branches.order_by("pk"):
        try:
            proposed += proposals.propose(branch, today.year, today)
        except Exception:
            logger.exception("Proposing problems for branch %s failed", branch.pk)
            failed.append(branch.pk)
    if failed:
        raise RuntimeError(f"proposing problems failed for branches {failed} ({proposed} proposed for the others)")
    return proposed


def branch_batches(batch: int = PROPOSAL_BATCH) -> list[list[int]]:
    from organizations.models import Organization

    ids = list(Organization.objects.filter(kind=Organization.Kind.BRANCH).order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + batch] for start in range(0, len(ids), batch)]


def enqueue_proposals(today: dt.date, batch: int = PROPOSAL_BATCH) -> tuple[int, int]:
    """Enqueue the day's proposals in batches of branches; returns (batches, branches)."""
    batches = branch_batches(batch)
    for ids in batches:
        propose_for_branches.enqueue(ids, today.isoformat())
    return len(batches), sum(len(ids) for ids in batches)
