"""Demo consultations for `seed_demo`: one open with a lively thread, one voting, one finished."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from consultation.models import (
    Audience,
    ConsultationPage,
    ConsultationState,
    ImplementationUpdate,
    Outcome,
    OutcomeRating,
    Post,
    Reaction,
    Stage,
    StagePlan,
    StageTransition,
    Statement,
    StatementVote,
    Vote,
    VoteOption,
)
from consultation.opinion_map import compute
from consultation.rules import is_eligible
from organizations.models import Organization, Residence

OPINIONS = [
    "3号楼住的老人多，上下楼很困难，我支持尽快加装电梯。",
    "建议费用按楼层分摊，楼层越高分摊越多，一楼住户可以不出钱。",
    "一楼住户的采光和噪音问题要提前说清楚，最好有适当补偿。",
    "希望社区公开施工单位的资质和报价，让大家放心。",
    "电梯井道会占用部分绿地，能否同时调整楼前的停车位？",
    "可以申请市里的既有住宅加装电梯补贴，能减轻不少负担。",
    "施工期间请安排好老人和孩子的出行，注意安全。",
    "后期维保费用谁来承担？建议成立电梯管理小组。",
    "我家在五楼，愿意多出一些，但希望工期不要太长。",
    "建议先做一次入户调查，了解每户的真实意愿。",
    "电梯运行的电费可以按户平摊，刷卡乘梯也是办法。",
    "希望施工时间避开中午和晚上，不要影响休息。",
    "能不能参考光明东区已经装好的那栋楼的做法？",
    "二楼住户用电梯少，分摊比例应该更低一些。",
    "要考虑消防通道，不能因为加装电梯堵住通道。",
]
REPLIES = [
    "同意，补贴政策可以请社区帮忙问一下。",
    "补偿一楼住户是应该的，具体数额可以再商量。",
    "光明东区那栋楼的经验值得借鉴，可以请他们来介绍。",
    "管理小组的想法很好，我愿意报名参加。",
    "入户调查我可以帮忙，周末有时间。",
    "工期问题需要在合同里写清楚。",
    "我觉得刷卡乘梯比较公平。",
    "消防问题必须请专业人员评估。",
]
STATEMENTS = [
    "加装电梯对全楼住户都有好处。",
    "一楼住户应当得到经济补偿。",
    "费用应当按楼层高低分摊。",
    "电梯维保费用应由全体住户平摊。",
    "施工前应当公开施工单位的报价。",
    "停车位不应因为加装电梯而减少。",
]


def _page(parent, **fields) -> ConsultationPage:
    page = ConsultationPage(**fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _advance(page, stages, actor, start):
    at = start
    previous = ""
    for stage in stages:
        StageTransition.objects.create(
            consultation=page, from_stage=previous, to_stage=stage, actor=actor, created_at=at
        )
        previous = stage
        at += dt.timedelta(days=5)
    ConsultationState.objects.filter(consultation=page).update(stage=previous, stage_changed_at=at)


def _open_consultation(demo, branch_page, editor, people, now):
    page = _page(
        branch_page,
        title="和平里3号楼加装电梯议事",
        slug="elevator-heping-3",
        summary="3号楼是否加装电梯、费用如何分摊、一楼住户如何补偿，欢迎居民发表意见。",
        background=[
            (
                "paragraph",
                "<p>和平里3号楼建于1995年，共六层，住户36户，其中60岁以上老人占四成。"
                "部分居民提出加装电梯的诉求。支部和社区居委会组织本次议事协商，听取全体住户意见。</p>",
            ),
        ],
        opinion_map_enabled=True,
    )
    for stage, start, end in ((Stage.COLLECTING, -20, -11), (Stage.DELIBERATING, -10, 10), (Stage.RATING, 60, 75)):
        StagePlan.objects.create(
            consultation=page,
            stage=stage,
            starts_on=now.date() + dt.timedelta(days=start),
            ends_on=now.date() + dt.timedelta(days=end),
        )
    _advance(page, [Stage.COLLECTING, Stage.DELIBERATING], editor, now - dt.timedelta(days=20))
    rng = demo.rng
    tops = Post.objects.bulk_create(
        [
            Post(
                consultation=page,
                author=rng.choice(people),
                body=rng.choice(OPINIONS),
                kind=Post.Kind.PROPOSAL if rng.random() < 0.2 else Post.Kind.OPINION,
                created_at=now - dt.timedelta(minutes=37 * i + rng.randint(0, 30)),
            )
            for i in range(demo.thread_posts)
        ]
    )
    replies = []
    for top in tops[:60]:
        for j in range(rng.randint(0, 2)):
            replies.append(
                Post(
                    consultation=page,
                    author=rng.choice(people),
                    parent=top,
                    root=top,
                    depth=1,
                    body=rng.choice(REPLIES),
                    created_at=top.created_at + dt.timedelta(minutes=10 * (j + 1)),
                )
            )
    official = Post(
        consultation=page,
        author=editor,
        parent=tops[0],
        root=tops[0],
        depth=1,
        is_official=True,
        body="支部答复：社区已向街道申请加装电梯补贴，下周三晚7点在社区活动室召开协调会，欢迎参加。",
        created_at=tops[0].created_at + dt.timedelta(hours=2),
    )
    replies.append(official)
    while len(tops) + len(replies) < 210:
        top = rng.choice(tops)
        replies.append(
            Post(
                consultation=page,
                author=rng.choice(people),
                parent=top,
                root=top,
                depth=1,
                body=rng.choice(REPLIES),
                created_at=top.created_at + dt.timedelta(minutes=5),
            )
        )
    Post.objects.bulk_create(replies)
    pinned = Post.objects.create(
        consultation=page,
        author=editor,
        is_official=True,
        is_pinned=True,
        kind=Post.Kind.PROPOSAL,
        body="议事规则：请围绕加装电梯发表意见，文明发言。协商阶段到月底结束，之后公示协商结果。",
        created_at=now - dt.timedelta(days=10),
    )
    reactions = []
    for post in [*tops, pinned]:
        for user in rng.sample(people, min(len(people), rng.randint(0, 12))):
            reactions.append(Reaction(post=post, user=user, value=1 if rng.random() < 0.85 else -1))
    Reaction.objects.bulk_create(reactions, ignore_conflicts=True)
    counts = {}
    for r in Reaction.objects.filter(post__consultation=page).values_list("post_id", "value"):
        counts.setdefault(r[0], [0, 0])[0 if r[1] == 1 else 1] += 1
    posts = list(Post.objects.filter(pk__in=counts))
    for post in posts:
        post.support_count, post.oppose_count = counts[post.pk]
    Post.objects.bulk_update(posts, ["support_count", "oppose_count"])
    for top in tops:
        top.reply_count = 0
    reply_counts = {}
    for r in replies:
        reply_counts[r.parent_id] = reply_counts.get(r.parent_id, 0) + 1
    Post.objects.filter(pk__in=reply_counts).update(reply_count=0)
    for parent_id, n in reply_counts.items():
        Post.objects.filter(pk=parent_id).update(reply_count=n)
    # Opinion map: two camps (ground-floor households and upper floors) and shared ground.
    statements = [Statement.objects.create(consultation=page, text=t, author=editor, approved=True) for t in STATEMENTS]
    votes = []
    for index, user in enumerate(people[:40]):
        upper = index % 3 != 0
        for i, statement in enumerate(statements):
            if i in (0, 4):
                value = 1
            elif i in (1, 5):
                value = -1 if upper else 1
            else:
                value = 1 if upper else -1
            if rng.random() < 0.1:
                value = 0
            votes.append(StatementVote(statement=statement, user=user, value=value))
    StatementVote.objects.bulk_create(votes)
    compute(page)
    return page


def _voting_consultation(demo, branch_page, editor, people, now):
    # A vote has a defined electorate: the residents of 和平社区's grids (each demo resident lives in one)
    # and the members whose roster grid is one of them. 应到 is counted from that audience.
    grids = list(demo.shared.get("grids", {}).get("heping", []))
    residents = list(demo.shared.get("residents", []))
    if grids:
        Residence.objects.bulk_create(
            [Residence(user=user, grid=demo.rng.choice(grids)) for user in residents], ignore_conflicts=True
        )
    page = _page(
        branch_page,
        title="滨河小区停车位改造方案表决",
        slug="parking-binhe",
        summary="经前期协商形成两个方案，现提交居民表决。",
        background=[("paragraph", "<p>方案一：拆除废弃自行车棚，新增车位20个；方案二：保留车棚，划设错时停车位。</p>")],
        voting_enabled=True,
        vote_question="您支持哪个停车位改造方案？",
        audience=Audience.GRIDS,
    )
    page.eligible_grids.set(grids)
    page.save()
    page.save_revision().publish()
    page = ConsultationPage.objects.get(pk=page.pk)
    for label in ("方案一：拆除自行车棚，新增车位", "方案二：保留车棚，错时停车"):
        VoteOption.objects.create(consultation=page, label=label)
    _advance(page, [Stage.COLLECTING, Stage.DELIBERATING, Stage.VOTING], editor, now - dt.timedelta(days=15))
    options = list(page.vote_options.all())
    eligible = [user for user in people if is_eligible(user, page)]
    voters = eligible[: max(1, len(eligible) * 3 // 4)]
    Vote.objects.bulk_create(
        [
            Vote(consultation=page, voter=user, option=options[0] if demo.rng.random() < 0.6 else options[1])
            for user in voters
        ]
    )
    return page


def _finished_consultation(demo, community_page, community, editor, people, now):
    page = _page(
        community_page,
        title="新华苑垃圾分类投放点调整",
        slug="waste-xinhua",
        summary="新华苑垃圾投放点离住宅太近，异味扰民，居民协商后决定迁移并增设洗手池。",
        organization=community,
    )
    _advance(
        page,
        [Stage.COLLECTING, Stage.DELIBERATING, Stage.PUBLISHED, Stage.IMPLEMENTING, Stage.RATING],
        editor,
        now - dt.timedelta(days=90),
    )
    Post.objects.bulk_create(
        [
            Post(
                consultation=page, author=demo.rng.choice(people), body=text, created_at=now - dt.timedelta(days=85 - i)
            )
            for i, text in enumerate(
                [
                    "投放点离5号楼窗户太近，夏天味道很大。",
                    "建议迁到小区东侧空地，并加装洗手池。",
                    "同意迁移，但要保证老人投放方便。",
                ]
            )
        ]
    )
    Outcome.objects.create(
        consultation=page,
        text="经居民协商，投放点迁至小区东侧空地，增设洗手池和遮雨棚，定时定点投放时间调整为早7–9点、晚6–8点。",
        published_by=editor,
        published_at=now - dt.timedelta(days=70),
    )
    for days, progress, text in (
        (60, 30, "已完成选址测量和方案设计。"),
        (40, 70, "新投放点土建完工，正在安装洗手池。"),
        (25, 100, "新投放点启用，旧投放点已拆除并恢复绿化。"),
    ):
        ImplementationUpdate.objects.create(
            consultation=page,
            text=text,
            progress=progress,
            person_in_charge="社区主任 李秀英",
            created_by=editor,
            created_at=now - dt.timedelta(days=days),
        )
    scale = ["satisfied"] * 6 + ["basically_satisfied"] * 3 + ["dissatisfied", "unknown"]
    OutcomeRating.objects.bulk_create(
        [
            OutcomeRating(
                consultation=page,
                organization=community,
                user=user,
                rating=demo.rng.choice(scale),
                rated_on=(now - dt.timedelta(days=demo.rng.randint(1, 20))).date(),
            )
            for user in people[: max(3, len(people) // 2)]
        ]
    )
    return page


def seed(demo) -> None:
    shared = demo.shared
    organizations = shared["organizations"]
    people = list(shared.get("residents", [])) + [u for users in shared.get("members", {}).values() for u in users]
    if not people:
        return
    now = timezone.now()
    # The home demo set each organisation's page on its own copies: read them afresh.
    fresh = Organization.objects.select_related("page").in_bulk(
        [organizations["heping-1"].pk, organizations["heping"].pk]
    )
    branch = fresh[organizations["heping-1"].pk]
    editor = shared["editors"]["heping-1"]
    branch_page = branch.page.specific
    open_page = _open_consultation(demo, branch_page, editor, people, now)
    voting_page = _voting_consultation(demo, branch_page, editor, people, now)
    community = fresh[organizations["heping"].pk]
    finished_page = _finished_consultation(demo, community.page.specific, community, editor, people, now)
    shared["consultations"] = {"open": open_page, "voting": voting_page, "finished": finished_page}
