"""三张清单 (responsibility, task and problem lists), supervision notices and the annual assessment.

Every list belongs to one organisation and one year. The level above publishes its responsibility list as
the template of the levels below, which adopt it (a copy) and add their own items. Supervision notices go
from a level above to an organisation below, about one of its tasks or problems. The assessment's
indicator scheme belongs to the level that assesses; each organisation it assesses has one `Assessment`
with one `IndicatorScore` per indicator, whose evidence names the records the figure came from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, F, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

from core.private_files import PrivateStorage
from organizations.models import Organization

# Evidence files and 述职 reports are personal: under PRIVATE_ROOT, without a URL, handed out only by the views
# accountability.views.evidence_file and report_file after a permission check.
ATTACHMENTS = PrivateStorage("accountability")

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def this_year() -> int:
    return timezone.localdate().year


# --- Responsibility list (责任清单) -------------------------------------------------


class ResponsibilityList(ClusterableModel):
    """One organisation's responsibility list for a year; published, it is the template of the levels below."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="responsibility_lists"
    )
    year = models.PositiveSmallIntegerField(_("year"), default=this_year, validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=200)
    published = models.BooleanField(
        _("published to the levels below"),
        default=False,
        help_text=_("The organisations below adopt a published list as their template and add their own items."),
    )
    adopted_from = models.ForeignKey(
        "self",
        verbose_name=_("adopted from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("organization"),
        FieldRowPanel([FieldPanel("year"), FieldPanel("published")]),
        FieldPanel("title"),
        InlinePanel("items", heading=_("Items"), label=_("Item")),
    ]

    class Meta:
        verbose_name = _("responsibility list")
        verbose_name_plural = _("responsibility lists")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="responsibility_list_one_per_year"),
        ]

    def __str__(self) -> str:
        return self.title


