"""Organisational life as it happens, and the committee's term (换届).

A `Meeting` is a home `MeetingRecord` (multi-table inheritance): the ledger, the cadence and the
assessment keep reading `MeetingRecord`, and a scheduled meeting's due / present / on leave / absent are
written onto that row from its invitations and sign-ins (orglife/attendance.py), never typed.
The due list is the roster when the meeting is scheduled (`Invitation`), one sign-in per member is a
database constraint (`SignIn`), and a member who missed the meeting does the make-up on the invitation.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.private_files import PrivateStorage
from home.models import MeetingRecord
from home.models.meetings import MeetingRecordQuerySet
from organizations.models import Organization, RosterEntry


class MeetingQuerySet(MeetingRecordQuerySet):
    def live(self) -> MeetingQuerySet:
        return self.filter(cancelled_at=None)

    def with_counts(self) -> MeetingQuerySet:
        """Due, present and on leave counted in SQL from the invitations and sign-ins (one query)."""
        signed = SignIn.objects.filter(meeting=OuterRef("meeting_id"), member=OuterRef("member_id"))
        return self.annotate(
            n_due=Count("invitations", distinct=True),
            n_present=Count("sign_ins", distinct=True),
            n_leave=models.Subquery(
                Invitation.objects.filter(meeting=OuterRef("pk"), reply=Invitation.Reply.LEAVE)
                .exclude(Exists(signed))
                .order_by()
                .values("meeting")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )


class Meeting(MeetingRecord):
    """A meeting scheduled on the site: its notice, replies, sign-ins, make-up study and minutes."""

    record = models.OneToOneField(
        MeetingRecord, parent_link=True, primary_key=True, on_delete=models.CASCADE, related_name="meeting"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    material = models.TextField(
        _("material"),
        blank=True,
        help_text=_("What the meeting studies; members who miss it study this as their make-up."),
    )
    study_page = models.ForeignKey(
        "home.StudyPage",
        verbose_name=_("study item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A Party lecture on a study item counts as having studied it, for those present."),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes_saved_at = models.DateTimeField(null=True, blank=True)
    makeups_assigned_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start")
        ]

    def save(self, *args, **kwargs):
        # The ledger row is dated by the meeting, and its counts are computed, never typed.
        self.date = timezone.localdate(self.starts_at)
        self.tracked = True
        super().save(*args, **kwargs)

    @property
    def signin_opens_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(minutes=settings.ORGLIFE_SIGNIN_OPENS_MINUTES_BEFORE)

    @property
    def signin_closes_at(self) -> dt.datetime:
        return self.ends_at + dt.timedelta(minutes=settings.ORGLIFE_SIGNIN_CLOSES_MINUTES_AFTER)

    def get_absolute_url(self) -> str:
        return reverse("orglife:meeting", args=(self.pk,))

    def tracked_url(self) -> str:
        return self.get_absolute_url()

    @property
    def ticks_close_at(self) -> dt.datetime:
        """The secretary's ticks (members without a phone) are taken until this grace after the end, no later."""
        return self.ends_at + dt.timedelta(days=settings.ORGLIFE_TICK_GRACE_DAYS)

    def ticks_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.cancelled_at is None and self.signin_opens_at <= now <= self.ticks_close_at

    def signin_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.cancelled_at is None and self.signin_opens_at <= now <= self.signin_closes_at

    def has_ended(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) > self.ends_at

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Invitation(models.Model):
    """One member due to attend (from the roster when the meeting was scheduled), their reply and make-up."""

    class Reply(models.TextChoices):
        NONE = "", _("No reply yet")
        ATTENDING = "attending", _("Attending")
        LEAVE = "leave", _("Asked for leave")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(RosterEntry, on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    reply = models.CharField(_("reply"), max_length=16, choices=Reply.choices, blank=True, default="")
    reason = models.CharField(_("reason for leave"), max_length=500, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    makeup_done_at = models.DateTimeField(_("make-up done at"), null=True, blank=True)
    makeup_note = models.CharField(_("what I studied"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["member__member_no"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="invitation_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.member.name}"


class SignIn(models.Model):
    """A member's presence at a meeting: scanned on their phone, or ticked by the secretary. Once per member."""

    class Method(models.TextChoices):
        QR = "qr", _("Scanned the code")
        TICKED = "ticked", _("Ticked by the secretary")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sign_ins")
    member = models.ForeignKey(RosterEntry, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=8, choices=Method.choices)
    signed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="sign_in_once_per_member")]


class MinutesAttachment(models.Model):
    """A file attached to the minutes (a scanned sign-in sheet is never required: sign-ins are recorded).

    Minutes are internal to the branch: stored under PRIVATE_ROOT/orglife, never under MEDIA_ROOT, and handed
    out only by orglife.views.attachment after the permission check."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="minutes/%Y/", storage=PrivateStorage("orglife"))
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


# --- Committee and term (换届) -------------------------------------------------------------


class TermQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> TermQuerySet:
        """Terms in force on `on`: took effect, not yet replaced."""
        on = on or timezone.localdate()
        return self.filter(effective_on__lte=on).filter(Q(replaced_on=None) | Q(replaced_on__gt=on))


class Term(models.Model):
    """One committee's term of office (届): elected on a date, in force from its effective date."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="terms"
    )
    elected_on = models.DateField(_("elected on"))
    effective_on = models.DateField(_("takes effect on"))
    years = models.PositiveSmallIntegerField(_("term in years"))
    replaced_on = models.DateField(_("replaced on"), null=True, blank=True, editable=False)
    roles_applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    note = models.CharField(pgettext_lazy("committee term", "note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["organization__path", "-effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "effective_on"], name="term_one_per_effective_date"),
            models.CheckConstraint(
                condition=Q(effective_on__gte=models.F("elected_on")), name="term_effective_after_election"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} {self.elected_on:%Y-%m-%d}"


class CommitteeMember(models.Model):
    """A member of a term's committee and their office."""

    class Office(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        DEPUTY = "deputy", _("Deputy secretary")
        ORGANISATION = "organisation", _("Organisation member")
        PROPAGANDA = "propaganda", _("Propaganda member")
        DISCIPLINE = "discipline", _("Discipline inspection member")
        MEMBER = "member", pgettext_lazy("committee", "Committee member")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(RosterEntry, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    office = models.CharField(_("office"), max_length=16, choices=Office.choices)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["term", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "member"], name="committee_member_once_per_term"),
            models.UniqueConstraint(
                fields=["term"], condition=Q(office="secretary"), name="committee_one_secretary_per_term"
            ),
        ]


class TermAdjustment(models.Model):
    """A term postponed or brought forward, with its approval by the level above (at most one year)."""

    class Direction(models.TextChoices):
        POSTPONE = "postpone", _("Postponed")
        ADVANCE = "advance", _("Brought forward")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="adjustments")
    direction = models.CharField(_("change"), max_length=8, choices=Direction.choices)
    months = models.PositiveSmallIntegerField(_("months"))
    reason = models.CharField(_("reason"), max_length=500)
    approved_by = models.CharField(_("approved by"), max_length=200, help_text=_("The approving organisation."))
    approved_on = models.DateField(_("approved on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("term adjustment")
        verbose_name_plural = _("term adjustments")
        constraints = [
            models.CheckConstraint(condition=Q(months__gte=1) & Q(months__lte=12), name="term_adjustment_one_year")
        ]


class TermReminder(models.Model):
    """A reminder sent about a term's end, once per point (`m6`, `m3`, or `overdue-2027-05`): idempotent."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="reminders")
    point = models.CharField(max_length=24)
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "point"], name="term_reminder_once_per_point")]


class CadenceNotice(models.Model):
    """A cadence warning sent for a branch, kind and quarter, once per stage (`ahead`, `missed`)."""

    branch = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    stage = models.CharField(max_length=8)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "year", "quarter", "kind", "stage"], name="cadence_notice_once")
        ]
