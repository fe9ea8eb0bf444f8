"""The membership demo shows every situation issue 16 asks for, whatever day it is built."""

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from wagtail.models import ModelLogEntry

from membership import dues, mobile, recruitment, study
from membership.models import (
    Dossier,
    DuesRelief,
    MobileRecord,
    MobileStatus,
    ReliefStatus,
    Stage,
    StepKind,
    Transfer,
    TransferStatus,
)
from organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_recruitment_at_every_stage_mobile_members_and_a_transfer():
    call_command("seed_demo", members=40, residents=5, stdout=__import__("io").StringIO())
    today = timezone.localdate()
    dossiers = list(Dossier.objects.with_steps())
    stages = {d.stage for d in dossiers}
    assert {Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY} <= stages
    assert any(step.overdue for d in dossiers for step in recruitment.next_steps(d, today))
    assert ModelLogEntry.objects.filter(action="membership.step_refused", data__step=StepKind.CANDIDATE).exists()
    probationary = next(d for d in dossiers if d.stage == Stage.PROBATIONARY)
    assert (probationary.probation_ends.year, probationary.probation_ends.month) == (today.year, today.month)
    assert any(
        step.rule.by_above
        for d in dossiers
        for step in recruitment.next_steps(d, today)
        if step.kind == StepKind.ADMISSION_APPROVAL
    )
    assert MobileRecord.objects.filter(status=MobileStatus.LOST).exists()
    assert MobileRecord.objects.not_contacted_since(mobile.flag_date(today)).exists()
    assert Transfer.objects.filter(status=TransferStatus.RELEASED).exists()
    branch = Organization.objects.get(code="heping-1")
    rows = dues.ledger(branch, today.year, today)
    assert sum(row.flagged for row in rows) == (1 if today.month >= 4 else 0)
    assert DuesRelief.objects.filter(status=ReliefStatus.APPROVED).count() == 1
    member = get_user_model().objects.get(email="member-heping-1-02@demo.gongzhi.example")
    assert study.points_of(member.roster_entry, member, today.year).total > 0
