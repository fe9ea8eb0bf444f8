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
from tests.accountability.conftest import TODAY, YEAR, make_problem, make_request, make_task

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
    cancelled = make_task(branch_a, due_on=dt.date(2025, 6, 1), status=Task.Status.CANCELLED)
    Task.objects.filter(pk=cancelled.pk).update(cancelled_on=dt.date(2025, 5, 20))  # withdrawn in time: dropped
    make_task(branch_a, due_on=dt.date(2026, 3, 1), status=Task.Status.PLANNED)  # not due yet: not judged
    make_task(branch_a, due_on=dt.date(2026, 3, 1), status=Task.Status.DONE, completed_on=dt.date(2026, 1, 2))

    result = REGISTRY["tasks"](branch_a, YEAR, TODAY)

    assert result.value == 50.0  # 2 on time of 4 judged
    assert len(result.evidence) == 4


def test_a_task_cancelled_after_its_due_date_counts_as_late(branch_a, secretary_a, monkeypatch):
    from accountability import statuses

    make_task(branch_a, due_on=dt.date(2025, 3, 1), status=Task.Status.DONE, completed_on=dt.date(2025, 2, 28))
    make_task(branch_a, due_on=dt.date(2025, 3, 1), status=Task.Status.DONE, completed_on=dt.date(2025, 3, 1))
    withdrawn = make_task(branch_a, due_on=dt.date(2025, 9, 1), status=Task.Status.CANCELLED)
    Task.objects.filter(pk=withdrawn.pk).update(cancelled_on=dt.date(2025, 8, 31))  # before its due date: dropped
    overdue = make_task(branch_a, due_on=dt.date(2025, 6, 1), title="换届选举准备")
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *args: dt.date(2025, 7, 10))
        statuses.set_task_status(secretary_a, overdue, Task.Status.CANCELLED)  # cancelled once it was overdue
    overdue.refresh_from_db()
    assert overdue.cancelled_on == dt.date(2025, 7, 10)

    result = REGISTRY["tasks"](branch_a, YEAR, TODAY)

    # Judged: the two done on time and the one cancelled late; the withdrawn one is dropped. 2 ÷ 3.
    assert result.value == 66.7
    assert len(result.evidence) == 3
    assert any("换届选举准备" in item["label"] for item in result.evidence)


def test_problems_rectified_counts_only_those_closed_off_by_the_level_above(branch_a):
    make_problem(branch_a, status=Problem.Status.CLOSED)
    make_problem(branch_a, status=Problem.Status.RECTIFIED)  # reported rectified, not yet verified: not counted
    make_problem(branch_a)
    make_problem(branch_a, year=YEAR - 1)

    result = REGISTRY["problems"](branch_a, YEAR, TODAY)

    assert result.value == 33.3  # 1 closed off of 3
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


def test_cadence_counts_only_meetings_that_were_held(branch_a, secretary_a):
    from orglife import factories as orglife_factories
    from orglife.models import Meeting

    K = MeetingRecord.Kind
    tz = timezone.get_current_timezone()
    for month in (2, 5):  # general meetings held in Q1 and Q2
        _meeting(branch_a, K.GENERAL_MEETING, dt.date(YEAR, month, 3))
    # Q3: a general meeting scheduled on the site and cancelled (someone had been ticked in before it was called
    # off); Q4: one only scheduled, never signed in.
    cancelled = orglife_factories.meeting(
        branch_a, kind=K.GENERAL_MEETING, starts_at=dt.datetime(YEAR, 8, 3, 9, tzinfo=tz), notify=False
    )
    Meeting.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now(), present=1, due=5)
    orglife_factories.meeting(
        branch_a, kind=K.GENERAL_MEETING, starts_at=dt.datetime(YEAR, 11, 3, 9, tzinfo=tz), notify=False
    )

    result = REGISTRY["cadence"](branch_a, YEAR, TODAY)

    assert result.value == 10.0  # 2 cells met of 5 kinds × 4 quarters: the cancelled and the unheld do not count
    assert len(result.evidence) == 2  # and are no evidence


