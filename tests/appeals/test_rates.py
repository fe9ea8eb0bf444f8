"""响应率, 解决率 and 满意率 against hand-computed values; the board and lists in constant queries."""

import datetime

import pytest

from django.utils import timezone

from appeals.factories import make_appeals
from appeals.models import Appeal, Status

pytestmark = pytest.mark.django_db

NOW = timezone.now()
H = datetime.timedelta(hours=1)


def make(category, grid, unit, *, created, accept_due, finish_due, **fields):
    return Appeal.objects.create(
        category=category,
        grid=grid,
        unit=unit,
        description="x",
        created_at=created,
        accept_due=accept_due,
        finish_due=finish_due,
        **fields,
    )


def test_the_three_rates_match_a_hand_count(lamp, grids, branch_a):
    grid = grids[0]
    past = NOW - 100 * H
    # 1: accepted on time, finished, 满意.   2: accepted late, finished, 不满意.
    make(
        lamp,
        grid,
        branch_a,
        created=past,
        accept_due=past + 5 * H,
        finish_due=past + 50 * H,
        accepted_at=past + H,
        status=Status.DONE,
        finished_at=past + 10 * H,
        rating="satisfied",
    )
    make(
        lamp,
        grid,
        branch_a,
        created=past,
        accept_due=past + 5 * H,
        finish_due=past + 50 * H,
        accepted_at=past + 9 * H,
        status=Status.DONE,
        finished_at=past + 60 * H,
        rating="dissatisfied",
    )
    # 3: accepted on time, finished, 基本满意.  4: never accepted, both deadlines passed.
    make(
        lamp,
        grid,
        branch_a,
        created=past,
        accept_due=past + 5 * H,
        finish_due=past + 50 * H,
        accepted_at=past + 2 * H,
        status=Status.DONE,
        finished_at=past + 20 * H,
        rating="basically_satisfied",
    )
    make(lamp, grid, branch_a, created=past, accept_due=past + 5 * H, finish_due=past + 50 * H)
    # 5: new, nothing due yet (counts in neither base).   6: merged repeat (counts nowhere).
    make(lamp, grid, branch_a, created=NOW, accept_due=NOW + 5 * H, finish_due=NOW + 50 * H)
    make(lamp, grid, branch_a, created=past, accept_due=past + 5 * H, finish_due=past + 50 * H, status=Status.MERGED)
    # 7: declined with a reason: due to solve, not solved; accepted never, acceptance due passed.
    make(lamp, grid, branch_a, created=past, accept_due=past + 5 * H, finish_due=past + 50 * H, status=Status.REJECTED)

    rates = Appeal.objects.rates(NOW)
    assert rates.received == 6
    # 响应率: on time 1 and 3, out of 1, 2, 3, 4 and 7 whose acceptance was due → 2/5.
    assert (rates.accepted_on_time, rates.due_to_accept) == (2, 5) and rates.response_rate == pytest.approx(0.4)
    # 解决率: 1, 2 and 3 finished, out of 1, 2, 3, 4 (past due) and 7 (closed) → 3/5.
    assert (rates.solved, rates.due_to_solve) == (3, 5) and rates.solution_rate == pytest.approx(0.6)
    # 满意率: (满意 + 基本满意) ÷ ratings = 2/3.
    assert rates.satisfaction_rate == pytest.approx(2 / 3)


def test_monthly_figures_count_on_time_and_satisfaction(lamp, grids, branch_a):
    grid = grids[0]
    march = datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC)
    april = datetime.datetime(2026, 4, 10, 10, tzinfo=datetime.UTC)
    for created, finished, rating in ((march, 5, "satisfied"), (march, 60, "dissatisfied"), (april, 5, "")):
        make(
            lamp,
            grid,
            branch_a,
            created=created,
            accept_due=created + 5 * H,
            finish_due=created + 50 * H,
            accepted_at=created + H,
            status=Status.DONE,
            finished_at=created + finished * H,
            rating=rating,
        )
    months = Appeal.objects.monthly(datetime.date(2026, 1, 1))
    assert [(m.month, m.count, m.finished, m.on_time) for m in months] == [
        (datetime.date(2026, 3, 1), 2, 2, 1),
        (datetime.date(2026, 4, 1), 1, 1, 1),
    ]
    assert months[0].satisfaction_rate == pytest.approx(0.5) and months[1].satisfaction_rate is None


def _grow(lamp, private_category, grids, users, count):
    make_appeals(list(grids), users, [lamp, private_category], count)


@pytest.mark.parametrize("url", ["/appeals/board/", "/appeals/board/heping/", "/appeals/board/grid/heping-g1/"])
def test_the_public_board_takes_the_same_queries_at_two_sizes(
    client, django_assert_max_num_queries, url, lamp, private_category, grids, neighbour, worker_1
):
    _grow(lamp, private_category, grids, [neighbour], 10)
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    _grow(lamp, private_category, grids, [neighbour], 120)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("tab", ["here", "overdue", "area", "closed"])
def test_the_handler_list_takes_the_same_queries_at_two_sizes(
    client, django_assert_max_num_queries, tab, lamp, private_category, grids, neighbour, worker_1
):
    client.force_login(worker_1)
    _grow(lamp, private_category, grids, [neighbour], 10)
    with django_assert_max_num_queries(25) as small:
        assert client.get(f"/appeals/handle/?tab={tab}").status_code == 200
    _grow(lamp, private_category, grids, [neighbour], 120)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"/appeals/handle/?tab={tab}").status_code == 200


def test_the_rates_take_one_query(django_assert_num_queries, lamp, private_category, grids, neighbour, worker_1):
    _grow(lamp, private_category, grids, [neighbour], 50)
    with django_assert_num_queries(1):
        Appeal.objects.filter(grid=grids[0]).rates()


def test_an_assessment_reads_a_branchs_and_a_communitys_requests(
    lamp, grids, worker_1, worker_2, branch_a, branch_b, tree
):
    make_appeals([grids[0]], [], [lamp], 3)
    make_appeals([grids[1]], [], [lamp], 2)
    assert Appeal.objects.of_organization(branch_a).count() == 3
    assert Appeal.objects.of_organization(branch_b).count() == 2
    assert Appeal.objects.of_organization(tree["community"]).count() == 5
    assert Appeal.objects.of_organization(tree["street"]).count() == 5
