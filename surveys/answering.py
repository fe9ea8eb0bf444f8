"""Answering a survey: reading a submitted form (validation, conditions), storing it in one transaction,
and putting an identified response back into the form to edit it."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field

import rules

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from core import params
from core.sealing import SealingError
from organizations import roles
from surveys import mixing
from surveys.models import Answer, Draft, Invitation, Participation, Response, ResponseTally, SurveyPage
from surveys.questions import condition_of
from surveys.tasks import mix_survey

logger = logging.getLogger(__name__)


def field_name(question_id: str) -> str:
    return f"q-{question_id}"


@dataclass
class Checked:
    """The outcome of validating a form: cleaned answers of the visible questions, or errors."""

    answers: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    grid: object = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


def check(page: SurveyPage, data: QueryDict, *, grid=None) -> Checked:
    """Validate every answer on the server; questions hidden by a show-if condition are ignored."""
    result = Checked(grid=grid)
    selected: dict[str, set[str]] = {}
    section_visible = True
    for child in page.questions:
        value = child.value
        condition = condition_of(value)
        visible = condition is None or bool(selected.get(condition[0], set()) & condition[1])
        if child.block.is_section:
            section_visible = visible
            continue
        if not (section_visible and visible):
            result.hidden.add(child.id)
            continue
        name = field_name(child.id)
        try:
            answer = child.block.clean_answer(value, data, name)
        except ValidationError as error:
            result.errors[child.id] = " ".join(error.messages)
            continue
        if answer is None:
            if value.get("required"):
                result.errors[child.id] = _("Please answer this question.")
            continue
        result.answers[child.id] = answer
        if value.get("key"):
            selected[value["key"]] = child.block.selected(answer)
    if page.ask_grid and grid is None:
        grid_id = params.object_id(data.get("grid"))
        choice = page.grid_choices().filter(pk=grid_id).first() if grid_id is not None else None
        if choice is None:
            result.errors["grid"] = _("Please choose your grid.")
        result.grid = choice
    return result


class Outcome(enum.Enum):
    STORED = "stored"
    UPDATED = "updated"
    ALREADY_ANSWERED = "already"
    STALE = "stale"
    CODE_INVALID = "code_invalid"
    INVALID = "invalid"
    CLOSED = "closed"
    NOT_ALLOWED = "not_allowed"


def _rows(page: SurveyPage, response: Response | None, answers: dict[str, object]) -> list[Answer]:
    blocks = {qid: (block, value) for qid, block, value, _s in page.question_list()}
    rows = []
    for qid, answer in answers.items():
        block, value = blocks[qid]
        for row in block.answer_rows(value, answer):
            rows.append(
                Answer(
                    response=response,
                    survey_id=page.pk,
                    question=qid,
                    row=row.row,
                    choice=row.choice,
                    number=row.number,
                    text=row.text,
                    date=row.date,
                )
            )
    return rows


def _origin(page: SurveyPage, user, grid):
    """The organisation a response is counted under: the member's branch, else the grid's community."""
    entry = roles.roster_entry(user) if user is not None and user.is_authenticated else None
    if grid is None and entry is not None and entry.grid_id and not page.ask_grid:
        grid = entry.grid
    if entry is not None:
        return entry.branch, grid
    if grid is not None:
        return grid.community, grid
    return page.organization, grid


def submit(page: SurveyPage, data: QueryDict, *, user=None, code: str | None = None, revision: int = 0):
    """Validate and store one submission in one transaction. Returns (Outcome, Checked)."""
    if not page.is_open():
        return Outcome.CLOSED, Checked()
    invitation = None
    if page.mode == SurveyPage.Mode.INVITATION:
        invitation = Invitation.objects.usable().matching(code or "").filter(survey=page).first()
        if invitation is None:
            return Outcome.CODE_INVALID, Checked()
    elif user is None or not user.is_authenticated or not rules.test_rule("surveys.answer_survey", user, page):
        return Outcome.NOT_ALLOWED, Checked()
    checked = check(page, data, grid=invitation.grid if invitation else None)
    if not checked.is_valid:
        return Outcome.INVALID, checked
    today = timezone.localdate()
    respondent = user if invitation is None else None
    organization, grid = _origin(page, respondent, checked.grid)
    if page.mode != SurveyPage.Mode.IDENTIFIED:
        outcome = _submit_sealed(
            page, checked, user=respondent, invitation=invitation, day=today, organization=organization, grid=grid
        )
        return outcome, checked
    with transaction.atomic():
        if revision:
            # Edit: only from the revision the user saw, so a stale second tab changes nothing.
            changed = Response.objects.filter(survey=page, user=user, revision=revision).update(
                revision=F("revision") + 1, updated_at=timezone.now(), organization=organization, grid=grid
            )
            if not changed:
                return Outcome.STALE, checked
            response = Response.objects.get(survey=page, user=user)
            response.answers.all().delete()
            outcome = Outcome.UPDATED
        else:
            try:
                with transaction.atomic():
                    response = Response.objects.create(
                        survey=page,
                        user=user,
                        submitted_on=today,
                        updated_at=timezone.now(),
                        organization=organization,
                        grid=grid,
                    )
            except IntegrityError:
                return Outcome.ALREADY_ANSWERED, checked
            outcome = Outcome.STORED
        ResponseTally.record(page.pk, added=1 if outcome == Outcome.STORED else 0)
        Answer.objects.bulk_create(_rows(page, response, checked.answers))
        Draft.objects.filter(survey=page, user=user).delete()
    return outcome, checked


def _submit_sealed(page: SurveyPage, checked: Checked, *, user, invitation, day, organization, grid) -> Outcome:
    """Anonymous and invitation modes: the answers are sealed to the survey's key and stored, as an opaque
    blob with no user and no time, in the same transaction as the participation row or the code's use.
    Nothing readable is written until the mixer shuffles a batch (surveys/mixing.py)."""
    box = mixing.box_for(page)
    rows = _rows(page, None, checked.answers)
    with transaction.atomic():
        if mixing.lock_box_for_submission(page) is None:
            return Outcome.CLOSED  # the final mix has begun: the survey has closed
        if invitation is not None:
            used = Invitation.objects.usable().filter(pk=invitation.pk).update(used=True)
            if not used:
                return Outcome.CODE_INVALID
        else:
            try:
                with transaction.atomic():
                    Participation.objects.create(survey=page, user=user, participated_on=day)
            except IntegrityError:
                return Outcome.ALREADY_ANSWERED
            # A draft left from before drafts were refused in this mode.
            Draft.objects.filter(survey=page, user=user).delete()
        mixing.seal(
            box, rows, organization_id=getattr(organization, "pk", None), grid_id=getattr(grid, "pk", None), day=day
        ).save(force_insert=True)
    if mixing.should_mix(mixing.pending(page)):
        try:
            mix_survey.enqueue(page.pk)
        except SealingError:  # the answer is stored; `manage.py mix_responses` reports the key problem
            logger.exception("Could not mix the sealed responses of survey %s", page.pk)
    return Outcome.STORED


def has_answered(page: SurveyPage, user) -> bool:
    if not user.is_authenticated:
        return False
    if page.mode == SurveyPage.Mode.IDENTIFIED:
        return Response.objects.filter(survey=page, user=user).exists()
    return Participation.objects.filter(survey=page, user=user).exists()


def form_data_of(page: SurveyPage, response: Response) -> tuple[QueryDict, int]:
    """The stored answers of an identified response as form data, to edit them."""
    data = QueryDict(mutable=True)
    blocks = {qid: (block, value) for qid, block, value, _s in page.question_list()}
    for answer in response.answers.all():
        if answer.question in blocks:
            block, value = blocks[answer.question]
            block.form_data(value, field_name(answer.question), answer, data)
    if response.grid_id:
        data["grid"] = str(response.grid_id)
    return data, response.revision
