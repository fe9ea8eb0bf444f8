"""Two clicks, or two handlers, at once on PostgreSQL: every action locks the request's row and checks the
state again under the lock, so one wins and the other gets a clear message (never a second acceptance,
a second reopen, a +1 counted twice, or a 500).

Each thread acts on its own copy of the request, read before the race starts: the action must not trust
what its caller read."""

import pytest

from django.test import Client

from accounts.factories import UserFactory
from appeals import handling
from appeals.models import Appeal, Entry, Status, Support
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _report(user, category, grid, text="3号楼门口路灯不亮"):
    return handling.report(user, category=category, grid=grid, description=text)


def _copies(appeal, count=2):
    return [Appeal.objects.get(pk=appeal.pk) for _ in range(count)]


def _refused(result) -> bool:
    return isinstance(result, handling.ActionError) and str(result)


def test_two_handlers_accepting_at_once_one_wins_and_the_other_is_told(neighbour, lamp, grids, worker_1, secretary_a):
    appeal = _report(neighbour, lamp, grids[0])
    copies, users = _copies(appeal), [worker_1, secretary_a]
    results = run_concurrently(lambda i: handling.accept(copies[i], users[i]), 2)
    assert sum(isinstance(r, Appeal) for r in results) == 1 and sum(map(bool, map(_refused, results))) == 1, results
    assert appeal.entries.filter(kind=Entry.Kind.ACCEPTED).count() == 1
    appeal.refresh_from_db()
    winner = users[[isinstance(r, Appeal) for r in results].index(True)]
    assert appeal.status == Status.IN_PROGRESS and appeal.owner == winner


def test_two_clicks_on_accept_give_one_acceptance_and_a_message_not_a_500(neighbour, lamp, grids, worker_1):
    appeal = _report(neighbour, lamp, grids[0])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(worker_1)

    def click(index):
        response = clients[index].post(f"/appeals/{appeal.pk}/act/", {"action": "accept"}, follow=True)
        return response.status_code, response.content.decode()

    results = run_concurrently(click, 2)
    assert all(not isinstance(r, Exception) and r[0] == 200 for r in results), results
    pages = [page for _status, page in results]
    assert sum("已完成。" in page for page in pages) == 1
    assert sum("该诉求已不在待受理状态" in page for page in pages) == 1
    assert appeal.entries.filter(kind=Entry.Kind.ACCEPTED).count() == 1


def test_finishing_twice_at_once_finishes_once(neighbour, lamp, grids, worker_1):
    appeal = _report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    copies = _copies(appeal)
    results = run_concurrently(lambda i: handling.finish(copies[i], worker_1, "已更换灯泡"), 2)
    assert sum(isinstance(r, Appeal) for r in results) == 1 and sum(map(bool, map(_refused, results))) == 1, results
    assert appeal.entries.filter(kind=Entry.Kind.FINISH).count() == 1


def test_a_double_click_on_dissatisfied_reopens_once(neighbour, lamp, grids, worker_1, tree):
    appeal = _report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    handling.finish(appeal, worker_1, "已更换灯泡")
    copies = _copies(appeal)
    results = run_concurrently(lambda i: handling.rate(copies[i], neighbour, "dissatisfied", "还是不亮"), 2)
    assert sum(isinstance(r, Appeal) for r in results) == 1 and sum(map(bool, map(_refused, results))) == 1, results
    appeal.refresh_from_db()
    assert appeal.entries.filter(kind=Entry.Kind.REOPEN).count() == 1
    assert appeal.entries.filter(kind=Entry.Kind.RATING).count() == 1 and appeal.unit == tree["community"]


def test_a_transfer_and_an_objection_at_once_move_the_request_once(
    neighbour, lamp, grids, worker_1, branch_b, tree, org_admin
):
    appeal = _report(neighbour, lamp, grids[0])
    copies = _copies(appeal)
    work = [
        lambda: handling.transfer(copies[0], worker_1, branch_b, "属于第二网格"),
        lambda: handling.object_to_dispatch(copies[1], worker_1, "不属本网格"),
    ]
    results = run_concurrently(lambda i: work[i](), 2)
    # The second finds the request moved away from the grid worker: refused with a message, not moved twice.
    assert sum(isinstance(r, Appeal) for r in results) == 1 and sum(map(bool, map(_refused, results))) == 1, results
    moves = appeal.entries.filter(kind__in=[Entry.Kind.TRANSFER, Entry.Kind.OBJECTION]).count()
    assert moves == 1


def test_merging_two_requests_into_each_other_at_once_merges_one(neighbour, lamp, grids, worker_1):
    other = UserFactory()
    first = _report(neighbour, lamp, grids[0])
    second = _report(other, lamp, grids[0], "路灯坏了")
    a, b = Appeal.objects.get(pk=first.pk), Appeal.objects.get(pk=second.pk)
    a2, b2 = Appeal.objects.get(pk=first.pk), Appeal.objects.get(pk=second.pk)
    work = [lambda: handling.merge(b, worker_1, a, "已派电工"), lambda: handling.merge(a2, worker_1, b2, "已派电工")]
    results = run_concurrently(lambda i: work[i](), 2)
    assert sum(isinstance(r, Appeal) for r in results) == 1 and sum(map(bool, map(_refused, results))) == 1, results
    assert Appeal.objects.filter(status=Status.MERGED).count() == 1
    survivor = Appeal.objects.exclude(status=Status.MERGED).get()
    assert survivor.support_count == Support.objects.filter(appeal=survivor).count() == 1


def test_plus_ones_at_once_count_each_resident_once(neighbour, lamp, grids, worker_1):
    appeal = _report(neighbour, lamp, grids[0])
    residents = [UserFactory() for _ in range(3)]
    copies = _copies(appeal, 6)
    results = run_concurrently(lambda i: handling.support(copies[i], residents[i % 3]), 6)
    assert sorted(results) == [False, False, False, True, True, True], results
    appeal.refresh_from_db()
    assert appeal.support_count == Support.objects.filter(appeal=appeal).count() == 3


def test_a_second_promotion_at_once_makes_no_second_consultation(neighbour, lamp, grids, worker_1):
    from consultation.models import ConsultationPage

    appeal = _report(neighbour, lamp, grids[0])
    copies = _copies(appeal)
    results = run_concurrently(lambda i: handling.promote(copies[i], worker_1), 2)
    assert sum(map(bool, map(_refused, results))) == 1, results
    assert ConsultationPage.objects.filter(promoted_appeals=appeal).count() == 1
