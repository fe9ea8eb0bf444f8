"""Tasks done on time: of the year's tasks that are due by now (or done early), the share done by their due
date. Cancelled tasks do not count."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from accountability.models import Task


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    judged = (
        Task.objects.filter(organization=organization, year=year)
        .exclude(status=Task.Status.CANCELLED)
        .filter(Q(due_on__lt=today) | Q(status=Task.Status.DONE))
        .order_by("due_on", "pk")
    )
    on_time = judged.filter(status=Task.Status.DONE, completed_on__lte=F("due_on"))
    on_time_ids = set(on_time.values_list("pk", flat=True))
    tasks = list(judged)
    evidence = [
        link(
            f"{task.title}（{_('on time') if task.pk in on_time_ids else _('late or not done')}）",
            reverse("accountability:task", args=[task.pk]),
        )
        for task in tasks
    ]
    detail = _("%(done)d of %(all)d tasks done on time") % {"done": len(on_time_ids), "all": len(tasks)}
    return Result(share(len(on_time_ids), len(tasks)), evidence, detail)
