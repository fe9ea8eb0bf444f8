"""The member's life cycle: recruitment dossiers (发展党员) with their steps and documents.

The dossier holds the person until the level above approves them as a probationary member; from
then on they are also a roster entry (organizations.RosterEntry), which the appraisal already reads
(预备党员 are not graded). What a step may do, and when, is in membership/recruitment.py.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.private_files import PrivateStorage
from organizations.models import Organization, RosterEntry


class Stage(models.TextChoices):
    """Where a person stands on the way to full membership."""

    APPLICANT = "applicant", _("Applicant")
    ACTIVIST = "activist", _("Activist")
    CANDIDATE = "candidate", _("Development candidate")
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")
    CANCELLED = "cancelled", _("Probationary membership cancelled")


class StepKind(models.TextChoices):
    """The recorded steps of recruitment, in the order of the national rules (docs/recruitment.md)."""

    APPLICATION = "application", _("Application for membership")
    TALK = "talk", _("Talk with the applicant")
    ACTIVIST = "activist", _("Chosen as an activist")
    ACTIVIST_REVIEW = "activist_review", _("Six-monthly review of the activist")
    CANDIDATE = "candidate", _("Made a development candidate")
    POLITICAL_REVIEW = "political_review", _("Political review")
    TRAINING = "training", _("Centralised training")
    COMMITTEE_REVIEW = "committee_review", _("Review by the branch committee")
    PRE_REVIEW = "pre_review", _("Pre-review by the level above")
    NOTICE = "notice", _("Public notice")
    APPLICATION_FORM = "application_form", _("Application form filled in")
    ADMISSION_MEETING = "admission_meeting", _("Branch general meeting on admission")
    HIGHER_TALK = "higher_talk", _("Talk by the level above")
    ADMISSION_APPROVAL = "admission_approval", _("Admission approved by the level above")
    OATH = "oath", _("Oath")
    CONVERSION_MEETING = "conversion_meeting", _("Branch general meeting at the end of probation")
    CONVERSION_APPROVAL = "conversion_approval", _("End-of-probation decision approved by the level above")


# Steps that may be recorded more than once: reviews recur, a meeting that did not adopt may be held
# again, and an extended probation ends with a second meeting and approval.
REPEATABLE_STEPS = (
    StepKind.ACTIVIST_REVIEW,
    StepKind.ADMISSION_MEETING,
    StepKind.CONVERSION_MEETING,
    StepKind.CONVERSION_APPROVAL,
)
MEETING_STEPS = (StepKind.ADMISSION_MEETING, StepKind.CONVERSION_MEETING)


class Decision(models.TextChoices):
    """What the branch meeting decides at the end of probation (党章第七条)."""

    FULL = "full", _("Full membership")
    EXTEND = "extend", _("Extend the probation")
    CANCEL = "cancel", _("Cancel the probationary membership")


class DossierQuerySet(models.QuerySet):
    def in_branches(self, branches) -> DossierQuerySet:
        return self.filter(branch__in=branches)

    def open(self) -> DossierQuerySet:
        """Dossiers still going somewhere: not yet full members, not cancelled."""
        return self.exclude(stage__in=[Stage.FULL, Stage.CANCELLED])

    def with_steps(self) -> DossierQuerySet:
        """Everything a schedule reads, in a constant number of queries."""
        return self.select_related("branch", "roster_entry").prefetch_related(
            models.Prefetch("steps", queryset=Step.objects.order_by("taken_on", "pk")),
            "contacts",
            "introducers",
        )


class Dossier(models.Model):
    """A person's recruitment file (发展党员档案), kept by their branch."""

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="dossiers"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=RosterEntry.Gender.choices)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
        help_text=_("The person's own account: they may read their dossier."),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.APPLICANT)
    contacts = models.ManyToManyField(
        RosterEntry, verbose_name=_("contacts"), blank=True, related_name="+", help_text=_("One or two full members.")
    )
    introducers = models.ManyToManyField(
        RosterEntry, verbose_name=_("introducers"), blank=True, related_name="+", help_text=_("Two full members.")
    )
    roster_entry = models.OneToOneField(
        RosterEntry,
        verbose_name=_("roster entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossier",
    )
    probation_ends = models.DateField(_("probation ends"), null=True, blank=True)
    probation_extended = models.BooleanField(_("probation extended"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("recruitment dossier")
        verbose_name_plural = _("recruitment dossiers")
        ordering = ["branch__path", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_stage_display()}）"

    @cached_property
    def step_list(self) -> list[Step]:
        """The steps taken, oldest first (prefetched by `with_steps()`)."""
        return sorted(self.steps.all(), key=lambda step: (step.taken_on, step.pk))

    def last(self, kind: str) -> Step | None:
        found = [step for step in self.step_list if step.kind == kind]
        return found[-1] if found else None

    def date_of(self, kind: str) -> datetime.date | None:
        step = self.last(kind)
        return step.taken_on if step else None

    @property
    def applied_on(self) -> datetime.date | None:
        return self.date_of(StepKind.APPLICATION)


class Step(models.Model):
    """One step of a dossier as it was taken: when, by whom, with what the rule asks for."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=24, choices=StepKind.choices)
    taken_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # Centralised training: at least three days or 24 class hours.
    training_days = models.PositiveSmallIntegerField(_("training days"), null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(_("class hours"), null=True, blank=True)
    # Branch general meetings: the counts the quorum and the majority are computed from.
    # `entitled` is computed from the roster on the meeting's date (recruitment.voting_base), less those the
    # level above agreed to leave out (`excused`, with the reason): never typed.
    entitled = models.PositiveSmallIntegerField(_("full members with a vote due to attend"), null=True, blank=True)
    excused = models.PositiveSmallIntegerField(
        _("full members left out of the count"),
        default=0,
        help_text=_(
            "Full members with a vote whom the level above agreed to leave out of those due to attend "
            "(long illness, working abroad…); 0 for none."
        ),
    )
    excused_reason = models.CharField(
        _("why they are left out"),
        max_length=300,
        blank=True,
        help_text=_("Who, why, and when the level above agreed."),
    )
    present = models.PositiveSmallIntegerField(_("full members with a vote present"), null=True, blank=True)
    written = models.PositiveSmallIntegerField(_("written opinions of absent members"), null=True, blank=True)
    agree = models.PositiveSmallIntegerField(pgettext_lazy("votes", "in favour"), null=True, blank=True)
    against = models.PositiveSmallIntegerField(pgettext_lazy("votes", "against"), null=True, blank=True)
    abstain = models.PositiveSmallIntegerField(pgettext_lazy("votes", "abstentions"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    extension_months = models.PositiveSmallIntegerField(_("extension in months"), null=True, blank=True)

    class Meta:
        verbose_name = _("recruitment step")
        verbose_name_plural = _("recruitment steps")
        ordering = ["taken_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=~Q(kind__in=[kind.value for kind in REPEATABLE_STEPS]),
                name="membership_step_once_per_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.taken_on:%Y-%m-%d}"

    @property
    def has_quorum(self) -> bool:
        """More than half of the full members with a vote are present (细则第二十条)."""
        return self.entitled is not None and self.present is not None and self.present * 2 > self.entitled

    @property
    def adopted(self) -> bool:
        """Quorum, and more than half of those due to attend with a vote agree (细则第二十一条)."""
        return self.has_quorum and self.agree is not None and self.agree * 2 > self.entitled


def _private_storage() -> PrivateStorage:
    # Kept as a callable: migration 0001 names it. Dossier papers are personal data, handed out only by
    # membership.views.document after a permission check.
    return PrivateStorage()


class DossierDocument(models.Model):
    """A paper of the dossier (application letter, review form, 入党志愿书…), stored privately."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), storage=_private_storage, upload_to="dossiers/%Y/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RELEASED = "released", _("Released by the old branch")
    ACCEPTED = "accepted", _("Accepted by the new branch")
    CANCELLED = "cancelled", pgettext_lazy("transfer status", "Cancelled")


OPEN_TRANSFER = (TransferStatus.REQUESTED, TransferStatus.RELEASED)


class TransferQuerySet(models.QuerySet):
    def open(self) -> TransferQuerySet:
        return self.filter(status__in=OPEN_TRANSFER)

    def touching(self, branches) -> TransferQuerySet:
        return self.filter(Q(from_branch__in=branches) | Q(to_branch__in=branches))


class Transfer(models.Model):
    """A transfer of membership (组织关系转接): the old branch releases, the new one accepts.

    The roster entry is one row that changes branch when the new branch accepts; until then it
    stays on the old roster. At most one open transfer per member (a database constraint), so a
    member is never held by two branches, and a cancelled transfer leaves the entry where it was.
    """

    entry = models.ForeignKey(RosterEntry, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    from_branch = models.ForeignKey(
        Organization, verbose_name=_("from branch"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_branch = models.ForeignKey(
        Organization,
        verbose_name=_("to branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        help_text=_("Leave empty for an organisation outside the platform."),
    )
    outside_organization = models.CharField(
        _("organisation outside the platform"), max_length=120, blank=True, help_text=_("Receiving Party organisation")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    old_member_no = models.CharField(_("member number in the old branch"), max_length=32)
    new_member_no = models.CharField(_("member number in the new branch"), max_length=32, blank=True)
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer of membership")
        verbose_name_plural = _("transfers of membership")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status__in=["requested", "released"]), name="membership_one_open_transfer"
            ),
            models.CheckConstraint(
                condition=Q(to_branch__isnull=False) | ~Q(outside_organization=""),
                name="membership_transfer_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry.name}：{self.from_branch.name} → {self.target_name}"

    @property
    def target_name(self) -> str:
        return self.to_branch.name if self.to_branch_id else self.outside_organization

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TRANSFER


class MobileStatus(models.TextChoices):
    IN_TOUCH = "in_touch", _("In touch")
    LOST = "lost", _("Lost contact")
    RETURNED = "returned", _("Returned")


class MobileDirection(models.TextChoices):
    OUTFLOW = "outflow", _("Outflow: our member working elsewhere")
    INFLOW = "inflow", _("Inflow: a member from elsewhere living here")


class MobileRecordQuerySet(models.QuerySet):
    def current(self) -> MobileRecordQuerySet:
        return self.exclude(status=MobileStatus.RETURNED)

    def with_last_contact(self) -> MobileRecordQuerySet:
        """Each record's last contact (or its registration when there is none), computed in SQL."""
        return self.annotate(last_contact=Coalesce(Max("contacts__contacted_on"), F("registered_on")))

    def not_contacted_since(self, day: datetime.date) -> MobileRecordQuerySet:
        return self.current().with_last_contact().filter(last_contact__lt=day)


class MobileRecord(models.Model):
    """A mobile member (流动党员) the branch keeps in touch with, outflowing or inflowing."""

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="mobile_records"
    )
    direction = models.CharField(_("direction"), max_length=8, choices=MobileDirection.choices)
    entry = models.ForeignKey(
        RosterEntry,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobile_records",
        help_text=_("Our roster entry (outflow)."),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    home_organization = models.CharField(
        _("home Party organisation"),
        max_length=120,
        blank=True,
        help_text=_("Where an inflowing member's membership is."),
    )
    place = models.CharField(_("where"), max_length=120)
    employer = models.CharField(_("employer or place of work"), max_length=120, blank=True)
    contact = models.CharField(_("how to reach them"), max_length=120)
    certificate_no = models.CharField(_("activity certificate number"), max_length=40, blank=True)
    registered_on = models.DateField(_("registered on"), default=timezone.localdate)
    expected_return = models.DateField(_("expected return"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MobileStatus.choices, default=MobileStatus.IN_TOUCH)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)

    objects = MobileRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("mobile member")
        verbose_name_plural = _("mobile members")
        ordering = ["branch__path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=~Q(status="returned"), name="membership_one_current_mobile_record"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.place}）"


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    MESSAGE = "message", _("Message")
    ONLINE = "online", _("Online meeting or study")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")


class ContactLog(models.Model):
    """One contact with a mobile member: how, when, what."""

    record = models.ForeignKey(MobileRecord, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField(_("date"), default=timezone.localdate)
    method = models.CharField(_("how"), max_length=8, choices=ContactMethod.choices)
    note = models.CharField(_("what"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-contacted_on", "-pk"]


class DuesCategory(models.TextChoices):
    """How a member's dues are set (《关于中国共产党党费收缴、使用和管理的规定》)."""

    SERVING = "serving", _("In work (salary or wage)")
    RETIRED = "retired", _("Retired (pension)")
    FARMER = "farmer", _("Farmer")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    SUBSISTENCE = "subsistence", _("Living on the subsistence allowance")


class DuesRule(models.Model):
    """One bracket of the dues rules in force from `valid_from`, for an organisation and all below it.

    Rules without an organisation are the national defaults (a data migration adds them); a
    community or the street may set its own from a date, and its latest set in force wins.
    A bracket takes a rate of the declared monthly base, or a fixed monthly amount.
    """

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the national default."),
    )
    valid_from = models.DateField(_("in force from"))
    category = models.CharField(_("category"), max_length=12, choices=DuesCategory.choices)
    above = models.DecimalField(
        _("base above (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=_("Empty: from 0.")
    )
    up_to = models.DecimalField(
        _("base up to (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=_("Empty: no limit.")
    )
    rate = models.DecimalField(
        _("rate"), max_digits=6, decimal_places=4, null=True, blank=True, help_text=_("0.005 for 0.5%.")
    )
    fixed = models.DecimalField(_("fixed monthly amount (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("dues rule")
        verbose_name_plural = _("dues rules")
        ordering = ["organization__path", "-valid_from", "category", "above"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rate__isnull=False) & Q(fixed__isnull=True))
                | (Q(rate__isnull=True) & Q(fixed__isnull=False)),
                name="membership_dues_rule_rate_or_fixed",
            )
        ]

    def __str__(self) -> str:
        amount = f"{self.rate * 100:.2f}%" if self.rate is not None else f"{self.fixed} 元"
        return f"{self.get_category_display()} {self.above or 0}–{self.up_to or '∞'}: {amount}"


class DuesAssessment(models.Model):
    """A member's dues for a year: the declared monthly base (never payroll detail) and the amount."""

    entry = models.ForeignKey(
        RosterEntry, verbose_name=_("member"), on_delete=models.CASCADE, related_name="dues_assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=12, choices=DuesCategory.choices)
    declared_base = models.DecimalField(
        _("declared monthly base (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text=_("Monthly income after tax as the member declares it; only for those in work or retired."),
    )
    monthly_amount = models.DecimalField(_("monthly dues (yuan)"), max_digits=8, decimal_places=2, editable=False)
    starts_on = models.DateField(
        _("liable from"), help_text=_("1 January, or the day the branch meeting admitted a new member.")
    )

    class Meta:
        verbose_name = _("dues assessment")
        verbose_name_plural = _("dues assessments")
        ordering = ["year", "entry__member_no"]
        constraints = [models.UniqueConstraint(fields=["entry", "year"], name="membership_one_dues_assessment_a_year")]

    def __str__(self) -> str:
        return f"{self.entry.name} {self.year}: {self.monthly_amount}"


class DuesPayment(models.Model):
    """A month's dues as paid (recorded here; the money is handed over or transferred elsewhere)."""

    entry = models.ForeignKey(
        RosterEntry, verbose_name=_("member"), on_delete=models.CASCADE, related_name="dues_payments"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("paid on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["month", "entry__member_no"]
        constraints = [models.UniqueConstraint(fields=["entry", "month"], name="membership_one_dues_payment_a_month")]


class ReliefStatus(models.TextChoices):
    REQUESTED = "requested", _("Agreed by the branch, waiting for approval")
    APPROVED = "approved", _("Approved by the level above")
    REFUSED = "refused", _("Refused by the level above")


class DuesRelief(models.Model):
    """A reduction or exemption: asked by the member, agreed by the branch, approved by the level above."""

    entry = models.ForeignKey(
        RosterEntry, verbose_name=_("member"), on_delete=models.CASCADE, related_name="dues_reliefs"
    )
    from_month = models.DateField(_("from month"))
    to_month = models.DateField(_("to month"))
    reduced_amount = models.DecimalField(
        _("reduced monthly amount (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text=_("0 for an exemption."),
    )
    reason = models.CharField(_("reason"), max_length=200)
    branch_agreed_on = models.DateField(_("branch agreed on"))
    status = models.CharField(_("status"), max_length=10, choices=ReliefStatus.choices, default=ReliefStatus.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("dues reduction or exemption")
        verbose_name_plural = _("dues reductions and exemptions")
        ordering = ["-from_month", "pk"]

    def covers(self, month: datetime.date) -> bool:
        return self.status == ReliefStatus.APPROVED and self.from_month <= month <= self.to_month


class DuesKeeperQuerySet(models.QuerySet):
    def serving(self) -> DuesKeeperQuerySet:
        """Keepers still active members of the branch they keep: one who left or moved away sees nothing."""
        member = RosterEntry.objects.active().filter(branch=OuterRef("branch"), user=OuterRef("user"))
        return self.filter(Exists(member))


class DuesKeeper(models.Model):
    """The branch's dues keeper (党费收缴员), named by its secretary: sees and records the branch's dues
    while they are an active member of the branch."""

    branch = models.ForeignKey(Organization, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )

    objects = DuesKeeperQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues keeper")
        verbose_name_plural = _("dues keepers")
        constraints = [models.UniqueConstraint(fields=["branch", "user"], name="membership_dues_keeper_once")]


class StudyDeadline(models.Model):
    """A deadline for required study material (必学), set by an organisation for everyone below it."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    page = models.ForeignKey("home.StudyPage", verbose_name=_("study page"), on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("to be studied by"))

    class Meta:
        verbose_name = _("required study deadline")
        verbose_name_plural = _("required study deadlines")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "page"], name="membership_one_deadline_per_page")
        ]

    def __str__(self) -> str:
        return f"{self.page} · {self.due_on:%Y-%m-%d}"


class PointSource(models.TextChoices):
    """Where study points come from: records other apps already keep (pulled, never typed again)."""

    STUDY = "study", _("Study material studied")
    CONSULTATION = "consultation", _("Opinions posted in consultations")
    MEETING = "meeting", _("Meetings attended (orglife sign-ins)")
    VOLUNTEER = "volunteer", _("Volunteer service hours (在职党员双报到)")


class PointRule(models.Model):
    """How many points an item of a source gives, with a daily cap, set by the street from a date.

    Points are personal: each member sees their own; there is no ranking and no report upward.
    Nothing is counted for time spent online or for signing in (national rules since 2023).
    """

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16, choices=PointSource.choices)
    points = models.PositiveSmallIntegerField(
        _("points per item"),
        default=1,
        help_text=_(
            "For volunteer service hours: points per hour of service (whole points for the year, rounded down)."
        ),
    )
    daily_cap = models.PositiveSmallIntegerField(
        _("daily cap"),
        default=5,
        help_text=_(
            "Not for volunteer service hours: the community's handler records them (at most 24 a day) and "
            "they count for the whole year."
        ),
    )
    valid_from = models.DateField(_("in force from"))

    class Meta:
        verbose_name = _("study point rule")
        verbose_name_plural = _("study point rules")
        ordering = ["organization__path", "source", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "source", "valid_from"], name="membership_one_point_rule")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.points} / {self.daily_cap}"


class ReminderSent(models.Model):
    """When a reminder about one due item went to one person: the same item is not repeated for a week."""

    key = models.CharField(max_length=120)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "user"], name="membership_reminder_once")]
