"""Reminders of due membership work, to the person who must act, through the notifications app.

Run daily (`manage.py send_membership_reminders`, before the digest): in-site notifications, and
e-mail by each person's settings (at once or in the daily digest). The same item reaches the same
person at most once a week (ReminderSent), so a reminder never turns into daily nagging.

Who is told: the branch's secretaries for its steps, mobile members out of touch and dues arrears;
the activist's contacts for the six-monthly review; the admins above the branch for the steps the
level above takes; the member for their own unpaid dues and required study due within a week.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from membership import dues, mobile, recruitment, study
from membership.models import Dossier, DuesKeeper, MobileRecord, ReminderSent, StepKind
from notifications.delivery import notify
from notifications.models import Notification
from organizations.models import Organization, RosterEntry

SOON = datetime.timedelta(days=7)
REPEAT_AFTER = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Reminder:
    user_id: int
    key: str
    message: str
    link: str


def _secretaries(branch_ids) -> dict[int, set[int]]:
    """Branch → its secretaries' user ids, in one query."""
    found = defaultdict(set)
    rows = Organization.objects.filter(pk__in=branch_ids).exclude(secretaries_group=None)
    for branch_id, user_id in rows.values_list("pk", "secretaries_group__user"):
        if user_id:
            found[branch_id].add(user_id)
    return found


def _admins_above(branch: Organization) -> set[int]:
    ancestors = Organization.objects.with_ancestors(branch).exclude(pk=branch.pk).exclude(admins_group=None)
    return set(
        get_user_model().objects.filter(groups__in=ancestors.values("admins_group")).values_list("pk", flat=True)
    )


def _dossier_reminders(today: datetime.date) -> list[Reminder]:
    found = []
    dossiers = list(Dossier.objects.with_steps().open())
    secretaries = _secretaries({d.branch_id for d in dossiers})
    for dossier in dossiers:
        link = reverse("membership:dossier", args=[dossier.pk])
        for step in recruitment.next_steps(dossier, today):
            if step.latest is None or step.latest.day > today + SOON:
                continue
            when = step.latest.day.strftime("%Y-%m-%d")
            if step.overdue:
                message = _("Overdue since %(date)s: %(step)s for %(name)s.")
            else:
                message = _("Due by %(date)s: %(step)s for %(name)s.")
            message %= {"date": when, "step": step.label, "name": dossier.name}
            if step.rule.by_above:
                people = _admins_above(dossier.branch)
            else:
                people = set(secretaries.get(dossier.branch_id, set()))
                if step.kind == StepKind.ACTIVIST_REVIEW:
                    people |= {e.user_id for e in dossier.contacts.all() if e.user_id}
            key = f"dossier:{dossier.pk}:{step.kind}:{when}"
            found += [Reminder(user_id, key, message, link) for user_id in people]
    return found


def _mobile_reminders(today: datetime.date) -> list[Reminder]:
    records = list(MobileRecord.objects.not_contacted_since(mobile.flag_date(today)).select_related("branch"))
    secretaries = _secretaries({r.branch_id for r in records})
    found = []
    for record in records:
        message = _("%(name)s, a mobile member, has not been contacted for %(months)d months.") % {
            "name": record.name,
            "months": mobile.contact_months(),
        }
        link = reverse("membership:mobile", args=[record.pk])
        key = f"mobile:{record.pk}"
        found += [Reminder(user_id, key, message, link) for user_id in secretaries.get(record.branch_id, set())]
    return found


def _dues_reminders(today: datetime.date) -> list[Reminder]:
    found = []
    branches = Organization.objects.filter(kind=Organization.Kind.BRANCH, roster__dues_assessments__year=today.year)
    branches = list(branches.distinct())
    secretaries = _secretaries({b.pk for b in branches})
    keepers = defaultdict(set)
    for branch_id, user_id in (
        DuesKeeper.objects.serving().filter(branch__in=branches).values_list("branch_id", "user_id")
    ):
        keepers[branch_id].add(user_id)
    for branch in branches:
        flagged = [row for row in dues.ledger(branch, today.year, today) if row.flagged]
        if not flagged:
            continue
        names = "、".join(row.entry.name for row in flagged[:10])
        message = _("%(count)d members of %(branch)s have dues unpaid for %(months)d months or more: %(names)s.") % {
            "count": len(flagged),
            "branch": branch.name,
            "months": dues.arrears_months(),
            "names": names,
        }
        link = reverse("membership:dues", args=[branch.pk])
        for user_id in secretaries.get(branch.pk, set()) | keepers[branch.pk]:
            found.append(Reminder(user_id, f"dues:{branch.pk}:{today:%Y-%m}", message, link))
        for row in flagged:
            if row.entry.user_id:
                own = _("Your Party dues are unpaid for %(months)d months.") % {"months": row.arrears}
                found.append(Reminder(row.entry.user_id, f"dues-own:{today:%Y-%m}", own, reverse("membership:my_dues")))
    return found


def _study_reminders(today: datetime.date) -> list[Reminder]:
    found = []
    branches = RosterEntry.objects.active().exclude(user=None).values_list("branch_id", flat=True).distinct()
    for branch in Organization.objects.filter(pk__in=branches):
        for item in study.not_completed(branch, today, today + SOON):
            if item.member.user_id:
                message = _("Required study “%(title)s” is due by %(date)s.") % {
                    "title": item.page.title,
                    "date": item.due_on.strftime("%Y-%m-%d"),
                }
                found.append(Reminder(item.member.user_id, f"study:{item.page.pk}", message, item.page.url or ""))
    return found


def collect(today: datetime.date) -> list[Reminder]:
    return _dossier_reminders(today) + _mobile_reminders(today) + _dues_reminders(today) + _study_reminders(today)


def send(today: datetime.date | None = None) -> int:
    """Send what is due and was not sent to the same person in the last week; the number sent."""
    today = today or timezone.localdate()
    reminders = collect(today)
    recent = set(ReminderSent.objects.filter(sent_on__gt=today - REPEAT_AFTER).values_list("key", "user_id"))
    sent = 0
    for reminder in {(r.key, r.user_id): r for r in reminders}.values():
        if (reminder.key, reminder.user_id) in recent:
            continue
        notify([reminder.user_id], Notification.Kind.MEMBERSHIP, None, detail=reminder.message, link=reminder.link)
        ReminderSent.objects.update_or_create(key=reminder.key, user_id=reminder.user_id, defaults={"sent_on": today})
        sent += 1
    return sent
