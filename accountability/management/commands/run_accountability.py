"""The daily run of the lists: escalate overdue supervision notices, remind of due and overdue work, and
propose problems from the platform's data. Safe to run more than once a day: each step does its work once.

Escalations and reminders run here, before the digest that carries them (gongzhi-digest.service runs this
first). The proposals only add to the lists (they notify nobody), so they are enqueued for the task workers
in batches of branches (accountability/tasks.py); `--now` runs them here instead."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accountability import reminders, supervision
from accountability.tasks import PROPOSAL_BATCH, branch_batches, enqueue_proposals, propose_for_branches


class Command(BaseCommand):
    help = (
        "Escalate overdue supervision notices, send reminders and enqueue the proposal of problems in batches of "
        "branches for the task workers (run daily; --now proposes in this process instead)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-proposals", action="store_true", help="Skip the rules that propose problems.")
        parser.add_argument("--now", action="store_true", help="Propose problems here, without the task queue.")
        parser.add_argument(
            "--batch", type=int, default=PROPOSAL_BATCH, help="Branches per task (default %(default)s)."
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        escalated = supervision.escalate_overdue(today)
        reminded = reminders.remind_due(today)
        self.stdout.write(f"escalated {escalated}, reminded {reminded}")
        if options["no_proposals"]:
            return
        batch = max(1, options["batch"])
        if options["now"]:
            proposed, failed = 0, 0
            for ids in branch_batches(batch):
                try:
                    proposed += propose_for_branches.call(ids, today.isoformat())
                except RuntimeError as error:  # one batch's failure (logged per branch) does not stop the rest
                    self.stderr.write(str(error))
                    failed += 1
            self.stdout.write(f"proposed {proposed}")
            if failed:
                raise CommandError(f"{failed} batch(es) of branches failed")
            return
        batches, branches = enqueue_proposals(today, batch)
        self.stdout.write(f"proposal batches enqueued: {batches} ({branches} branches)")