def test_cadence_does_not_count_a_meeting_ahead_even_if_ticked_in(branch_a):
    from orglife import factories as orglife_factories
    from orglife.models import Meeting

    ahead = orglife_factories.meeting(branch_a, kind=MeetingRecord.Kind.LECTURE, notify=False)  # tomorrow
    Meeting.objects.filter(pk=ahead.pk).update(present=1, due=5)
    year = timezone.localdate().year

    assert not REGISTRY["cadence"](branch_a, year, timezone.localdate()).evidence


def test_requests_on_time_and_satisfaction_are_the_rates_of_the_branchs_grids(grids):
    from appeals.models import Status

    grid_a1, grid_a2, grid_b = grids
    branch_a = grid_a1.duty.branch
    make_request(grid_a1, dt.date(YEAR, 3, 2), accepted_after_hours=2, rating=S)  # on time
    make_request(grid_a1, dt.date(YEAR, 4, 2), accepted_after_hours=3, rating=B)  # on time
    make_request(grid_a2, dt.date(YEAR, 5, 2), accepted_after_hours=30, rating=D)  # accepted late (deadline 24 h)
    make_request(grid_a2, dt.date(YEAR, 6, 2), rating=U)  # never accepted, long past its deadline; 不了解: no judgement
    make_request(grid_a2, dt.date(YEAR, 7, 2), accepted_after_hours=1, status=Status.MERGED, rating=D)  # a repeat
    make_request(grid_b, dt.date(YEAR, 3, 2), accepted_after_hours=50, rating=D)  # another branch's grid
    make_request(grid_a1, dt.date(YEAR - 1, 3, 2), accepted_after_hours=50, rating=D)  # another year

    on_time = REGISTRY["requests_on_time"](branch_a, YEAR, TODAY)
    satisfaction = REGISTRY["requests_satisfaction"](branch_a, YEAR, TODAY)

    assert on_time.value == 50.0  # 2 accepted on time of 4 due (the merged repeat is left out)
    assert satisfaction.value == 66.7  # (满意 1 + 基本满意 1) ÷ 3 rated (不了解 left out)
    assert [item["label"] for item in on_time.evidence] == ["一网格", "二网格"]
    assert on_time.evidence[0]["url"] == "/appeals/board/grid/grid-a1/"


def test_requests_indicators_without_requests_have_no_value(grids):
    branch_a = grids[0].duty.branch
    assert REGISTRY["requests_on_time"](branch_a, YEAR, TODAY).value is None
    assert REGISTRY["requests_satisfaction"](branch_a, YEAR, TODAY).value is None


def test_required_study_is_the_share_of_members_who_studied_everything_due_in_the_year(tree, branch_a, branch_b):
    from accounts.factories import UserFactory
    from home import factories as home_factories
    from home.models import StudyRecord
    from membership.models import StudyDeadline
    from organizations.factories import RosterEntryFactory

    index = home_factories.study_index(tree["street"].page)
    first = home_factories.study(index, title="党章学习")
    second = home_factories.study(index, title="条例学习")
    later = home_factories.study(index, title="下一年度必学")
    StudyDeadline.objects.create(organization=tree["street"], page=first, due_on=dt.date(YEAR, 3, 31))
    StudyDeadline.objects.create(organization=tree["street"], page=second, due_on=dt.date(YEAR, 9, 30))
    StudyDeadline.objects.create(organization=tree["street"], page=later, due_on=dt.date(YEAR + 1, 3, 31))
    users = [UserFactory() for _ in range(4)]
    for n, user in enumerate(users):
        RosterEntryFactory(branch=branch_a, user=user, member_no=f"A{n}")
    RosterEntryFactory(branch=branch_b, user=UserFactory(), member_no="B0")  # another branch's member
    for user in users[:3]:
        StudyRecord.objects.create(user=user, page=first)
    StudyRecord.objects.create(user=users[0], page=second)
    StudyRecord.objects.create(user=users[1], page=second)

    result = REGISTRY["required_study"](branch_a, YEAR, TODAY)

    assert result.value == 50.0  # 2 of 4 members studied both items due in the year; next year's is not judged
    assert result.evidence[0]["url"] == f"/membership/study/{branch_a.pk}/?year={YEAR}"


def test_required_study_with_nothing_due_has_no_value(branch_a, members):
    assert REGISTRY["required_study"](branch_a, YEAR, TODAY).value is None
