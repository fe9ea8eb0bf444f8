"""Who may do what: a branch keeps its own lists; the levels above see and supervise their subtree."""

import datetime as dt

import pytest

from accountability.models import Assessment, IndicatorScheme, Problem, SupervisionNotice
from tests.accountability.conftest import make_problem, make_task

pytestmark = pytest.mark.django_db


def test_branch_secretary_keeps_own_lists_not_another_branchs(secretary_a, branch_a, branch_b):
    assert secretary_a.has_perm("accountability.keep_lists", branch_a)
    assert not secretary_a.has_perm("accountability.keep_lists", branch_b)
    assert not secretary_a.has_perm("accountability.view_lists", branch_b)


def test_branch_editor_keeps_own_lists(editor_a, branch_a):
    assert editor_a.has_perm("accountability.keep_lists", branch_a)
    assert not editor_a.has_perm("accountability.supervise", branch_a)


def test_level_above_sees_and_supervises_but_does_not_keep_a_branchs_lists(community_admin, branch_a, tree):
    assert community_admin.has_perm("accountability.view_lists", branch_a)
    assert community_admin.has_perm("accountability.supervise", branch_a)
    assert not community_admin.has_perm("accountability.keep_lists", branch_a)
    assert community_admin.has_perm("accountability.keep_lists", tree["community"])
    assert not community_admin.has_perm("accountability.supervise", tree["community"])
    assert not community_admin.has_perm("accountability.view_lists", tree["street"])


def test_a_branch_cannot_supervise_itself(secretary_a, branch_a):
    assert not secretary_a.has_perm("accountability.supervise", branch_a)


def test_member_and_resident_see_no_lists(member_a, resident, branch_a):
    for user in (member_a, resident):
        assert not user.has_perm("accountability.view_lists", branch_a)
        assert not user.has_perm("accountability.keep_lists", branch_a)


def test_only_the_level_above_closes_off_a_rectified_problem(secretary_a, community_admin, org_admin, branch_a):
    problem = make_problem(branch_a, status=Problem.Status.RECTIFIED)
    assert not secretary_a.has_perm("accountability.close_problem", problem)
    assert community_admin.has_perm("accountability.close_problem", problem)
    assert org_admin.has_perm("accountability.close_problem", problem)


def test_a_problem_being_rectified_cannot_be_closed_off(community_admin, branch_a):
    problem = make_problem(branch_a)
    assert not community_admin.has_perm("accountability.close_problem", problem)


def test_only_the_supervised_organisation_replies_once(secretary_a, community_admin, branch_a, tree):
    task = make_task(branch_a, due_on=dt.date(2025, 3, 1))
    notice = SupervisionNotice.objects.create(
        issuer=tree["community"], organization=branch_a, task=task, text="请说明", reply_due=dt.date(2025, 3, 1)
    )
    assert secretary_a.has_perm("accountability.reply_notice", notice)
    assert not community_admin.has_perm("accountability.reply_notice", notice)
    notice.replied_at = notice.issued_at
    assert not secretary_a.has_perm("accountability.reply_notice", notice)


def test_assessor_scores_only_the_indicator_assigned(scheme, assessor, org_admin, community_admin):
    scheme.status = IndicatorScheme.Status.SCORING
    scheme.save()
    assessed = scheme.indicators.get(method="assessed")
    computed = scheme.indicators.get(source="cadence")
    assert assessor.has_perm("accountability.score_indicator", assessed)
    assert not assessor.has_perm("accountability.score_indicator", computed)
    assert not org_admin.has_perm("accountability.score_indicator", assessed)  # assigned to someone else
    assert org_admin.has_perm("accountability.run_scheme", scheme)
    assert not community_admin.has_perm("accountability.run_scheme", scheme)


def test_members_see_their_branchs_result_only_after_the_public_notice(scheme, member_a, branch_a, secretary_a):
    assessment = Assessment.objects.create(scheme=scheme, organization=branch_a)
    scheme.status = IndicatorScheme.Status.SCORING
    scheme.save()
    assert not member_a.has_perm("accountability.view_assessment", assessment)
    assert secretary_a.has_perm("accountability.view_assessment", assessment)
    scheme.status = IndicatorScheme.Status.FINAL
    scheme.notice_starts = dt.date(2026, 1, 1)
    scheme.save()
    assert member_a.has_perm("accountability.view_assessment", assessment)
