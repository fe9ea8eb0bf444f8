"""Casting ballots: one transaction writes the participation row and the sealed (encrypted) ballot."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from core import sealing
from evaluation import receipt_codes
from evaluation.models import (
    AppraisalCampaign,
    Appraisee,
    Grade,
    MassesInvitation,
    Participation,
    SealedBallot,
    Stage,
    VoterGroup,
)
from organizations.models import RosterEntry


class BallotRefused(Exception):
    """The ballot cannot be cast; the message is for the voter."""


class AlreadyVoted(BallotRefused):
    """This voter (or invitation code) has already cast a ballot in this round: the unique index on the
    participation rows said so, inside the ballot's transaction."""


@dataclass(frozen=True)
class Choice:
    grade: str = ""
    note: str = ""


def _is_voter(campaign: AppraisalCampaign, user) -> Q:
    # Once balloting opens the voter list is frozen on the appraisees (AppraisalCampaign._open_ballot_box):
    # relinking a roster entry to another account afterwards gives that account no vote.
    if campaign.stage_reached(Stage.BALLOTING):
        return Q(user=user)
    return Q(roster_entry__user=user)


def _on_ballot(campaign: AppraisalCampaign):
    """Every appraisee in the ballot's order, each with the account its roster entry links to now
    (`linked_user_id`). The ballot shows the appraisee's own name and member type, never the entry."""
    return campaign.appraisees.annotate(linked_user_id=F("roster_entry__user")).order_by(
        "roster_entry__member_no", "pk"
    )


def ballot_rows(campaign: AppraisalCampaign, voter=None) -> list[Appraisee]:
    """Everyone on the ballot: every appraisee except the voter themselves."""
    rows = _on_ballot(campaign)
    if voter is not None:
        rows = rows.exclude(_is_voter(campaign, voter))
    return list(rows)


class BallotRow(NamedTuple):
    """An appraisee as the ballot page shows and checks them: a tuple, not a model instance, since a
    thousand members open and send the ballot at once (building 50 instances took a third of the reading)."""

    pk: int
    user_id: int | None
    linked_user_id: int | None  # the account the roster entry links to now
    name: str
    member_type: str

    is_graded = Appraisee.is_graded  # the same rule, read from the same column

    def get_member_type_display(self) -> str:
        return RosterEntry.MemberType(self.member_type).label


def voter_and_rows(campaign: AppraisalCampaign, user) -> tuple[BallotRow | None, list[BallotRow]]:
    """The user's own appraisee row (None: not a voter) and their ballot rows, in one query: the ballot
    page needs both, and loading every appraisee once costs the same as loading all but one.

    The rows also answer who is an appraisee now (`campaign.appraisee_user_ids`, read by
    evaluation.rules.is_appraisee): the ballot page asks that next, and need not ask the database again.
    """
    everyone = [BallotRow(*values) for values in _on_ballot(campaign).values_list(*BallotRow._fields)]
    campaign.appraisee_user_ids = {row.linked_user_id for row in everyone}
    if not user.is_authenticated:
        return None, everyone
    # The same rule as _is_voter, applied to the rows in memory.
    frozen = campaign.stage_reached(Stage.BALLOTING)
    mine = [row for row in everyone if (row.user_id if frozen else row.linked_user_id) == user.pk]
    return (mine[0] if mine else None), [row for row in everyone if row not in mine]


def voter_appraisee(campaign: AppraisalCampaign, user) -> Appraisee | None:
    if not user.is_authenticated:
        return None
    return campaign.appraisees.filter(_is_voter(campaign, user)).first()


def has_voted(campaign: AppraisalCampaign, user) -> bool:
    """Whether the user has voted in the current round (a round held again is voted in afresh)."""
    return Participation.objects.filter(campaign=campaign, ballot_round=campaign.ballot_round, voter=user).exists()


def _validate(rows: list[Appraisee], choices: dict[int, Choice]) -> dict[int, Choice]:
    listed = {row.pk: row for row in rows}
    if set(choices) - set(listed):
        raise ValidationError(_("The ballot lists a member who is not on this ballot."))
    valid_grades = set(Grade.values) | {""}
    cleaned = {}
    for pk, row in listed.items():
        choice = choices.get(pk, Choice())
        if choice.grade not in valid_grades:
            raise ValidationError(_("“%(grade)s” is not a grade.") % {"grade": choice.grade})
        if choice.grade and not row.is_graded:
            raise ValidationError(_("Probationary members are not graded (不定等次)."))
        if len(choice.note) > 300:
            raise ValidationError(_("A note may have at most 300 characters."))
        cleaned[pk] = Choice(choice.grade if row.is_graded else "", choice.note.strip() if row.is_graded else "")
    return cleaned


