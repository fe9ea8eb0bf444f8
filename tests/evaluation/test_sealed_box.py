"""Issue 13 H4 (appraisal): a database reader cannot link a voter to their ballot.

Twelve members vote (eight of them at the same moment); each writes on their ballot a note only they
know, so the test knows the truth. A SQL role with SELECT on every table then tries every link it has —
system columns (`xmin`, `ctid`), the entries' serial ids, dates, the participation and invitation
tables — while balloting is open, after a mix in the middle of the vote, and after the close. The best
any link does is name the batch (at least k = SEALING_MIX_BATCH ballots) a voter is in. After the close
the table pages (live and dead row versions, read with pageinspect) hold no voter's plaintext anywhere
but in the live mixed entries, and the box's private key is gone.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from core import sealing
from evaluation import mixing, receipt_codes, voting
from evaluation.models import AppraisalCampaign, Stage
from tests.concurrency import run_concurrently
from tests.security import scenario
from tests.security.database_reader import Reader, row_versions

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

K = 3
VOTERS = 12
AT_ONCE = 8
TABLES = [
    "evaluation_appraisalcampaign",
    "evaluation_appraisee",
    "evaluation_stagechange",
    "evaluation_massesinvitation",
    "evaluation_participation",
    "evaluation_sealedballot",
    "evaluation_ballot",
    "evaluation_ballotentry",
    "evaluation_receipt",
    "evaluation_paperballot",
    "django_session",
]


def _secret(index: int) -> str:
    return f"只有党员{index:02d}知道的意见"


@pytest.fixture
def cast(branch_a, secretary_a, settings):
    """Twelve ballots, four one after another and eight at once; returns the campaign and the truth."""
    settings.SEALING_MIX_BATCH = K
    voters = scenario.members(branch_a, VOTERS, probationary=0)
    campaign = scenario.open_campaign(branch_a, secretary_a)
    receipts: dict[int, str] = {}

    def vote(index: int) -> str:
        rows = voting.ballot_rows(campaign, voter=voters[index])
        choices = {
            row.pk: voting.Choice(["excellent", "competent", "basic"][(index + n) % 3]) for n, row in enumerate(rows)
        }
        choices[rows[0].pk] = voting.Choice("competent", _secret(index))
        receipts[index] = voting.cast_member_ballot(campaign, voters[index], choices)
        return receipts[index]

    for index in range(VOTERS - AT_ONCE):
        vote(index)
    results = run_concurrently(lambda i: vote(VOTERS - AT_ONCE + i), AT_ONCE)
    assert all(isinstance(result, str) for result in results), results
    truth = {
        "voter_of_secret": {_secret(i): voters[i].pk for i in range(VOTERS)},
        "voter_of_receipt": {
            receipt_codes.receipt_digest(receipt_codes.normalise_receipt(r)): voters[i].pk for i, r in receipts.items()
        },
    }
    return campaign, secretary_a, truth


def _every_readable_text(reader: Reader) -> str:
    """Every column of every row the reader can select, as text."""
    return "\n".join(
        text
        for table in TABLES
        for (text,) in reader.rows(f"SELECT t::text FROM {table} t")  # noqa: S608
    )


def _ballot_voters(reader: Reader, truth) -> dict[str, int]:
    """Mixed ballot id → its voter (known to the test from the secret note, not to the reader)."""
    rows = reader.rows("SELECT ballot_id::text, note FROM evaluation_ballotentry WHERE note <> ''")
    return {ballot: truth["voter_of_secret"][note] for ballot, note in rows}


def _try_every_link(reader: Reader, truth) -> None:
    """What a reader can derive, and that none of it names a voter's ballot (better than its batch)."""
    voter_of_ballot = _ballot_voters(reader, truth)
    if not voter_of_ballot:
        return
    participations = reader.rows(
        "SELECT voter_id, xmin::text::bigint, ctid::text FROM evaluation_participation ORDER BY xmin::text::bigint"
    )
    voter_xmin = {voter: xmin for voter, xmin, _ctid in participations}
    # 1. Same transaction: no ballot, entry or receipt shares a participation row's xmin.
    for table in ("evaluation_ballot", "evaluation_ballotentry", "evaluation_receipt"):
        joined = reader.rows(
            f"SELECT count(*) FROM {table} t JOIN evaluation_participation p ON p.xmin = t.xmin"  # noqa: S608
        )
        assert joined == [(0,)], table
    # 2. Batches: every transaction that wrote ballots wrote at least K of them; the voters whose
    #    participation came before a batch are all candidates for each of its ballots.
    ballot_xmin = dict(reader.rows("SELECT id::text, xmin::text::bigint FROM evaluation_ballot"))
    sizes = Counter(ballot_xmin.values())
    assert all(size >= K for size in sizes.values()), sizes
    for ballot, voter in voter_of_ballot.items():
        candidates = [v for v, xmin in voter_xmin.items() if xmin < ballot_xmin[ballot]]
        assert voter in candidates and len(candidates) >= K
    # 3. Orders: storage order (ctid) of the ballots, of their entries, the entries' serial ids and the
    #    receipts' storage order, each laid against the voting order (participation xmin), never match it.
    voting_order = [voter for voter, _xmin, _ctid in participations if voter in voter_of_ballot.values()]
    orders = {
        "ballots by ctid": [b for (b,) in reader.rows("SELECT id::text FROM evaluation_ballot ORDER BY ctid")],
        "ballots by first entry id": list(
            dict.fromkeys(b for (b,) in reader.rows("SELECT ballot_id::text FROM evaluation_ballotentry ORDER BY id"))
        ),
        "ballots by entry ctid": list(
            dict.fromkeys(b for (b,) in reader.rows("SELECT ballot_id::text FROM evaluation_ballotentry ORDER BY ctid"))
        ),
    }
    for what, order in orders.items():
        voters_in_order = [voter_of_ballot[b] for b in order]
        assert sorted(voters_in_order) == sorted(voting_order), what
        assert voters_in_order not in (voting_order, voting_order[::-1]), what
    # 4. Receipts: the n-th receipt stored is not the n-th ballot's (a voter could otherwise show which
    #    ballot is theirs); and a receipt names no voter.
    receipt_voters = [
        truth["voter_of_receipt"][d] for (d,) in reader.rows("SELECT digest FROM evaluation_receipt ORDER BY ctid")
    ]
    ballot_voters = [voter_of_ballot[b] for b in orders["ballots by ctid"]]
    assert sorted(receipt_voters) == sorted(ballot_voters)
    assert receipt_voters != ballot_voters
    # 5. Time: the ballot tables hold no column finer than a date, and every ballot the same date.
    timed = reader.rows(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_name = ANY(%s) "
        "AND (data_type LIKE 'timestamp%%' OR data_type LIKE 'time%%')",
        [[t for t in TABLES if t.startswith("evaluation_") and t not in ("evaluation_stagechange",)]],
    )
    assert timed == []
    assert len(reader.rows("SELECT DISTINCT cast_on FROM evaluation_ballot")) == 1


