import pytest

from django.core.exceptions import ValidationError
from django.db import transaction

from evaluation import lib, tally, voting
from evaluation.models import Ballot, BallotEntry, Participation, Stage
from evaluation.voting import BallotRefused, Choice
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def test_each_ballot_lists_every_member_except_the_voter(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    assert len(rows) == 5
    assert all(row.user_id != voters[0].pk for row in rows)


def test_casting_stores_one_participation_and_one_ballot_and_returns_the_receipt(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    choices = {rows[0].pk: Choice("excellent", "表现突出"), rows[1].pk: Choice("basic", "")}
    receipt = voting.cast_member_ballot(open_campaign, voters[0], choices)
    ballot = Ballot.objects.get()
    assert ballot.receipt == receipt
    graded = {row.pk: choices.get(row.pk, Choice()).grade or None for row in rows if row.is_graded}
    assert receipt == lib.receipt_for(str(ballot.pk), graded)
    assert Participation.objects.filter(voter=voters[0]).count() == 1


def test_a_blank_row_is_an_abstention(open_campaign, voters):
    voting.cast_member_ballot(open_campaign, voters[0], {})
    assert set(BallotEntry.objects.values_list("grade", flat=True)) == {""}


def test_a_member_cannot_vote_twice(open_campaign, voters):
    voting.cast_member_ballot(open_campaign, voters[0], {})
    with pytest.raises(BallotRefused):
        voting.cast_member_ballot(open_campaign, voters[0], {})
    assert Ballot.objects.count() == 1


def test_outsiders_cannot_vote(open_campaign, resident, editor_b):
    for user in (resident, editor_b):
        with pytest.raises(BallotRefused):
            voting.cast_member_ballot(open_campaign, user, {})
    assert Ballot.objects.count() == 0


def test_voting_is_refused_outside_the_ballot_stage(campaign, voters):
    with pytest.raises(BallotRefused):
        voting.cast_member_ballot(campaign, voters[0], {})


def test_probationary_members_are_not_graded(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    probationary = next(row for row in rows if not row.is_graded)
    with pytest.raises(ValidationError):
        voting.cast_member_ballot(open_campaign, voters[0], {probationary.pk: Choice("excellent")})
    assert Ballot.objects.count() == 0 and Participation.objects.count() == 0


def test_a_bad_grade_stores_nothing(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    with pytest.raises(ValidationError):
        voting.cast_member_ballot(open_campaign, voters[0], {rows[0].pk: Choice("superb")})
    assert Participation.objects.count() == 0


def test_a_voter_cannot_grade_themselves(open_campaign, voters):
    own = open_campaign.appraisees.get(user=voters[0])
    with pytest.raises(ValidationError):
        voting.cast_member_ballot(open_campaign, voters[0], {own.pk: Choice("excellent")})


def test_masses_codes_are_single_use_and_stored_hashed(open_campaign):
    open_campaign.masses_enabled = True
    open_campaign.save()
    codes = voting.issue_invitations(open_campaign, 2)
    stored = set(open_campaign.invitations.values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in "".join(stored) for code in codes)
    voting.cast_masses_ballot(open_campaign, codes[0].lower(), {})
    with pytest.raises(BallotRefused):
        voting.cast_masses_ballot(open_campaign, codes[0], {})
    with pytest.raises(BallotRefused):
        voting.cast_masses_ballot(open_campaign, "AAAA-BBBB-CCCC", {})
    assert Ballot.objects.filter(group="masses").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submission_stores_one_ballot(open_campaign, voters):
    results = run_concurrently(lambda _i: voting.cast_member_ballot(open_campaign, voters[0], {}), 10)
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1
    assert sum(isinstance(result, str) for result in results) == 1
    assert sum(isinstance(result, BallotRefused) for result in results) == 9


@pytest.mark.django_db(transaction=True)
def test_many_voters_at_once_are_all_counted(open_campaign, voters, secretary_a):
    def cast(index: int):
        rows = voting.ballot_rows(open_campaign, voter=voters[index])
        return voting.cast_member_ballot(open_campaign, voters[index], {rows[0].pk: Choice("competent")})

    results = run_concurrently(cast, len(voters)) if _is_postgres() else [cast(i) for i in range(len(voters))]
    assert all(isinstance(result, str) for result in results), results
    assert Ballot.objects.count() == len(voters) == Participation.objects.count()
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert tally.compute(open_campaign).members.returned == len(voters)


def _is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def test_casting_is_atomic_when_the_ballot_write_fails(open_campaign, voters, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(BallotEntry.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError), transaction.atomic():
        voting.cast_member_ballot(open_campaign, voters[0], {})
    assert Participation.objects.count() == 0 and Ballot.objects.count() == 0
