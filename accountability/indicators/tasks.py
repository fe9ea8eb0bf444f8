"""Tasks done on time: of the year's tasks that are due by now (or done early), the share done by their due
date. A task cancelled on or before its due date is dropped (it was withdrawn, not missed); one cancelled
after its due date counts as late, as does a cancelled task whose cancelling day is not known (cancelling an
overdue task must not improve the figure)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from accountability.models import Task

CANCELLED = Q(status=Task.Status.CANCELLED)
# Cancelled once the due date had passed (or on an unknown day): late, not withdrawn.
CANCELLED_LATE = CANCELLED & (Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=F("due_on")))


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    judged = (
        Task.objects.filter(organization=organization, year=year)
        .filter(~CANCELLED | CANCELLED_LATE)
        .filter(Q(due_on__lt=today) | Q(status=Task.Status.DONE))
        .order_by("due_on", "pk")
    )
    on_time = judged.filter(status=Task.Status.DONE, completed_on__lte=F("due_on"))
    on_time_ids = set(on_time.values_list("pk", flat=True))
    tasks = list(judged)

    def label(task: Task) -> str:
        if task.pk in on_time_ids:
            return _("on time")
        if task.status == Task.Status.CANCELLED:
            return _("cancelled after its due date")
        return _("late or not done")

    evidence = [
        link(f"{task.title}（{label(task)}）", reverse("accountability:task", args=[task.pk])) for task in tasks
    ]
    detail = _("%(done)d of %(all)d tasks done on time") % {"done": len(on_time_ids), "all": len(tasks)}
    return Result(share(len(on_time_ids), len(tasks)), evidence, detail)
