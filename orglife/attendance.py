"""Who is due at a meeting, their replies, sign-ins (scanned or ticked), the counts and the make-up study.

Every change here runs in one transaction with the meeting's row locked, writes its audit entry, and ends
by recounting the record's due / present / on leave / absent from the rows (`recount`), so the ledger,
the cadence and the assessment read counts that nobody typed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from home.models import MeetingRecord, StudyRecord
from organizations.models import RosterEntry
from orglife.models import Invitation, Meeting, SignIn, Term
from orglife.notices import tell

SIGNIN_SALT = "orglife.signin"


class Refused(Exception):
    """An action refused with a message for the user (in their language)."""


# --- The due list ----------------------------------------------------------------------------


def due_members(branch, kind: str):
    """Who is due: the branch's active members; for a committee meeting, the committee in office."""
    members = RosterEntry.objects.active().filter(branch=branch)
    if kind == MeetingRecord.Kind.COMMITTEE:
        term = Term.objects.current().filter(organization=branch).order_by("-effective_on").first()
        if term is not None:
            return members.filter(pk__in=term.members.values("member_id"))
    return members


# A secretary who fills in the form as the meeting begins is not refused for the minutes that took; a start
# earlier than this is a meeting that already took place, not one to schedule.
LATE_SCHEDULING = dt.timedelta(minutes=15)


