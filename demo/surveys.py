"""Demo surveys for `seed_demo`: two rounds of 群众满意度测评 per community, and an open survey with conditions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from organizations.models import Organization
from surveys.factories import add_responses, q, section
from surveys.models import SatisfactionSurveyPage, SurveyPage
from surveys.presets import DEFAULT_DIMENSIONS, satisfaction_preset

RESPONSES_PER_ROUND = 260  # per community: two rounds make 520
COMMENTS = [
    "希望增加小区夜间照明，老人晚上出门不方便。",
    "网格员很负责，上门走访很及时。",
    "垃圾分类点位附近异味较大，建议增加清运次数。",
    "办事大厅周末也能开放就更好了。",
    "社区公告栏信息更新慢，建议同时在线上发布。",
    "物业维修响应慢，报修后要等好几天。",
    "党员志愿者帮助独居老人，很暖心。",
    "停车位太少，晚上经常没地方停。",
    "希望多组织一些适合老年人的文体活动。",
    "楼道堆放杂物的问题反映多次还没解决。",
]
# Probabilities of 满意 / 基本满意 / 不满意 / 不了解 per round: the second round is better.
MIX = {1: (0.52, 0.28, 0.12, 0.08), 2: (0.61, 0.25, 0.07, 0.07)}
LEVELS = ["satisfied", "basically_satisfied", "dissatisfied", "unknown"]


def _pick(rng, weights):
    return rng.choices(LEVELS, weights=weights)[0]


def _satisfaction_round(demo, community, grids, number: int, start: dt.datetime, responses: int):
    page = community.page.add_child(
        instance=SatisfactionSurveyPage(
            title=f"{community.name} {start.year}年度群众满意度测评",
            slug=f"satisfaction-{start.year}-{number}",
            intro="请您对社区党组织和网格服务作出评价。测评匿名进行，每人限答一次。",
            questions=satisfaction_preset(DEFAULT_DIMENSIONS),
            target_organization=community,
            round_label=f"{start.year}年度",
            mode=SurveyPage.Mode.ANONYMOUS,
            ask_grid=True,
            opens_at=start,
            closes_at=start + dt.timedelta(days=30),
            use_weighted_score=True,
            results_visibility=SurveyPage.ResultsVisibility.PUBLIC_AFTER_CLOSE,
        )
    )
    satisfaction_id, comments_id = page.question_list()[0][0], page.question_list()[1][0]
    rng = demo.rng
    for index, grid in enumerate(grids):
        count = responses // len(grids) + (1 if index < responses % len(grids) else 0)
        answers = []
        for _ in range(count):
            # Each grid is a little different, and 环境卫生 lags behind in the first round.
            mix = list(MIX[number])
            mix[0] -= 0.04 * index
            mix[2] += 0.04 * index
            dims = {}
            for label in DEFAULT_DIMENSIONS:
                weights = mix if not (label == "环境卫生" and number == 1) else (0.38, 0.3, 0.24, 0.08)
                if rng.random() > 0.03:  # a few leave a dimension blank
                    dims[label] = _pick(rng, weights)
            answer = {satisfaction_id: dims}
            if rng.random() < 0.15:
                answer[comments_id] = "text:" + rng.choice(COMMENTS)
            answers.append(answer)
        day = (start + dt.timedelta(days=rng.randint(0, 20))).date()
        add_responses(page, answers, grid=grid, submitted_on=day)
    return page


OPEN_SURVEY = [
    section("基本情况"),
    q("single_choice", "您在本社区居住了多久？", choices=["不到1年", "1–5年", "5年以上"]),
    q("single_choice", "您家里是否有60岁以上的老人？", choices=["有", "没有"], key="elderly"),
    q(
        "multiple_choice",
        "老人最需要哪些服务？",
        choices=["助餐", "助医", "上门探访", "文体活动", "代办事务"],
        max_picks=3,
        show_if={"question": "elderly", "values": "有"},
    ),
    section("出行与停车"),
    q("single_choice", "您家是否有小汽车？", choices=["有", "没有"], key="car"),
    q(
        "rating",
        "您对小区停车的满意程度",
        scale_min=1,
        scale_max=5,
        min_label="很不满意",
        max_label="很满意",
        show_if={"question": "car", "values": "有"},
    ),
    q("ranking", "请按您认为的紧迫程度排序", choices=["增加停车位", "改善人行道", "增设非机动车棚"]),
    section("其他"),
    q("nps", "您有多大可能向邻居推荐社区党群服务中心？", min_label="不可能", max_label="非常可能"),
    q("long_text", "您还有什么建议？", required=False, help_text="请不要填写个人信息。"),
]


def seed(demo) -> None:
    orgs, grids = demo.shared["organizations"], demo.shared["grids"]
    now = timezone.now()
    satisfaction = {}
    for code in grids:
        community = Organization.objects.select_related("page").get(pk=orgs[code].pk)
        first = _satisfaction_round(demo, community, grids[code], 1, now - dt.timedelta(days=400), RESPONSES_PER_ROUND)
        second = _satisfaction_round(demo, community, grids[code], 2, now - dt.timedelta(days=40), RESPONSES_PER_ROUND)
        satisfaction[code] = [first, second]
    street = Organization.objects.select_related("page").get(pk=demo.shared["street"].pk)
    survey = street.page.add_child(
        instance=SurveyPage(
            title="社区生活需求调查",
            slug="needs-survey",
            intro="为更好地安排今年的为民服务项目，请花3分钟填写本问卷。问卷匿名，每人限答一次。",
            questions=OPEN_SURVEY,
            mode=SurveyPage.Mode.ANONYMOUS,
            ask_grid=True,
            opens_at=now - dt.timedelta(days=3),
            closes_at=now + dt.timedelta(days=60),
            thank_you="感谢您的参与！调查结果将在社区公告栏和本网站公布。",
        )
    )
    demo.shared["surveys"] = {"satisfaction": satisfaction, "open": survey}
