"""Problems proposed from platform data: once per finding, and nothing on the list until a person confirms."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.utils import timezone

from accountability import proposals
from accountability.models import Problem, ProblemProposal
from home.models import MeetingRecord
from tests.accountability.conftest import TODAY, YEAR, make_request

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


def test_cadence_proposals_count_only_held_meetings(branch_a):
    from orglife import factories as orglife_factories
    from orglife.models import Meeting

    tz = timezone.get_current_timezone()
    for month in (1, 4, 7, 10):
        for kind, count in (("general_meeting", 1), ("committee", 3), ("group", 3), ("lecture", 1), ("theme_day", 3)):
            for n in range(count if month != 7 or kind != "lecture" else 0):
                MeetingRecord.objects.create(
                    branch=branch_a, kind=kind, date=dt.date(YEAR, month, n + 1), topic="会", due=5, present=5
                )
    # Q3's lecture was scheduled on the site, then called off: the quarter is still missed.
    lecture = orglife_factories.meeting(
        branch_a, kind="lecture", starts_at=dt.datetime(YEAR, 8, 20, 9, tzinfo=tz), notify=False
    )
    Meeting.objects.filter(pk=lecture.pk).update(cancelled_at=timezone.now(), present=1, due=5)

    assert proposals.cadence_findings(branch_a, YEAR, TODAY) == 1
    assert ProblemProposal.objects.get().key == f"cadence:{YEAR}:Q3"


def test_requests_rated_dissatisfied_above_the_threshold_are_proposed_per_quarter(grids, secretary_a):
    grid_a1, grid_a2, _grid_b = grids
    branch_a = grid_a1.duty.branch
    # Q2: 2 不满意 of 5 ratings (40% > 20%); Q1: 1 of 5 (20%, not above); Q3: 3 of 4 (too few ratings).
    for rating in ("satisfied", "satisfied", "basically_satisfied", "satisfied", "dissatisfied"):
        make_request(grid_a1, dt.date(YEAR, 2, 3), accepted_after_hours=1, rating=rating)
    for rating in ("satisfied", "dissatisfied", "basically_satisfied", "dissatisfied", "satisfied", "unknown"):
        make_request(grid_a2, dt.date(YEAR, 5, 3), accepted_after_hours=1, rating=rating)
    for rating in ("dissatisfied", "dissatisfied", "dissatisfied", "satisfied"):
        make_request(grid_a1, dt.date(YEAR, 8, 3), accepted_after_hours=1, rating=rating)

    assert proposals.requests_findings(branch_a, YEAR, TODAY) == 1
    assert proposals.requests_findings(branch_a, YEAR, TODAY) == 0  # proposed once

    proposal = ProblemProposal.objects.get()
    assert proposal.key == f"requests:dissatisfied:{YEAR}:Q2"
    assert proposal.rule == ProblemProposal.Rule.REQUESTS
    assert "2" in proposal.description and "40%" in proposal.description
    assert not Problem.objects.exists()  # never raised silently: a person confirms
    problem = proposals.confirm(
        secretary_a, proposal, measures="逐件回访不满意的居民", owner="网格员", deadline=dt.date(2026, 3, 31)
    )
    assert problem.source == Problem.Source.RESIDENTS


def test_overdue_requests_at_the_branchs_grids_are_proposed(grids, settings):
    settings.GONGZHI_ACCOUNTABILITY = {"REQUESTS_OVERDUE_PROBLEM_AT": 2}
    grid_a1, _grid_a2, grid_b = grids
    branch_a = grid_a1.duty.branch
    today = timezone.localdate()
    make_request(grid_a1, today - dt.timedelta(days=20))  # never accepted: overdue
    make_request(grid_b, today - dt.timedelta(days=20))  # another branch's grid
    assert proposals.requests_findings(branch_a, today.year, today) == 0  # one is under the threshold

    make_request(grid_a1, today - dt.timedelta(days=10), accepted_after_hours=2)  # accepted, not finished in 5 days
    make_request(grid_a1, today)  # not due yet

    assert proposals.requests_findings(branch_a, today.year, today) == 1
    proposal = ProblemProposal.objects.get()
    assert proposal.key.startswith(f"requests:overdue:{today.year}:Q")
    assert len([e for e in proposal.evidence if "/appeals/" in e["url"] and "board" not in e["url"]]) == 2
