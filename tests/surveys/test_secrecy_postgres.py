"""Issue 13 H4 (surveys): a database reader cannot link a respondent to their anonymous or invitation answers.

Residents answer an anonymous survey and an invitation-code survey (some at the same moment). A SQL
reader with SELECT on every table then tries every link it has — system columns (`xmin`, `ctid`), the
answers' serial ids, dates, the participation and invitation tables — while the survey is open, after a
mix and after the close. Each answer carries a text only its author wrote, so the test knows the truth.
The best any link does is name the batch (at least k = SEALING_MIX_BATCH responses) a person is in.
After the close, the table pages (live and dead row versions, read with pageinspect) hold no plaintext
answer anywhere but in the mixed rows, and the box's private key is gone.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest

from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from accounts.factories import UserFactory
from core import sealing
from surveys import answering, mixing
from surveys.factories import qid, survey_page
from surveys.invitations import issue
from surveys.models import SurveyPage
from tests.concurrency import run_concurrently
from tests.security.database_reader import Reader, row_versions

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

K = 3
SURVEY_TABLES = [
    "surveys_response",
    "surveys_answer",
    "surveys_sealedresponse",
    "surveys_participation",
    "surveys_invitation",
    "surveys_draft",
    "surveys_surveybox",
    "django_session",
]


def _secret(kind: str, index: int) -> str:
    return f"只有{kind}{index:02d}号知道的建议"


def _form(page, secret: str, index: int) -> QueryDict:
    data = QueryDict(mutable=True)
    data[f"q-{qid(page, 0)}"] = ["30岁以下", "30–59岁", "60岁及以上"][index % 3]
    data.setlist(f"q-{qid(page, 1)}", ["健康讲座"])
    data[f"q-{qid(page, 2)}"] = str(1 + index % 5)
    data[f"q-{qid(page, 3)}"] = secret
    return data


def _position(value: str) -> tuple[int, int]:
    block, item = value.strip("()").split(",")
    return int(block), int(item)


class Recorder:
    """Records the mixer's shuffled order of each batch (by the secret text of each response)."""

    def __init__(self, monkeypatch):
        self.batches: list[list[str]] = []
        original = sealing.shuffled

        def shuffled(items):
            result = original(items)
            if result and isinstance(result[0], dict) and "a" in result[0]:
                self.batches.append([_text_of(item) for item in result])
            return result

        monkeypatch.setattr(mixing.sealing, "shuffled", shuffled)


def _text_of(payload: dict) -> str:
    return next(text for _q, _row, _choice, _number, text, _date in payload["a"] if text)


