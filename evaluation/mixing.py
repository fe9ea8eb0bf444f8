"""The mixer: opens sealed ballots in shuffled batches and writes the plaintext ballots.

What a reader of the database (SELECT on every table, system columns included) can link, and why the
batches are what they are:

- A sealed ballot shares its transaction (``xmin``) with its voter's participation row. That is harmless:
  the blob is opaque and its key is not in the database.
- The plaintext rows of one batch share one transaction. A reader who watches the tables sees which
  participations were there before the batch and which ballots it added: the batch is the crowd each of
  its voters hides in. So a batch during voting is never smaller than ``SEALING_MIX_BATCH`` (k) and always
  leaves at least k sealed ballots behind: the final batch at the close is then never smaller than k
  either (unless fewer than k people voted at all).
- Inside a batch, ballots, their entries and the receipts are each inserted in their own random order,
  with random UUID keys: neither storage order (``ctid``) nor keys pair a ballot with a voter or with a
  receipt. Ballots carry only the ballot date.
- After the final mix (in the closing transaction) the private key is destroyed once the transaction
  has committed: the sealed blobs left in old row versions, backups and the WAL can no longer be opened.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import sealing
from evaluation.models import AppraisalCampaign, Ballot, BallotEntry, Receipt, SealedBallot, Stage

logger = logging.getLogger(__name__)


def batch_size() -> int:
    return max(2, int(getattr(settings, "SEALING_MIX_BATCH", 5)))


def mix(campaign: AppraisalCampaign, *, final: bool = False) -> int:
    """Open, shuffle and write one batch of the campaign's sealed ballots; return how many were mixed.

    During voting a batch is made only when at least 2k ballots wait, and k of them (chosen at random)
    stay sealed; `final` (the close) mixes everything left.
    """
    k = batch_size()
    with transaction.atomic():
        # Serialises mixers and the close; waits for ballots being cast (they read this row FOR SHARE).
        locked = AppraisalCampaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)
        if not locked.seal_scope:
            return 0
        # Only the current round's box holds sealed ballots: an earlier round's was emptied at its close.
        pending = list(SealedBallot.objects.filter(campaign=locked).values_list("id", "blob"))
        if final:
            batch = pending
        elif len(pending) >= 2 * k:
            batch = sealing.shuffled(pending)[: len(pending) - k]
        else:
            batch = []
        if not batch:
            return 0
        _write(locked, [blob for _key, blob in batch])
        SealedBallot.objects.filter(pk__in=[key for key, _blob in batch]).delete()
    return len(batch)


def _write(campaign: AppraisalCampaign, blobs: list[bytes]) -> None:
    listed = set(campaign.appraisees.values_list("pk", flat=True))
    ballots, entries, receipts = [], [], []
    for payload in sealing.shuffled(sealing.open_all(campaign.seal_scope, blobs)):
        ballot = Ballot(
            id=uuid.uuid4(),
            campaign=campaign,
            ballot_round=campaign.ballot_round,
            group=payload["group"],
            cast_on=campaign.ballot_date,
        )
        ballots.append(ballot)
        for appraisee_id, grade, note in payload["entries"]:
            if appraisee_id in listed:
                entries.append(BallotEntry(ballot=ballot, appraisee_id=appraisee_id, grade=grade, note=note))
        if payload.get("receipt"):
            receipts.append(
                Receipt(
                    id=uuid.uuid4(), campaign=campaign, ballot_round=campaign.ballot_round, digest=payload["receipt"]
                )
            )
    # Each list in its own random order: the n-th receipt stored is not the n-th ballot's.
    Ballot.objects.bulk_create(ballots)
    BallotEntry.objects.bulk_create(sealing.shuffled(entries))
    Receipt.objects.bulk_create(sealing.shuffled(receipts))


def close_box(campaign: AppraisalCampaign) -> None:
    """Inside the closing transaction: check that the box can be opened, and have it opened once that
    transaction has committed (`open_box`, the `open_ballot_box` task).

    The close itself only moves the stage, which refuses every later ballot (they re-read the stage under
    this row's lock). The box is opened by a task worker after the commit: a worker never sees the
    campaign still balloting, and a close that rolls back opens nothing. Until the box is empty the
    campaign shows 正在开箱 and no result (`AppraisalCampaign.box_opening`).
    """
    scope = campaign.seal_scope
    if not scope:
        return
    if SealedBallot.objects.filter(campaign=campaign).exists():
        try:
            sealing.open_all(scope, [])  # the key is there and unwraps: the worker will be able to open the box
        except sealing.SealingError as error:
            logger.error("Cannot close the ballot box of campaign %s: %s", campaign.pk, error)
            raise ValidationError(
                _(
                    "The sealed ballots cannot be opened: the ballot box's key is missing or SEALING_WRAP_KEY has "
                    "changed. Balloting stays open; ask the server's operator to restore the key."
                )
            ) from None
    from evaluation.tasks import enqueue_open_box

    enqueue_open_box(campaign.pk)


def open_box(campaign_id: int) -> int:
    """The final mix of a closed campaign's box, then its key destroyed; returns how many were mixed.

    Safe to run twice or at once in two workers: the campaign's row is locked, the second run finds the box
    empty and mixes nothing; a campaign that is balloting (not closed, or its next round open) is left alone.
    """
    with transaction.atomic():
        locked = (
            AppraisalCampaign.objects.select_for_update(no_key=True)
            .only("pk", "stage", "seal_scope", "ballot_round", "ballot_date")
            .filter(pk=campaign_id)
            .first()
        )
        if locked is None or not locked.seal_scope or locked.stage not in AppraisalCampaign.closed_stages():
            return 0
        mixed = mix(locked, final=True)
        scope = locked.seal_scope
        # After the commit: the blobs are gone from the live table, and old copies then open with nothing.
        transaction.on_commit(lambda: sealing.destroy(scope))
    return mixed


def destroy_spent_keys() -> int:
    """Destroy the keys of closed campaigns whose box is empty (if a process died before doing so)."""
    destroyed = 0
    closed = AppraisalCampaign.objects.exclude(seal_scope="").filter(stage__in=AppraisalCampaign.closed_stages())
    for campaign in closed.only("pk", "seal_scope", "stage"):
        if sealing.has_key(campaign.seal_scope) and not campaign.sealed_ballots.exists():
            sealing.destroy(campaign.seal_scope)
            destroyed += 1
    return destroyed


def mix_open_campaigns() -> dict[str, int]:
    """What `manage.py mix_ballots` does: a batch for every open ballot box, the final mix of any closed one
    still holding sealed ballots (its `open_ballot_box` task was lost), then spent keys destroyed."""
    mixed = 0
    for campaign in AppraisalCampaign.objects.filter(stage=Stage.BALLOTING).exclude(seal_scope=""):
        mixed += mix(campaign)
    left = AppraisalCampaign.objects.filter(sealed_ballots__isnull=False, stage__in=AppraisalCampaign.closed_stages())
    for campaign_id in left.distinct().values_list("pk", flat=True):
        mixed += open_box(campaign_id)
    return {"mixed": mixed, "keys_destroyed": destroy_spent_keys()}
