"""The sealed ballot box of anonymous and invitation surveys: seal at submission, mix in batches.

At submission (surveys/answering.py) the answers, with the organisation and grid results are counted
under and the day, are sealed to the survey's public key (core/sealing.py) and stored as a
`SealedResponse` in the same transaction as the `Participation` row or the code's use. Nothing readable
is written next to the participant.

`mix` runs when at least twice ``SEALING_MIX_BATCH`` (k) sealed responses wait: it opens them, shuffles
them with the operating system's CSPRNG, keeps k of them sealed (at random) and writes the others (at
least k) as `Response` and `Answer` rows in one transaction, in the shuffled order (so storage order and
the answers' serial ids follow the shuffle, not the order of submission), with random response keys and
one date for the whole batch (the newest day in it), then deletes their blobs. `settle` does the final
mix when a survey has closed: everything left (at least k, if k people answered at all) is mixed, the
private key destroyed and the box marked final.

Why k stay sealed: a database reader sees which participant's blob is still waiting (the blob was
written in the participant's transaction) and which batch a response belongs to (the rows of a batch
share one transaction). Every batch, including the last one at the close, has at least k responses, so
no reader can narrow a person down to fewer than k responses. Results and exports read only mixed rows:
they lag by k to 2k - 1 responses while the survey is open, and pages say how many wait (`pending`).

Run by the tasks in surveys/tasks.py (a batch after the submission that fills it, the final mix at the
close), by `manage.py mix_responses`, and when results of a closed survey are read.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import sealing
from surveys.models import Answer, Response, ResponseTally, SealedResponse, SurveyBox, SurveyPage

logger = logging.getLogger(__name__)


def batch_size() -> int:
    return max(2, int(getattr(settings, "SEALING_MIX_BATCH", 5)))


def box_for(page: SurveyPage) -> SurveyBox:
    """The survey's box, made (key pair in the server's secrets) at the first sealed submission.

    Called outside the submission's transaction: two first submissions at once may both draw a key;
    the unique constraint keeps one box and the loser's key is destroyed.
    """
    box = SurveyBox.objects.filter(survey_id=page.pk).first()
    if box is not None:
        return box
    scope = f"survey-{uuid.uuid4().hex}"
    public_key = sealing.create_key(scope)
    try:
        with transaction.atomic():
            box = SurveyBox.objects.create(survey_id=page.pk, scope=scope, public_key=public_key)
    except IntegrityError:
        sealing.destroy(scope)
        return SurveyBox.objects.get(survey_id=page.pk)
    from surveys.tasks import schedule_close

    schedule_close(page)
    return box


def payload(answers: list[Answer], *, organization_id, grid_id, day: dt.date) -> dict:
    """What is sealed: the answer rows and the fields results are grouped by. No user, no time."""
    return {
        "o": organization_id,
        "g": grid_id,
        "d": day.isoformat(),
        "a": [[a.question, a.row, a.choice, a.number, a.text, a.date.isoformat() if a.date else None] for a in answers],
    }


def seal(box: SurveyBox, answers: list[Answer], *, organization_id, grid_id, day: dt.date) -> SealedResponse:
    blob = sealing.seal(
        bytes(box.public_key), payload(answers, organization_id=organization_id, grid_id=grid_id, day=day)
    )
    return SealedResponse(survey_id=box.survey_id, blob=blob)


def pending(page: SurveyPage) -> int:
    """Sealed responses not yet mixed (shown as "N 份答卷待汇总")."""
    return SealedResponse.objects.filter(survey_id=page.pk).count()


def lock_box_for_submission(page: SurveyPage) -> SurveyBox | None:
    """Inside a submission's transaction: the box, unless its final mix has begun (then None).

    A shared row lock on PostgreSQL: submissions do not wait for each other, but the final mix (which
    locks the box for update) waits for submissions in flight, and they then see the box final.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(SurveyBox._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} WHERE survey_id = %s AND final_mix_on IS NULL FOR SHARE",  # noqa: S608
                [page.pk],
            )
            row = cursor.fetchone()
        return SurveyBox.objects.get(pk=row[0]) if row else None
    return SurveyBox.objects.filter(survey_id=page.pk, final_mix_on__isnull=True).first()