class ResponsibilityItem(Orderable):
    """One duty, and who answers for it (书记抓、抓书记: the secretary is first responsible)."""

    responsibility_list = ParentalKey(ResponsibilityList, on_delete=models.CASCADE, related_name="items")
    duty = models.CharField(_("duty"), max_length=300)
    responsible = models.CharField(
        _("who answers for it"),
        max_length=100,
        help_text=_("A role or a person, e.g. the branch secretary (first responsible)."),
    )
    standard = models.TextField(_("standard"), blank=True)
    evidence_expected = models.CharField(_("evidence expected"), max_length=300, blank=True)
    frequency = models.CharField(_("frequency or deadline"), max_length=100, blank=True)
    inherited = models.BooleanField(_("from the template above"), default=False, editable=False)

    panels = [
        FieldPanel("duty"),
        FieldPanel("responsible"),
        FieldPanel("standard"),
        FieldRowPanel([FieldPanel("evidence_expected"), FieldPanel("frequency")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return self.duty


# --- Task list (任务清单) --------------------------------------------------------


class Priority(models.TextChoices):
    HIGH = "high", pgettext_lazy("priority", "High")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    LOW = "low", pgettext_lazy("priority", "Low")


class TaskQuerySet(models.QuerySet):
    def open(self) -> TaskQuerySet:
        return self.exclude(status__in=[Task.Status.DONE, Task.Status.CANCELLED])

    def overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due_between(self, start: dt.date, end: dt.date) -> TaskQuerySet:
        return self.open().filter(due_on__gte=start, due_on__lte=end)

    def with_overdue_flag(self, today: dt.date | None = None) -> TaskQuerySet:
        today = today or timezone.localdate()
        late = Q(due_on__lt=today) & ~Q(status__in=[Task.Status.DONE, Task.Status.CANCELLED])
        return self.annotate(is_overdue=Case(When(late, then=True), default=False, output_field=models.BooleanField()))


class Task(models.Model):
    """Something the organisation must do by a date (任务清单)."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("task status", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")
        DONE = "done", pgettext_lazy("task status", "Done")
        CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="accountability_tasks"
    )
    year = models.PositiveSmallIntegerField(_("year"), default=this_year, validators=YEAR_VALIDATORS)
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsibility = models.ForeignKey(
        ResponsibilityItem,
        verbose_name=_("responsibility"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    owner = models.CharField(_("person in charge"), max_length=64)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due date"))
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # The day it was cancelled: a task cancelled after its due date still counts as late in the assessment.
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Reminders sent, so that the daily run tells each thing once.
    due_soon_reminded = models.BooleanField(default=False, editable=False)
    overdue_reminded = models.BooleanField(default=False, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return self.status not in (self.Status.DONE, self.Status.CANCELLED) and self.due_on < timezone.localdate()

    @property
    def done_on_time(self) -> bool:
        return self.status == self.Status.DONE and self.completed_on is not None and self.completed_on <= self.due_on


class TaskNote(models.Model):
    """A progress note on a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("progress note")


# --- Problem list (问题清单) -----------------------------------------------------


class ProblemQuerySet(models.QuerySet):
    def overdue(self, today: dt.date | None = None) -> ProblemQuerySet:
        return self.filter(status=Problem.Status.RECTIFYING, deadline__lt=today or timezone.localdate())


class Problem(models.Model):
    """Something found wrong, its rectification (整改) and its closing (销号) by the level above."""

    class Status(models.TextChoices):
        RECTIFYING = "rectifying", _("Being rectified")
        RECTIFIED = "rectified", _("Rectified")
        CLOSED = "closed", _("Closed off")

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        LEVEL_ABOVE = "level_above", _("The level above")
        SATISFACTION = "satisfaction", _("Satisfaction round")
        APPRAISAL = "appraisal", _("Democratic appraisal")
        RESIDENTS = "residents", _("Residents")
        ORGANISATIONAL_LIFE = "organisational_life", _("Organisational life")
        ASSESSMENT = "assessment", _("Last year's assessment")
        SELF = "self", _("Found by the organisation itself")

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="accountability_problems"
    )
    year = models.PositiveSmallIntegerField(_("year"), default=this_year, validators=YEAR_VALIDATORS)
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("found by"), max_length=24, choices=Source.choices, default=Source.SELF)
    measures = models.TextField(_("rectification measures"))
    owner = models.CharField(_("person in charge"), max_length=64)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECTIFYING)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed off at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    overdue_reminded = models.BooleanField(default=False, editable=False)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.RECTIFYING and self.deadline < timezone.localdate()


