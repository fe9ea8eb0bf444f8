"""The annual democratic appraisal of Party members (民主评议党员).

Secrecy by construction: who voted (Participation) and what was voted (Ballot, BallotEntry) are
separate tables with no relation between them. A ballot has a random UUID key, no user, and no time
finer than the campaign's ballot date; it is written in the same transaction as the participation
row, whose unique constraint makes a second ballot by the same voter impossible.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from evaluation import lib
from organizations.models import Organization, RosterEntry


class Grade(models.TextChoices):
    EXCELLENT = lib.EXCELLENT, _("Excellent")
    COMPETENT = lib.COMPETENT, _("Competent")
    BASIC = lib.BASIC, _("Basically competent")
    INCOMPETENT = lib.INCOMPETENT, _("Incompetent")


class Stage(models.TextChoices):
    PREPARING = "preparing", _("Preparation")
    STUDYING = "studying", _("Study")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    BALLOTING = "balloting", _("Democratic ballot")
    ASSESSMENT = "assessment", _("Organisational assessment")
    NOTICE = "notice", _("Public notice")
    DONE = "done", _("Completed")


STAGE_ORDER = list(Stage.values)


class VoterGroup(models.TextChoices):
    MEMBERS = "members", _("Party members")
    MASSES = "masses", _("Masses' representatives")


# Common grounds for 不合格, shown on the ballot as guidance.
INCOMPETENT_GROUNDS = [
    _("Wavering ideals and convictions, or spreading political rumours"),
    _("Not taking part in organisational life, or not paying Party dues, without good reason"),
    _("Lax discipline; not carrying out the Party's decisions"),
    _("Shirking hard or urgent tasks; poor performance of duties"),
    _("Harming unity; factionalism"),
    _("Harming the interests of the masses"),
    _("Taking part in religious or superstitious activities"),
    _("Moral misconduct"),
    _("Passive and indifferent; no role as a model"),
]


def _rate_field(default: str, help_text):
    return models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=help_text,
    )


class AppraisalCampaign(models.Model):
    """One branch's appraisal for one year, from preparation to filing."""

    branch = models.ForeignKey(
        Organization,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="appraisals",
        limit_choices_to={"kind": Organization.Kind.BRANCH},
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PREPARING)
    study_starts = models.DateField(_("study starts"), null=True, blank=True)
    self_assessment_starts = models.DateField(_("self-assessment starts"), null=True, blank=True)
    ballot_date = models.DateField(_("ballot date (Party members' meeting)"))
    assessment_date = models.DateField(_("organisational assessment date"), null=True, blank=True)
    notice_starts = models.DateField(_("public notice starts"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("public notice period (days)"), default=5)

    masses_enabled = models.BooleanField(_("masses' representatives vote too"), default=False)
    member_weight = _rate_field("1.0", _("Weight of the members' ballots in the combined score."))
    masses_weight = _rate_field("0.0", _("Weight of the masses' ballots in the combined score."))
    excellent_min_rate = _rate_field("0.5", _("Suggest 优秀 when at least this share of members votes 优秀."))
    basic_min_rate = _rate_field("0.5", _("Suggest 基本合格 when more than this share votes 基本合格 or 不合格."))
    incompetent_flag_rate = _rate_field("0.5", _("Flag, and suggest 不合格, when more than this share votes 不合格."))
    masses_trust_min = _rate_field("0.5", _("Flag when the masses' 优秀 + 合格 share is below this."))
    min_turnout = _rate_field("0.8", _("Ballots returned ÷ issued needed for a valid ballot."))

    class Meta:
        verbose_name = _("appraisal campaign")
        verbose_name_plural = _("appraisal campaigns")
        ordering = ["-year", "branch__path"]
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="appraisal_one_per_branch_year")]

    def __str__(self) -> str:
        return _("%(branch)s democratic appraisal %(year)s") % {"branch": self.branch.name, "year": self.year}

    def clean(self) -> None:
        if self.branch_id and self.branch.kind != Organization.Kind.BRANCH:
            raise ValidationError({"branch": _("An appraisal belongs to a Party branch.")})
        if self.member_weight + self.masses_weight <= 0:
            raise ValidationError({"member_weight": _("At least one weight must be above zero.")})

    def stage_reached(self, stage: str) -> bool:
        return STAGE_ORDER.index(self.stage) >= STAGE_ORDER.index(stage)

    @property
    def ballot_open(self) -> bool:
        return self.stage == Stage.BALLOTING

    @property
    def ballot_closed(self) -> bool:
        return self.stage_reached(Stage.ASSESSMENT)

    @property
    def self_assessment_open(self) -> bool:
        return self.stage in {Stage.STUDYING, Stage.SELF_ASSESSMENT}

    @property
    def rules(self) -> lib.Rules:
        return lib.Rules(
            self.excellent_min_rate, self.basic_min_rate, self.incompetent_flag_rate, self.masses_trust_min
        )

    def enrol_members(self) -> int:
        """Add the branch's active members as appraisees; only before the ballot opens."""
        if self.stage_reached(Stage.BALLOTING):
            return 0
        present = set(self.appraisees.values_list("roster_entry_id", flat=True))
        entries = RosterEntry.objects.active().filter(branch_id=self.branch_id).exclude(pk__in=present)
        new = [
            Appraisee(campaign=self, roster_entry=e, name=e.name, member_type=e.member_type, user_id=e.user_id)
            for e in entries
        ]
        Appraisee.objects.bulk_create(new)
        return len(new)

    def move_to(self, stage: str, user) -> None:
        if stage not in STAGE_ORDER:
            raise ValidationError(_("Unknown stage."))
        # Any move out of balloting closes it, also a jump straight to the notice or back to preparation.
        with transaction.atomic():
            # Waits for ballots being written (their participation rows hold a key-share lock on this
            # row) and makes ballots started meanwhile wait, then see the new stage and be refused.
            self.stage = AppraisalCampaign.objects.select_for_update().values_list("stage", flat=True).get(pk=self.pk)
            closing = self.stage == Stage.BALLOTING and stage != Stage.BALLOTING
            self.stage = stage
            self.save(update_fields=["stage"])
            StageChange.objects.create(campaign=self, stage=stage, changed_by=user)
            if closing:
                Ballot.objects.filter(campaign=self).reshuffle()


