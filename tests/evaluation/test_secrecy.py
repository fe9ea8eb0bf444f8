"""The promise: a ballot can never be linked to its voter, from any table (see also test_sealed_box.py)."""

import io

import pytest

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models

from core import sealing
from evaluation import mixing, voting
from evaluation.models import (
    AppraisalCampaign,
    Ballot,
    BallotEntry,
    PaperBallot,
    Participation,
    Receipt,
    SealedBallot,
    Stage,
)
from evaluation.voting import Choice

pytestmark = pytest.mark.django_db
SECRET_TABLES = (SealedBallot, Ballot, BallotEntry, Receipt)


def _relations(model) -> set:
    """Models this model's own columns point at (forward relations only)."""
    forward = [f for f in model._meta.get_fields() if f.is_relation and not f.auto_created and f.related_model]
    return {field.related_model for field in forward}


def test_ballot_tables_have_no_relation_to_users_or_participation():
    User = get_user_model()
    for model in SECRET_TABLES:
        related = _relations(model)
        assert User not in related
        assert Participation not in related
    assert not _relations(Participation) & set(SECRET_TABLES)
    assert not _relations(PaperBallot) & set(SECRET_TABLES)


def test_ballot_tables_hold_no_time_finer_than_a_date():
    for model in (*SECRET_TABLES, Participation, PaperBallot):
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateTimeField | models.TimeField), f"{model.__name__}.{field.name}"


def test_ballot_keys_are_random_uuids_not_sequences():
    for model in (SealedBallot, Ballot, Receipt, Participation, PaperBallot):
        assert isinstance(model._meta.pk, models.UUIDField), model


def test_no_other_model_points_at_ballots_or_participation():
    pointing = {
        (model.__name__, target.__name__)
        for model in apps.get_models()
        for target in _relations(model)
        if target in (*SECRET_TABLES, Participation)
    }
    assert pointing == {("BallotEntry", "Ballot")}


def test_the_ballot_date_is_the_campaigns_not_the_casting_time(open_campaign, voters):
    voting.cast_member_ballot(open_campaign, voters[0], {})
    mixing.mix(open_campaign, final=True)
    assert list(Ballot.objects.values_list("cast_on", flat=True)) == [open_campaign.ballot_date]


def test_a_sealed_ballot_holds_only_its_box_and_an_opaque_blob(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    voting.cast_member_ballot(open_campaign, voters[0], {rows[0].pk: Choice("excellent", "独一无二的备注")})
    sealed = SealedBallot.objects.values().get()
    assert set(sealed) == {"id", "campaign_id", "blob"}
    assert "独一无二的备注".encode() not in bytes(sealed["blob"])
    # The public key is in the database; the private key is not, and the database alone opens nothing.
    open_campaign.refresh_from_db()
    assert open_campaign.seal_public_key and sealing.has_key(open_campaign.seal_scope)


def test_blobs_are_padded_so_their_length_does_not_tell_a_long_note(open_campaign, voters):
    rows = voting.ballot_rows(open_campaign, voter=voters[0])
    voting.cast_member_ballot(open_campaign, voters[0], {rows[0].pk: Choice("excellent", "")})
    voting.cast_member_ballot(open_campaign, voters[1], {rows[1].pk: Choice("excellent", "很长的备注" * 20)})
    lengths = {len(bytes(blob)) for blob in SealedBallot.objects.values_list("blob", flat=True)}
    assert len(lengths) == 1


def test_closing_mixes_every_ballot_and_destroys_the_key(
    open_campaign, voters, secretary_a, django_capture_on_commit_callbacks
):
    for voter in voters:
        voting.cast_member_ballot(open_campaign, voter, {})
    with django_capture_on_commit_callbacks(execute=True):
        open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert not SealedBallot.objects.exists()
    assert Ballot.objects.count() == Receipt.objects.count() == len(voters)
    assert not sealing.has_key(open_campaign.seal_scope)


def test_mix_ballots_makes_batches_of_at_least_k_and_leaves_k_sealed(open_campaign, voters, settings):
    settings.SEALING_MIX_BATCH = 2
    for voter in voters[:3]:
        voting.cast_member_ballot(open_campaign, voter, {})
    out = io.StringIO()
    call_command("mix_ballots", stdout=out)
    assert "mixed 0" in out.getvalue() and SealedBallot.objects.count() == 3  # fewer than 2k waiting
    for voter in voters[3:]:
        voting.cast_member_ballot(open_campaign, voter, {})
    call_command("mix_ballots", stdout=out)
    assert Ballot.objects.count() == 4 and SealedBallot.objects.count() == 2  # k stay sealed
    # Results still need the close, which mixes the rest.
    open_campaign.move_to(Stage.ASSESSMENT, None)
    assert Ballot.objects.count() == len(voters) and not SealedBallot.objects.exists()


def test_a_lost_key_refuses_the_close_with_a_message_and_keeps_the_ballots(open_campaign, voters, secretary_a):
    voting.cast_member_ballot(open_campaign, voters[0], {})
    sealing.destroy(open_campaign.seal_scope)
    with pytest.raises(ValidationError, match="SEALING_WRAP_KEY"):
        open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert AppraisalCampaign.objects.get(pk=open_campaign.pk).stage == Stage.BALLOTING
    assert SealedBallot.objects.count() == 1


def test_saving_an_earlier_stage_directly_is_refused_too(open_campaign, secretary_a):
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    stale = AppraisalCampaign.objects.get(pk=open_campaign.pk)
    stale.stage = Stage.BALLOTING
    with pytest.raises(ValidationError):
        stale.save()
    assert AppraisalCampaign.objects.get(pk=open_campaign.pk).stage == Stage.ASSESSMENT
