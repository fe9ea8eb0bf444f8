"""Demo residents' requests: categories with their deadlines, a grid worker per grid, a few hundred
requests over the past year (most handled on time, some escalated, a few reopened, one taken to a
consultation), and members registered where they live (双报到) with their volunteer hours."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from appeals import handling
from appeals.factories import default_categories, make_appeals, make_duty
from appeals.models import Appeal, Entry, Level, Status, Volunteer, VolunteerHours
from organizations.models import Organization, Residence

DOMAIN = "demo.gongzhi.example"
PASSWORD = "gongzhi-demo-2026"
DESCRIPTIONS = {
    "路灯照明": ["小区东门路灯晚上不亮，老人出门不方便。", "3号楼前两盏路灯一直闪，晚上很暗。"],
    "楼道漏水": ["楼道顶上漏水，墙皮都泡起来了。", "2单元水管接口滴水，地面很滑。"],
    "环境卫生": ["垃圾桶满了两天没人清运，味道很大。", "绿化带里有建筑垃圾，希望清理。"],
    "噪音扰民": ["楼下商铺晚上十一点后还在放音乐。", "工地夜间施工，影响休息。"],
    "物业服务": ["电梯经常停运，物业回应很慢。", "小区门禁坏了一周没人修。"],
    "市政道路": ["路口井盖松动，车压过去响声很大。", "人行道砖块翘起，容易绊倒。"],
}


def _workers(demo, grids) -> list:
    """One grid worker's account per grid, handling it with the branch of the community."""
    User = get_user_model()
    password = make_password(PASSWORD)
    workers = []
    for community_grids in grids.values():
        for grid in community_grids:
            user = User.objects.create(
                email=f"grid-{grid.code}@{DOMAIN}",
                username=f"grid-{grid.code}@{DOMAIN}",
                display_name=f"网格员·{grid.name[:4]}",
                password=password,
            )
            workers.append((grid, user))
    return workers


def seed(demo) -> None:
    shared = demo.shared
    grids, orgs = shared["grids"], shared["organizations"]
    residents = list(shared.get("residents", []))
    if not residents:
        return
    categories = default_categories()
    branch_of = {"heping": orgs["heping-1"], "guangming": orgs["guangming-1"]}
    workers = _workers(demo, grids)
    for grid, user in workers:
        make_duty(grid, worker=user, branch=branch_of[grid.community.code])
    all_grids = [grid for community_grids in grids.values() for grid in community_grids]
    Residence.objects.bulk_create(
        [Residence(user=user, grid=demo.rng.choice(all_grids)) for user in residents], ignore_conflicts=True
    )
    now = timezone.now()
    count = max(60, min(400, len(residents) * 4))
    appeals = make_appeals(all_grids, residents, categories, count, rng=demo.rng, now=now - dt.timedelta(hours=1))
    for appeal in appeals:
        texts = DESCRIPTIONS.get(appeal.category.name)
        if texts:
            appeal.description = demo.rng.choice(texts)
    Appeal.objects.bulk_update(appeals, ["description"], batch_size=500)
    _escalated_and_reopened(demo, appeals, now)
    _promoted(demo, orgs)
    _volunteers(demo, shared, appeals)
    demo.login("Grid worker, 和平社区第一网格", f"grid-heping-g1@{DOMAIN}")
    shared["appeals"] = appeals


def _escalated_and_reopened(demo, appeals, now) -> None:
    """Some open ones called up to the community (吹哨) or escalated as overdue; a few reopened after 不满意."""
    open_ones = [a for a in appeals if a.status in (Status.PENDING, Status.IN_PROGRESS) and a.level == Level.GRID]
    for appeal in open_ones[:6]:
        fresh = Appeal.objects.select_related("grid__duty__worker").get(pk=appeal.pk)
        handling.escalate(fresh, fresh.grid.duty.worker, Level.COMMUNITY, "涉及多个部门，网格难以协调。")
    handling.escalate_overdue(now)
    done = [a for a in appeals if a.status == Status.DONE and a.rating == "dissatisfied"][:4]
    for appeal in done:
        Appeal.objects.filter(pk=appeal.pk).update(
            reopened=True, level=Level.COMMUNITY, unit=appeal.grid.community, rating=""
        )
        Entry.objects.create(appeal_id=appeal.pk, kind=Entry.Kind.REOPEN, unit=appeal.grid.community, created_at=now)


def _promoted(demo, orgs) -> None:
    """One property-service request went to a consultation topic."""
    community = Organization.objects.select_related("page").get(pk=orgs["heping"].pk)
    appeal = Appeal.objects.filter(grid__community=community, category__name="物业服务").order_by("pk").first()
    if appeal is None or community.page_id is None:
        return
    from organizations import roles

    actor = get_user_model().objects.filter(is_superuser=True).first()
    if actor is not None and (actor.is_superuser or roles.can_manage(actor, appeal.unit)):
        handling.promote(appeal, actor)


def _volunteers(demo, shared, appeals) -> None:
    """Members working elsewhere who registered where they live, with the hours they gave to small wishes."""
    members = [user for users in shared.get("members", {}).values() for user in users][:6]
    community = shared["organizations"]["heping"]
    skills = ["量血压、健康咨询", "家电维修", "法律咨询", "辅导作业", "陪老人聊天", "理发"]
    wishes = [a for a in appeals if a.grid.community_id == community.pk][:12]
    for index, user in enumerate(members):
        volunteer = Volunteer.objects.create(
            user=user,
            community=community,
            grid=shared["grids"]["heping"][index % 3],
            workplace="区属单位",
            skills=skills[index % len(skills)],
            availability="周末",
        )
        for wish in wishes[index :: len(members)][:2]:
            VolunteerHours.objects.create(
                volunteer=volunteer,
                appeal=wish,
                hours=demo.rng.choice([1, 1.5, 2, 3]),
                note="微心愿：上门帮忙",
                day=timezone.localdate() - dt.timedelta(days=demo.rng.randint(1, 200)),
            )
        Appeal.objects.filter(pk__in=[w.pk for w in wishes[:3]]).update(offered_to_volunteers=True)
