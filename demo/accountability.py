"""Demo lists, supervision and assessment for `seed_demo`: a year of every branch's three lists from the street's
template, tasks (most done, some late), problems (some closed off, some overdue, one raised from a low
satisfaction dimension), a supervision notice with its reply and one escalated, last year's final results,
and this year's assessment in scoring with computed indicators that differ between branches."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from accountability import assessment, proposals, responsibility, supervision
from accountability.models import (
    Assessment,
    Evidence,
    Grade,
    Indicator,
    IndicatorScheme,
    IndicatorScore,
    Problem,
    ProblemProposal,
    ResponsibilityItem,
    ResponsibilityList,
    SupervisionNotice,
    Task,
    TaskNote,
)
from demo.organizations import DEMO_PASSWORD, DOMAIN
from home.models import MeetingRecord
from organizations import roles
from organizations.models import Organization
from surveys.factories import add_responses

TEMPLATE_ITEMS = [
    (
        "落实“三会一课”制度，按时召开支部党员大会、支委会、党小组会，上好党课",
        "党支部书记（第一责任人）",
        "每季度至少一次党员大会、一次党课",
        "会议记录",
        "每季度",
    ),
    ("组织党员开展主题党日活动", "组织委员", "每月一次，参加率不低于85%", "会议记录", "每月"),
    ("开展民主评议党员", "党支部书记（第一责任人）", "年底前完成，参评率达到规定比例", "评议汇总表", "每年第四季度"),
    (
        "推动议事协商结果落地并向居民反馈",
        "党支部书记（第一责任人）",
        "议题有结果、有公示、有评议",
        "议事记录与评议结果",
        "全年",
    ),
    ("开展群众满意度测评并整改短板", "宣传委员", "满意率不低于90%", "测评结果", "每年"),
    ("做好党员教育管理和党费收缴", "组织委员", "按月足额收缴", "党费台账", "每月"),
]
BRANCH_ITEMS = {
    "heping-1": ("每月走访困难党员和独居老人", "组织委员", "每月不少于4户", "走访记录", "每月"),
    "heping-2": (
        "组织离退休党员开展“银发先锋”志愿服务",
        "党支部书记（第一责任人）",
        "每季度一次",
        "活动记录",
        "每季度",
    ),
    "guangming-1": ("牵头推进老旧小区加装电梯议事", "党支部书记（第一责任人）", "年内完成两个单元", "议事结果", "年内"),
    "guangming-2": ("联合物业公司开展“红色物业”服务", "纪检委员", "物业服务满意率提升", "服务台账", "每季度"),
}
TASKS = [
    ("制定年度党建工作计划", 25),
    ("完成党员信息核对更新", 70),
    ("组织“七一”主题党日活动", 180),
    ("开展党员冬训", 330),
    ("整理上半年会议记录归档", 200),
    ("走访辖区困难群众", 300),
]
# How each branch keeps up: share of tasks done late, whether one task is still open and overdue, and the
# mix of 满意 / 基本满意 / 不满意 / 不了解 of the answers given about it (环境卫生 lags in guangming-2).
PROFILE = {
    "heping-1": {"late": 0, "open_overdue": False, "mix": (0.7, 0.22, 0.04, 0.04)},
    "heping-2": {"late": 1, "open_overdue": False, "mix": (0.6, 0.28, 0.08, 0.04)},
    "guangming-1": {"late": 1, "open_overdue": True, "mix": (0.5, 0.3, 0.14, 0.06)},
    "guangming-2": {"late": 2, "open_overdue": True, "mix": (0.42, 0.3, 0.22, 0.06)},
}


def _user(email: str, name: str):
    user = get_user_model().objects.filter(email=email).first()
    if user is None:
        user = get_user_model().objects.create(
            email=email, username=email, display_name=name, password=make_password(DEMO_PASSWORD)
        )
    return user


def _responsibility(street, communities, branches, street_admin, secretaries, year: int) -> None:
    template = ResponsibilityList.objects.create(
        organization=street, year=year, title=f"{street.name}{year}年度基层党建责任清单", published=True
    )
    ResponsibilityItem.objects.bulk_create(
        [
            ResponsibilityItem(
                responsibility_list=template,
                duty=duty,
                responsible=who,
                standard=standard,
                evidence_expected=evidence,
                frequency=frequency,
                sort_order=n,
            )
            for n, (duty, who, standard, evidence, frequency) in enumerate(TEMPLATE_ITEMS)
        ]
    )
    for community in communities:
        adopted = responsibility.adopt(street_admin, community, year)
        adopted.published = True
        adopted.save(update_fields=["published"])
    for code, branch in branches.items():
        own = responsibility.adopt(secretaries.get(code), branch, year)
        duty, who, standard, evidence, frequency = BRANCH_ITEMS[code]
        ResponsibilityItem.objects.create(
            responsibility_list=own,
            duty=duty,
            responsible=who,
            standard=standard,
            evidence_expected=evidence,
            frequency=frequency,
            sort_order=own.items.count(),
        )


def _tasks(demo, branch, code, secretary, year: int, today: dt.date) -> list[Task]:
    profile = PROFILE[code]
    first_item = ResponsibilityItem.objects.filter(
        responsibility_list__organization=branch, responsibility_list__year=year
    ).first()
    tasks = []
    start = dt.date(year, 1, 1)
    for n, (title, day) in enumerate(TASKS):
        due = start + dt.timedelta(days=day)
        task = Task(
            organization=branch,
            year=year,
            title=title,
            owner=secretary.get_full_name() if secretary else "支部书记",
            owner_user=secretary,
            due_on=due,
            priority="high" if n == 0 else "normal",
            responsibility=first_item if n in (2, 3) else None,
            created_by=secretary,
        )
        if due < today:
            task.status = Task.Status.DONE
            late = n < profile["late"]
            task.completed_on = (
                due + dt.timedelta(days=demo.rng.randint(3, 12))
                if late
                else due - dt.timedelta(days=demo.rng.randint(0, 6))
            )
            task.completed_on = min(task.completed_on, today)
        else:
            task.status = Task.Status.IN_PROGRESS if n % 2 else Task.Status.PLANNED
        tasks.append(task)
    if profile["open_overdue"]:
        tasks.append(
            Task(
                organization=branch,
                year=year,
                title="更新党员活动室宣传栏",
                owner="宣传委员",
                due_on=today - dt.timedelta(days=9),
                status=Task.Status.IN_PROGRESS,
                created_by=secretary,
            )
        )
    tasks = Task.objects.bulk_create(tasks)
    record = MeetingRecord.objects.filter(branch=branch, kind="theme_day").order_by("-date").first()
    themed = next((t for t in tasks if "主题党日" in t.title), None)
    if record is not None and themed is not None:
        evidence = Evidence(task=themed, note="主题党日会议记录", added_by=secretary)
        evidence.record = record
        evidence.save()
        TaskNote.objects.create(task=themed, text="活动已开展，会议记录已录入平台。", author=secretary)
    return tasks


def _problems(branch, code, secretary, street_admin, year: int, today: dt.date) -> None:
    closed = Problem.objects.create(
        organization=branch,
        year=year,
        title="党员学习记录不完整",
        source=Problem.Source.INSPECTION,
        measures="建立学习签到台账，每月由组织委员核对。",
        owner="组织委员",
        deadline=dt.date(year, 5, 31),
        status=Problem.Status.CLOSED,
        rectified_at=timezone.make_aware(dt.datetime(year, 5, 20)),
        closed_at=timezone.make_aware(dt.datetime(year, 6, 3)),
        closed_by=street_admin,
        created_by=secretary,
    )
    # A file where nothing on the platform shows it: the paper sign-in ledger, kept privately.
    evidence = Evidence(problem=closed, note="整改后的学习签到台账（扫描件）", added_by=secretary)
    evidence.file.save(
        "学习签到台账.txt",
        ContentFile(f"{branch.name}党员学习签到台账\n1月至5月，每次学习均已签到，由组织委员核对。\n".encode()),
        save=False,
    )
    evidence.save()
    overdue = code.endswith("2")
    Problem.objects.create(
        organization=branch,
        year=year,
        title="部分党员长期未参加组织生活",
        source=Problem.Source.LEVEL_ABOVE,
        measures="书记逐一谈心谈话，制定帮扶计划，每季度通报参加情况。",
        owner=secretary.get_full_name() if secretary else "支部书记",
        deadline=today - dt.timedelta(days=20) if overdue else today + dt.timedelta(days=40),
        created_by=street_admin,
    )


def _satisfaction_answers(demo, branches, communities_rounds) -> None:
    """Answers given about each branch in its community's latest round: the branches differ."""
    for code, branch in branches.items():
        survey = communities_rounds.get(branch.get_parent().code)
        if survey is None:
            continue
        qid = survey.question_list()[0][0]
        labels = [
            label for label, _weight in survey.question_list()[0][1].weights_of(survey.question_list()[0][2]).items()
        ]
        answers = []
        for _ in range(14):
            dims = {}
            for label in labels:
                mix = PROFILE[code]["mix"]
                if code == "guangming-2" and label == "环境卫生":
                    mix = (0.2, 0.2, 0.55, 0.05)
                dims[label] = demo.rng.choices(
                    ["satisfied", "basically_satisfied", "dissatisfied", "unknown"], weights=mix
                )[0]
            answers.append({qid: dims})
        day = survey.closes_at.date() - dt.timedelta(days=5)
        add_responses(survey, answers, organization=branch, submitted_on=day)


