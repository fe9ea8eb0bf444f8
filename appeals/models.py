"""Residents' requests (民情诉求) through the grid: categories and their deadlines, the requests, their
handling timeline, photos, +1s, and the members who serve where they live (在职党员双报到).

The reporting QuerySet (`AppealQuerySet.rates()`, `.monthly()`) sits next to the model: the branch
assessment and the satisfaction summary read the three rates from it, never satisfaction alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import workdays
from core.private_files import PrivateStorage
from core.satisfaction import BASICALLY_SATISFIED, DISSATISFIED, SATISFIED, LevelCounts, Satisfaction
from organizations.models import Grid, Organization


class Level(models.IntegerChoices):
    """Who handles: the grid (its worker and the branch owning it), the community, the street."""

    GRID = 1, pgettext_lazy("handling level", "Grid")
    COMMUNITY = 2, pgettext_lazy("handling level", "Community")
    STREET = 3, pgettext_lazy("handling level", "Street")


class TimeUnit(models.TextChoices):
    WORKDAYS = "workdays", _("working days")
    WORK_HOURS = "hours", _("working hours")


def due_after(start: datetime.datetime, amount: int, unit: str) -> datetime.datetime:
    """The deadline `amount` working days or working hours after `start` (holidays and adjusted
    weekends by core.workdays). Working days end at the end of the day, local time."""
    local = timezone.localtime(start)
    if unit == TimeUnit.WORK_HOURS:
        return workdays.add_work_hours(local, amount)
    day = workdays.add_workdays(local.date(), amount)
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), local.tzinfo)


class Category(models.Model):
    """A kind of request, with its deadlines and the lowest level responsible for it (maintained by the street)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public board")
        PRIVATE = "private", _("Never public (private or members-only matters)")

    name = models.CharField(_("name"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    accept_within = models.PositiveIntegerField(
        _("accept within"),
        default=1,
        validators=[MaxValueValidator(workdays.MAX_WORKDAYS)],
        help_text=_("How long the handler has to accept (响应) a new request."),
    )
    accept_unit = models.CharField(_("unit"), max_length=10, choices=TimeUnit.choices, default=TimeUnit.WORKDAYS)
    finish_within = models.PositiveIntegerField(
        _("finish within"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(workdays.MAX_WORKDAYS)],
        help_text=_("How long, from the report, until the request must be finished (办结)."),
    )
    finish_unit = models.CharField(_("unit"), max_length=10, choices=TimeUnit.choices, default=TimeUnit.WORKDAYS)
    responsible_level = models.PositiveSmallIntegerField(
        _("responsible level"),
        choices=Level.choices,
        default=Level.GRID,
        help_text=_(
            "The lowest level whose responsibility list holds this matter: a request is never dispatched below it."
        ),
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    active = models.BooleanField(_("offered to residents"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    def accept_due(self, start: datetime.datetime) -> datetime.datetime:
        return due_after(start, self.accept_within, self.accept_unit)

    def finish_due(self, start: datetime.datetime) -> datetime.datetime:
        return due_after(start, self.finish_within, self.finish_unit)


class GridDuty(models.Model):
    """Who handles a grid's requests: its grid worker's account (网格员) and the branch owning the grid."""

    grid = models.OneToOneField(Grid, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="duty")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_duties",
    )
    branch = models.ForeignKey(
        Organization,
        verbose_name=_("branch owning the grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_duties",
        help_text=_("Its secretaries and editors handle the grid's requests with the grid worker."),
    )

    class Meta:
        verbose_name = _("grid duty")
        verbose_name_plural = _("grid duties")

    def __str__(self) -> str:
        return str(self.grid)


class Complaint(models.TextChoices):
    """What a resident complains about, if the request is a complaint about its handlers (art. 35): the
    request starts above them, and they never handle it nor learn who reported."""

    NONE = "", _("No, it is a problem to solve")
    GRID = "grid", _("Yes: about my grid worker or the branch looking after my grid")
    COMMUNITY = "community", _("Yes: about how the community handled it")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be accepted")
    IN_PROGRESS = "in_progress", _("Being handled")
    TRANSFERRED = "transferred", _("Transferred")
    DONE = "done", _("Finished")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged with an earlier request")


OPEN_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.TRANSFERRED)
CLOSED_STATUSES = (Status.DONE, Status.REJECTED, Status.MERGED)


@dataclass(frozen=True)
class Rates:
    """The three rates of art. 32, always together: 响应率, 解决率, 满意率 (fractions, None without a base)."""

    received: int
    accepted_on_time: int
    due_to_accept: int
    solved: int
    due_to_solve: int
    ratings: LevelCounts

    @property
    def response_rate(self) -> float | None:
        return self.accepted_on_time / self.due_to_accept if self.due_to_accept else None

    @property
    def solution_rate(self) -> float | None:
        return self.solved / self.due_to_solve if self.due_to_solve else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.ratings.rate


@dataclass(frozen=True)
class Month:
    """One month of the public board: how many, finished on time among those finished, 满意率."""

    month: datetime.date
    count: int
    finished: int
    on_time: int
    ratings: LevelCounts

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.finished if self.finished else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.ratings.rate


def worker_lookup(user) -> Q:
    """Requests a grid worker handles: of one of their own grids, at grid level, held by the branch owning
    that grid (or, for a grid without a branch, by its community). A request transferred to another branch
    leaves them. Only their own grids: a branch may own several grids with different workers, and a worker
    must not see another grid's (possibly private) requests; the branch's role holders see them through
    roles.managed_organizations / roles.can_manage instead."""
    return Q(level=Level.GRID, grid__duty__worker=user) & (
        Q(grid__duty__branch__isnull=False, unit_id=models.F("grid__duty__branch_id"))
        | Q(grid__duty__branch=None, unit_id=models.F("grid__community_id"))
    )


class AppealQuerySet(models.QuerySet):
    def open(self) -> AppealQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def public(self) -> AppealQuerySet:
        """What the public board may show: public categories, not hidden by a moderator, not merged away."""
        return self.filter(category__visibility=Category.Visibility.PUBLIC, hidden=False).exclude(status=Status.MERGED)

    def overdue(self, now: datetime.datetime | None = None) -> AppealQuerySet:
        """Open requests past a deadline: not accepted in time, or not finished in time."""
        now = now or timezone.now()
        return self.open().filter(Q(accepted_at=None, accept_due__lt=now) | Q(finish_due__lt=now))

    def for_handler(self, user) -> AppealQuerySet:
        """Requests the user may handle: at their grid (as its worker), or held by an organisation they
        manage (the branch owning a grid, a community, the street, and everything below for admins)."""
        from organizations import roles

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        mine = self.filter(worker_lookup(user) | Q(unit__in=roles.managed_organizations(user).values("pk")))
        # Never a complaint about an organisation the user acts for, or one above it (art. 35).
        acting = list(roles.organizations_with_role(user, *roles.Role))
        for duty in GridDuty.objects.filter(worker=user).select_related("branch", "grid__community"):
            acting.append(duty.branch or duty.grid.community)
        if not acting:
            return mine
        return mine.exclude(complains_about__in=Organization.objects.with_ancestors(*acting).values("pk"))

    def of_organization(self, organization: Organization) -> AppealQuerySet:
        """The requests an organisation answers for in an assessment: a branch, those of the grids it owns;
        a community or the street, those of every grid below it."""
        if organization.kind == Organization.Kind.BRANCH:
            return self.filter(grid__duty__branch=organization)
        return self.filter(grid__community__in=Organization.objects.within(organization).values("pk"))

    def rates(self, now: datetime.datetime | None = None) -> Rates:
        """The three rates in one query. Merged repeats count once, through their original.

        响应率 = accepted by the acceptance deadline ÷ requests whose acceptance was due (accepted, or past
        the deadline); 解决率 = finished ÷ requests whose finish was due (finished, not accepted with a
        reason, or past the deadline); 满意率 = (满意 + 基本满意) ÷ ratings (core.satisfaction).
        """
        now = now or timezone.now()
        rows = self.exclude(status=Status.MERGED).aggregate(
            received=Count("pk"),
            accepted_on_time=Count("pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=models.F("accept_due"))),
            due_to_accept=Count("pk", filter=Q(accepted_at__isnull=False) | Q(accept_due__lt=now)),
            solved=Count("pk", filter=Q(status=Status.DONE)),
            due_to_solve=Count("pk", filter=Q(status__in=CLOSED_STATUSES) | Q(finish_due__lt=now)),
            satisfied=Count("pk", filter=Q(rating=SATISFIED)),
            basically_satisfied=Count("pk", filter=Q(rating=BASICALLY_SATISFIED)),
            dissatisfied=Count("pk", filter=Q(rating=DISSATISFIED)),
        )
        ratings = LevelCounts(rows.pop("satisfied"), rows.pop("basically_satisfied"), rows.pop("dissatisfied"))
        return Rates(ratings=ratings, **rows)

    def monthly(self, since: datetime.date) -> list[Month]:
        """Figures per month of report, from `since`, in one grouped query."""
        rows = (
            self.exclude(status=Status.MERGED)
            .filter(created_at__date__gte=since)
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .order_by("month")
            .annotate(
                count=Count("pk"),
                finished=Count("pk", filter=Q(status=Status.DONE)),
                on_time=Count("pk", filter=Q(status=Status.DONE, finished_at__lte=models.F("finish_due"))),
                satisfied=Count("pk", filter=Q(rating=SATISFIED)),
                basically_satisfied=Count("pk", filter=Q(rating=BASICALLY_SATISFIED)),
                dissatisfied=Count("pk", filter=Q(rating=DISSATISFIED)),
            )
        )
        return [
            Month(
                month=row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"],
                count=row["count"],
                finished=row["finished"],
                on_time=row["on_time"],
                ratings=LevelCounts(row["satisfied"], row["basically_satisfied"], row["dissatisfied"]),
            )
            for row in rows
        ]


class Appeal(models.Model):
    """One resident's request, from the report to the rating."""

    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="appeals", editable=False
    )
    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="appeals")
    place = models.CharField(_("building or place"), max_length=120, blank=True)
    description = models.TextField(_("what is the problem"))
    show_name = models.BooleanField(_("my name may be shown to the public"), default=False)
    # Only when the resident chose to share where the photo was taken (read from the photo, then the
    # photo's metadata is removed anyway).
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    complaint = models.CharField(
        _("a complaint about its handlers"), max_length=10, choices=Complaint.choices, default="", blank=True
    )
    # The organisation the complaint is about, resolved from `complaint` when the request is reported.
    complains_about = models.ForeignKey(
        Organization,
        verbose_name=_("about an organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Its people never see who reported (art. 35); the request starts above it."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.GRID)
    # The organisation holding the request now; at grid level the grid worker handles it with them.
    unit = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # Who sent it to `unit` (a transfer, a dispatch): where an objection sends it back (art. 12).
    dispatched_from = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 首接负责 (art. 14): the first handler who accepted it owns it until someone accepts it elsewhere.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    accept_due = models.DateTimeField()
    finish_due = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # 吹哨报到: the level called must answer by then; cleared when someone there accepts or replies.
    answer_due = models.DateTimeField(null=True, blank=True)
    overdue_escalated = models.BooleanField(default=False)
    reopened = models.BooleanField(default=False)
    rating = models.CharField(max_length=20, choices=Satisfaction.choices, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats")
    consultation = models.ForeignKey(
        "consultation.ConsultationPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promoted_appeals",
    )
    # Moderation of public text: a hidden request is never on the public board.
    hidden = models.BooleanField(default=False)
    support_count = models.PositiveIntegerField(default=0)
    offered_to_volunteers = models.BooleanField(default=False)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["grid", "status"], name="appeal_grid_status"),
            models.Index(fields=["unit", "status"], name="appeal_unit_status"),
            models.Index(fields=["reporter", "created_at"], name="appeal_reporter_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="appeal_level_known"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        if not self.is_open:
            return False
        return (self.accepted_at is None and self.accept_due < now) or self.finish_due < now

    @property
    def finished_on_time(self) -> bool | None:
        if self.finished_at is None:
            return None
        return self.finished_at <= self.finish_due

    @cached_property
    def may_rate(self) -> bool:
        return self.status == Status.DONE and not self.rating

    @property
    def status_class(self) -> str:
        return self.status.replace("_", "-")


class Entry(models.Model):
    """One step of the handling timeline: a public reply, an internal note, or a recorded action."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Reported")
        ACCEPTED = "accepted", _("Accepted")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        TRANSFER = "transfer", _("Transferred")
        OBJECTION = "objection", _("Objection to the dispatch")
        ESCALATE = "escalate", _("Called the level above (吹哨)")
        OVERDUE = "overdue", _("Escalated as overdue")
        ANSWER = "answer", _("Answered the call (报到)")
        EXTEND = "extend", _("Deadline extended")
        FINISH = "finish", _("Finished")
        REJECT = "reject", _("Not accepted")
        MERGE = "merge", _("Merged")
        RATING = "rating", _("Rated")
        REOPEN = "reopen", _("Reopened")
        PROMOTE = "promote", _("Taken to a consultation")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The unit acting: shown on public pages instead of the person.
    unit = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="appeal_entry_time")]


# Request photos are personal files: under PRIVATE_ROOT, handed out only by views.photo after a check.
photo_storage = PrivateStorage("appeal-photos")


class PhotoStorage(PrivateStorage):
    """The storage migration 0001 names (photos then lived under APPEALS_PHOTO_ROOT); kept so that the
    migration history loads. Photos use `photo_storage` since migration 0003."""

    def __init__(self):
        super().__init__("appeal-photos")


def _photo_path(instance: Photo, filename: str) -> str:
    return f"{timezone.now():%Y/%m}/{filename}"


class Photo(models.Model):
    """A photo of the problem (from the resident) or of the result (from the handler); never public."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    image = models.FileField(storage=photo_storage, upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    is_result = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class Support(models.Model):
    """A resident's "+1" on someone else's open request: one per resident and request."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "user"], name="appeal_one_support_per_user")]


class VolunteerQuerySet(models.QuerySet):
    def hours_of(self, user, year: int) -> float:
        """A member's recorded volunteer hours in a year (membership reads them for study points)."""
        total = VolunteerHours.objects.filter(volunteer__user=user, day__year=year).aggregate(total=Sum("hours"))
        return float(total["total"] or 0)


class Volunteer(models.Model):
    """A member working elsewhere who registered with the community where they live (在职党员双报到)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer")
    community = models.ForeignKey(
        Organization, verbose_name=_("community where I live"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workplace = models.CharField(_("where I work"), max_length=100, blank=True)
    skills = models.CharField(_("what I can offer"), max_length=200)
    availability = models.CharField(_("when I am free"), max_length=100, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("registered member (双报到)")
        verbose_name_plural = _("registered members (双报到)")

    def __str__(self) -> str:
        return self.user.get_full_name()


class VolunteerHours(models.Model):
    """Time a registered member gave, recorded by the handler who offered the task."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    appeal = models.ForeignKey(Appeal, null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer_hours")
    day = models.DateField(default=datetime.date.today)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(24)]
    )
    note = models.CharField(_("what was done"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "-pk"]