class StageChange(models.Model):
    """Who moved the campaign to which stage, and when (organisers' actions, never ballots)."""

    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]


class Appraisee(models.Model):
    """A member being appraised, snapshotted from the roster when the campaign enrols members."""

    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="appraisees")
    roster_entry = models.ForeignKey(RosterEntry, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    member_type = models.CharField(_("member type"), max_length=16, choices=RosterEntry.MemberType.choices)
    final_grade = models.CharField(_("final grade"), max_length=16, choices=Grade.choices, blank=True)
    final_reason = models.CharField(_("reason for differing from the suggestion"), max_length=500, blank=True)

    class Meta:
        ordering = ["roster_entry__member_no", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "roster_entry"], name="appraisee_once_per_campaign"),
            models.CheckConstraint(
                condition=Q(member_type="full") | Q(final_grade=""), name="probationary_members_are_not_graded"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_graded(self) -> bool:
        return self.member_type == RosterEntry.MemberType.FULL


class SelfAssessment(models.Model):
    """个人自评: a member's written summary and self-grade."""

    appraisee = models.OneToOneField(Appraisee, on_delete=models.CASCADE, related_name="self_assessment")
    study = models.TextField(_("study and political awareness"), max_length=3000)
    duties = models.TextField(_("performance of duties"), max_length=3000)
    shortcomings = models.TextField(_("shortcomings"), max_length=3000)
    plan = models.TextField(_("plan for improvement"), max_length=3000)
    self_grade = models.CharField(_("self-grade"), max_length=16, choices=Grade.choices)
    updated_on = models.DateField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("self-assessment")


class MassesInvitation(models.Model):
    """A single-use code for a masses' representative. Only its hash is stored."""

    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="invitations")
    code_hash = models.CharField(max_length=64, unique=True)
    revoked = models.BooleanField(default=False)

    @staticmethod
    def hash_code(code: str) -> str:
        normalised = code.strip().upper().replace("-", "").replace(" ", "")
        return hashlib.sha256(f"{settings.SECRET_KEY}|invitation|{normalised}".encode()).hexdigest()


class Participation(models.Model):
    """That a voter returned a ballot — never which ballot. Holds no time finer than the ballot date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="participations")
    group = models.CharField(max_length=10, choices=VoterGroup.choices)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    invitation = models.OneToOneField(MassesInvitation, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "voter"], name="one_ballot_per_voter"),
            models.CheckConstraint(
                condition=(Q(group="members", voter__isnull=False, invitation__isnull=True))
                | Q(group="masses", voter__isnull=True, invitation__isnull=False),
                name="participation_member_or_invited",
            ),
        ]


class BallotQuerySet(models.QuerySet):
    def reshuffle(self) -> None:
        """Store the ballots, their entries and their campaigns' participation rows again, each in a
        random order, so that neither row order (what a backup or a table scan shows) nor the entries'
        sequential ids follow the order of voting any more.

        Deleted and inserted again rather than updated: SQLite keeps a row's rowid through an UPDATE, and
        the entries need new ids. Keys and receipts stay the same, so receipts can still be checked.
        """
        shuffle = secrets.SystemRandom().shuffle
        with transaction.atomic():
            ballots = list(self.select_for_update())
            if not ballots:
                return
            keys = [ballot.pk for ballot in ballots]
            entries = list(BallotEntry.objects.filter(ballot_id__in=keys))
            participations = list(
                Participation.objects.filter(campaign_id__in={ballot.campaign_id for ballot in ballots})
            )
            Participation.objects.filter(pk__in=[p.pk for p in participations]).delete()
            Ballot.objects.filter(pk__in=keys).delete()  # and their entries, by cascade
            for rows in (ballots, entries, participations):
                shuffle(rows)
            for entry in entries:
                entry.pk = None
            Ballot.objects.bulk_create(ballots)
            BallotEntry.objects.bulk_create(entries)
            Participation.objects.bulk_create(participations)


class Ballot(models.Model):
    """A returned 民主测评表. No voter, no timestamp: only the campaign's ballot date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="ballots")
    group = models.CharField(max_length=10, choices=VoterGroup.choices)
    cast_on = models.DateField()
    receipt = models.CharField(max_length=64, unique=True)

    objects = BallotQuerySet.as_manager()


class BallotEntry(models.Model):
    """One row of a ballot: the grade for one member (blank = abstention)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="entries")
    appraisee = models.ForeignKey(Appraisee, on_delete=models.CASCADE, related_name="ballot_entries")
    grade = models.CharField(max_length=16, choices=Grade.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "appraisee"], name="one_row_per_member_per_ballot")]