def _scheme(street, year: int, assessor) -> IndicatorScheme:
    scheme = IndicatorScheme.objects.create(
        organization=street,
        year=year,
        title=f"{street.name}{year}年度基层党建工作考核",
        good_share="0.30",
        notice_starts=dt.date(year + 1, 1, 10),
        notice_ends=dt.date(year + 1, 1, 16),
    )
    rows = [
        ("三会一课按时召开", "cadence", 20, 90),
        ("议事协商闭环率", "consultation_loop", 10, 80),
        ("议事结果群众评议", "consultation_rating", 10, 80),
        ("群众满意率", "satisfaction", 20, 90),
        ("民主评议按时有效", "appraisal", 10, 100),
        ("任务按时完成率", "tasks", 10, 90),
        ("问题整改率", "problems", 10, 90),
        ("督办按时回复率", "supervision", 5, 100),
        ("群众诉求按时受理率", "requests_on_time", 5, 95),
        ("群众诉求办理满意率", "requests_satisfaction", 5, 90),
        ("必学内容完成率", "required_study", 5, 90),
    ]
    for n, (name, source, weight, target) in enumerate(rows):
        Indicator.objects.create(scheme=scheme, name=name, source=source, weight=weight, target=target, sort_order=n)
    Indicator.objects.create(
        scheme=scheme,
        name="书记述职评议",
        method=Indicator.Method.ASSESSED,
        weight=5,
        target=80,
        assessor=assessor,
        sort_order=len(rows),
    )
    return scheme