def check_ahead(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Refuse a meeting in the past: meetings are scheduled ahead, so that members are told and sign in."""
    now = now or timezone.now()
    if starts_at < now - LATE_SCHEDULING or ends_at <= now:
        raise Refused(
            _(
                "This time has already passed: a meeting is scheduled before it takes place, so that members "
                "are notified and sign in. A meeting that already took place is entered as a meeting record "
                "in the admin."
            )
        )


@transaction.atomic
def schedule(meeting: Meeting, user, *, notify: bool = True, now: dt.datetime | None = None) -> Meeting:
    """Save a new meeting, invite those due from the roster and notify them (in the site and by email).

    A meeting in the past is refused (`check_ahead`). `now` is when it is scheduled: only the builders of a
    history (orglife/factories.py for the demo and the tests) pass an earlier time. `notify=False` only
    for such histories, whose members need no notice."""
    check_ahead(meeting.starts_at, meeting.ends_at, now)
    meeting.scheduled_by = user
    meeting.save()
    members = list(due_members(meeting.branch, meeting.kind).only("pk", "user_id"))
    Invitation.objects.bulk_create([Invitation(meeting=meeting, member=m) for m in members])
    recount(meeting)
    log(instance=meeting, action="orglife.meeting.schedule", user=user)
    if not notify:
        return meeting
    with translation.override(settings.LANGUAGE_CODE):
        message = _("Meeting notice: %(kind)s “%(topic)s”, %(when)s, %(where)s. Please reply.") % {
            "kind": meeting.get_kind_display(),
            "topic": meeting.topic,
            "when": when_text(meeting),
            "where": where_text(meeting),
        }
    tell([m.user_id for m in members if m.user_id], message, meeting_url(meeting), actor=user)
    return meeting


def when_text(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return (
        f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
        if start.date() == end.date()
        else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
    )


def where_text(meeting: Meeting) -> str:
    if meeting.place and meeting.online_url:
        return _("%(place)s and online") % {"place": meeting.place}
    return meeting.place or _("online")


def meeting_url(meeting: Meeting) -> str:
    return reverse("orglife:meeting", args=(meeting.pk,))


# --- Replies ---------------------------------------------------------------------------------


def invitation_of(meeting: Meeting, user) -> Invitation | None:
    if not user.is_authenticated:
        return None
    return meeting.invitations.filter(member__user=user).select_related("member").first()


@transaction.atomic
def reply(meeting: Meeting, user, answer: str, reason: str = "") -> Invitation:
    """Record a member's reply (attending, or leave with a reason) before the meeting ends."""
    meeting = _locked(meeting)
    invitation = invitation_of(meeting, user)
    if invitation is None:
        raise Refused(_("You are not on the list of members due at this meeting."))
    if meeting.is_cancelled:
        raise Refused(_("This meeting was cancelled."))
    if meeting.has_ended():
        raise Refused(_("This meeting is over: replies are closed."))
    reason = " ".join(reason.split())
    if answer == Invitation.Reply.LEAVE and not reason:
        raise Refused(_("Please give a reason for your leave."))
    if answer not in (Invitation.Reply.ATTENDING, Invitation.Reply.LEAVE):
        raise Refused(_("Please choose whether you attend or ask for leave."))
    invitation.reply = answer
    invitation.reason = reason[:500] if answer == Invitation.Reply.LEAVE else ""
    invitation.replied_at = timezone.now()
    invitation.save(update_fields=["reply", "reason", "replied_at"])
    recount(meeting)
    log(
        instance=meeting,
        action="orglife.meeting.reply",
        user=user,
        data={"member": invitation.member_id, "reply": answer},
    )
    return invitation


# --- Sign-in ---------------------------------------------------------------------------------


def signin_token(meeting: Meeting) -> str:
    """A signed token naming the meeting; it expires after ORGLIFE_QR_MAX_AGE_SECONDS (the screen renews it)."""
    return signing.TimestampSigner(salt=SIGNIN_SALT).sign_object({"m": meeting.pk})


def signin_url(meeting: Meeting) -> str:
    return reverse("orglife:sign_in", args=(signin_token(meeting),))


def meeting_of_token(token: str) -> int:
    """The meeting's id from a token, or Refused with why (forged, or an old code)."""
    signer = signing.TimestampSigner(salt=SIGNIN_SALT)
    try:
        data = signer.unsign_object(token, max_age=settings.ORGLIFE_QR_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise Refused(_("This code has expired. Please scan the code on the screen again.")) from None
    except signing.BadSignature:
        raise Refused(_("This is not a valid sign-in code. Please scan the code on the secretary's screen.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise Refused(_("This is not a valid sign-in code. Please scan the code on the secretary's screen."))
    return data["m"]


def _check_window(meeting: Meeting, now: dt.datetime) -> None:
    if meeting.is_cancelled:
        raise Refused(_("This meeting was cancelled."))
    if not meeting.signin_open(now):
        opens = timezone.localtime(meeting.signin_opens_at)
        closes = timezone.localtime(meeting.signin_closes_at)
        raise Refused(
            _("Sign-in for this meeting is open only from %(opens)s to %(closes)s.")
            % {"opens": f"{opens:%Y-%m-%d %H:%M}", "closes": f"{closes:%Y-%m-%d %H:%M}"}
        )


@transaction.atomic
def sign_in(meeting: Meeting, user, *, now: dt.datetime | None = None) -> SignIn:
    """A member signs themself in (after scanning the code): once, inside the meeting's window."""
    now = now or timezone.now()
    meeting = _locked(meeting)
    _check_window(meeting, now)
    invitation = invitation_of(meeting, user)
    if invitation is None:
        raise Refused(_("You are not on the list of members due at this meeting."))
    return _record_sign_in(meeting, invitation.member, SignIn.Method.QR, user, now)


@transaction.atomic
def tick(meeting: Meeting, member_ids: list[int], user, *, now: dt.datetime | None = None) -> int:
    """The secretary marks present those who could not scan (no phone); already signed-in ones are kept."""
    now = now or timezone.now()
    meeting = _locked(meeting)
    _check_ticks_open(meeting, now)
    invited = meeting.invitations.filter(member_id__in=member_ids).exclude(
        Exists(SignIn.objects.filter(meeting=meeting, member=OuterRef("member_id")))
    )
    created = SignIn.objects.bulk_create(
        [
            SignIn(meeting=meeting, member_id=i.member_id, method=SignIn.Method.TICKED, signed_at=now, recorded_by=user)
            for i in invited
        ],
        ignore_conflicts=True,
    )
    if created:
        recount(meeting)
        _count_as_study(meeting, [i.member_id for i in invited])
        log(
            instance=meeting,
            action="orglife.meeting.tick",
            user=user,
            data={"members": sorted(i.member_id for i in invited)},
        )
    return len(created)


@transaction.atomic
def untick(meeting: Meeting, member_id: int, user, *, now: dt.datetime | None = None) -> None:
    """Undo a tick made by mistake (never a member's own scan), while ticks are still taken."""
    meeting = _locked(meeting)
    _check_ticks_open(meeting, now or timezone.now())
    deleted, _rows = SignIn.objects.filter(meeting=meeting, member_id=member_id, method=SignIn.Method.TICKED).delete()
    if deleted:
        recount(meeting)
        log(instance=meeting, action="orglife.meeting.untick", user=user, data={"member": member_id})


def _check_ticks_open(meeting: Meeting, now: dt.datetime) -> None:
    """Ticks from the opening of the sign-in until ORGLIFE_TICK_GRACE_DAYS after the end: attendance is
    recorded at the meeting or just after it, never months later for the record."""
    if meeting.is_cancelled:
        raise Refused(_("This meeting was cancelled."))
    if now < meeting.signin_opens_at:
        raise Refused(_("Attendance can be recorded once the meeting has started."))
    if now > meeting.ticks_close_at:
        closed = timezone.localtime(meeting.ticks_close_at)
        raise Refused(
            _(
                "Attendance of this meeting was closed on %(closed)s: it is recorded at the meeting or within "
                "%(days)d days after it, not later."
            )
            % {"closed": f"{closed:%Y-%m-%d %H:%M}", "days": settings.ORGLIFE_TICK_GRACE_DAYS}
        )


def _record_sign_in(meeting: Meeting, member: RosterEntry, method: str, user, now: dt.datetime) -> SignIn:
    try:
        with transaction.atomic():  # a savepoint: the unique constraint refuses a second sign-in
            row = SignIn.objects.create(meeting=meeting, member=member, method=method, signed_at=now, recorded_by=user)
    except IntegrityError:
        raise Refused(_("You have already signed in to this meeting.")) from None
    recount(meeting)
    _count_as_study(meeting, [member.pk])
    log(instance=meeting, action="orglife.meeting.sign_in", user=user, data={"member": member.pk, "method": method})
    return row


def _count_as_study(meeting: Meeting, member_ids: list[int]) -> None:
    """A Party lecture on a study item counts as having studied it (nothing typed twice)."""
    if not meeting.study_page_id:
        return
    users = RosterEntry.objects.filter(pk__in=member_ids).exclude(user=None).values_list("user_id", flat=True)
    StudyRecord.objects.bulk_create(
        [
            StudyRecord(user_id=u, page_id=meeting.study_page_id, note=_("Attended the Party lecture")[:500])
            for u in users
        ],
        ignore_conflicts=True,
    )


# --- Counts ----------------------------------------------------------------------------------


def counts(meeting: Meeting) -> dict[str, int]:
    """Due, present, on leave and absent, from the rows: the one computation of the counts.

    `absent` is those due who neither signed in nor asked for leave, with no clock in it: once the meeting
    is over they are its absentees; while it runs they have not signed in yet (the pages show "–" until the
    end). So the number written by `recount` at each change stays right after the meeting ends, with no
    job to run at the end: after it only a tick within the grace or its undo changes anything, and those
    recount."""
    row = Meeting.objects.with_counts().filter(pk=meeting.pk).values("n_due", "n_present", "n_leave").get()
    due, present, leave = row["n_due"], row["n_present"], row["n_leave"] or 0
    return {"due": due, "present": present, "on_leave": leave, "absent": max(due - present - leave, 0)}


def recount(meeting: Meeting) -> None:
    """Write the computed counts onto the ledger row (home's MeetingRecord), where every reader finds them.

    Called in the transaction of every change to invitations, replies and sign-ins (schedule, reply,
    sign-in, tick, untick), under the meeting's row lock."""
    numbers = counts(meeting)
    MeetingRecord.objects.filter(pk=meeting.pk).update(**numbers)
    for name, value in numbers.items():
        setattr(meeting, name, value)


def _locked(meeting: Meeting) -> Meeting:
    """The meeting re-read under a row lock: concurrent sign-ins recount one after another."""
    MeetingRecord.objects.select_for_update().filter(pk=meeting.pk).values("pk").get()
    return Meeting.objects.select_related("branch").get(pk=meeting.pk)


def attendance_rows(meeting: Meeting) -> list[dict]:
    """Each member due with their reply, sign-in and make-up: one query."""
    signed = SignIn.objects.filter(meeting=meeting, member=OuterRef("member_id"))
    invitations = (
        meeting.invitations.select_related("member")
        .annotate(
            signed_method=signed.values("method")[:1],
            signed_at=signed.values("signed_at")[:1],
        )
        .order_by("member__member_no")
    )
    ended = meeting.has_ended()
    rows = []
    for invitation in invitations:
        if invitation.signed_method:
            status = "present"
        elif invitation.reply == Invitation.Reply.LEAVE:
            status = "leave"
        else:
            status = "absent" if ended else "pending"
        rows.append({"invitation": invitation, "status": status})
    return rows


# --- Make-up study (补学) -----------------------------------------------------------------------


def makeup_due(meeting: Meeting, invitation: Invitation, signed: bool | None = None) -> bool:
    """A member who missed a meeting that took place (absent or on leave) studies its material.

    `signed` when the caller already knows whether the member signed in (lists annotate it)."""
    if meeting.is_cancelled or not meeting.has_ended() or meeting.present == 0:
        return False
    if signed is None:
        signed = SignIn.objects.filter(meeting=meeting, member_id=invitation.member_id).exists()
    return not signed


def my_invitations(user):
    """The user's invitations, newest meeting first, each knowing whether they signed in (one query)."""
    signed = SignIn.objects.filter(meeting=OuterRef("meeting_id"), member=OuterRef("member_id"))
    return (
        Invitation.objects.filter(member__user=user)
        .select_related("meeting", "meeting__branch")
        .annotate(signed=Exists(signed))
        .order_by("-meeting__starts_at")
    )


@transaction.atomic
def assign_makeups(meeting: Meeting, user=None) -> int:
    """Tell those who missed a meeting that took place about their make-up study, once per meeting."""
    meeting = _locked(meeting)
    if meeting.makeups_assigned_at or meeting.is_cancelled or not meeting.has_ended() or meeting.present == 0:
        return 0
    missed = (
        meeting.invitations.exclude(Exists(SignIn.objects.filter(meeting=meeting, member=OuterRef("member_id"))))
        .exclude(member__user=None)
        .values_list("member__user_id", flat=True)
    )
    recipients = list(missed)
    Meeting.objects.filter(pk=meeting.pk).update(makeups_assigned_at=timezone.now())
    with translation.override(settings.LANGUAGE_CODE):
        message = _("Make-up study: you missed %(kind)s “%(topic)s” on %(date)s. Please study its material.") % {
            "kind": meeting.get_kind_display(),
            "topic": meeting.topic,
            "date": f"{meeting.date:%Y-%m-%d}",
        }
    tell(recipients, message, meeting_url(meeting), actor=user)
    return len(recipients)


@transaction.atomic
def complete_makeup(meeting: Meeting, user, note: str = "") -> Invitation:
    meeting = _locked(meeting)
    invitation = invitation_of(meeting, user)
    if invitation is None:
        raise Refused(_("You are not on the list of members due at this meeting."))
    if not makeup_due(meeting, invitation):
        raise Refused(_("There is no make-up study for you at this meeting."))
    if invitation.makeup_done_at:
        raise Refused(_("You have already completed this make-up study."))
    invitation.makeup_done_at = timezone.now()
    invitation.makeup_note = " ".join(note.split())[:500]
    invitation.save(update_fields=["makeup_done_at", "makeup_note"])
    _count_as_study(meeting, [invitation.member_id])
    log(instance=meeting, action="orglife.meeting.makeup", user=user, data={"member": invitation.member_id})
    return invitation


@transaction.atomic
def cancel(meeting: Meeting, user) -> None:
    meeting = _locked(meeting)
    if meeting.is_cancelled:
        return
    if meeting.present:
        raise Refused(_("Members have already signed in: a meeting that took place cannot be cancelled."))
    Meeting.objects.filter(pk=meeting.pk).update(cancelled_at=timezone.now())
    log(instance=meeting, action="orglife.meeting.cancel", user=user)
    recipients = meeting.invitations.exclude(member__user=None).values_list("member__user_id", flat=True)
    with translation.override(settings.LANGUAGE_CODE):
        message = _("Cancelled: %(kind)s “%(topic)s”, %(when)s.") % {
            "kind": meeting.get_kind_display(),
            "topic": meeting.topic,
            "when": when_text(meeting),
        }
    tell(list(recipients), message, meeting_url(meeting), actor=user)
