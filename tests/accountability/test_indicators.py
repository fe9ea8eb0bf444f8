"""Each computed indicator against figures computed by hand on a small fixture."""

import datetime as dt

import pytest

from django.utils import timezone

from accountability.indicators import REGISTRY
from accountability.models import Problem, SupervisionNotice, Task
from consultation.factories import make_consultation
from consultation.models import Outcome, OutcomeRating, Stage
from evaluation import voting
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Stage as AppraisalStage
from evaluation.voting import Choice
from home.models import MeetingRecord
from tests.accountability.conftest import TODAY, YEAR, make_problem, make_task

pytestmark = pytest.mark.django_db

S, B, D, U = "satisfied", "basically_satisfied", "dissatisfied", "unknown"


def _meeting(branch, kind, day):
    return MeetingRecord.objects.create(branch=branch, kind=kind, date=day, topic="学习党章", due=10, present=9)


def test_cadence_is_the_share_of_kinds_and_quarters_met(branch_a, branch_b):
    K = MeetingRecord.Kind
    for month in (2, 5, 8, 11):  # a general meeting every quarter: 4 cells met
        _meeting(branch_a, K.GENERAL_MEETING, dt.date(YEAR, month, 3))
    _meeting(branch_a, K.LECTURE, dt.date(YEAR, 1, 10))  # lectures in Q1 and Q2: 2 cells
    _meeting(branch_a, K.LECTURE, dt.date(YEAR, 4, 10))
    for day in (5, 15, 25):  # three committee meetings in Q1 only: 1 cell
        _meeting(branch_a, K.COMMITTEE, dt.date(YEAR, 3, day))
    _meeting(branch_a, K.GROUP, dt.date(YEAR, 3, 1))  # one group meeting of three: not met
    _meeting(branch_b, K.LECTURE, dt.date(YEAR, 7, 1))  # another branch's meeting does not count

    result = REGISTRY["cadence"](branch_a, YEAR, TODAY)

    assert result.value == 35.0  # 7 of 5 kinds × 4 quarters
    assert len(result.evidence) == 10
    assert all(item["url"].endswith(f"meetings/?year={YEAR}") for item in result.evidence)


def test_consultation_loop_counts_those_rated_or_archived_with_an_outcome(branch_a):
    def consultation(stage, outcome, title):
        page = make_consultation(branch_a.page, organization=branch_a, stage=stage, title=title)
        page.first_published_at = timezone.make_aware(dt.datetime(YEAR, 3, 1))
        page.save(update_fields=["first_published_at"])
        if outcome:
            Outcome.objects.create(consultation=page, text="加装电梯，费用按楼层分摊。")
        return page

    consultation(Stage.ARCHIVED, True, "电梯")
    consultation(Stage.RATING, True, "停车")
    consultation(Stage.IMPLEMENTING, True, "绿化")
    consultation(Stage.DELIBERATING, False, "垃圾分类")

    result = REGISTRY["consultation_loop"](branch_a, YEAR, TODAY)

    assert result.value == 50.0
    assert [item["label"].split("（")[0] for item in result.evidence] == ["电梯", "停车", "绿化", "垃圾分类"]


def test_consultation_rating_is_the_mean_level_score_without_dont_know(branch_a, tree):
    from accounts.factories import UserFactory

    page = make_consultation(branch_a.page, organization=branch_a, stage=Stage.RATING)
    for rating in (S, S, B, D, U):
        OutcomeRating.objects.create(
            consultation=page, organization=branch_a, user=UserFactory(), rating=rating, rated_on=dt.date(YEAR, 9, 1)
        )
    OutcomeRating.objects.create(
        consultation=page, organization=branch_a, user=UserFactory(), rating=D, rated_on=dt.date(YEAR - 1, 9, 1)
    )

    result = REGISTRY["consultation_rating"](branch_a, YEAR, TODAY)

    assert result.value == 68.8  # (100 + 100 + 75 + 0) ÷ 4 = 68.75
    assert result.evidence == [{"label": page.title, "url": page.url}]


def test_satisfaction_is_the_branch_rate_of_the_latest_round_and_links_the_survey(branch_a, satisfaction_round):
    result = REGISTRY["satisfaction"](branch_a, YEAR, TODAY)

    # 服务态度 3 + 1 of 5 valid, 环境卫生 1 of 5: (3 + 1 + 1) ÷ 10
    assert result.value == 50.0
    assert result.evidence[0] == {"label": satisfaction_round.title, "url": satisfaction_round.url}
    assert result.evidence[1]["url"].endswith("results/")


def test_satisfaction_shows_nothing_without_a_round(branch_a):
    assert REGISTRY["satisfaction"](branch_a, YEAR, TODAY).value is None


@pytest.fixture
def members(branch_a):
    from accounts.factories import UserFactory
    from organizations.factories import RosterEntryFactory

    users = [UserFactory() for _ in range(5)]
    for index, user in enumerate(users):
        RosterEntryFactory(branch=branch_a, user=user, member_no=f"M{index}")
    return users


