"""The annual democratic appraisal of Party members (民主评议党员).

Secrecy by construction (docs/security.md):
- Who voted (Participation) is written in the same transaction as an opaque `SealedBallot`: the ballot
  encrypted to the campaign's public key (core/sealing.py). The participation row's unique constraint
  makes a second ballot by the same voter impossible; the database holds nothing that opens the blob.
- The mixer (evaluation/mixing.py) opens sealed ballots in batches of at least SEALING_MIX_BATCH, and
  always at the close, shuffles each batch and writes the plaintext `Ballot` / `BallotEntry` rows and,
  separately shuffled, the `Receipt` digests, in one transaction, with random keys and no time finer
  than the ballot date. After the final mix the private key is destroyed.
- Closing balloting is final, and settings, the voter list and enrolment freeze when it opens: a ballot
  can never be re-opened to catch one voter's ballot alone.
- A ballot closed below the minimum turnout is held again as a new round (轮次): a fresh box with a new
  key, and everyone votes again. Every ballot row carries its round; rounds are never merged, and an invalid
  round's ballots are never published one by one (docs/security.md, H3).
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import sealing
from evaluation import scoring
from home.models.site import panels_changed
from organizations.models import Organization, RosterEntry


class Grade(models.TextChoices):
    EXCELLENT = scoring.EXCELLENT, _("Excellent")
    COMPETENT = scoring.COMPETENT, _("Competent")
    BASIC = scoring.BASIC, _("Basically competent")
    INCOMPETENT = scoring.INCOMPETENT, _("Incompetent")


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

    # The sealed ballot box (core/sealing.py): a random scope names the key file (never the pk: scopes must be
    # unique across databases); the public key is safe to store, the private key never enters the database.
    seal_scope = models.CharField(max_length=90, blank=True, editable=False)
    seal_public_key = models.BinaryField(null=True, blank=True, editable=False)
    # The round of balloting under way or last closed (1 unless an invalid ballot was held again). The box and
    # the paper-ballot count above are this round's; earlier rounds are kept in `BallotRound`.
    ballot_round = models.PositiveSmallIntegerField(_("ballot round"), default=1, editable=False)
    # Paper ballots for members who cannot vote online, entered twice by two scrutineers (计票人).
    paper_ballots_issued = models.PositiveIntegerField(_("paper ballots issued"), default=0)
    first_scrutineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first scrutineer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    second_scrutineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second scrutineer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # What may not change once balloting has opened: who votes and how the votes are read. (Dates after the
    # ballot, the notice period and the paper-ballot fields stay editable.)
    FROZEN_WHEN_BALLOTING = (
        "branch",
        "year",
        "study_starts",
        "self_assessment_starts",
        "ballot_date",
        "masses_enabled",
        "member_weight",
        "masses_weight",
        "excellent_min_rate",
        "basic_min_rate",
        "incompetent_flag_rate",
        "masses_trust_min",
        "min_turnout",
    )

    class Meta:
        verbose_name = _("appraisal campaign")
        verbose_name_plural = _("appraisal campaigns")
        ordering = ["-year", "branch__path"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="appraisal_one_per_branch_year"),
            models.CheckConstraint(
                condition=~Q(first_scrutineer=models.F("second_scrutineer")), name="two_different_scrutineers"
            ),
        ]

    def __str__(self) -> str:
        return _("%(branch)s democratic appraisal %(year)s") % {"branch": self.branch.name, "year": self.year}

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or {"stage", "ballot_round"} & set(update_fields)):
            # Whatever path saves the stage (a form, the admin, a script), closing stays final: balloting opens
            # again only as the next round, with a new box (start_new_round).
            stored = AppraisalCampaign.objects.filter(pk=self.pk).values("stage", "ballot_round", "seal_scope").first()
            if stored and not self._stage_change_allowed(stored):
                raise ValidationError(_("Balloting has closed for good: it cannot be opened again."))
        if update_fields is None or set(update_fields) & set(self.FROZEN_WHEN_BALLOTING):
            frozen = self.frozen_changes()
            if frozen:
                raise ValidationError(
                    _("Balloting has opened: these settings can no longer change: %(fields)s.")
                    % {"fields": ", ".join(str(self._meta.get_field(name).verbose_name) for name in frozen)}
                )
        super().save(*args, **kwargs)

    def _stage_change_allowed(self, stored: dict) -> bool:
        if self.ballot_round == stored["ballot_round"]:
            return (
                stored["stage"] == self.stage or self.stage in AppraisalCampaign(stage=stored["stage"]).allowed_stages()
            )
        # A new round starts only from the organisational assessment, one round on, with a new box.
        return (
            self.ballot_round == stored["ballot_round"] + 1
            and stored["stage"] == Stage.ASSESSMENT
            and self.stage == Stage.BALLOTING
            and self.seal_scope != stored["seal_scope"]
        )

    def frozen_changes(self) -> list[str]:
        """Frozen settings this unsaved instance would change, if balloting has opened (in the database)."""
        if not self.pk:
            return []
        stored = AppraisalCampaign.objects.filter(pk=self.pk).values("stage", *self.FROZEN_WHEN_BALLOTING).first()
        if stored is None or STAGE_ORDER.index(stored["stage"]) < STAGE_ORDER.index(Stage.BALLOTING):
            return []
        changed = []
        for name in self.FROZEN_WHEN_BALLOTING:
            field = self._meta.get_field(name)
            if field.value_from_object(self) != stored[name]:
                changed.append(name)
        return changed

    def clean(self) -> None:
        if self.branch_id and self.branch.kind != Organization.Kind.BRANCH:
            raise ValidationError({"branch": _("An appraisal belongs to a Party branch.")})
        if self.member_weight + self.masses_weight <= 0:
            raise ValidationError({"member_weight": _("At least one weight must be above zero.")})
        frozen = self.frozen_changes()
        if frozen:
            message = _("Balloting has opened: this setting can no longer change.")
            raise ValidationError({name: message for name in frozen})
        if self.first_scrutineer_id and self.first_scrutineer_id == self.second_scrutineer_id:
            raise ValidationError({"second_scrutineer": _("The two scrutineers must be different people.")})

    def stage_reached(self, stage: str) -> bool:
        return STAGE_ORDER.index(self.stage) >= STAGE_ORDER.index(stage)

    @property
    def ballot_open(self) -> bool:
        return self.stage == Stage.BALLOTING

    @property
    def ballot_closed(self) -> bool:
        return self.stage_reached(Stage.ASSESSMENT)

    @property
    def box_opening(self) -> bool:
        """Balloting has closed and the task worker has not yet opened the sealed ballots (正在开箱): no
        result is shown until it has (evaluation/mixing.py `open_box`)."""
        return self.ballot_closed and bool(self.seal_scope) and self.sealed_ballots.exists()

    @property
    def self_assessment_open(self) -> bool:
        return self.stage in {Stage.STUDYING, Stage.SELF_ASSESSMENT}

    @property
    def rules(self) -> scoring.Rules:
        return scoring.Rules(
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
        panels_changed()  # the members' home pages list the appraisal (bulk_create sends no signal)
        return len(new)

    @staticmethod
    def closed_stages() -> list[str]:
        return STAGE_ORDER[STAGE_ORDER.index(Stage.ASSESSMENT) :]

    def allowed_stages(self) -> list[str]:
        """Where the campaign may move from here: never back before the ballot once it has opened, and
        never back to the ballot once it has closed (re-opening would expose the ballots cast meanwhile)."""
        if self.stage_reached(Stage.ASSESSMENT):
            return STAGE_ORDER[STAGE_ORDER.index(Stage.ASSESSMENT) :]
        if self.stage_reached(Stage.BALLOTING):
            return STAGE_ORDER[STAGE_ORDER.index(Stage.BALLOTING) :]
        return list(STAGE_ORDER)

    def move_to(self, stage: str, user) -> None:
        """Change the stage. Opening balloting makes the ballot box's key pair and freezes the voter list;
        closing it (any move out of balloting) mixes every sealed ballot left and destroys the key."""
        if stage not in STAGE_ORDER:
            raise ValidationError(_("Unknown stage."))
        from evaluation import mixing  # mixing imports this module

        with transaction.atomic():
            # Waits for ballots being written (they read this row FOR SHARE) and makes ballots started
            # meanwhile wait, then see the new stage and be refused.
            self.stage = AppraisalCampaign.objects.select_for_update().values_list("stage", flat=True).get(pk=self.pk)
            if stage not in self.allowed_stages():
                if self.ballot_closed:
                    raise ValidationError(_("Balloting has closed for good: it cannot be opened again."))
                raise ValidationError(_("Balloting has opened: the campaign cannot go back to an earlier stage."))
            opening = self.stage != Stage.BALLOTING and stage == Stage.BALLOTING
            closing = self.stage == Stage.BALLOTING and stage != Stage.BALLOTING
            fields = ["stage"]
            if opening:
                self._open_ballot_box()
                fields += ["seal_scope", "seal_public_key"]
            self.stage = stage
            self.save(update_fields=fields)
            StageChange.objects.create(campaign=self, stage=stage, changed_by=user)
            if closing:
                mixing.close_box(self)

    def start_new_round(self, user) -> None:
        """Hold the ballot again after an invalid close (shared/domain.md: turnout): the next round opens
        with a new box (new key), the paper-ballot count back to 0 and every member voting again.

        Only from the organisational assessment, and only when the round that closed is not valid: a valid
        ballot is never held again. Round n is never re-opened: its ballots stay mixed and counted as round
        n only; the new round's ballots, participations and receipts carry the new number.
        """
        from evaluation import tally  # tally imports this module

        with transaction.atomic():
            locked = AppraisalCampaign.objects.select_for_update().get(pk=self.pk)
            if locked.stage != Stage.ASSESSMENT:
                raise ValidationError(_("A new round of balloting can start only after balloting has closed."))
            if tally.ballot_valid(locked, tally.turnout_now(locked)):
                raise ValidationError(_("The ballot is valid: it is not held again."))
            if locked.sealed_ballots.exists():
                raise ValidationError(_("The last round's ballots are not all counted yet: try again shortly."))
            BallotRound.objects.create(
                campaign=locked, number=locked.ballot_round, paper_ballots_issued=locked.paper_ballots_issued
            )
            spent = locked.seal_scope
            locked.ballot_round += 1
            locked.paper_ballots_issued = 0
            locked.seal_scope = ""
            locked._open_ballot_box()
            locked.stage = Stage.BALLOTING
            locked.save(
                update_fields=["stage", "ballot_round", "paper_ballots_issued", "seal_scope", "seal_public_key"]
            )
            StageChange.objects.create(campaign=locked, stage=Stage.BALLOTING, changed_by=user)
            if spent:  # destroyed at the close already, unless that process died before it could
                transaction.on_commit(lambda: sealing.destroy(spent) if sealing.has_key(spent) else None)
        for name in ("stage", "ballot_round", "paper_ballots_issued", "seal_scope", "seal_public_key"):
            setattr(self, name, getattr(locked, name))

    def _open_ballot_box(self) -> None:
        if not self.seal_scope:
            self.seal_scope = f"appraisal-{uuid.uuid4().hex}"
            self.seal_public_key = sealing.create_key(self.seal_scope)
        if self.ballot_round > 1:
            return  # the voter list froze when the first round opened
        # The voter list freezes: who may vote is whoever the roster linked to each member now.
        appraisees = list(self.appraisees.select_related("roster_entry"))
        for appraisee in appraisees:
            appraisee.user_id = appraisee.roster_entry.user_id
        Appraisee.objects.bulk_update(appraisees, ["user"])

    # Turnout: what the tally and the summary read (应到 / 发出 / 收回).
    def ballot_counts(self, ballot_round: int | None = None) -> BallotCounts:
        """The members' ballot counts of one round (by default the current one), online and on paper."""
        number = ballot_round or self.ballot_round
        online_voters = self.appraisees.filter(user__isnull=False).count()
        due = self.appraisees.count()
        online_returned = self.participations.filter(group=VoterGroup.MEMBERS, ballot_round=number).count()
        paper_entered = self.paper_ballots.filter(confirmed=True, ballot_round=number).count()
        if number == self.ballot_round:
            paper_issued = self.paper_ballots_issued
        else:
            paper_issued = self.rounds.get(number=number).paper_ballots_issued
        return BallotCounts(
            due=due,
            online_issued=online_voters,
            paper_issued=paper_issued,
            online_returned=online_returned,
            paper_returned=paper_entered,
        )


