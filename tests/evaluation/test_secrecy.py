"""The promise: a ballot can never be linked to its voter, from any table."""

import pytest

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from evaluation import voting
from evaluation.models import Ballot, BallotEntry, Participation
from evaluation.voting import Choice

pytestmark = pytest.mark.django_db


def _relations(model) -> set:
    """Models this model's own columns point at (forward relations only)."""
    forward = [f for f in model._meta.get_fields() if f.is_relation and not f.auto_created and f.related_model]
    return {field.related_model for field in forward}


def test_ballot_tables_have_no_relation_to_users_or_participation():
    User = get_user_model()
    for model in (Ballot, BallotEntry):
        related = _relations(model)
        assert User not in related
        assert Participation not in related
    assert Ballot not in _relations(Participation) and BallotEntry not in _relations(Participation)


def test_ballot_tables_hold_no_time_finer_than_a_date():
    for model in (Ballot, BallotEntry, Participation):
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateTimeField | models.TimeField), f"{model.__name__}.{field.name}"


def test_ballot_keys_are_random_uuids_not_sequences():
    assert isinstance(Ballot._meta.pk, models.UUIDField)
    assert isinstance(Participation._meta.pk, models.UUIDField)


def test_no_other_model_points_at_ballots_or_participation():
    pointing = {
        (model.__name__, target.__name__)
        for model in apps.get_models()
        for target in _relations(model)
        if target in (Ballot, BallotEntry, Participation)
    }
    assert pointing == {("BallotEntry", "Ballot")}


def test_the_ballot_date_is_the_campaigns_not_the_casting_time(open_campaign, voters):
    voting.cast_member_ballot(open_campaign, voters[0], {})
    assert list(Ballot.objects.values_list("cast_on", flat=True)) == [open_campaign.ballot_date]


def test_stored_rows_cannot_be_joined_to_the_voter(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    voting.cast_member_ballot(open_campaign, voters[0], {rows[0].pk: Choice("excellent", "")})
    ballot = Ballot.objects.values().get()
    participation = Participation.objects.values().get()
    assert voters[0].pk not in {value for value in ballot.values() if isinstance(value, int)}
    assert participation["voter_id"] == voters[0].pk
    assert set(participation) & set(ballot) == {"id", "campaign_id", "group"}
    assert participation["id"] != ballot["id"]


def test_closing_the_ballot_rewrites_ballots_in_random_order(open_campaign, voters, secretary_a):
    for voter in voters:
        voting.cast_member_ballot(open_campaign, voter, {})
    receipts_before = set(Ballot.objects.values_list("receipt", flat=True))
    open_campaign.move_to("assessment", secretary_a)
    assert set(Ballot.objects.values_list("receipt", flat=True)) == receipts_before