class ProblemProposal(models.Model):
    """A problem the platform's data suggests (a rule fired); nothing is raised until a person confirms it."""

    class Rule(models.TextChoices):
        SATISFACTION = "satisfaction", _("A satisfaction dimension below the threshold")
        CADENCE = "cadence", _("三会一课 cadence missed in a quarter")
        REQUESTS = "requests", _("Residents' requests overdue or rated dissatisfied")
        ASSESSMENT = "assessment", _("A final assessment grade of average or poor")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        CONFIRMED = "confirmed", _("Confirmed as a problem")
        DISMISSED = "dismissed", _("Dismissed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="problem_proposals")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    # What fired, e.g. "satisfaction:412:服务态度": a rule proposes the same thing once, whatever is decided.
    key = models.CharField(max_length=200)
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"))
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    problem = models.OneToOneField(Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("proposed problem")
        verbose_name_plural = _("proposed problems")
        ordering = ["-created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="problem_proposal_once")]

    def __str__(self) -> str:
        return self.title


# --- Supervision (督办) ------------------------------------------------------------


class SupervisionNoticeQuerySet(models.QuerySet):
    def unanswered(self) -> SupervisionNoticeQuerySet:
        return self.filter(replied_at=None)

    def overdue(self, today: dt.date | None = None) -> SupervisionNoticeQuerySet:
        return self.unanswered().filter(reply_due__lt=today or timezone.localdate())


class SupervisionNotice(models.Model):
    """A level above asks an organisation below to act on a task or problem and reply by a date."""

    issuer = models.ForeignKey(
        Organization, verbose_name=_("issued by"), on_delete=models.CASCADE, related_name="issued_notices"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("supervised organisation"), on_delete=models.CASCADE, related_name="notices"
    )
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    text = models.TextField(_("what is asked"))
    reply_due = models.DateField(_("reply by"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    reply_text = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    escalated_to = models.ForeignKey(
        Organization,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_notices",
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    due_soon_reminded = models.BooleanField(default=False, editable=False)

    objects = SupervisionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(task__isnull=False) & Q(problem__isnull=True))
                | (Q(task__isnull=True) & Q(problem__isnull=False)),
                name="notice_on_task_or_problem",
            )
        ]

    def __str__(self) -> str:
        return str(_("Supervision notice: %(subject)s") % {"subject": self.subject})

    @property
    def subject(self) -> Task | Problem:
        return self.task if self.task_id else self.problem

    @property
    def replied(self) -> bool:
        return self.replied_at is not None

    @property
    def overdue(self) -> bool:
        return not self.replied and self.reply_due < timezone.localdate()

    @property
    def replied_on_time(self) -> bool:
        return self.replied and timezone.localtime(self.replied_at).date() <= self.reply_due


# --- Evidence -------------------------------------------------------------------------


class Evidence(models.Model):
    """What shows a task done, a problem rectified or a notice answered: a record the platform already
    holds (a meeting record, a consultation, a survey, a study item) or, where nothing on the platform
    shows it, an attached file. Never a required photo."""

    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    notice = models.ForeignKey(
        SupervisionNotice, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page on the platform"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    record_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("record_type", "record_id")
    file = models.FileField(_("attachment"), storage=ATTACHMENTS, upload_to="evidence/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False) | Q(problem__isnull=False) | Q(notice__isnull=False),
                name="evidence_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(page__isnull=False) | Q(record_id__isnull=False) | ~Q(file=""),
                name="evidence_shows_something",
            ),
        ]

    def __str__(self) -> str:
        if self.page_id:
            return self.page.title
        if self.record_id:
            return str(self.record)
        return self.file_label

    @property
    def file_label(self) -> str:
        """The attachment's name as uploaded (without the folder the storage put it in)."""
        return Path(self.file.name).name if self.file else ""

    @property
    def subject(self):
        """The task, problem or notice the evidence belongs to (who may see it may open its file)."""
        return self.task or self.problem or self.notice

    def target(self) -> tuple[str, str]:
        """What the evidence shows and where to open it."""
        if self.page_id:
            return self.page.title, self.page.url or ""
        if self.record_id:
            record = self.record
            branch = getattr(record, "branch", None)
            if branch is not None and branch.page_id and hasattr(record, "date"):
                return str(record), f"{branch.page.url}meetings/?year={record.date.year}"
            return str(record or ""), ""
        if self.file:
            return self.file_label, reverse("accountability:evidence_file", args=[self.pk])
        return "", ""


# --- Annual assessment (年度党建考核) ---------------------------------------------------


class Grade(models.TextChoices):
    GOOD = "good", pgettext_lazy("assessment grade", "Good")
    FAIRLY_GOOD = "fairly_good", pgettext_lazy("assessment grade", "Fairly good")
    AVERAGE = "average", pgettext_lazy("assessment grade", "Average")
    POOR = "poor", pgettext_lazy("assessment grade", "Poor")


class IndicatorScheme(ClusterableModel):
    """What a level assesses its organisations on in a year, and how the grades are capped."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("scheme status", "Draft")
        SCORING = "scoring", pgettext_lazy("scheme status", "Scoring")
        FINAL = "final", pgettext_lazy("scheme status", "Grades final")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("assessing organisation"),
        on_delete=models.CASCADE,
        related_name="indicator_schemes",
        help_text=_("The branches below it are assessed."),
    )
    year = models.PositiveSmallIntegerField(_("year"), default=this_year, validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    good_share = models.DecimalField(
        _("largest share graded good"),
        max_digits=3,
        decimal_places=2,
        default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("At most this share of the organisations assessed may be graded good (0.3 = 30%)."),
    )
    notice_starts = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends = models.DateField(_("public notice until"), null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [
        FieldPanel("organization"),
        # Shown, never edited here: the scheme opens for scoring from its dashboard and becomes FINAL only through
        # assessment.finalise(), which checks the grades and the right to finalise.
        FieldRowPanel([FieldPanel("year"), FieldPanel("status", read_only=True)]),
        FieldPanel("title"),
        FieldPanel("good_share"),
        FieldRowPanel([FieldPanel("notice_starts"), FieldPanel("notice_ends")]),
        InlinePanel("indicators", heading=_("Indicators"), label=_("Indicator"), min_num=1),
    ]

    class Meta:
        verbose_name = _("indicator scheme")
        verbose_name_plural = _("indicator schemes")
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="indicator_scheme_one_per_year")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.notice_starts and self.notice_ends and self.notice_ends < self.notice_starts:
            raise ValidationError({"notice_ends": _("The public notice cannot end before it starts.")})

    @property
    def in_notice(self) -> bool:
        """Grades are final and the public notice has started: members may see their branch's result."""
        today = timezone.localdate()
        return self.status == self.Status.FINAL and self.notice_starts is not None and self.notice_starts <= today

    def max_good(self, assessed: int) -> int:
        """How many of `assessed` organisations may be graded good (rounded down)."""
        # Decimal arithmetic: 0.3 × 10 must give 3, not 2.9999… rounded down.
        return int(assessed * Decimal(str(self.good_share)))


class Indicator(Orderable):
    """One indicator: computed from platform data or scored by an assigned assessor; values are 0–100."""

    class Method(models.TextChoices):
        COMPUTED = "computed", _("Computed from platform data")
        ASSESSED = "assessed", _("Scored by an assessor")

    class Source(models.TextChoices):
        """The platform figures an indicator can be computed from (one unit each in accountability/indicators/)."""

        CADENCE = "cadence", _("三会一课 held at the expected cadence (kinds × quarters met, %)")
        CONSULTATION_LOOP = "consultation_loop", _("Consultations carried through to residents' rating (%)")
        CONSULTATION_RATING = "consultation_rating", _("Residents' mean rating of consultation outcomes (0–100)")
        SATISFACTION = "satisfaction", _("满意率 of the latest satisfaction round (%)")
        APPRAISAL = "appraisal", _("Democratic appraisal held on time with a valid turnout (0 or 100)")
        TASKS = "tasks", _("Tasks done on time (%)")
        PROBLEMS = "problems", _("Problems closed off by the level above (%)")
        SUPERVISION = "supervision", _("Supervision notices answered on time (%)")
        EVALUATION_SURVEY = "evaluation_survey", _("Evaluation by members and residents' representatives (a survey, %)")
        REQUESTS_ON_TIME = (
            "requests_on_time",
            _("Residents' requests accepted on time at the branch's grids (响应率, %)"),
        )
        REQUESTS_SATISFACTION = "requests_satisfaction", _("满意率 of residents' ratings of their requests (%)")
        REQUIRED_STUDY = "required_study", _("Members who completed the year's required study (%)")

    class Rule(models.TextChoices):
        PROPORTIONAL = "proportional", _("Weight × value ÷ target (at most the weight)")
        THRESHOLD = "threshold", _("Full weight when the target is reached, otherwise none")

    scheme = ParentalKey(IndicatorScheme, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=100)
    method = models.CharField(_("how it is scored"), max_length=16, choices=Method.choices, default=Method.COMPUTED)
    source = models.CharField(
        _("computed from"),
        max_length=32,
        blank=True,
        choices=Source.choices,
        help_text=_("For a computed indicator: which figure of the platform it is."),
    )
    survey = models.ForeignKey(
        "surveys.SurveyPage",
        verbose_name=_("evaluation survey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For the evaluation by members and residents' representatives: the survey they answer."),
    )
    weight = models.PositiveSmallIntegerField(_("weight (points)"), default=10, validators=[MaxValueValidator(100)])
    target = models.FloatField(
        _("target"), default=90, validators=[MinValueValidator(0)], help_text=_("In the indicator's unit (0–100).")
    )
    amber_margin = models.FloatField(
        _("amber margin"),
        default=10,
        validators=[MinValueValidator(0)],
        help_text=_("A value this much under the target is shown amber; further under, red."),
    )
    rule = models.CharField(_("scoring rule"), max_length=16, choices=Rule.choices, default=Rule.PROPORTIONAL)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        # People holding a role somewhere (a handful), not every resident of the street.
        limit_choices_to=Q(groups__isnull=False),
        help_text=_("For an indicator scored by an assessor: the one person who scores it."),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("weight")]),
        FieldRowPanel([FieldPanel("method"), FieldPanel("source")]),
        FieldPanel("survey"),
        FieldRowPanel([FieldPanel("target"), FieldPanel("amber_margin"), FieldPanel("rule")]),
        FieldPanel("assessor"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.method == self.Method.COMPUTED and not self.source:
            raise ValidationError({"source": _("Choose which platform figure this indicator is computed from.")})
        if self.source == self.Source.EVALUATION_SURVEY and not self.survey_id:
            raise ValidationError({"survey": _("Choose the survey the members and representatives answer.")})
        if self.method == self.Method.ASSESSED:
            self.source = ""

    def score_for(self, value: float | None) -> float | None:
        """Points for a value by the scoring rule; no value, no score (the indicator is left out)."""
        if value is None:
            return None
        if self.rule == self.Rule.THRESHOLD:
            return float(self.weight) if value >= self.target else 0.0
        if self.target <= 0:
            return float(self.weight)
        return round(self.weight * min(value / self.target, 1.0), 2)

    def light_for(self, value: float | None) -> str:
        """Red, amber or green against the target ("" for no value)."""
        if value is None:
            return ""
        if value >= self.target:
            return "green"
        return "amber" if value >= self.target - self.amber_margin else "red"


class Assessment(models.Model):
    """One organisation's assessment under a scheme: its scores, its secretary's report and its grade."""

    scheme = models.ForeignKey(IndicatorScheme, on_delete=models.CASCADE, related_name="assessments")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="assessments"
    )
    report_text = models.TextField(_("secretary's report (述职)"), blank=True)
    report_file = models.FileField(_("report file"), storage=ATTACHMENTS, upload_to="reports/%Y/", blank=True)
    total = models.FloatField(_("score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    grade_reason = models.CharField(_("reason for the grade"), max_length=300, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["scheme", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "organization"], name="assessment_one_per_organization")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.scheme.year}"

    @property
    def report_file_label(self) -> str:
        return Path(self.report_file.name).name if self.report_file else ""


class IndicatorScoreQuerySet(models.QuerySet):
    def totals(self) -> dict[int, tuple[float, float]]:
        """Per assessment: points scored and the weight of the indicators that have a score (in SQL)."""
        rows = (
            self.exclude(score=None)
            .values("assessment")
            .annotate(points=models.Sum("score"), weight=models.Sum(F("indicator__weight")))
            .order_by()
        )
        return {row["assessment"]: (row["points"] or 0.0, float(row["weight"] or 0)) for row in rows}


class IndicatorScore(models.Model):
    """An indicator's value for one organisation, its points, and the records it came from."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="scores")
    value = models.FloatField(_("value"), null=True, blank=True)
    score = models.FloatField(_("points"), null=True, blank=True)
    # [{"label": …, "url": …}] of the records the value came from, as they were when it was computed.
    evidence = models.JSONField(default=list, blank=True)
    detail = models.CharField(_("how it was computed"), max_length=300, blank=True)
    comment = models.TextField(_("assessor's comment"), blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator score")
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="score_one_per_indicator")]

    @property
    def light(self) -> str:
        return self.indicator.light_for(self.value)


def counts_by_status(queryset, field: str = "status") -> dict[str, int]:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