def _last_year(street, branches, year: int) -> None:
    """Last year's final results, kept for the trend (figures as they were recorded then)."""
    scheme = IndicatorScheme.objects.create(
        organization=street,
        year=year - 1,
        title=f"{street.name}{year - 1}年度基层党建工作考核",
        status=IndicatorScheme.Status.FINAL,
        good_share="0.30",
        notice_starts=dt.date(year, 1, 12),
        notice_ends=dt.date(year, 1, 18),
        finalised_at=timezone.make_aware(dt.datetime(year, 1, 10)),
    )
    cadence = Indicator.objects.create(scheme=scheme, name="三会一课按时召开", source="cadence", weight=100, target=90)
    totals = {
        "heping-1": (91.5, Grade.GOOD),
        "heping-2": (84.0, Grade.FAIRLY_GOOD),
        "guangming-1": (78.5, Grade.AVERAGE),
        "guangming-2": (72.0, Grade.AVERAGE),
    }
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(scheme=scheme, organization=branch, total=totals[code][0], grade=totals[code][1])
            for code, branch in branches.items()
        ]
    )
    IndicatorScore.objects.bulk_create(
        [
            IndicatorScore(
                assessment=assessment,
                indicator=cadence,
                value=assessment.total,
                score=cadence.score_for(assessment.total),
                detail="按当年记录计算",
            )
            for assessment in assessments
        ]
    )