class BallotCounts:
    """应到 (every member with a vote), ballots issued and returned, online and on paper."""

    def __init__(self, *, due: int, online_issued: int, paper_issued: int, online_returned: int, paper_returned: int):
        self.due = due
        self.online_issued = online_issued
        self.paper_issued = paper_issued
        self.online_returned = online_returned
        self.paper_returned = paper_returned

    @property
    def issued(self) -> int:
        return self.online_issued + self.paper_issued

    @property
    def returned(self) -> int:
        return self.online_returned + self.paper_returned

    def __repr__(self) -> str:
        return (
            f"BallotCounts(due={self.due}, issued={self.online_issued}+{self.paper_issued}, "
            f"returned={self.online_returned}+{self.paper_returned})"
        )


class BallotRound(models.Model):
    """An earlier round of balloting, closed below the minimum turnout and held again.

    Written when the next round starts; it keeps what the campaign's current-round fields held for it.
    Its ballots, participations, receipts and paper ballots keep its number.
    """

    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    paper_ballots_issued = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="one_record_per_round")]


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
    ballot_round = models.PositiveSmallIntegerField(default=1)
    group = models.CharField(max_length=10, choices=VoterGroup.choices)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # A masses' representative keeps their code for a round held again: one ballot per code per round.
    invitation = models.ForeignKey(MassesInvitation, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "ballot_round", "voter"], name="one_ballot_per_voter_per_round"
            ),
            models.UniqueConstraint(
                fields=["campaign", "ballot_round", "invitation"], name="one_ballot_per_invitation_per_round"
            ),
            models.CheckConstraint(
                condition=(Q(group="members", voter__isnull=False, invitation__isnull=True))
                | Q(group="masses", voter__isnull=True, invitation__isnull=False),
                name="participation_member_or_invited",
            ),
        ]


