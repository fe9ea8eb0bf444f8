"""Demo appraisals for `seed_demo`: this year's ballot under way, last year's finished."""

import datetime as dt
import math

from evaluation import grading, tally, voting
from evaluation.models import AppraisalCampaign, SelfAssessment, Stage
from evaluation.voting import Choice

SELF_TEXT = {
    "study": "按时参加支部学习，认真学习党章党规和系列讲话精神，坚持每周在学习平台自学。",
    "duties": "积极参加社区志愿服务和网格走访，协助做好垃圾分类宣传和老旧小区改造意见征集。",
    "shortcomings": "理论学习的系统性还不够，联系群众的方式比较单一。",
    "plan": "制定个人学习计划，每月至少走访两户困难群众，主动认领一项社区服务岗位。",
}


def _vote(demo, campaign, voters, share: float) -> None:
    """Members vote by the same rules as everyone; the mix leans to 合格, as in real branches."""
    for user in voters[: math.ceil(len(voters) * share)]:
        rows = voting.ballot_rows(campaign, voter=user)
        choices = {}
        for row in rows:
            if row.is_graded:
                grade = demo.rng.choices(["excellent", "competent", "basic", ""], weights=[30, 62, 6, 2])[0]
                choices[row.pk] = Choice(grade, "")
        voting.cast_member_ballot(campaign, user, choices)


def _finish(campaign, secretary) -> None:
    campaign.move_to(Stage.ASSESSMENT, secretary)
    computed = tally.compute(campaign)
    decisions = {r.appraisee.pk: (r.suggested or "competent", "") for r in computed.results if r.appraisee.is_graded}
    grading.record_final_grades(computed, decisions)
    campaign.move_to(Stage.NOTICE, secretary)
    campaign.move_to(Stage.DONE, secretary)


def _campaign(branch, year: int, stage_date: dt.date) -> AppraisalCampaign:
    campaign = AppraisalCampaign.objects.create(
        branch=branch, year=year, ballot_date=stage_date, study_starts=stage_date - dt.timedelta(days=30)
    )
    campaign.enrol_members()
    return campaign


def seed(demo) -> None:
    branch = demo.shared["organizations"]["heping-1"]
    secretary = demo.shared["secretaries"]["heping-1"]
    voters = demo.shared["members"]["heping-1"]
    last_year = _campaign(branch, 2025, dt.date(2025, 12, 19))
    last_year.move_to(Stage.BALLOTING, secretary)
    _vote(demo, last_year, voters, share=0.95)
    _finish(last_year, secretary)

    current = _campaign(branch, 2026, dt.date(2026, 12, 18))
    current.move_to(Stage.SELF_ASSESSMENT, secretary)
    for appraisee in current.appraisees.all()[:8]:
        SelfAssessment.objects.create(appraisee=appraisee, self_grade="competent", **SELF_TEXT)
    current.move_to(Stage.BALLOTING, secretary)
    # The demo member (member-heping-1-02) has not voted yet, so a visitor can try the ballot.
    _vote(demo, current, [user for user in voters if "-02@" not in user.email], share=0.6)
