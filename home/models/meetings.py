"""Records of a branch's organisational life (三会一课, 主题党日) and the cadence they are held at.

A record is either typed in after the fact (the older way, `tracked=False`) or a meeting scheduled
in the organisational life app (orglife.Meeting, a child of this model, `tracked=True`), whose counts
are written only from its replies and sign-ins, never typed. This app does not import orglife: what it
needs to count lives on this row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.fields import StreamField
from wagtail.images.blocks import ImageBlock

from organizations.models import Organization

DEFAULT_CADENCE = {
    # Expected meetings per quarter (national practice); override with GONGZHI_MEETING_CADENCE.
    "general_meeting": 1,
    "committee": 3,
    "group": 3,
    "lecture": 1,
    "theme_day": 3,
}
# Expected meetings per year of the kinds held about once a year; override with GONGZHI_MEETING_YEARLY.
DEFAULT_YEARLY = {"life_meeting": 1}


def expected_cadence() -> dict[str, int]:
    """Expected meetings per quarter by kind: the national defaults with the site's setting over them."""
    return {**DEFAULT_CADENCE, **getattr(settings, "GONGZHI_MEETING_CADENCE", {})}


def expected_yearly() -> dict[str, int]:
    return {**DEFAULT_YEARLY, **getattr(settings, "GONGZHI_MEETING_YEARLY", {})}


class MeetingRecordQuerySet(models.QuerySet):
    def held(self) -> MeetingRecordQuerySet:
        """Meetings that took place: a typed record, or a scheduled meeting at which someone signed in."""
        return self.filter(Q(tracked=False) | Q(present__gt=0))

    def cadence(self, branch_id, year: int) -> list[dict]:
        """Per kind and quarter: meetings held against the expected number."""
        expected = expected_cadence()
        quarters: dict[tuple[str, int], int] = {}
        by_month = (
            self.held()
            .filter(branch_id=branch_id, date__year=year)
            .order_by()
            .values("kind", "date__month")
            .annotate(n=Count("pk"))
        )
        for row in by_month:
            key = (row["kind"], (row["date__month"] - 1) // 3 + 1)
            quarters[key] = quarters.get(key, 0) + row["n"]
        today = timezone.localdate()
        rows = []
        for kind, label in MeetingRecord.Kind.choices:
            if kind not in expected:
                continue  # held about once a year (组织生活会): no quarterly expectation
            cells = []
            for quarter in range(1, 5):
                held = quarters.get((kind, quarter), 0)
                started = dt.date(year, 3 * quarter - 2, 1) <= today
                # A quarter is judged only once it is over: the running one is "in progress", not "below".
                ended = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) <= today
                cells.append(
                    {
                        "quarter": quarter,
                        "held": held,
                        "expected": expected[kind],
                        "met": held >= expected[kind],
                        "started": started,
                        "ended": ended,
                    }
                )
            rows.append({"kind": kind, "label": label, "quarters": cells})
        return rows


class MeetingRecord(models.Model):
    """A record of one meeting of a branch's organisational life (三会一课, 主题党日)."""

    class Kind(models.TextChoices):
        GENERAL_MEETING = "general_meeting", _("Branch general meeting")
        COMMITTEE = "committee", _("Branch committee meeting")
        GROUP = "group", _("Party group meeting")
        LECTURE = "lecture", _("Party lecture")
        THEME_DAY = "theme_day", _("Theme Party day")
        LIFE_MEETING = "life_meeting", _("Organisational life meeting")

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="meeting_records"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    presenter = models.CharField(_("presenter"), max_length=64, blank=True)
    recorder = models.CharField(_("recorder"), max_length=64, blank=True)
    due = models.PositiveIntegerField(_("due to attend"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    absent = models.PositiveIntegerField(_("absent"), default=0)
    on_leave = models.PositiveIntegerField(pgettext_lazy("attendance", "on leave"), default=0)
    tracked = models.BooleanField(
        _("counted from sign-ins"),
        default=False,
        editable=False,
        help_text=_("Scheduled on the site: attendance comes from replies and sign-ins, never typed."),
    )
    content = models.TextField(_("content"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    photos = StreamField([("photo", ImageBlock())], blank=True, verbose_name=_("photos"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting record")
        verbose_name_plural = _("meeting records")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["branch", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=models.F("due"))
                & Q(absent__lte=models.F("due"))
                & Q(on_leave__lte=models.F("due")),
                name="meeting_attendance_within_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}：{self.topic}"

    def clean(self):
        super().clean()
        if self.tracked:
            return  # counts are computed (orglife) and a scheduled meeting may lie ahead
        if self.present > self.due:
            raise ValidationError({"present": _("More present than due to attend.")})
        if self.present + self.absent > self.due:
            raise ValidationError({"absent": _("Present and absent together exceed those due to attend.")})
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("A meeting record cannot be dated in the future.")})

    def tracked_url(self) -> str:
        """Where a meeting scheduled on the site is run: its multi-table child's page, found through the
        child accessor so that this app imports nothing above it; "" for a typed record."""
        if not self.tracked:
            return ""
        for relation in self._meta.related_objects:
            if relation.one_to_one and relation.parent_link:
                child = getattr(self, relation.get_accessor_name(), None)
                if child is not None and hasattr(child, "get_absolute_url"):
                    return child.get_absolute_url()
        return ""

    @cached_property
    def attendance_rate(self):
        return round(100 * self.present / self.due) if self.due else None
