"""Problems proposed from platform data: once per finding, and nothing on the list until a person confirms."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError

from accountability import proposals
from accountability.models import Problem, ProblemProposal
from home.models import MeetingRecord
from tests.accountability.conftest import TODAY, YEAR

pytestmark = pytest.mark.django_db


def test_a_dimension_under_the_threshold_is_proposed_once(branch_a, satisfaction_round):
    assert proposals.satisfaction_findings(branch_a, YEAR, TODAY) == 1  # 环境卫生 20%; 服务态度 80% is fine
    assert proposals.satisfaction_findings(branch_a, YEAR, TODAY) == 0

    proposal = ProblemProposal.objects.get()
    assert "环境卫生" in proposal.title
    assert proposal.evidence[0]["url"] == satisfaction_round.url
    assert not Problem.objects.exists()


def test_missed_cadence_is_proposed_per_quarter(branch_a):
    for month in (1, 4, 7, 10):
        for kind, count in (("general_meeting", 1), ("committee", 3), ("group", 3), ("lecture", 1), ("theme_day", 3)):
            for n in range(count if month != 7 or kind != "lecture" else 0):
                MeetingRecord.objects.create(
                    branch=branch_a, kind=kind, date=dt.date(YEAR, month, n + 1), topic="会", due=5, present=5
                )

    assert proposals.cadence_findings(branch_a, YEAR, TODAY) == 1
    assert ProblemProposal.objects.get().key == f"cadence:{YEAR}:Q3"


def test_confirming_puts_it_on_the_list_and_dismissed_ones_stay_dismissed(
    branch_a, secretary_a, community_admin, satisfaction_round
):
    proposals.propose(branch_a, YEAR, TODAY)
    satisfaction = ProblemProposal.objects.get(rule="satisfaction")
    problem = proposals.confirm(
        secretary_a, satisfaction, measures="增加保洁频次", owner="宣传委员", deadline=dt.date(2026, 3, 31)
    )
    assert problem.source == Problem.Source.SATISFACTION and problem.organization == branch_a
    with pytest.raises(ValidationError):
        proposals.dismiss(community_admin, satisfaction)

    cadence = ProblemProposal.objects.filter(rule="cadence").first()
    proposals.dismiss(community_admin, cadence)
    proposals.propose(branch_a, YEAR, TODAY)
    assert ProblemProposal.objects.filter(key=cadence.key).get().status == ProblemProposal.Status.DISMISSED


def test_another_branch_cannot_decide(branch_a, secretary_b, satisfaction_round):
    from django.core.exceptions import PermissionDenied

    proposals.propose(branch_a, YEAR, TODAY)
    with pytest.raises(PermissionDenied):
        proposals.dismiss(secretary_b, ProblemProposal.objects.first())


def test_only_the_level_above_may_dismiss_a_proposal_about_a_branch(branch_a, secretary_a, satisfaction_round):
    from django.core.exceptions import PermissionDenied

    proposals.propose(branch_a, YEAR, TODAY)
    proposal = ProblemProposal.objects.first()
    with pytest.raises(PermissionDenied):
        proposals.dismiss(secretary_a, proposal)
    proposal.refresh_from_db()
    assert proposal.status == ProblemProposal.Status.PENDING
