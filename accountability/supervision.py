"""Supervision (督办): a level above issues a notice on a task or problem of an organisation below, the
organisation replies with its evidence, and a notice left unanswered past its date escalates to the level
above the issuer (manage.py run_accountability, daily; running it twice escalates nothing twice)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from accountability import rules
from accountability.models import Problem, SupervisionNotice, Task
from accountability.people import admins_of, keepers_of
from accountability.reminders import tell


@transaction.atomic
def issue(user, subject: Task | Problem, text: str, reply_due: dt.date) -> SupervisionNotice:
    organization = subject.organization
    issuer = rules.issuer_for(user, organization)
    if issuer is None:
        raise PermissionDenied
    if reply_due < timezone.localdate():
        raise ValidationError({"reply_due": _("The reply date cannot be in the past.")})
    notice = SupervisionNotice.objects.create(
        issuer=issuer,
        organization=organization,
        task=subject if isinstance(subject, Task) else None,
        problem=subject if isinstance(subject, Problem) else None,
        text=text,
        reply_due=reply_due,
        issued_by=user,
    )
    log(notice, "accountability.notice.issue", user=user, data={"reply_due": reply_due.isoformat()})
    tell(
        keepers_of(organization),
        _("%(issuer)s issued a supervision notice on “%(subject)s”: reply by %(date)s.")
        % {"issuer": issuer, "subject": subject, "date": reply_due.isoformat()},
        reverse("accountability:notice", args=[notice.pk]),
    )
    return notice


@transaction.atomic
def reply(user, notice: SupervisionNotice, text: str) -> None:
    locked = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
    if locked.replied:
        raise ValidationError(_("This notice has already been answered."))
    notice.reply_text = text
    notice.replied_at = timezone.now()
    notice.replied_by = user
    notice.save(update_fields=["reply_text", "replied_at", "replied_by"])
    log(notice, "accountability.notice.reply", user=user, data={"on_time": notice.replied_on_time})
    recipients = admins_of(notice.issuer) | admins_of(notice.escalated_to)
    tell(
        recipients,
        _("%(org)s answered the supervision notice on “%(subject)s”.")
        % {"org": notice.organization, "subject": notice.subject},
        reverse("accountability:notice", args=[notice.pk]),
    )


def escalate_overdue(today: dt.date | None = None) -> int:
    """Escalate every unanswered notice past its reply date to the level above its issuer, once.

    A notice issued by the top of the tree stays with its issuer but is still marked escalated (and its
    admins told), so the daily run does not look at it again.
    """
    today = today or timezone.localdate()
    escalated = 0
    overdue = (
        SupervisionNotice.objects.overdue(today).filter(escalated_at=None).select_related("issuer", "organization")
    )
    for notice in overdue:
        with transaction.atomic():
            # Marked under a row lock: two runs at once escalate a notice once.
            updated = SupervisionNotice.objects.filter(pk=notice.pk, escalated_at=None, replied_at=None).update(
                escalated_at=timezone.now(), escalated_to=notice.issuer.get_parent() or notice.issuer
            )
            if not updated:
                continue
            notice.refresh_from_db()
            log(notice, "accountability.notice.escalate", user=None, data={"to": notice.escalated_to_id})
            tell(
                admins_of(notice.escalated_to) | admins_of(notice.issuer),
                _(
                    "Overdue supervision notice escalated: %(org)s has not answered %(issuer)s about “%(subject)s” (reply was due %(date)s)."
                )
                % {
                    "org": notice.organization,
                    "issuer": notice.issuer,
                    "subject": notice.subject,
                    "date": notice.reply_due.isoformat(),
                },
                reverse("accountability:notice", args=[notice.pk]),
            )
            escalated += 1
    return escalated
