"""Totals, suggested grades and the final grades: the share of 好 is enforced, and 满意率 under 90% is never 好."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError

from wagtail.models import ModelLogEntry

from accountability import assessment as scoring
from accountability.models import Assessment, Grade, Indicator, IndicatorScheme, IndicatorScore, ProblemProposal
from organizations.factories import OrganizationFactory
from tests.accountability.conftest import TODAY, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_branches(tree, branch_a, branch_b):
    more = [OrganizationFactory(parent=tree["community"], name=f"第{n}党支部", code=f"branch-{n}") for n in (3, 4)]
    return [branch_a, branch_b, *more]


def test_compute_scores_and_totals_leave_out_indicators_without_data(scheme, branch_a, org_admin):
    make_task(branch_a, due_on=dt.date(2025, 3, 1), status="done", completed_on=dt.date(2025, 3, 1))
    make_task(branch_a, due_on=dt.date(2025, 3, 1))

    scoring.compute(scheme, org_admin, today=TODAY)

    assessment = Assessment.objects.get(scheme=scheme, organization=branch_a)
    tasks = IndicatorScore.objects.get(assessment=assessment, indicator__source="tasks")
    cadence = IndicatorScore.objects.get(assessment=assessment, indicator__source="cadence")
    assert (tasks.value, tasks.score) == (50.0, 16.67)  # 30 × 50 ÷ 90
    assert (cadence.value, cadence.score) == (0.0, 0.0)
    # the assessed indicator has no score yet: 100 × 16.67 ÷ (40 + 30)
    assert assessment.total == 23.8
    assert ModelLogEntry.objects.filter(action="accountability.scheme.compute").exists()


def test_assessor_score_counts_and_is_logged(scheme, branch_a, assessor, org_admin):
    scheme.status = IndicatorScheme.Status.SCORING
    scheme.save()
    scoring.compute(scheme, org_admin, today=TODAY)
    assessment = Assessment.objects.get(scheme=scheme, organization=branch_a)
    indicator = scheme.indicators.get(method=Indicator.Method.ASSESSED)

    scoring.record_score(assessor, assessment, indicator, 80, "述职内容扎实")

    assessment.refresh_from_db()
    assert IndicatorScore.objects.get(assessment=assessment, indicator=indicator).score == 30.0
    assert assessment.total == 42.9  # 100 × (0 + 30) ÷ (40 + 30): tasks have nothing to judge
    assert ModelLogEntry.objects.filter(action="accountability.score", object_id=str(assessment.pk)).exists()


def test_assessor_value_must_be_0_to_100(scheme, branch_a, assessor, org_admin):
    scheme.status = IndicatorScheme.Status.SCORING
    scheme.save()
    scoring.compute(scheme, org_admin, today=TODAY)
    assessment = Assessment.objects.get(scheme=scheme, organization=branch_a)
    with pytest.raises(ValidationError):
        scoring.record_score(assessor, assessment, scheme.indicators.get(method="assessed"), 120, "")


@pytest.mark.parametrize(
    ("total", "grade"), [(95, "good"), (90, "good"), (85, "fairly_good"), (60, "average"), (59.9, "poor")]
)
def test_suggested_grade_follows_the_thresholds(total, grade):
    assert scoring.suggested_grade(total) == grade


def test_more_good_grades_than_the_share_allows_are_refused_and_nothing_is_written(scheme, four_branches, org_admin):
    scoring.compute(scheme, org_admin, today=TODAY)  # four branches, share 0.5: at most 2 good
    assessments = list(scheme.assessments.order_by("pk"))
    grades = {a.pk: Grade.GOOD for a in assessments[:3]} | {assessments[3].pk: Grade.AVERAGE}

    with pytest.raises(ValidationError) as refused:
        scoring.finalise(org_admin, scheme, grades, {})

    assert "2" in str(refused.value)
    assert not Assessment.objects.filter(scheme=scheme).exclude(grade="").exists()
    scheme.refresh_from_db()
    assert scheme.status != IndicatorScheme.Status.FINAL


def test_grades_within_the_share_are_final_logged_and_weak_ones_proposed_for_next_year(
    scheme, four_branches, org_admin
):
    scoring.compute(scheme, org_admin, today=TODAY)
    assessments = list(scheme.assessments.order_by("pk"))
    grades = dict(zip([a.pk for a in assessments], ["good", "good", "fairly_good", "poor"], strict=True))

    scoring.finalise(org_admin, scheme, grades, {assessments[3].pk: "三会一课长期不落实"})

    scheme.refresh_from_db()
    assert scheme.status == IndicatorScheme.Status.FINAL
    assert ModelLogEntry.objects.filter(action="accountability.grade").count() == 4
    proposal = ProblemProposal.objects.get(organization=assessments[3].organization)
    assert proposal.year == 2026 and proposal.rule == ProblemProposal.Rule.ASSESSMENT


def test_a_branch_under_90_percent_satisfaction_cannot_be_good(scheme, branch_a, branch_b, org_admin):
    indicator = Indicator.objects.create(scheme=scheme, name="群众满意率", source="satisfaction", weight=10, target=90)
    scoring.compute(scheme, org_admin, today=TODAY)
    assessment = scheme.assessments.get(organization=branch_a)
    IndicatorScore.objects.filter(assessment=assessment, indicator=indicator).update(value=85.0)

    errors = scoring.check_grades(
        scheme, {assessment.pk: "good", scheme.assessments.get(organization=branch_b).pk: "average"}
    )

    assert any(branch_a.name in error for error in errors)


def test_every_organisation_needs_a_grade(scheme, branch_a, branch_b, org_admin):
    scoring.compute(scheme, org_admin, today=TODAY)
    a = scheme.assessments.get(organization=branch_a)
    assert scoring.check_grades(scheme, {a.pk: "average"})


def test_the_admin_cannot_set_a_scheme_final_only_finalise_can(scheme, org_admin):
    from accountability.wagtail_hooks import IndicatorSchemeViewSet

    form_class = IndicatorSchemeViewSet.edit_handler.bind_to_model(IndicatorScheme).get_form_class()
    assert "status" not in form_class.base_fields
    data = {
        "organization": scheme.organization_id,
        "year": scheme.year,
        "status": IndicatorScheme.Status.FINAL,
        "title": scheme.title,
        "good_share": "0.5",
        "indicators-TOTAL_FORMS": "0",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    form = form_class(data, instance=scheme, for_user=org_admin)
    form.is_valid()
    assert form.instance.status == IndicatorScheme.Status.DRAFT
