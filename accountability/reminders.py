"""Reminders in the site and the daily digest (notifications.delivery): due and overdue tasks, supervision
notices and problems. The daily run (manage.py run_accountability) tells each thing once per state: a flag
on the row records that it was told."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import conf
from accountability.models import Problem, SupervisionNotice, Task
from accountability.people import keepers_of
from notifications.delivery import notify
from notifications.models import Notification


def tell(recipient_ids, message: str, url: str) -> None:
    notify(recipient_ids, Notification.Kind.REMINDER, None, detail=message, link=url)


def remind_due(today: dt.date | None = None) -> int:
    """Notify the keepers of tasks and notices due soon, and of overdue tasks and problems. Returns how many
    things were told about; a second run on the same data tells nothing."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=conf.get("DUE_SOON_DAYS"))
    told = 0
    with transaction.atomic():
        for task in (
            Task.objects.due_between(today, soon).filter(due_soon_reminded=False).select_related("organization")
        ):
            tell(
                keepers_of(task.organization),
                _("Task “%(title)s” of %(org)s is due on %(date)s.")
                % {"title": task.title, "org": task.organization, "date": task.due_on.isoformat()},
                reverse("accountability:task", args=[task.pk]),
            )
            told += 1
        Task.objects.due_between(today, soon).update(due_soon_reminded=True)
        for task in Task.objects.overdue(today).filter(overdue_reminded=False).select_related("organization"):
            tell(
                keepers_of(task.organization),
                _("Task “%(title)s” of %(org)s is overdue (due %(date)s).")
                % {"title": task.title, "org": task.organization, "date": task.due_on.isoformat()},
                reverse("accountability:task", args=[task.pk]),
            )
            told += 1
        Task.objects.overdue(today).update(overdue_reminded=True)
        notices = SupervisionNotice.objects.unanswered().filter(
            reply_due__gte=today, reply_due__lte=soon, due_soon_reminded=False
        )
        for notice in notices.select_related("organization", "issuer"):
            tell(
                keepers_of(notice.organization),
                _("%(issuer)s asks %(org)s to reply to a supervision notice by %(date)s.")
                % {"issuer": notice.issuer, "org": notice.organization, "date": notice.reply_due.isoformat()},
                reverse("accountability:notice", args=[notice.pk]),
            )
            told += 1
        notices.update(due_soon_reminded=True)
        for problem in Problem.objects.overdue(today).filter(overdue_reminded=False).select_related("organization"):
            tell(
                keepers_of(problem.organization),
                _("Problem “%(title)s” of %(org)s is past its rectification deadline (%(date)s).")
                % {"title": problem.title, "org": problem.organization, "date": problem.deadline.isoformat()},
                reverse("accountability:problem", args=[problem.pk]),
            )
            told += 1
        Problem.objects.overdue(today).update(overdue_reminded=True)
    return told
