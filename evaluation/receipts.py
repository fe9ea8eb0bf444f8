"""Receipts prove that a ballot was counted, never what it said (issue 13, M4).

At submission the voter is shown a random code (evaluation.receipt_codes.new_receipt_code) that is stored nowhere;
its digest travels inside the sealed ballot, and the mixer writes the digests of a batch, shuffled apart
from the ballots, into `Receipt`. After the close the digests are published in a list of their own: a
voter finds theirs, anyone can count them against the ballots, and no receipt points at a ballot.
"""

from __future__ import annotations

import re

from evaluation import receipt_codes
from evaluation.models import AppraisalCampaign, Receipt

_LEGACY = re.compile(r"^[0-9a-f]{64}$")  # receipts from before the sealed box: the digest itself


def published(campaign: AppraisalCampaign, ballot_round: int | None = None) -> list[str]:
    """Every receipt digest of a round (by default the current one), sorted (a random order: they are
    hashes). Also for an invalid round: a receipt says a ballot was counted, not what it said."""
    number = ballot_round or campaign.ballot_round
    return sorted(Receipt.objects.filter(campaign=campaign, ballot_round=number).values_list("digest", flat=True))


def digest_of(text: str) -> str | None:
    """The digest a typed receipt code stands for, or None if the text cannot be a receipt code."""
    code = receipt_codes.normalise_receipt(text)
    if code is not None:
        return receipt_codes.receipt_digest(code)
    legacy = (text or "").strip().lower()
    return legacy if _LEGACY.match(legacy) else None


def counted(campaign: AppraisalCampaign, text: str, ballot_round: int | None = None) -> bool:
    digest = digest_of(text)
    number = ballot_round or campaign.ballot_round
    return digest is not None and Receipt.objects.filter(campaign=campaign, ballot_round=number, digest=digest).exists()
