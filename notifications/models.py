"""What a user was told, and how they want to be told. Both models came from consultation with their tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications import visibility


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        """The user's notifications, without those about something they may no longer see (they left the
        branch, moved away): feature apps say what that is (notifications.visibility)."""
        hidden = visibility.hidden_from(user)
        mine = self.filter(recipient=user)
        return mine.exclude(hidden) if hidden else mine


class Notification(models.Model):
    """Something a user should know about: shown in the site and, per their settings, emailed."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("A reply to my post")
        STAGE = "stage", _("A stage change of a consultation I took part in")
        OUTCOME = "outcome", _("A published outcome or implementation update")
        MODERATION = "moderation", _("Moderation of my post")
        # Feature apps other than consultation give the message in `detail` and the page in `link`.
        APPEAL = "appeal", _("Residents' requests I reported or handle")
        MEMBERSHIP = "membership", _("Due membership work: recruitment steps, contacts, dues, required study")
        # Feature apps' own notices (due and overdue work, supervision): the message is `detail`, the page `link`.
        REMINDER = "reminder", _("A reminder about work that is due")
        ORGLIFE = "orglife", _("Meetings and committee terms of my organisation")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Named by string: the notification points at what it is about, this app imports no feature app.
    consultation = models.ForeignKey(
        "consultation.ConsultationPage", null=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey("consultation.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor_name = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "consultation_notification"  # the table it had in consultation, kept when the model moved
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]


class NotificationPreference(models.Model):
    """Which notifications a user wants by email, and how often."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("One email per event")
        DAILY = "daily", _("A daily digest")
        NEVER = "never", _("No email, only on the site")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(_("email"), max_length=16, choices=Email.choices, default=Email.IMMEDIATE)
    on_reply = models.BooleanField(_("replies to my posts"), default=True)
    on_stage = models.BooleanField(_("stage changes of consultations I took part in"), default=True)
    on_outcome = models.BooleanField(_("published outcomes and implementation updates"), default=True)
    on_moderation = models.BooleanField(_("moderation of my posts"), default=True)
    on_appeal = models.BooleanField(_("residents' requests I reported or handle"), default=True)
    on_membership = models.BooleanField(
        _("due membership work: recruitment steps, contacts, dues, required study"), default=True
    )
    on_reminder = models.BooleanField(_("reminders about work that is due"), default=True)
    on_orglife = models.BooleanField(_("meetings, make-up study and committee terms of my organisation"), default=True)

    class Meta:
        db_table = "consultation_notificationpreference"  # kept from consultation, like Notification's

    def wants(self, kind: str) -> bool:
        return getattr(self, f"on_{kind}", True)