def into_open_box(campaign: AppraisalCampaign, public_key: bytes, blob: bytes) -> None:
    """Put a sealed ballot into the campaign's box, in one statement that checks again, inside the ballot's
    transaction, that the box is still the one the ballot was sealed for: balloting has not closed since
    the page was loaded (a ballot stored after the final mix would never be counted), the round is still
    the one the ballot was made for (never a round closed meanwhile) and `public_key`, which sealed it, is
    still the box's. Otherwise nothing is stored and BallotRefused is raised.

    On PostgreSQL the campaign row is read FOR SHARE: ballots do not wait for each other, closing
    (AppraisalCampaign.move_to, FOR UPDATE) waits for the ballots already past this point, and a ballot
    arriving meanwhile waits for the close and then finds the new stage. On SQLite the participation
    row written before this holds the database's write lock, which has the same effect.

    One statement rather than a read and an ORM insert: a thousand members send their ballots at once.
    """
    campaigns = connection.ops.quote_name(AppraisalCampaign._meta.db_table)
    sealed = connection.ops.quote_name(SealedBallot._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    ballot_id = SealedBallot._meta.pk.get_db_prep_value(uuid.uuid4(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sealed} (id, campaign_id, blob) SELECT %s, id, %s FROM {campaigns}"  # noqa: S608
            f" WHERE id = %s AND stage = %s AND ballot_round = %s AND seal_public_key = %s{lock}",
            [ballot_id, blob, campaign.pk, Stage.BALLOTING, campaign.ballot_round, public_key],
        )
        stored = cursor.rowcount
    if stored != 1:
        raise BallotRefused(_("Balloting is not open."))


def sealed_payload(group: str, rows, choices: dict[int, Choice], receipt_digest: str | None) -> dict:
    """What goes into the box: the group, one row per graded member (id, grade, note) and the receipt's
    digest. No voter, no time."""
    entries = [[row.pk, choices[row.pk].grade, choices[row.pk].note] for row in rows if row.is_graded]
    return {"group": group, "entries": entries, "receipt": receipt_digest}


def _cast(campaign: AppraisalCampaign, group: str, rows, cleaned, participation: dict) -> str:
    if not campaign.seal_public_key:
        raise BallotRefused(_("Balloting is not open."))
    public_key = bytes(campaign.seal_public_key)
    code = receipt_codes.new_receipt_code()
    blob = sealing.seal(public_key, sealed_payload(group, rows, cleaned, receipt_codes.receipt_digest(code)))
    with transaction.atomic():
        # The participation row comes first: a concurrent second ballot waits on its unique index and
        # then fails, rolling back its own sealed ballot with it.
        Participation.objects.create(
            campaign=campaign, ballot_round=campaign.ballot_round, group=group, **participation
        )
        into_open_box(campaign, public_key, blob)
    return receipt_codes.format_receipt(code)


def cast_member_ballot(campaign: AppraisalCampaign, user, choices: dict[int, Choice], rows=None) -> str:
    """Cast `user`'s ballot and return the receipt code (shown once, kept only by the voter).

    Raises BallotRefused or ValidationError. `rows`: the voter's `ballot_rows`, from a caller that has
    already checked the voter is an appraisee.
    """
    if not campaign.ballot_open:
        raise BallotRefused(_("Balloting is not open."))
    if rows is None:
        if voter_appraisee(campaign, user) is None:
            raise BallotRefused(_("Only members of this branch can vote in its appraisal."))
        rows = ballot_rows(campaign, voter=user)
    cleaned = _validate(rows, choices)
    try:
        return _cast(campaign, VoterGroup.MEMBERS, rows, cleaned, {"voter": user})
    except IntegrityError:
        raise AlreadyVoted(_("You have already voted. Each person votes once.")) from None


def cast_masses_ballot(campaign: AppraisalCampaign, code: str, choices: dict[int, Choice]) -> str:
    """Cast a masses' representative's ballot with a single-use invitation code."""
    if not campaign.ballot_open or not campaign.masses_enabled:
        raise BallotRefused(_("Balloting is not open."))
    rows = ballot_rows(campaign)
    cleaned = _validate(rows, choices)
    invitation = MassesInvitation.objects.filter(
        campaign=campaign, code_hash=MassesInvitation.hash_code(code), revoked=False
    ).first()
    if invitation is None:
        raise BallotRefused(_("This invitation code is not valid."))
    try:
        return _cast(campaign, VoterGroup.MASSES, rows, cleaned, {"invitation": invitation})
    except IntegrityError:
        raise BallotRefused(_("This invitation code has already been used.")) from None


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are typed from paper


def issue_invitations(campaign: AppraisalCampaign, count: int) -> list[str]:
    """New single-use codes for masses' representatives; shown once, stored only as hashes.

    Only before balloting opens: the voter list is frozen from then on (ValidationError).
    """
    if campaign.stage_reached(Stage.BALLOTING):
        raise ValidationError(_("Balloting has opened: no more invitation codes can be issued."))
    codes = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(12)) for _ in range(count)]
    MassesInvitation.objects.bulk_create(
        [MassesInvitation(campaign=campaign, code_hash=MassesInvitation.hash_code(code)) for code in codes]
    )
    return ["-".join(code[i : i + 4] for i in range(0, 12, 4)) for code in codes]
