import pytest

from django.core.exceptions import ValidationError
from django.db import transaction

from core import sealing
from evaluation import mixing, receipt_codes, tally, voting
from evaluation.models import Ballot, BallotEntry, Participation, Receipt, SealedBallot, Stage
from evaluation.voting import BallotRefused, Choice
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def test_each_ballot_lists_every_member_except_the_voter(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    assert len(rows) == 5
    assert all(row.user_id != voters[0].pk for row in rows)


def test_casting_stores_one_participation_and_one_sealed_ballot_and_returns_a_readable_receipt(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    choices = {rows[0].pk: Choice("excellent", "表现突出"), rows[1].pk: Choice("basic", "")}
    receipt = voting.cast_member_ballot(open_campaign, voters[0], choices)
    # Four groups of four, from an alphabet without 0/O or 1/I.
    assert len(receipt) == 19 and [len(part) for part in receipt.split("-")] == [4, 4, 4, 4]
    assert set(receipt.replace("-", "")) <= set(receipt_codes.RECEIPT_ALPHABET)
    assert Participation.objects.filter(voter=voters[0]).count() == 1
    # Nothing readable is stored: only the sealed blob, until the mixer opens it.
    assert not Ballot.objects.exists() and not BallotEntry.objects.exists() and not Receipt.objects.exists()
    blob = bytes(SealedBallot.objects.get().blob)
    assert "表现突出".encode() not in blob and b"excellent" not in blob
    (opened,) = sealing.open_all(open_campaign.seal_scope, [blob])
    assert opened["receipt"] == receipt_codes.receipt_digest(receipt.replace("-", ""))
    assert [rows[0].pk, "excellent", "表现突出"] in opened["entries"]
    assert set(opened) == {"group", "entries", "receipt"}  # no voter, no time


def test_a_blank_row_is_an_abstention(open_campaign, voters):
    voting.cast_member_ballot(open_campaign, voters[0], {})
    mixing.mix(open_campaign, final=True)
    assert set(BallotEntry.objects.values_list("grade", flat=True)) == {""}


def test_a_ballot_sealed_to_a_key_that_is_no_longer_the_boxs_is_refused_and_stores_nothing(open_campaign, voters):
    """The box stores a blob only if the key it was sealed with is still the box's: one the mixer could not
    open would be a ballot lost without anyone knowing."""
    stale = type(open_campaign).objects.get(pk=open_campaign.pk)
    stale.seal_public_key = sealing.create_key(f"{open_campaign.seal_scope}-other")
    with pytest.raises(BallotRefused):
        voting.cast_member_ballot(stale, voters[0], {})
    assert not Participation.objects.exists() and not SealedBallot.objects.exists()
    voting.cast_member_ballot(open_campaign, voters[0], {})
    assert SealedBallot.objects.count() == 1


def test_a_member_cannot_vote_twice(open_campaign, voters):
    voting.cast_member_ballot(open_campaign, voters[0], {})
    with pytest.raises(BallotRefused):
        voting.cast_member_ballot(open_campaign, voters[0], {})
    assert SealedBallot.objects.count() == 1


def test_outsiders_cannot_vote(open_campaign, resident, editor_b):
    for user in (resident, editor_b):
        with pytest.raises(BallotRefused):
            voting.cast_member_ballot(open_campaign, user, {})
    assert SealedBallot.objects.count() == 0


def test_voting_is_refused_outside_the_ballot_stage(campaign, voters):
    with pytest.raises(BallotRefused):
        voting.cast_member_ballot(campaign, voters[0], {})


def test_probationary_members_are_not_graded(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    probationary = next(row for row in rows if not row.is_graded)
    with pytest.raises(ValidationError):
        voting.cast_member_ballot(open_campaign, voters[0], {probationary.pk: Choice("excellent")})
    assert SealedBallot.objects.count() == 0 and Participation.objects.count() == 0


def test_a_bad_grade_stores_nothing(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    with pytest.raises(ValidationError):
        voting.cast_member_ballot(open_campaign, voters[0], {rows[0].pk: Choice("superb")})
    assert Participation.objects.count() == 0


def test_a_voter_cannot_grade_themselves(open_campaign, voters):
    own = open_campaign.appraisees.get(user=voters[0])
    with pytest.raises(ValidationError):
        voting.cast_member_ballot(open_campaign, voters[0], {own.pk: Choice("excellent")})


def test_masses_codes_are_single_use_and_stored_hashed(campaign, secretary_a):
    campaign.masses_enabled = True
    campaign.save()
    codes = voting.issue_invitations(campaign, 2)
    campaign.move_to(Stage.BALLOTING, secretary_a)
    open_campaign = campaign
    stored = set(open_campaign.invitations.values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in "".join(stored) for code in codes)
    voting.cast_masses_ballot(open_campaign, codes[0].lower(), {})
    with pytest.raises(BallotRefused):
        voting.cast_masses_ballot(open_campaign, codes[0], {})
    with pytest.raises(BallotRefused):
        voting.cast_masses_ballot(open_campaign, "AAAA-BBBB-CCCC", {})
    mixing.mix(open_campaign, final=True)
    assert Ballot.objects.filter(group="masses").count() == 1


def test_no_invitation_codes_once_balloting_has_opened(open_campaign):
    with pytest.raises(ValidationError):
        voting.issue_invitations(open_campaign, 1)
    assert not open_campaign.invitations.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submission_stores_one_ballot(open_campaign, voters):
    results = run_concurrently(lambda _i: voting.cast_member_ballot(open_campaign, voters[0], {}), 10)
    assert SealedBallot.objects.count() == 1 and Participation.objects.count() == 1
    assert sum(isinstance(result, str) for result in results) == 1
    assert sum(isinstance(result, BallotRefused) for result in results) == 9


@pytest.mark.django_db(transaction=True)
def test_many_voters_at_once_are_all_counted(open_campaign, voters, secretary_a):
    def cast(index: int):
        rows = voting.ballot_rows(open_campaign, voter=voters[index])
        return voting.cast_member_ballot(open_campaign, voters[index], {rows[0].pk: Choice("competent")})

    results = run_concurrently(cast, len(voters)) if _is_postgres() else [cast(i) for i in range(len(voters))]
    assert all(isinstance(result, str) for result in results), results
    assert SealedBallot.objects.count() == len(voters) == Participation.objects.count()
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert tally.compute(open_campaign).members.returned == len(voters) == Ballot.objects.count()
    assert not SealedBallot.objects.exists() and Receipt.objects.count() == len(voters)


def _is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def test_casting_is_atomic_when_the_ballot_write_fails(open_campaign, voters, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sealing, "seal", explode)
    with pytest.raises(RuntimeError), transaction.atomic():
        voting.cast_member_ballot(open_campaign, voters[0], {})
    assert Participation.objects.count() == 0 and SealedBallot.objects.count() == 0