def _links(reader: Reader, page: SurveyPage, truth: dict[str, str], recorder: Recorder, stage: str) -> None:
    """Try every link a reader has from a person to content; none may narrow a person to fewer than K."""
    secrets = set(truth.values())
    # Who took part, as the reader sees it: participation rows, or the invitations that were used.
    if page.mode == SurveyPage.Mode.ANONYMOUS:
        people = reader.rows(
            "SELECT user_id::text, xmin::text::bigint, ctid::text FROM surveys_participation WHERE survey_id = %s",
            [page.pk],
        )
    else:
        people = reader.rows(
            "SELECT label, xmin::text::bigint, ctid::text FROM surveys_invitation WHERE survey_id = %s AND used",
            [page.pk],
        )
    assert {person for person, _x, _c in people} == set(truth), stage
    person_xids = {xid for _p, xid, _c in people}
    responses = reader.rows(
        "SELECT id::text, xmin::text::bigint, ctid::text, submitted_on, user_id, updated_at "
        "FROM surveys_response WHERE survey_id = %s",
        [page.pk],
    )
    answers = reader.rows(
        "SELECT id, response_id::text, xmin::text::bigint, ctid::text, text FROM surveys_answer WHERE survey_id = %s",
        [page.pk],
    )
    blobs = reader.rows("SELECT xmin::text::bigint, blob FROM surveys_sealedresponse WHERE survey_id = %s", [page.pk])
    # 1. What is written in a person's own transaction is opaque: no answer text in any blob.
    for _xid, blob in blobs:
        assert not any(secret.encode() in bytes(blob) for secret in secrets), stage
    # Blobs plus mixed responses account for everyone, once.
    texts = [text for *_rest, text in answers if text]
    assert len(texts) == len(set(texts)) and set(texts) <= secrets, stage
    assert len(blobs) + len(responses) == len(truth), stage
    # 2. No response or answer row was written in a participant's transaction (xmin equal or adjacent
    #    would say whose it is); all rows of a response share its batch's transaction.
    response_xid = {rid: xid for rid, xid, *_r in responses}
    for _aid, rid, xid, _ctid, _text in answers:
        assert xid == response_xid[rid], stage
    assert not person_xids & set(response_xid.values()), stage
    # 3. A batch (the responses sharing one transaction) is the finest grain xmin gives: at least K each,
    #    one date each, no user, no time.
    batches: dict[int, list] = defaultdict(list)
    for row in responses:
        batches[row[1]].append(row)
    for rows in batches.values():
        assert len(rows) >= K, (stage, len(rows))
        assert len({row[3] for row in rows}) == 1, stage
        assert all(row[4] is None and row[5] is None for row in rows), stage
    # 4. Within a batch, storage order (ctid), the answers' serial ids and the response keys follow the
    #    mixer's CSPRNG shuffle, not the order in which people answered.
    text_of = {rid: text for _aid, rid, _x, _c, text in answers if text}
    shuffles = {tuple(sorted(batch)): batch for batch in recorder.batches}
    for rows in batches.values():
        by_ctid = [text_of[rid] for rid, _x, ctid, *_r in sorted(rows, key=lambda r: _position(r[2]))]
        assert by_ctid == shuffles[tuple(sorted(by_ctid))], stage
        ids = {rid for rid, *_r in rows}
        first_answer = {}
        for aid, rid, *_r in sorted(answers):
            if rid in ids:
                first_answer.setdefault(rid, aid)
        assert [text_of[rid] for rid in sorted(first_answer, key=first_answer.get)] == by_ctid, stage
    # 5. No column of the survey tables holds a time finer than the day, except the identified mode's
    #    updated_at (NULL here) and the invitation's issue and revocation times (set by editors).
    timed = reader.rows(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_name LIKE 'surveys_%%' "
        "AND data_type LIKE 'timestamp%%'"
    )
    assert set(timed) <= {
        ("surveys_response", "updated_at"),
        ("surveys_invitation", "created_at"),
        ("surveys_invitation", "revoked_at"),
        ("surveys_draft", "saved_at"),
        ("surveys_surveypage", "opens_at"),
        ("surveys_surveypage", "closes_at"),
    }, timed


def _answer_anonymous(page, count: int, *, at_once: bool) -> dict[str, str]:
    users = [UserFactory() for _ in range(count)]
    offset = 100 if at_once else 0
    forms = [_form(page, _secret("居民", offset + i), i) for i in range(count)]
    if at_once:
        outcomes = run_concurrently(lambda i: answering.submit(page, forms[i], user=users[i])[0], count)
    else:
        outcomes = [answering.submit(page, forms[i], user=users[i])[0] for i in range(count)]
    assert outcomes == [answering.Outcome.STORED] * count, outcomes
    return {str(user.pk): _secret("居民", offset + i) for i, user in enumerate(users)}


def _answer_by_code(page, codes: list[tuple[str, str]], *, at_once: bool, offset: int) -> dict[str, str]:
    forms = [_form(page, _secret("受邀者", offset + i), i) for i in range(len(codes))]
    if at_once:
        outcomes = run_concurrently(lambda i: answering.submit(page, forms[i], code=codes[i][0])[0], len(codes))
    else:
        outcomes = [answering.submit(page, forms[i], code=code)[0] for i, (code, _name) in enumerate(codes)]
    assert outcomes == [answering.Outcome.STORED] * len(codes), outcomes
    return {name: _secret("受邀者", offset + i) for i, (_code, name) in enumerate(codes)}


