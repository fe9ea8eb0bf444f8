"""Demo organisations, grids, members, residents and role holders for `seed_demo`."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from organizations import roles
from organizations.models import Grid, Organization, RosterEntry

STREET_CODE = "xingfu"
DOMAIN = "demo.gongzhi.example"
DEMO_PASSWORD = "gongzhi-demo-2026"
DEMO_LOGINS = [
    ("Site admin (superuser)", f"admin@{DOMAIN}"),
    ("Street organisation admin", f"street-admin@{DOMAIN}"),
    ("Secretary, 和平社区第一党支部", f"secretary-heping-1@{DOMAIN}"),
    ("Editor, 和平社区第一党支部", f"editor-heping-1@{DOMAIN}"),
    ("Member, 和平社区第一党支部", f"member-heping-1-02@{DOMAIN}"),
    ("Resident", f"resident-0001@{DOMAIN}"),
]

COMMUNITIES = [
    ("heping", "和平社区党委", ["第一网格（和平里）", "第二网格（新华苑）", "第三网格（滨河小区）"]),
    ("guangming", "光明社区党委", ["第一网格（光明东区）", "第二网格（光明西区）", "第三网格（学府花园）"]),
]
BRANCHES = [
    ("heping-1", "和平社区第一党支部", "heping"),
    ("heping-2", "和平社区离退休党支部", "heping"),
    ("guangming-1", "光明社区第一党支部", "guangming"),
    ("guangming-2", "光明社区物业联合党支部", "guangming"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = {
    "M": [
        "建国",
        "志强",
        "国庆",
        "德华",
        "建华",
        "晓东",
        "浩然",
        "思远",
        "明",
        "伟",
        "军",
        "磊",
        "勇",
        "涛",
        "超",
        "刚",
        "振华",
        "立新",
        "文博",
        "子轩",
    ],
    "F": [
        "秀英",
        "桂兰",
        "海燕",
        "芳",
        "静",
        "丽",
        "艳",
        "娟",
        "敏",
        "霞",
        "玉兰",
        "春梅",
        "红梅",
        "雨萱",
        "欣怡",
        "子涵",
        "淑珍",
        "慧敏",
        "丽华",
        "佳怡",
    ],
}


def _name(rng, used: set[str]) -> tuple[str, str]:
    while True:
        gender = rng.choice("MF")
        name = rng.choice(SURNAMES) + rng.choice(GIVEN[gender])
        if name not in used:
            used.add(name)
            return name, gender


def _organizations() -> tuple[Organization, dict[str, Organization]]:
    street = Organization.add_root(code=STREET_CODE, name="幸福街道党工委", kind=Organization.Kind.STREET)
    orgs = {STREET_CODE: street}
    for code, name, _grids in COMMUNITIES:
        orgs[code] = street.add_child(code=code, name=name, kind=Organization.Kind.COMMUNITY)
    for code, name, community in BRANCHES:
        orgs[code] = orgs[community].add_child(code=code, name=name, kind=Organization.Kind.BRANCH)
    return street, orgs


def _grids(orgs) -> dict[str, list[Grid]]:
    grids = {}
    for code, _name_, names in COMMUNITIES:
        grids[code] = [
            Grid.objects.create(community=orgs[code], name=name, code=f"{code}-g{i}", worker_name="")
            for i, name in enumerate(names, start=1)
        ]
    return grids


class _Users:
    """Creates users in bulk with one password hash: hashing per user would take minutes."""

    def __init__(self):
        self.password = make_password(DEMO_PASSWORD)
        self.pending = []

    def add(self, email: str, display_name: str, **extra):
        user = get_user_model()(email=email, username=email, display_name=display_name, password=self.password, **extra)
        self.pending.append(user)
        return user

    def save(self) -> None:
        User = get_user_model()
        User.objects.bulk_create(self.pending, batch_size=1000)
        saved = {u.email: u for u in User.objects.filter(email__in=[u.email for u in self.pending])}
        for user in self.pending:
            user.pk = saved[user.email].pk
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in self.pending], batch_size=1000
        )
        self.pending = []


def _roster(demo, orgs, grids, users: _Users) -> tuple[list[RosterEntry], dict[str, list]]:
    entries, per_branch, used = [], {}, set()
    for index in range(demo.members):
        code, _name_, community = BRANCHES[index % len(BRANCHES)]
        number = index // len(BRANCHES) + 1
        name, gender = _name(demo.rng, used)
        # Each branch's first member is its secretary.
        local = f"secretary-{code}" if number == 1 else f"member-{code}-{number:02d}"
        user = users.add(f"{local}@{DOMAIN}", name)
        entry = RosterEntry(
            branch=orgs[code],
            member_no=f"{code.upper()}-{number:03d}",
            name=name,
            gender=gender,
            member_type=RosterEntry.MemberType.PROBATIONARY
            if demo.rng.random() < 0.12
            else RosterEntry.MemberType.FULL,
            joined_on=dt.date(demo.rng.randint(1975, 2025), demo.rng.randint(1, 12), demo.rng.randint(1, 28)),
            grid=demo.rng.choice(grids[community]),
            status=RosterEntry.Status.MOBILE if demo.rng.random() < 0.05 else RosterEntry.Status.NORMAL,
            email=user.email,
        )
        entries.append(entry)
        per_branch.setdefault(code, []).append((entry, user))
    return entries, per_branch


def seed(demo) -> None:
    street, orgs = _organizations()
    grids = _grids(orgs)
    users = _Users()
    admin = users.add(f"admin@{DOMAIN}", "系统管理员", is_staff=True, is_superuser=True)
    street_admin = users.add(f"street-admin@{DOMAIN}", "街道组织委员 周宏")
    entries, per_branch = _roster(demo, orgs, grids, users)
    editors = {code: users.add(f"editor-{code}@{DOMAIN}", f"{name}宣传委员") for code, name, _c in BRANCHES}
    used = {entry.name for entry in entries}
    for index in range(1, demo.residents + 1):
        users.add(f"resident-{index:04d}@{DOMAIN}", _name(demo.rng, used)[0])
    users_saved = list(users.pending)
    users.save()
    for entry, user in ((e, u) for pairs in per_branch.values() for e, u in pairs):
        entry.user = user
    RosterEntry.objects.bulk_create(entries, batch_size=1000)
    roles.grant(street_admin, street, roles.Role.ADMIN)
    for code, name, _community in BRANCHES:
        roles.grant(editors[code], orgs[code], roles.Role.EDITOR)
        if code in per_branch:
            roles.grant(per_branch[code][0][1], orgs[code], roles.Role.SECRETARY)
    demo.shared.update(
        street=street,
        organizations=orgs,
        grids=grids,
        admin=admin,
        editors=editors,
        secretaries={code: pairs[0][1] for code, pairs in per_branch.items()},
        members={code: [user for _entry, user in pairs] for code, pairs in per_branch.items()},
        residents=[user for user in users_saved if user.email.startswith("resident-")],
    )
    demo.logins.extend(DEMO_LOGINS)