def test_a_database_reader_cannot_link_a_voter_to_a_ballot_open_mixed_or_closed(cast):
    campaign, secretary, truth = cast
    reader = Reader()
    secrets = list(truth["voter_of_secret"])

    # Open, nothing mixed: participation and sealed ballot share an xmin, but the blob says nothing.
    pairs = reader.rows(
        "SELECT p.voter_id, s.blob FROM evaluation_participation p JOIN evaluation_sealedballot s ON s.xmin = p.xmin"
    )
    assert len(pairs) == VOTERS
    assert not any(secret.encode() in bytes(blob) for _voter, blob in pairs for secret in secrets)
    readable = _every_readable_text(reader)
    assert not any(secret in readable for secret in secrets)
    assert reader.rows("SELECT count(*) FROM evaluation_ballot") == [(0,)]

    # A mix in the middle of the vote: 12 waiting, k = 3 → 9 mixed, 3 stay sealed.
    assert mixing.mix(campaign) == VOTERS - K
    assert reader.rows("SELECT count(*) FROM evaluation_sealedballot") == [(K,)]
    _try_every_link(reader, truth)

    # The close mixes the rest (a batch of K, never fewer) and destroys the key.
    AppraisalCampaign.objects.get(pk=campaign.pk).move_to(Stage.ASSESSMENT, secretary)
    assert reader.rows("SELECT count(*) FROM evaluation_sealedballot") == [(0,)]
    assert reader.rows("SELECT count(*) FROM evaluation_ballot") == [(VOTERS,)]
    assert not sealing.has_key(campaign.seal_scope)
    _try_every_link(reader, truth)
    # Every ballot was counted once, with its note.
    assert sorted(_ballot_voters(reader, truth).values()) == sorted(truth["voter_of_secret"].values())


def test_after_the_close_no_table_page_holds_a_voters_plaintext_outside_the_mixed_entries(cast):
    """Read every row version in the table files (pageinspect), dead ones included, as a backup would."""
    campaign, secretary, truth = cast
    mixing.mix(campaign)
    AppraisalCampaign.objects.get(pk=campaign.pk).move_to(Stage.ASSESSMENT, secretary)
    secrets = [secret.encode() for secret in truth["voter_of_secret"]]
    found: dict[str, int] = defaultdict(int)
    live_entries = dead_entries = 0
    for table, dead, data in row_versions(TABLES):
        if not any(secret in data for secret in secrets):
            continue
        if table == "evaluation_ballotentry":
            live_entries += not dead
            dead_entries += dead
        else:
            found[table] += 1
    # The plaintext exists only as the live mixed entries, once per voter: never in a dead row version,
    # never in the participation, sealed, paper, session or any other table.
    assert not found, dict(found)
    assert dead_entries == 0 and live_entries == VOTERS
    # The sealed blobs left in dead row versions can no longer be opened: the key is gone.
    assert not sealing.has_key(campaign.seal_scope)
    with pytest.raises(sealing.SealingError):
        sealing.open_all(campaign.seal_scope, [b"x"])