def _mix_batch(page: SurveyPage, box: SurveyBox, *, final: bool) -> int:
    sealed = list(
        SealedResponse.objects.select_for_update(skip_locked=True).filter(survey_id=page.pk).values_list("pk", "blob")
    )
    k = batch_size()
    if not sealed or (not final and len(sealed) < 2 * k):
        return 0
    if not final:
        sealed = sealing.shuffled(sealed)[: len(sealed) - k]  # k random ones wait for the next batch
    opened = sealing.shuffled(sealing.open_all(box.scope, [blob for _pk, blob in sealed]))
    day = max(dt.date.fromisoformat(item["d"]) for item in opened)
    responses, answers = [], []
    for item in opened:
        response = Response(
            id=uuid.uuid4(),
            survey_id=page.pk,
            user=None,
            submitted_on=day,
            organization_id=item["o"],
            grid_id=item["g"],
        )
        responses.append(response)
        for question, row, choice, number, text, date in item["a"]:
            answers.append(
                Answer(
                    response=response,
                    survey_id=page.pk,
                    question=question,
                    row=row,
                    choice=choice,
                    number=number,
                    text=text,
                    date=dt.date.fromisoformat(date) if date else None,
                )
            )
    # One statement each, in the shuffled order: ctid and the answers' serial ids follow the shuffle.
    Response.objects.bulk_create(responses, batch_size=1000)
    Answer.objects.bulk_create(answers, batch_size=5000)
    ResponseTally.record(page.pk, added=len(responses))
    SealedResponse.objects.filter(pk__in=[pk for pk, _blob in sealed]).delete()
    return len(responses)


def should_mix(waiting: int) -> bool:
    return waiting >= 2 * batch_size()


def mix(page: SurveyPage) -> int:
    """Mix all but k of the survey's sealed responses if at least 2k wait. Returns the number written.

    Concurrent mixers skip the blobs another one holds.
    """
    box = SurveyBox.objects.filter(survey_id=page.pk, final_mix_on__isnull=True).first()
    if box is None:
        return 0
    with transaction.atomic():
        return _mix_batch(page, box, final=False)


def settle(page: SurveyPage, now=None) -> int:
    """At (or after) the close: mix the remainder whatever its size, mark the box final and destroy the
    private key once that is committed. Idempotent."""
    if not page.has_closed(now):
        return 0
    with transaction.atomic():
        box = SurveyBox.objects.select_for_update().filter(survey_id=page.pk, final_mix_on__isnull=True).first()
        if box is None:
            return 0
        written = _mix_batch(page, box, final=True)
        if SealedResponse.objects.filter(survey_id=page.pk).exists():
            return written  # another mixer holds some blobs: the next run finishes
        SurveyBox.objects.filter(pk=box.pk).update(final_mix_on=timezone.localdate())
        scope = box.scope
        transaction.on_commit(lambda: sealing.destroy(scope))
    return written


def settle_closed(pages) -> None:
    """`settle` each closed survey of `pages` that still has an open box (one query when none has)."""
    ids = [p.pk for p in pages if p.has_closed()]
    if not ids:
        return
    waiting = set(
        SurveyBox.objects.filter(survey_id__in=ids, final_mix_on__isnull=True).values_list("survey_id", flat=True)
    )
    for page in pages:
        if page.pk in waiting:
            try:
                settle(page)
            except sealing.SealingError:  # results show what is mixed and how many wait; the command reports it
                logger.exception("Could not settle the sealed responses of survey %s", page.pk)


def run(now=None) -> dict[str, int]:
    """Every box: final mix of closed surveys, batch mix of open ones (the command and the task)."""
    mixed = settled = 0
    boxes = SurveyBox.objects.filter(final_mix_on__isnull=True).select_related("survey")
    failed = []
    for box in boxes:
        page = box.survey.specific
        try:
            if page.has_closed(now):
                mixed += settle(page, now)
                settled += 1
            else:
                mixed += mix(page)
        except sealing.SealingError as error:  # one box's missing key does not stop the others
            failed.append(f"{page.pk}: {error}")
    return {"mixed": mixed, "settled": settled, "failed": failed}
