"""Plain builders for meetings and terms (runtime dependencies only: the demo and the tests share them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from orglife import attendance, terms
from orglife.models import Meeting, Term


def meeting(
    branch,
    *,
    kind: str = "theme_day",
    starts_at: dt.datetime | None = None,
    hours: float = 2,
    topic: str = "主题党日：学习贯彻会议精神",
    user=None,
    notify: bool = True,
    scheduled_at: dt.datetime | None = None,
    **fields,
) -> Meeting:
    """A scheduled meeting with its roster invited (tomorrow at 14:30 unless told).

    For a history (the demo's past year, tests of meetings running or over), a meeting that starts in the
    past counts as scheduled the day before it, unless `scheduled_at` says when: the site itself refuses to
    schedule a meeting in the past (attendance.check_ahead)."""
    if starts_at is None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        starts_at = dt.datetime.combine(tomorrow, dt.time(14, 30), tzinfo=timezone.get_current_timezone())
    fields.setdefault("place", "党员活动室")
    instance = Meeting(
        branch=branch,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        topic=topic,
        **fields,
    )
    if scheduled_at is None and starts_at < timezone.now():
        scheduled_at = starts_at - dt.timedelta(days=1)
    return attendance.schedule(instance, user, notify=notify, now=scheduled_at)


def term(organization, *, elected_on: dt.date, members: list[tuple[int, str]], effective_on=None, user=None) -> Term:
    return terms.record_election(
        organization, elected_on=elected_on, effective_on=effective_on or elected_on, members=members, user=user
    )
