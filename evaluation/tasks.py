"""Background work of the appraisal, run by Django's Tasks API (`make run` starts `manage.py db_worker`).

- `open_ballot_box`: the final mix when balloting closes (evaluation/mixing.py `open_box`), enqueued once
  the closing transaction has committed.

`manage.py mix_ballots` (the systemd timer) also finishes any closed box a worker missed.
"""

from __future__ import annotations

import logging

from django_tasks import task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from django.db import transaction

logger = logging.getLogger(__name__)


@task()
def open_ballot_box(campaign_id: int) -> int:
    from evaluation import mixing

    return mixing.open_box(campaign_id)


def enqueue_open_box(campaign_id: int) -> None:
    """Enqueue the opening once the close has committed: django-tasks-rq puts a task on Redis at once, and a
    worker taking it before the commit would find the campaign still balloting.

    The immediate backend (the tests') has no worker: it opens the box at once, inside the closing
    transaction, so that the close and the final mix commit together."""
    if isinstance(task_backends[open_ballot_box.backend], ImmediateBackend):
        open_ballot_box.enqueue(campaign_id)
        return

    def enqueue() -> None:
        try:
            open_ballot_box.enqueue(campaign_id)
        except Exception:  # the queue is down: `manage.py mix_ballots` opens the box at its next run
            logger.exception("Could not enqueue the opening of the ballot box of campaign %s", campaign_id)

    transaction.on_commit(enqueue)