def seed(demo) -> None:
    today = timezone.localdate()
    year = today.year
    street = Organization.objects.select_related("page").get(pk=demo.shared["street"].pk)
    organizations = demo.shared["organizations"]
    branches = {
        code: Organization.objects.select_related("page").get(pk=org.pk)
        for code, org in organizations.items()
        if org.kind == Organization.Kind.BRANCH
    }
    communities = [org for org in organizations.values() if org.kind == Organization.Kind.COMMUNITY]
    secretaries = demo.shared.get("secretaries", {})
    street_admin = _user(f"street-admin@{DOMAIN}", "街道组织委员 周宏")
    community_admin = _user(f"community-admin-heping@{DOMAIN}", "和平社区党委委员 李敏")
    heping = next(c for c in communities if c.code == "heping")
    roles.grant(community_admin, heping, roles.Role.ADMIN)
    demo.login("Community organisation admin (和平社区)", community_admin.email)

    _responsibility(street, communities, branches, street_admin, secretaries, year)
    all_tasks = {}
    for code, branch in branches.items():
        all_tasks[code] = _tasks(demo, branch, code, secretaries.get(code), year, today)
        _problems(branch, code, secretaries.get(code), street_admin, year, today)

    # Supervision: the community asks heping-1 about a task, and heping-1 answers with a meeting record;
    # guangming-1 leaves the street's notice on its overdue task unanswered, and it escalates.
    heping_task = all_tasks["heping-1"][3]
    notice = SupervisionNotice.objects.create(
        issuer=heping,
        organization=branches["heping-1"],
        task=heping_task,
        text="请报告党员冬训的安排和进度，附相关记录。",
        reply_due=today + dt.timedelta(days=5),
        issued_by=community_admin,
        issued_at=timezone.now() - dt.timedelta(days=3),
    )
    supervision.reply(secretaries.get("heping-1"), notice, "冬训方案已经支委会讨论通过，安排在本月下旬分三批进行。")
    overdue_task = next(t for t in all_tasks["guangming-1"] if t.status == Task.Status.IN_PROGRESS and t.due_on < today)
    SupervisionNotice.objects.create(
        issuer=street,
        organization=branches["guangming-1"],
        task=overdue_task,
        text="该任务已逾期，请说明原因并明确完成时限。",
        reply_due=today - dt.timedelta(days=2),
        issued_by=street_admin,
        issued_at=timezone.now() - dt.timedelta(days=8),
    )
    supervision.escalate_overdue(today)

    rounds = {code: pages[-1] for code, pages in demo.shared.get("surveys", {}).get("satisfaction", {}).items()}
    _satisfaction_answers(demo, branches, rounds)
    for branch in branches.values():
        proposals.propose(branch, year, today)
    low = ProblemProposal.objects.filter(
        organization=branches["guangming-2"], rule=ProblemProposal.Rule.SATISFACTION
    ).first()
    if low is not None:
        proposals.confirm(
            secretaries.get("guangming-2") or street_admin,
            low,
            measures="联合物业公司增加保洁频次，每周巡查楼道和垃圾分类点，月底向居民公示整改情况。",
            owner="纪检委员",
            deadline=today + dt.timedelta(days=45),
        )

    _last_year(street, branches, year)
    scheme = _scheme(street, year, street_admin)
    scheme.status = IndicatorScheme.Status.SCORING
    scheme.save(update_fields=["status"])
    assessment.compute(scheme, street_admin, today)
    # heping-1's secretary has written the 述职 report and attached the signed original (kept privately).
    reported = scheme.assessments.get(organization=branches["heping-1"])
    reported.report_text = (
        "一年来，支部坚持书记抓、抓书记，按时召开“三会一课”，推动加装电梯议事落地，群众满意率稳步提升。"
    )
    reported.report_file.save(
        "述职报告.txt", ContentFile("和平社区第一党支部书记抓基层党建工作述职报告（签字原件）\n".encode()), save=False
    )
    reported.save(update_fields=["report_text", "report_file"])
    review = scheme.indicators.get(method=Indicator.Method.ASSESSED)
    for code, value in (("heping-1", 90), ("heping-2", 85), ("guangming-1", 75)):
        assessment.record_score(
            street_admin,
            scheme.assessments.get(organization=branches[code]),
            review,
            value,
            "述职内容具体，问题查摆较深入。",
        )
