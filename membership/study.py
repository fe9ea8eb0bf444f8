"""Required study (必学) with deadlines, and personal study points pulled from other apps' records.

Required material is home's: a StudyPage marked required, for the branch's audience. An organisation
gives it a deadline (StudyDeadline, the nearest organisation's wins); the secretary lists, per
quarter or year, who has not studied what was due in it. Points come from records the platform
already keeps (home's study records, consultation posts, orglife's meeting sign-ins, the volunteer
hours appeals records for members registered where they live) by the street's rules with daily caps.
One thing done counts once: a Party lecture (党课) on a study item writes a study record for those
present (orglife), and counts as the meeting attended, not a second time as study.
They are personal: computed for one member at a time, never ranked, never summed for a branch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from appeals.models import Volunteer
from consultation.models import Post
from home.models import MeetingRecord, StudyPage, StudyRecord
from membership.models import PointRule, PointSource, StudyDeadline
from organizations.models import Organization, RosterEntry
from orglife.models import SignIn


def period(year: int, quarter: int | None) -> tuple[datetime.date, datetime.date]:
    """First and last day of a quarter (1–4) of `year`, or of the whole year."""
    if not quarter:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    first = datetime.date(year, 3 * quarter - 2, 1)
    last = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - datetime.timedelta(days=1)
    return first, last


def deadlines_for(branch: Organization) -> dict[int, datetime.date]:
    """Required page → its deadline for this branch (the nearest organisation above it decides)."""
    ancestors = Organization.objects.with_ancestors(branch)
    chosen: dict[int, tuple[int, datetime.date]] = {}
    for page_id, depth, due_on in StudyDeadline.objects.filter(organization__in=ancestors).values_list(
        "page_id", "organization__depth", "due_on"
    ):
        if page_id not in chosen or depth > chosen[page_id][0]:
            chosen[page_id] = (depth, due_on)
    return {page_id: due_on for page_id, (_depth, due_on) in chosen.items()}


@dataclass
class Missing:
    member: RosterEntry
    page: StudyPage
    due_on: datetime.date


def not_completed(branch: Organization, first: datetime.date, last: datetime.date) -> list[Missing]:
    """Who has not studied the required material whose deadline falls in [first, last] (four queries)."""
    deadlines = deadlines_for(branch)
    pages = [
        page
        for page in StudyPage.objects.required_for_branch(branch).filter(pk__in=list(deadlines)).order_by("pk")
        if first <= deadlines[page.pk] <= last
    ]
    members = list(RosterEntry.objects.active().filter(branch=branch).order_by("member_no"))
    done = set(
        StudyRecord.objects.filter(page__in=pages, user_id__in=[m.user_id for m in members if m.user_id]).values_list(
            "user_id", "page_id"
        )
    )
    return [
        Missing(member, page, deadlines[page.pk])
        for page in pages
        for member in members
        if (member.user_id, page.pk) not in done
    ]


def required_for_member(entry: RosterEntry, user) -> list[tuple[StudyPage, datetime.date | None, bool]]:
    """The member's required material: page, deadline, studied."""
    deadlines = deadlines_for(entry.branch)
    pages = list(StudyPage.objects.required_for_branch(entry.branch).order_by("-first_published_at"))
    studied = set(StudyRecord.objects.filter(user=user, page__in=pages).values_list("page_id", flat=True))
    rows = [(page, deadlines.get(page.pk), page.pk in studied) for page in pages]
    return sorted(rows, key=lambda row: (row[2], row[1] or datetime.date.max))


def _rules(branch: Organization) -> dict[str, list[PointRule]]:
    rules = defaultdict(list)
    ancestors = Organization.objects.with_ancestors(branch)
    for rule in PointRule.objects.filter(organization__in=ancestors).select_related("organization"):
        rules[rule.source].append(rule)
    return rules


def _rule_on(rules: list[PointRule], day: datetime.date) -> PointRule | None:
    """The nearest organisation's latest rule in force on `day`."""
    valid = [rule for rule in rules if rule.valid_from <= day]
    return max(valid, key=lambda r: (r.organization.depth, r.valid_from)) if valid else None


@dataclass
class PointsSummary:
    total: int
    by_source: dict[str, int]
    by_month: dict[int, int]
    capped_days: int
    volunteer_hours: float = 0.0


def _daily_counts(source: str, entry: RosterEntry, user, year: int) -> dict[datetime.date, int]:
    tz = timezone.get_current_timezone()
    if source == PointSource.MEETING:
        # Presence as orglife records it (a sign-in or the secretary's tick), not time spent anywhere.
        items = SignIn.objects.filter(member=entry, signed_at__year=year).annotate(
            day=TruncDate("signed_at", tzinfo=tz)
        )
    elif source == PointSource.STUDY:
        # The study item of a Party lecture the member attended counts once, as the meeting (its sign-in).
        lecture = SignIn.objects.filter(
            member=entry, meeting__kind=MeetingRecord.Kind.LECTURE, meeting__study_page=OuterRef("page")
        )
        items = (
            StudyRecord.objects.filter(user=user, studied_at__year=year)
            .exclude(Exists(lecture))
            .annotate(day=TruncDate("studied_at", tzinfo=tz))
        )
    else:
        items = Post.objects.filter(author=user, created_at__year=year, status=Post.Status.VISIBLE).annotate(
            day=TruncDate("created_at", tzinfo=tz)
        )
    return dict(items.values("day").annotate(count=Count("pk")).values_list("day", "count"))


def points_of(entry: RosterEntry, user, year: int) -> PointsSummary:
    """A member's own points for a year, from their records, each day capped by the rule then in force."""
    rules = _rules(entry.branch)
    by_source: dict[str, int] = {}
    by_month: dict[int, int] = defaultdict(int)
    capped = 0
    for source in PointSource.values:
        if source == PointSource.VOLUNTEER:
            continue
        total = 0
        for day, count in _daily_counts(source, entry, user, year).items():
            rule = _rule_on(rules[source], day)
            if rule is None:
                continue
            earned = count * rule.points
            if earned > rule.daily_cap:
                earned, capped = rule.daily_cap, capped + 1
            total += earned
            by_month[day.month] += earned
        by_source[source] = total
    hours = Volunteer.objects.hours_of(user, year)
    by_source[PointSource.VOLUNTEER] = volunteer_points(rules[PointSource.VOLUNTEER], hours, year)
    return PointsSummary(sum(by_source.values()), by_source, dict(by_month), capped, hours)


def volunteer_points(rules: list[PointRule], hours: float, year: int) -> int:
    """The year's volunteer service hours (appeals records them per day, `hours_of` sums the year) at the
    rule in force on the year's last day so far, in whole points rounded down. No daily cap: a handler
    records the hours, not the member, and a day holds at most 24 of them."""
    last_day = min(datetime.date(year, 12, 31), timezone.localdate())
    rule = _rule_on(rules, last_day)
    if rule is None or not hours:
        return 0
    return int(Decimal(str(hours)) * rule.points)  # Decimal: 2.3 h × 10 is 23 points, not 22.99…
