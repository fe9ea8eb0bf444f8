"""Storing notifications and emailing them: one at a time as they happen, or as a daily digest."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Notification, NotificationPreference
from notifications.tasks import send_immediate_mail
from notifications.unread import forget_pages_of


def notify(
    recipient_ids, kind: str, consultation, *, post=None, actor=None, detail: str = "", link: str = ""
) -> list[Notification]:
    """Store a notification per recipient; email those who want it immediately, after commit.

    The caller decides who is told: it has already left out whoever may not see what this is about.
    Apps other than consultation pass `consultation=None`, the whole message as `detail` and their
    page as `link` (a path on this site).
    """
    recipient_ids = set(recipient_ids)
    if not recipient_ids:
        return []
    notes = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=rid,
                kind=kind,
                consultation=consultation,
                post=post,
                actor_name=actor.get_full_name() if actor else "",
                detail=detail[:500],
                link=link[:300],
            )
            for rid in sorted(recipient_ids)
        ]
    )
    ids = [n.pk for n in notes if n.pk] or list(
        Notification.objects.filter(recipient_id__in=recipient_ids, kind=kind, consultation=consultation)
        .order_by("-pk")
        .values_list("pk", flat=True)[: len(recipient_ids)]
    )
    forget_pages_of(*recipient_ids)  # bulk_create sends no signal: their badges change
    transaction.on_commit(lambda: send_immediate_mail.enqueue(ids))
    return notes


def preference_of(user) -> NotificationPreference:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def message_of(note: Notification) -> str:
    if not note.consultation_id and note.link:
        return note.detail
    title = note.consultation.title if note.consultation_id else ""
    if note.kind == Notification.Kind.REPLY:
        return _("%(actor)s replied to your post in “%(title)s”.") % {"actor": note.actor_name, "title": title}
    if note.kind == Notification.Kind.STAGE:
        return _("“%(title)s” moved to the stage: %(stage)s.") % {"title": title, "stage": note.detail}
    if note.kind == Notification.Kind.OUTCOME:
        return _("“%(title)s”: %(detail)s") % {"title": title, "detail": note.detail}
    return _("Your post in “%(title)s” was moderated: %(detail)s") % {"title": title, "detail": note.detail}


def link_of(note: Notification) -> str:
    if not note.consultation_id:
        return note.link
    url = note.consultation.get_url() or ""
    if note.post_id:
        url += f"#post-{note.post_id}"
    return url


def _send(user, notes: list[Notification], subject: str) -> None:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    lines = [{"message": message_of(n), "url": base + link_of(n)} for n in notes]
    body = render_to_string("notifications/email/notifications.txt", {"user": user, "lines": lines, "base": base})
    mail.send_mail(subject, body, None, [user.email])


def send_immediate(notification_ids) -> int:
    sent = 0
    notes = Notification.objects.filter(pk__in=notification_ids, emailed_at=None).select_related(
        "recipient", "recipient__notification_preference", "consultation"
    )
    for note in notes:
        preference = preference_of(note.recipient)
        if preference.email != NotificationPreference.Email.IMMEDIATE or not preference.wants(note.kind):
            continue
        if not note.recipient.email:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            # A subject is one line: names and titles with line breaks (older accounts, imports) would make
            # send_mail refuse the header and lose the e-mail.
            subject = " ".join(message_of(note).split())[:80]
            _send(note.recipient, [note], _("Gongzhi: %(message)s") % {"message": subject})
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def digest_user_ids() -> list[int]:
    """Who chose the daily digest, in a stable order (the batches of `notifications.tasks`)."""
    daily = NotificationPreference.objects.filter(email=NotificationPreference.Email.DAILY)
    return list(daily.order_by("user_id").values_list("user_id", flat=True))


def send_digest_to(user_id: int) -> bool:
    """The user's digest, with everything not yet emailed that they may still see; False if nothing to send.

    Under the preference's row lock: two workers given the same user (a batch delivered twice) send once,
    the second finds every notification marked emailed."""
    with transaction.atomic():
        preference = (
            NotificationPreference.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(user_id=user_id, email=NotificationPreference.Email.DAILY)
            .first()
        )
        if preference is None or not preference.user.email:
            return False
        notes = list(
            Notification.objects.visible_to(preference.user)
            .filter(emailed_at=None)
            .select_related("consultation")
            .order_by("created_at")
        )
        notes = [n for n in notes if preference.wants(n.kind)]
        if not notes:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            _send(preference.user, notes, _("Gongzhi: your daily digest (%(count)d)") % {"count": len(notes)})
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
    return True


def send_digests() -> int:
    """Every digest, one after another in this process; `manage.py send_notification_digest` enqueues them in
    batches instead (notifications/tasks.py), for the task workers to share."""
    return sum(send_digest_to(user_id) for user_id in digest_user_ids())
