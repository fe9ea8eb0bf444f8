"""The site as the browser tests meet it: every public page type, filled in, in one fixture (`world`).

Shared by test_accessibility.py (axe on every page and form) and test_public_quality.py (axe, the Nu HTML
Checker, phone width, requests and console on every public page type, in both languages).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from django.utils import timezone

from accounts.factories import UserFactory
from consultation.factories import make_consultation, make_posts
from consultation.models import ConsultationPage
from consultation.models import Stage as ConsultationStage
from core.satisfaction import SATISFIED
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Stage
from home import factories as content
from home.models import (
    BranchPage,
    HomePage,
    MeetingRecord,
    NewsIndexPage,
    NewsPage,
    PolicyIndexPage,
    PolicyPage,
    StudyIndexPage,
    StudyPage,
)
from organizations.factories import RosterEntryFactory
from surveys.factories import q, satisfaction_page, section, survey_page
from surveys.models import Answer, Response, SatisfactionSurveyPage, SurveyPage

CONTENT_LANG = "zh-hans"  # WAGTAIL_CONTENT_LANGUAGES: editors write in Chinese whatever the reader's language
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS")  # a directory; unset means no screenshots

# Every question type the survey builder offers, in one step, so that axe sees them all at once.
EVERY_QUESTION = [
    section("基本情况", intro="请根据实际情况填写。"),
    q("single_choice", "您的年龄段", choices=["30岁以下", "30–59岁", "60岁及以上"], key="age", help_text="单选"),
    q("multiple_choice", "您希望社区开展哪些活动？", choices=["健康讲座", "文艺演出", "志愿服务"], max_picks=2),
    q("rating", "您对社区环境的总体评价", scale_min=1, scale_max=5, min_label="很差", max_label="很好"),
    q("nps", "您有多大可能向邻居推荐社区服务站？", min_label="不可能", max_label="非常可能"),
    q("matrix", "您对以下服务的评价", rows=["便民服务", "文体活动"], columns=["好", "一般", "差"]),
    q("satisfaction", "请对以下方面作出评价", dimensions=[{"label": "服务态度", "weight": 1}]),
    q("ranking", "请按重要程度排序", choices=["停车", "绿化", "安防"]),
    q("short_text", "您居住的楼栋", max_length=50),
    q("long_text", "其他建议", required=False),
    q("number", "家庭常住人口", min_value=1, max_value=20, whole_numbers=True),
    q("date", "您入住本社区的时间", required=False),
]
SAMPLE_ANSWERS = {
    "single_choice": "30–59岁",
    "multiple_choice": ["健康讲座", "志愿服务"],
    "rating": "4",
    "nps": "9",
    "matrix": {"便民服务": "好", "文体活动": "一般"},
    "satisfaction": {"服务态度": SATISFIED},
    "ranking": {"停车": 1, "绿化": 2, "安防": 3},
    "short_text": "3号楼",
    "long_text": "希望增加夜间照明。",
    "number": 3.0,
    "date": dt.date(2018, 5, 1),
}


def _store_responses(survey: SurveyPage, count: int) -> None:
    """Responses as the answering form stores them (through each block's own answer rows)."""
    for _ in range(count):
        response = Response.objects.create(survey=survey, submitted_on=timezone.localdate())
        for qid, block, value, _section in survey.question_list():
            for row in block.answer_rows(value, SAMPLE_ANSWERS[block.question_type]):
                Answer.objects.create(
                    response=response,
                    survey=survey,
                    question=qid,
                    row=row.row,
                    choice=row.choice,
                    number=row.number,
                    text=row.text,
                    date=row.date,
                )


# One builder per public page type, each given what was built before it. A Page subclass added to the
# project without a builder here fails test_every_public_page_type_has_an_axe_case.
def _community(world) -> BranchPage:
    return BranchPage.objects.get(pk=world["tree"]["community"].page_id)


def _branch(world) -> BranchPage:
    return BranchPage.objects.get(pk=world["tree"]["branch_a"].page_id)


def _consultation(world) -> ConsultationPage:
    page = make_consultation(_branch(world), stage=ConsultationStage.DELIBERATING)
    make_posts(page, [world["neighbour"]], 3, replies_per_post=1)
    return page


PAGE_BUILDERS = {
    HomePage: lambda world: world["tree"]["street"].page.specific,
    BranchPage: _branch,
    PolicyIndexPage: lambda world: content.policy_index(_community(world), intro="和平社区党委发布的政策文件。"),
    PolicyPage: lambda world: content.policy(world[PolicyIndexPage], body="各网格要做好排查工作。"),
    StudyIndexPage: lambda world: content.study_index(_community(world), intro="理论学习材料。"),
    StudyPage: lambda world: content.study(world[StudyIndexPage], title="学习党章", body="认真学习党章。"),
    NewsIndexPage: lambda world: content.news_index(_community(world), intro="社区新闻。"),
    NewsPage: lambda world: content.news(world[NewsIndexPage], title="社区举办邻里节", body="居民们欢聚一堂。"),
    ConsultationPage: _consultation,
    SurveyPage: lambda world: survey_page(
        _community(world), title="社区居民问卷", intro="感谢您参与。", questions=EVERY_QUESTION
    ),
    SatisfactionSurveyPage: lambda world: satisfaction_page(
        _community(world), target_organization=world["tree"]["community"], round_label="2026年度"
    ),
}


@pytest.fixture
def world(tree, branch_a, secretary_a):
    """Every public page type; a consultation open for votes; an appraisal; a closed survey with public results."""
    world = {"tree": tree, "neighbour": UserFactory(display_name="邻居")}
    world["members"] = []
    for index in range(4):
        user = UserFactory(display_name=f"党员{index}")
        RosterEntryFactory(branch=branch_a, user=user, name=f"党员{index}", member_no=f"M{index:02d}")
        world["members"].append(user)
    for model, builder in PAGE_BUILDERS.items():
        world[model] = builder(world)
    world["voting"] = make_consultation(
        _branch(world), stage=ConsultationStage.VOTING, options=["同意", "不同意"], title="加装电梯表决"
    )
    world["rating"] = make_consultation(_branch(world), stage=ConsultationStage.RATING, title="楼道照明改造评议")
    world["invitation_survey"] = survey_page(
        _community(world), title="凭邀请码填写的问卷", mode=SurveyPage.Mode.INVITATION, questions=EVERY_QUESTION[:3]
    )
    closed = survey_page(
        _community(world),
        title="已结束的问卷",
        questions=EVERY_QUESTION,
        opens_at=timezone.now() - dt.timedelta(days=10),
        results_visibility=SurveyPage.ResultsVisibility.PUBLIC_AFTER_CLOSE,
    )
    _store_responses(closed, 4)
    SurveyPage.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - dt.timedelta(days=1))
    world["closed_survey"] = closed
    MeetingRecord.objects.create(
        branch=branch_a,
        kind="committee",
        date=timezone.localdate() - dt.timedelta(days=3),
        topic="支委会：研究年度民主评议",
        due=5,
        present=4,
        absent=1,
        content="讨论民主评议安排。",
    )
    campaign = AppraisalCampaignFactory(branch=branch_a, year=timezone.localdate().year, masses_enabled=True)
    campaign.enrol_members()
    campaign.move_to(Stage.SELF_ASSESSMENT, secretary_a)
    world["campaign"] = campaign
    world["secretary"] = secretary_a
    # Signs in with a one-time code: the two-factor prompt and the recovery codes.
    world["totp_user"] = UserFactory(display_name="双重验证用户")
    world["totp_secret"] = generate_totp_secret()
    TOTP.activate(world["totp_user"], world["totp_secret"])
    RecoveryCodes.activate(world["totp_user"])
    return world
