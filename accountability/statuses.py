"""Status changes of the task and problem lists: a task planned → in progress → done; a problem rectified
(已整改) by the organisation, closed off (已销号) only by the level above once verified, or sent back. Every change
is in the audit log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from accountability.models import Problem, Task
from accountability.people import admins_of, keepers_of
from accountability.reminders import tell


def _move(user, problem: Problem, perm: str, status: str, action: str, **fields) -> None:
    with transaction.atomic():
        locked = Problem.objects.select_for_update().get(pk=problem.pk)
        if not user.has_perm(perm, locked):
            raise PermissionDenied
        previous = locked.status
        problem.status = status
        for name, value in fields.items():
            setattr(problem, name, value)
        problem.save(update_fields=["status", *fields])
        log(problem, action, user=user, data={"from": previous, "to": status})


def rectify(user, problem: Problem) -> None:
    _move(
        user,
        problem,
        "accountability.rectify_problem",
        Problem.Status.RECTIFIED,
        "accountability.problem.rectify",
        rectified_at=timezone.now(),
    )
    parent = problem.organization.get_parent()
    tell(
        admins_of(parent),
        _("%(org)s reports problem “%(title)s” rectified: please verify and close it off.")
        % {"org": problem.organization, "title": problem.title},
        reverse("accountability:problem", args=[problem.pk]),
    )


def close(user, problem: Problem) -> None:
    _move(
        user,
        problem,
        "accountability.close_problem",
        Problem.Status.CLOSED,
        "accountability.problem.close",
        closed_at=timezone.now(),
        closed_by=user,
    )
    tell(
        keepers_of(problem.organization),
        _("Problem “%(title)s” was closed off by the level above.") % {"title": problem.title},
        reverse("accountability:problem", args=[problem.pk]),
    )


def reopen(user, problem: Problem) -> None:
    _move(
        user,
        problem,
        "accountability.reopen_problem",
        Problem.Status.RECTIFYING,
        "accountability.problem.reopen",
        rectified_at=None,
    )
    tell(
        keepers_of(problem.organization),
        _("Problem “%(title)s” was sent back: the rectification is not yet verified.") % {"title": problem.title},
        reverse("accountability:problem", args=[problem.pk]),
    )


def set_task_status(user, task: Task, status: str) -> None:
    """Change a task's status; done records the day it was completed, cancelled the day it was cancelled."""
    with transaction.atomic():
        if not user.has_perm("accountability.change_task", task):
            raise PermissionDenied
        previous = Task.objects.select_for_update().values_list("status", flat=True).get(pk=task.pk)
        if previous == status:
            return
        task.status = status
        task.completed_on = timezone.localdate() if status == Task.Status.DONE else None
        task.cancelled_on = timezone.localdate() if status == Task.Status.CANCELLED else None
        task.save(update_fields=["status", "completed_on", "cancelled_on"])
        log(task, "accountability.task.status", user=user, data={"from": previous, "to": status})
