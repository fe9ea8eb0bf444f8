"""Builders for residents' requests, shared by the tests, the demo and the benchmarks (runtime dependencies only)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from appeals.models import Appeal, Category, Entry, GridDuty, Level, Status, TimeUnit
from core.satisfaction import BASICALLY_SATISFIED, DISSATISFIED, SATISFIED
from organizations.models import Grid

DEFAULT_CATEGORIES = [
    # name, accept within, unit, finish within, unit, level, visibility
    ("路灯照明", 1, TimeUnit.WORKDAYS, 3, TimeUnit.WORKDAYS, Level.GRID, Category.Visibility.PUBLIC),
    ("楼道漏水", 2, TimeUnit.WORK_HOURS, 24, TimeUnit.WORK_HOURS, Level.GRID, Category.Visibility.PUBLIC),
    ("环境卫生", 1, TimeUnit.WORKDAYS, 3, TimeUnit.WORKDAYS, Level.GRID, Category.Visibility.PUBLIC),
    ("噪音扰民", 1, TimeUnit.WORKDAYS, 7, TimeUnit.WORKDAYS, Level.GRID, Category.Visibility.PUBLIC),
    ("邻里求助", 1, TimeUnit.WORKDAYS, 7, TimeUnit.WORKDAYS, Level.GRID, Category.Visibility.PRIVATE),
    ("物业服务", 1, TimeUnit.WORKDAYS, 15, TimeUnit.WORKDAYS, Level.COMMUNITY, Category.Visibility.PUBLIC),
    ("市政道路", 1, TimeUnit.WORKDAYS, 15, TimeUnit.WORKDAYS, Level.STREET, Category.Visibility.PUBLIC),
    ("党员组织生活", 1, TimeUnit.WORKDAYS, 7, TimeUnit.WORKDAYS, Level.COMMUNITY, Category.Visibility.PRIVATE),
]


def make_category(name: str = "路灯照明", **fields) -> Category:
    fields.setdefault("accept_within", 1)
    fields.setdefault("finish_within", 3)
    category, _created = Category.objects.get_or_create(name=name, defaults=fields)
    return category


def default_categories() -> list[Category]:
    categories = []
    for order, (name, accept, accept_unit, finish, finish_unit, level, visibility) in enumerate(DEFAULT_CATEGORIES):
        categories.append(
            make_category(
                name,
                accept_within=accept,
                accept_unit=accept_unit,
                finish_within=finish,
                finish_unit=finish_unit,
                responsible_level=level,
                visibility=visibility,
                sort_order=order,
            )
        )
    return categories


def make_duty(grid: Grid, worker=None, branch=None) -> GridDuty:
    duty, _created = GridDuty.objects.update_or_create(grid=grid, defaults={"worker": worker, "branch": branch})
    return duty


def make_appeals(
    grids: list[Grid],
    reporters: list,
    categories: list[Category],
    count: int,
    *,
    start: datetime.datetime | None = None,
    days: int = 365,
    rng: random.Random | None = None,
    now: datetime.datetime | None = None,
) -> list[Appeal]:
    """Bulk requests spread over `days` before `now`: most finished on time and rated, some late,
    some open, a few declined. Deadlines are computed as the categories say. Skips notifications."""
    from appeals import dispatch

    rng = rng or random.Random(17)
    now = now or timezone.now()
    start = start or now - datetime.timedelta(days=days)
    units = {}
    appeals = []
    for i in range(count):
        grid = grids[i % len(grids)]
        category = categories[rng.randrange(len(categories))]
        created = start + datetime.timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        level = max(Level.GRID, category.responsible_level)
        key = (grid.pk, level)
        if key not in units:
            units[key] = dispatch.unit_at(grid, level)
        accept_due, finish_due = category.accept_due(created), category.finish_due(created)
        roll = rng.random()
        appeal = Appeal(
            category=category,
            reporter=reporters[i % len(reporters)] if reporters else None,
            grid=grid,
            place=f"{rng.randint(1, 12)}号楼",
            description=f"{category.name}：第{i + 1}件，请尽快处理。",
            level=level,
            unit=units[key],
            created_at=created,
            accept_due=accept_due,
            finish_due=finish_due,
        )
        if finish_due < now and roll < 0.85 or roll < 0.5:
            appeal.accepted_at = min(created + datetime.timedelta(hours=rng.choice([1, 3, 6, 30])), now)
            late = rng.random() < 0.1
            finished = finish_due + datetime.timedelta(days=2) if late else created + (finish_due - created) / 2
            if finished < now:
                appeal.status = Status.DONE
                appeal.finished_at = finished
                rating = rng.random()
                if rating < 0.8:
                    appeal.rating = (
                        SATISFIED if rating < 0.6 else BASICALLY_SATISFIED if rating < 0.75 else DISSATISFIED
                    )
                    appeal.rated_at = finished + datetime.timedelta(hours=5)
            else:
                appeal.status = Status.IN_PROGRESS
        elif roll > 0.97:
            appeal.status = Status.REJECTED
        appeals.append(appeal)
    appeals = Appeal.objects.bulk_create(appeals, batch_size=1000)
    Entry.objects.bulk_create(
        [
            Entry(appeal=a, kind=Entry.Kind.REPORTED, author=a.reporter, unit=a.unit, created_at=a.created_at)
            for a in appeals
        ]
        + [
            Entry(appeal=a, kind=Entry.Kind.FINISH, unit=a.unit, body="已处理完毕。", created_at=a.finished_at)
            for a in appeals
            if a.status == Status.DONE
        ],
        batch_size=1000,
    )
    return appeals