@pytest.fixture
def answered(branch_a, settings, monkeypatch):
    """An anonymous and an invitation survey, each answered in turns and all at once, with the reader's
    checks run before any mix, while open and after the close."""
    settings.SEALING_MIX_BATCH = K
    recorder = Recorder(monkeypatch)
    reader = Reader()
    anonymous = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS, title="匿名问卷")
    invited = survey_page(branch_a.page, mode=SurveyPage.Mode.INVITATION, title="邀请码问卷")
    issued = issue(invited, [f"王{i}号" for i in range(9)])
    codes = [(code, invitation.label) for code, invitation in issued]

    truth = {anonymous.pk: {}, invited.pk: {}}
    truth[anonymous.pk] |= _answer_anonymous(anonymous, 4, at_once=False)
    truth[invited.pk] |= _answer_by_code(invited, codes[:4], at_once=False, offset=0)
    for page in (anonymous, invited):  # fewer than 2K wait: nothing readable yet
        assert not reader.rows("SELECT 1 FROM surveys_response WHERE survey_id = %s", [page.pk])
        _links(reader, page, truth[page.pk], recorder, "before any mix")
    truth[anonymous.pk] |= _answer_anonymous(anonymous, 7, at_once=True)
    truth[invited.pk] |= _answer_by_code(invited, codes[4:], at_once=True, offset=4)
    call_command("mix_responses", stdout=io.StringIO())
    for page in (anonymous, invited):
        assert reader.rows("SELECT 1 FROM surveys_response WHERE survey_id = %s", [page.pk]), "batches mixed"
        assert mixing.pending(page) >= K
        _links(reader, page, truth[page.pk], recorder, "open, after mixes")
    for page in (anonymous, invited):
        page.closes_at = timezone.now() - dt.timedelta(seconds=1)
        page.save()
    call_command("mix_responses", stdout=io.StringIO())
    for page in (anonymous, invited):
        assert mixing.pending(page) == 0
        box = page.box()
        assert box.final_mix_on is not None and not sealing.has_key(box.scope)
        _links(reader, page, truth[page.pk], recorder, "after the close")
    return anonymous, invited, truth


def test_a_database_reader_cannot_link_a_respondent_to_anonymous_or_invitation_answers(answered):
    anonymous, invited, truth = answered
    # Everyone's answer was counted once.
    with connection.cursor() as cursor:
        for page in (anonymous, invited):
            cursor.execute("SELECT text FROM surveys_answer WHERE survey_id = %s AND text <> ''", [page.pk])
            assert sorted(text for (text,) in cursor.fetchall()) == sorted(truth[page.pk].values())


def test_after_the_close_no_table_page_holds_a_respondents_plaintext_outside_the_mixed_rows(answered):
    """Read every row version in the table files (pageinspect), dead ones included, as a backup would."""
    _anonymous, _invited, truth = answered
    secrets = [text.encode() for answers in truth.values() for text in answers.values()]
    found: dict[str, int] = defaultdict(int)
    dead_answers = 0
    for table, dead, data in row_versions(SURVEY_TABLES):
        holds = any(secret in data for secret in secrets)
        if table == "surveys_answer":
            dead_answers += holds and dead
        elif holds:
            found[table] += 1
    # The plaintext exists only as the live, mixed answer rows: never deleted or updated, never in
    # the participation, invitation, draft, session or sealed tables.
    assert dead_answers == 0
    assert not found, dict(found)
    with connection.cursor() as cursor:
        # The live answer rows are there (the search works), once per respondent.
        cursor.execute("SELECT count(*) FROM surveys_answer WHERE text <> ''")
        assert cursor.fetchone()[0] == len(secrets)