class SealedBallot(models.Model):
    """A cast ballot, sealed to the campaign's public key: opaque until the mixer opens it.

    Written in the voter's participation transaction (or a confirmed paper ballot's); no voter, no time, no
    receipt: only the box it belongs to. The mixer deletes it when it writes the plaintext rows.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No round: only the current round's box holds sealed ballots (each close mixes them all, and the next
    # round starts only once the box is empty); the mixer writes the campaign's current round on the rows.
    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="sealed_ballots")
    blob = models.BinaryField()


class Ballot(models.Model):
    """A returned 民主测评表, written by the mixer. No voter, no receipt, no time: only the ballot date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="ballots")
    ballot_round = models.PositiveSmallIntegerField(default=1)
    group = models.CharField(max_length=10, choices=VoterGroup.choices)
    cast_on = models.DateField()


class BallotEntry(models.Model):
    """One row of a ballot: the grade for one member (blank = abstention). The mixer inserts a batch's
    entries in a random order, so their sequential ids follow no voting order."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="entries")
    appraisee = models.ForeignKey(Appraisee, on_delete=models.CASCADE, related_name="ballot_entries")
    grade = models.CharField(max_length=16, choices=Grade.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "appraisee"], name="one_row_per_member_per_ballot")]


class Receipt(models.Model):
    """That a ballot with this receipt was counted — never which ballot.

    Only a digest of the code the voter was shown is stored; the mixer writes the digests of a batch in an
    order shuffled apart from the batch's ballots, so nothing pairs a receipt with a ballot's content.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="receipts")
    ballot_round = models.PositiveSmallIntegerField(default=1)
    digest = models.CharField(max_length=64, unique=True)


class PaperBallot(models.Model):
    """A paper ballot entered by one scrutineer, waiting for the second to enter it again (double entry).

    The entry is kept only sealed (like an online ballot) with a keyed digest of its content: the second
    scrutineer's entry must have the same digest. Once confirmed, the blob goes into the ballot box and this
    row keeps only who entered and who confirmed it, for the count of paper ballots entered.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(AppraisalCampaign, on_delete=models.CASCADE, related_name="paper_ballots")
    ballot_round = models.PositiveSmallIntegerField(default=1)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_on = models.DateField(auto_now_add=True)
    confirmed = models.BooleanField(default=False)
    digest = models.CharField(max_length=64, blank=True)
    blob = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["entered_on", "id"]

    @property
    def label(self) -> str:
        """A short name for the sheet on the table ("#3F9A"), random like the key."""
        return self.id.hex[:4].upper()
