"""Once ballots are mixed, the order in which rows are stored links no ballot to its voter.

Participation rows name the voter and grow in voting order; so do the sealed ballots, which are opaque.
The mixer (evaluation/mixing.py) writes the readable ballots, their entries and the receipts each in a
random order with random keys, so that reading the tables in storage order (a table scan, a `pg_dump`,
a copy of the SQLite file) pairs no voter with a ballot. See tests/evaluation/test_sealed_box.py for the
database reader with system columns.
"""

import pytest

from django.db import connection

from evaluation import receipt_codes, voting
from evaluation.models import Ballot, BallotEntry, Participation, Receipt, SealedBallot, Stage
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


@pytest.fixture
def cast(branch_a, secretary_a):
    """An open campaign with every member's ballot cast; each voter marks theirs with a note of their own."""
    voters = scenario.members(branch_a, VOTERS, probationary=0)
    campaign = scenario.open_campaign(branch_a, secretary_a)
    for index, voter in enumerate(voters):
        rows = voting.ballot_rows(campaign, voter=voter)
        voting.cast_member_ballot(campaign, voter, {rows[0].pk: voting.Choice("competent", f"voter-{index:02d}")})
    return campaign, voters


def _voters_in_storage_order() -> dict[str, list[int]]:
    """Which voter wrote each stored ballot, in the order the ballots and their entries are stored."""
    mark = {
        _key(ballot_id): int(note.removeprefix("voter-"))
        for ballot_id, note in BallotEntry.objects.exclude(note="").values_list("ballot_id", "note")
    }
    return {
        "ballots stored": [mark[key] for key in _storage_order(Ballot, "id")],
        "entries stored": [mark[key] for key in dict.fromkeys(_storage_order(BallotEntry, "ballot_id"))],
        "entry ids": [
            mark[_key(b)] for b in dict.fromkeys(BallotEntry.objects.order_by("pk").values_list("ballot_id", flat=True))
        ],
    }


def test_while_balloting_nothing_readable_is_stored(cast):
    assert SealedBallot.objects.count() == Participation.objects.count() == VOTERS
    assert not Ballot.objects.exists() and not BallotEntry.objects.exists() and not Receipt.objects.exists()


@pytest.mark.parametrize("closed_to", [Stage.ASSESSMENT, Stage.NOTICE, Stage.DONE])
def test_closing_the_ballot_leaves_no_storage_order_that_follows_the_voting(cast, secretary_a, closed_to):
    campaign, voters = cast
    campaign.move_to(closed_to, secretary_a)
    voting_order = list(range(VOTERS))
    for what, order in _voters_in_storage_order().items():
        assert sorted(order) == voting_order, what
        assert order not in (voting_order, voting_order[::-1]), what
    assert not SealedBallot.objects.exists()


def test_a_ballot_from_a_page_loaded_before_the_close_is_refused_and_stores_nothing(branch_a, secretary_a):
    # Stored after the close, it would miss the reshuffle (and sit last, next to its voter's
    # participation row) and change a tally already taken.
    voters = scenario.members(branch_a, 4, probationary=0)
    campaign = scenario.open_campaign(branch_a, secretary_a)
    seen_by_the_voter = type(campaign).objects.get(pk=campaign.pk)  # loaded while balloting was open
    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert seen_by_the_voter.ballot_open
    with pytest.raises(voting.BallotRefused):
        voting.cast_member_ballot(seen_by_the_voter, voters[0], {})
    assert not Participation.objects.exists() and not SealedBallot.objects.exists() and not Ballot.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ballots_racing_the_close_are_either_mixed_with_the_rest_or_refused(branch_a, secretary_a):
    from tests.concurrency import run_concurrently

    voters = scenario.members(branch_a, 12, probationary=0)
    campaign = scenario.open_campaign(branch_a, secretary_a)
    forms = [
        {int(k.removeprefix("grade-")): voting.Choice(g) for k, g in scenario.ballot_form(campaign, v, i).items()}
        for i, v in enumerate(voters)
    ]

    def work(index):
        if index == len(voters):
            return type(campaign).objects.get(pk=campaign.pk).move_to(Stage.ASSESSMENT, secretary_a)
        return voting.cast_member_ballot(campaign, voters[index], forms[index])

    results = run_concurrently(work, len(voters) + 1)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, voting.BallotRefused)]
    assert not unexpected, unexpected
    stored = [r for r in results[:-1] if isinstance(r, str)]
    # Every ballot stored was mixed by the close; none was left sealed (it would never be counted).
    assert Ballot.objects.count() == Participation.objects.count() == len(stored)
    assert not SealedBallot.objects.exists()
    assert set(Receipt.objects.values_list("digest", flat=True)) == {
        receipt_codes.receipt_digest(receipt_codes.normalise_receipt(r)) for r in stored
    }
