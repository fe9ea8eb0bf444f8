"""Once balloting closes, the order in which rows are stored links no ballot to its voter.

Participation rows name the voter; ballots do not. While balloting is open both tables grow in voting
order, and so do the ballot entries' sequential ids: reading the tables in storage order (a table scan,
a `pg_dump`, a copy of the SQLite file) pairs the n-th voter with the n-th ballot. Closing the ballot
must break that, whichever stage it is moved to.
"""

import pytest

from django.db import connection

from evaluation import voting
from evaluation.models import Ballot, BallotEntry, Participation, Stage
from tests.security import scenario

pytestmark = pytest.mark.django_db
VOTERS = 14


def _storage_order(model, column: str) -> list:
    """`column` of `model`'s rows in the order they are stored (PostgreSQL ctid, SQLite rowid)."""
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} ORDER BY {position}")  # noqa: S608
        return [_key(value) for (value,) in cursor.fetchall()]


def _key(value) -> str:
    return str(value).replace("-", "")  # SQLite stores UUIDs as bare hex


def _ballots_by_first_entry_id() -> list[str]:
    first = {}
    for entry_id, ballot_id in BallotEntry.objects.order_by("pk").values_list("pk", "ballot_id"):
        first.setdefault(_key(ballot_id), entry_id)
    return sorted(first, key=first.get)


def _distinct_in_order(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@pytest.fixture
def cast(branch_a, secretary_a):
    """An open campaign with every member's ballot cast, and the ballots' and voters' order of casting."""
    voters = scenario.members(branch_a, VOTERS, probationary=0)
    campaign = scenario.open_campaign(branch_a, secretary_a)
    ballot_order, voter_order = [], []
    for index, voter in enumerate(voters):
        grades = {
            int(key.removeprefix("grade-")): voting.Choice(grade)
            for key, grade in scenario.ballot_form(campaign, voter, index).items()
        }
        receipt = voting.cast_member_ballot(campaign, voter, grades)
        ballot_order.append(_key(Ballot.objects.get(receipt=receipt).pk))
        voter_order.append(_key(voter.pk))
    return campaign, ballot_order, voter_order


def _orders() -> dict[str, list[str]]:
    return {
        "ballots stored": _storage_order(Ballot, "id"),
        "entries stored": _distinct_in_order(_storage_order(BallotEntry, "ballot_id")),
        "entry ids": _ballots_by_first_entry_id(),
    }


def test_while_balloting_the_storage_order_is_the_voting_order(cast):
    # The premise of the test below: without the reshuffle, storage order gives the link away.
    _campaign, ballot_order, voter_order = cast
    assert _storage_order(Participation, "voter_id") == voter_order
    assert all(order == ballot_order for order in _orders().values())


@pytest.mark.parametrize("closed_to", [Stage.ASSESSMENT, Stage.NOTICE, Stage.DONE, Stage.PREPARING])
def test_closing_the_ballot_leaves_no_storage_order_that_follows_the_voting(cast, secretary_a, closed_to):
    campaign, ballot_order, voter_order = cast
    receipts = set(Ballot.objects.values_list("receipt", flat=True))
    grades = sorted(BallotEntry.objects.values_list("ballot_id", "appraisee_id", "grade"))
    campaign.move_to(closed_to, secretary_a)

    participation_order = _storage_order(Participation, "voter_id")
    assert sorted(participation_order) == sorted(voter_order)
    assert participation_order not in (voter_order, voter_order[::-1])
    for what, order in _orders().items():
        assert sorted(order) == sorted(ballot_order), what
        assert order not in (ballot_order, ballot_order[::-1]), what
    # Same ballots, same grades, same receipts: only where and under which entry ids they are stored changed.
    assert set(Ballot.objects.values_list("receipt", flat=True)) == receipts
    assert sorted(BallotEntry.objects.values_list("ballot_id", "appraisee_id", "grade")) == grades
