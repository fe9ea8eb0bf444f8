import datetime as dt

import pytest

from django.utils import timezone

from accountability.models import Indicator, IndicatorScheme, Problem, Task
from accounts.factories import UserFactory
from organizations import roles
from surveys.factories import add_responses, q, qid, satisfaction_page

YEAR = 2025
TODAY = dt.date(2026, 1, 15)  # the year assessed is over


@pytest.fixture
def community_admin(tree):
    user = UserFactory(display_name="社区管理员")
    roles.grant(user, tree["community"], roles.Role.ADMIN)
    return user


@pytest.fixture
def secretary_b(branch_b):
    user = UserFactory(display_name="书记乙")
    roles.grant(user, branch_b, roles.Role.SECRETARY)
    return user


@pytest.fixture
def assessor(db):
    return UserFactory(display_name="考核员")


def make_task(organization, *, due_on, status=Task.Status.PLANNED, completed_on=None, year=YEAR, title="整理党员档案"):
    return Task.objects.create(
        organization=organization,
        year=year,
        title=title,
        owner="支部书记",
        due_on=due_on,
        status=status,
        completed_on=completed_on,
    )


def make_problem(organization, *, status=Problem.Status.RECTIFYING, deadline=dt.date(2025, 6, 30), year=YEAR):
    return Problem.objects.create(
        organization=organization,
        year=year,
        title="党员活动室长期关闭",
        measures="每周三、周六下午开放，由支委轮值。",
        owner="组织委员",
        deadline=deadline,
        status=status,
    )


@pytest.fixture
def scheme(tree, assessor):
    scheme = IndicatorScheme.objects.create(
        organization=tree["street"], year=YEAR, title="2025年度基层党建考核", good_share="0.5"
    )
    Indicator.objects.create(scheme=scheme, name="三会一课", source="cadence", weight=40, target=90, sort_order=0)
    Indicator.objects.create(scheme=scheme, name="任务按时完成", source="tasks", weight=30, target=90, sort_order=1)
    Indicator.objects.create(
        scheme=scheme,
        name="述职评议",
        method=Indicator.Method.ASSESSED,
        weight=30,
        target=80,
        assessor=assessor,
        sort_order=2,
    )
    return scheme


S, B, D, U = "satisfied", "basically_satisfied", "dissatisfied", "unknown"


@pytest.fixture
def satisfaction_round(tree, branch_a, branch_b):
    community = tree["community"]
    page = satisfaction_page(
        community.page,
        questions=[
            q(
                "satisfaction",
                "请评价",
                required=False,
                dimensions=[{"label": "服务态度", "weight": 1}, {"label": "环境卫生", "weight": 1}],
            )
        ],
        target_organization=community,
        opens_at=timezone.make_aware(dt.datetime(YEAR, 6, 1)),
        closes_at=timezone.make_aware(dt.datetime(YEAR, 7, 1)),
    )
    service = [S, S, S, B, D, U]
    environment = [S, D, D, D, D, None]
    answers = [
        {qid(page, 0): {"服务态度": a} | ({"环境卫生": b} if b else {})}
        for a, b in zip(service, environment, strict=True)
    ]
    add_responses(page, answers, organization=branch_a)
    add_responses(page, [{qid(page, 0): {"服务态度": D, "环境卫生": D}}] * 4, organization=branch_b)
    return page


@pytest.fixture
def grids(tree, branch_a, branch_b):
    from appeals.factories import make_duty
    from organizations.factories import GridFactory

    grid_a1 = GridFactory(community=tree["community"], name="一网格", code="grid-a1")
    grid_a2 = GridFactory(community=tree["community"], name="二网格", code="grid-a2")
    grid_b = GridFactory(community=tree["community"], name="三网格", code="grid-b")
    make_duty(grid_a1, branch=branch_a)
    make_duty(grid_a2, branch=branch_a)
    make_duty(grid_b, branch=branch_b)
    return grid_a1, grid_a2, grid_b


def make_request(grid, created, *, accepted_after_hours=None, rating="", status=None):
    from appeals.factories import make_category
    from appeals.models import Appeal, Status

    start = timezone.make_aware(dt.datetime.combine(created, dt.time(9, 0)))
    accept_due = start + dt.timedelta(days=1)
    appeal = Appeal.objects.create(
        category=make_category(),
        grid=grid,
        description="楼道灯坏了",
        unit=grid.community,
        created_at=start,
        accept_due=accept_due,
        finish_due=start + dt.timedelta(days=5),
        accepted_at=None if accepted_after_hours is None else start + dt.timedelta(hours=accepted_after_hours),
        status=status or (Status.DONE if rating else Status.PENDING),
        rating=rating,
    )
    return appeal
