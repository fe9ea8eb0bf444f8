"""Builders of membership records for tests and the demo (plain functions, runtime dependencies only)."""

from __future__ import annotations

import datetime

from membership import recruitment
from membership.models import MEETING_STEPS, Decision, Dossier, Step, StepKind


# Vote counts of a meeting that adopts with a comfortable majority of `entitled` full members (the roster's
# count on the meeting's date: take_step computes `entitled` itself, the key is kept for the reader).
def adopting_vote(entitled: int) -> dict:
    present = entitled // 2 + 1 + (entitled - entitled // 2 - 1) // 2
    return {"entitled": entitled, "present": present, "written": 0, "agree": present, "against": 0, "abstain": 0}


def _roster_vote(dossier: Dossier, on: datetime.date) -> dict:
    """An adopting vote of the branch's full members with a vote on the meeting's date."""
    return adopting_vote(recruitment.voting_base(dossier.branch, on))


def open_dossier(branch, name: str, applied_on: datetime.date, *, user=None, birth_date=None, gender="F", **fields):
    dossier = Dossier(
        branch=branch,
        name=name,
        gender=gender,
        birth_date=birth_date or applied_on.replace(year=applied_on.year - 25),
        email=getattr(user, "email", "") or fields.pop("email", ""),
        **fields,
    )
    dossier.user = user
    return recruitment.open_dossier(dossier, applied_on, None, today=applied_on)


def take(
    dossier: Dossier, kind: str, on: datetime.date, *, by=None, today=None, contacts=None, introducers=None, **fields
):
    """Take one step as a secretary or the level above would (the rules apply).

    A branch meeting without counts gets an adopting vote of the roster's full members on its date."""
    if kind in MEETING_STEPS and "present" not in fields:
        fields = _roster_vote(dossier, on) | fields
    step = Step(kind=kind, taken_on=on, **fields)
    return recruitment.take_step(
        dossier, step, by, contacts=contacts, introducers=introducers, today=today or max(on, datetime.date.today())
    )


def walk(dossier: Dossier, until: str, start: datetime.date, full_members, *, by=None) -> Dossier:
    """Take every step from the talk up to and including `until`, each at the earliest sensible date.

    `full_members` are roster entries of the branch: the first two become contacts and introducers.
    Returns the dossier as stored afterwards.
    """
    day = start
    plan = [
        (StepKind.TALK, 10, {}),
        (StepKind.ACTIVIST, 20, {"contacts": full_members[:2]}),
        (StepKind.ACTIVIST_REVIEW, 183, {}),
        (StepKind.CANDIDATE, 183, {"introducers": full_members[:2]}),
        (StepKind.POLITICAL_REVIEW, 20, {}),
        (StepKind.TRAINING, 10, {"training_days": 3, "training_hours": 24}),
        (StepKind.COMMITTEE_REVIEW, 10, {}),
        (StepKind.PRE_REVIEW, 10, {}),
        (StepKind.NOTICE, 3, {}),
        (StepKind.APPLICATION_FORM, 1, {}),
        (StepKind.ADMISSION_MEETING, 20, {}),
        (StepKind.HIGHER_TALK, 10, {}),
        (StepKind.ADMISSION_APPROVAL, 10, {}),
        (StepKind.OATH, 5, {}),
    ]
    for kind, gap, extra in plan:
        day = day + datetime.timedelta(days=gap)
        take(dossier, kind, day, by=by, **extra)
        if kind == until:
            break
    return Dossier.objects.with_steps().get(pk=dossier.pk)


def convert(dossier: Dossier, on: datetime.date, decision: str = Decision.FULL, *, months=None, by=None):
    take(dossier, StepKind.CONVERSION_MEETING, on, by=by, decision=decision, extension_months=months)
    take(dossier, StepKind.CONVERSION_APPROVAL, on + datetime.timedelta(days=20), by=by)
    return Dossier.objects.with_steps().get(pk=dossier.pk)


def path_to_meeting(
    dossier: Dossier,
    meeting_on: datetime.date,
    full_members,
    *,
    until: str = StepKind.ADMISSION_MEETING,
    by=None,
    today=None,
):
    """Lay the steps before an admission meeting on `meeting_on`, counted back from it, up to `until`.

    The application is expected to be dated at least 450 days before the meeting (open_dossier).
    """
    m = meeting_on
    activist = m - datetime.timedelta(days=60 + 366)
    plan = [
        (StepKind.TALK, activist - datetime.timedelta(days=20), {}),
        (StepKind.ACTIVIST, activist, {"contacts": full_members[:2]}),
        (StepKind.ACTIVIST_REVIEW, activist + datetime.timedelta(days=180), {}),
        (StepKind.ACTIVIST_REVIEW, activist + datetime.timedelta(days=360), {}),
        (StepKind.CANDIDATE, m - datetime.timedelta(days=60), {"introducers": full_members[:2]}),
        (StepKind.POLITICAL_REVIEW, m - datetime.timedelta(days=55), {}),
        (StepKind.TRAINING, m - datetime.timedelta(days=50), {"training_days": 3, "training_hours": 24}),
        (StepKind.COMMITTEE_REVIEW, m - datetime.timedelta(days=40), {}),
        (StepKind.PRE_REVIEW, m - datetime.timedelta(days=30), {}),
        (StepKind.NOTICE, m - datetime.timedelta(days=25), {}),
        (StepKind.APPLICATION_FORM, m - datetime.timedelta(days=24), {}),
        (StepKind.ADMISSION_MEETING, m, {}),
        (StepKind.HIGHER_TALK, m + datetime.timedelta(days=10), {}),
        (StepKind.ADMISSION_APPROVAL, m + datetime.timedelta(days=20), {}),
        (StepKind.OATH, m + datetime.timedelta(days=25), {}),
    ]
    for kind, day, extra in plan:
        take(dossier, kind, day, by=by, today=today, **extra)
        if kind == until:
            break
    return Dossier.objects.with_steps().get(pk=dossier.pk)