def _appraisal(branch, secretary, voters, voting_share):
    year = timezone.localdate().year
    campaign = AppraisalCampaignFactory(branch=branch, year=year, ballot_date=timezone.localdate())
    campaign.enrol_members()
    campaign.move_to(AppraisalStage.BALLOTING, secretary)
    for user in voters[: int(len(voters) * voting_share)]:
        rows = voting.ballot_rows(campaign, voter=user)
        voting.cast_member_ballot(campaign, user, {row.pk: Choice("competent", "") for row in rows if row.is_graded})
    campaign.move_to(AppraisalStage.ASSESSMENT, secretary)
    return campaign, year


def test_appraisal_held_with_a_valid_turnout_scores_100(branch_a, secretary_a, members):
    campaign, year = _appraisal(branch_a, secretary_a, members, 1.0)

    result = REGISTRY["appraisal"](branch_a, year, timezone.localdate())

    assert result.value == 100.0
    assert result.evidence[0]["url"] == f"/evaluation/{campaign.pk}/"


def test_appraisal_below_the_minimum_turnout_scores_0(branch_a, secretary_a, members):
    _campaign, year = _appraisal(branch_a, secretary_a, members, 0.4)

    assert REGISTRY["appraisal"](branch_a, year, timezone.localdate()).value == 0.0


def test_no_appraisal_scores_0(branch_a):
    assert REGISTRY["appraisal"](branch_a, YEAR, TODAY).value == 0.0


def test_tasks_done_on_time_over_those_due_or_done(branch_a):
    make_task(branch_a, due_on=dt.date(2025, 3, 1), status=Task.Status.DONE, completed_on=dt.date(2025, 2, 28))
    make_task(branch_a, due_on=dt.date(2025, 3, 1), status=Task.Status.DONE, completed_on=dt.date(2025, 3, 5))
    make_task(branch_a, due_on=dt.date(2025, 6, 1), status=Task.Status.IN_PROGRESS)
    make_task(branch_a, due_on=dt.date(2025, 6, 1), status=Task.Status.CANCELLED)
    make_task(branch_a, due_on=dt.date(2026, 3, 1), status=Task.Status.PLANNED)  # not due yet: not judged
    make_task(branch_a, due_on=dt.date(2026, 3, 1), status=Task.Status.DONE, completed_on=dt.date(2026, 1, 2))

    result = REGISTRY["tasks"](branch_a, YEAR, TODAY)

    assert result.value == 50.0  # 2 on time of 4 judged
    assert len(result.evidence) == 4


def test_problems_rectified_counts_rectified_and_closed(branch_a):
    make_problem(branch_a, status=Problem.Status.CLOSED)
    make_problem(branch_a, status=Problem.Status.RECTIFIED)
    make_problem(branch_a)
    make_problem(branch_a, year=YEAR - 1)

    result = REGISTRY["problems"](branch_a, YEAR, TODAY)

    assert result.value == 66.7
    assert "/accountability/problems/" in result.evidence[0]["url"]


def test_problems_without_any_leave_the_indicator_out(branch_a):
    assert REGISTRY["problems"](branch_a, YEAR, TODAY).value is None


def test_supervision_replies_on_time(branch_a, tree):
    task = make_task(branch_a, due_on=dt.date(2025, 3, 1))

    def notice(reply_due, replied_on):
        n = SupervisionNotice.objects.create(
            issuer=tree["community"],
            organization=branch_a,
            task=task,
            text="请说明进度",
            reply_due=reply_due,
            issued_at=timezone.make_aware(dt.datetime(YEAR, 2, 1)),
        )
        if replied_on:
            n.replied_at = timezone.make_aware(dt.datetime.combine(replied_on, dt.time(20, 0)))
            n.reply_text = "已完成"
            n.save()
        return n

    notice(dt.date(2025, 3, 1), dt.date(2025, 3, 1))  # on the day: on time
    notice(dt.date(2025, 3, 1), dt.date(2025, 3, 2))  # late
    notice(dt.date(2025, 3, 1), None)  # never
    notice(dt.date(2026, 2, 1), None)  # not due yet: not judged

    result = REGISTRY["supervision"](branch_a, YEAR, TODAY)

    assert result.value == 33.3
    assert len(result.evidence) == 3


def test_evaluation_survey_is_the_rate_of_the_members_and_representatives_answers(scheme, branch_a, branch_b, tree):
    from accountability.models import Indicator
    from surveys.factories import add_responses, q, qid, survey_page

    survey = survey_page(
        branch_a.page,
        title="书记述职评议",
        questions=[q("satisfaction", "评议", dimensions=[{"label": "履职情况", "weight": 1}])],
    )
    rows = [S, S, B, D, U]
    add_responses(survey, [{qid(survey, 0): {"履职情况": r}} for r in rows], organization=branch_a)
    add_responses(survey, [{qid(survey, 0): {"履职情况": D}}] * 3, organization=branch_b)
    indicator = Indicator.objects.create(
        scheme=scheme, name="党员和群众代表评议", source="evaluation_survey", survey=survey, weight=10
    )

    result = REGISTRY["evaluation_survey"](branch_a, YEAR, TODAY, indicator=indicator)

    assert result.value == 75.0  # (2 + 1) ÷ 4: 不了解 is no judgement
    assert result.evidence[0]["url"] == survey.url


def test_evaluation_survey_without_a_survey_has_no_value(scheme, branch_a):
    from accountability.models import Indicator

    indicator = Indicator(scheme=scheme, name="评议", source="evaluation_survey")
    assert REGISTRY["evaluation_survey"](branch_a, YEAR, TODAY, indicator=indicator).value is None
