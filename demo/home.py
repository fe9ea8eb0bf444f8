"""Demo pages for `seed_demo`: home, sections, policies, study material, news, meeting and study records."""

from __future__ import annotations

import datetime as dt

from wagtail.models import Page, Site

from demo.text import NEWS, POLICIES, STUDY
from home.models import (
    BranchPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PolicyIndexPage,
    PolicyPage,
    StudyIndexPage,
    StudyPage,
    StudyRecord,
)

INTROS = {
    "street": "幸福街道党工委带领辖区各社区党组织，推动议事协商、民主评议和群众满意度测评在线上线下同步开展。",
    "community": "社区党委联系网格、服务居民，欢迎居民通过议事协商平台就身边事建言献策。",
    "branch": "本支部坚持“三会一课”制度，按时开展主题党日活动，欢迎党员和群众监督。",
}
HOME_BODY = [
    ("heading", {"text": "共同参与，共同治理"}),
    (
        "paragraph",
        "<p>“共治”平台为街道、社区和党支部提供议事协商、问卷调查、群众满意度测评和党员民主评议等功能。"
        "居民可以用手机参与社区议题讨论、投票和评价实施结果；党支部可以在线组织学习和评议。</p>",
    ),
    ("quote", {"text": "民有所呼，我有所应。", "source": "幸福街道为民服务承诺"}),
]


def _home() -> HomePage:
    root = Page.get_first_root_node()
    for child in root.get_children():
        if not isinstance(child.specific, HomePage):
            child.delete()
    home = root.add_child(
        instance=HomePage(title="幸福街道", slug="home", intro="议事协商 · 民主评议 · 满意度测评", body=HOME_BODY)
    )
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname, site.port, site.site_name, site.root_page = "localhost", 80, "幸福街道 · 共治", home
    site.save()
    return home


def _section(parent, organization, kind: str) -> BranchPage:
    page = parent.add_child(
        instance=BranchPage(
            title=organization.name, slug=organization.code, organization=organization, intro=INTROS[kind]
        )
    )
    organization.page = page
    organization.save(update_fields=["page"])
    return page


def _body(extra: str) -> list:
    """A policy's body: it goes on from the summary (shown above it) without repeating it."""
    return [
        ("paragraph", "<p>为贯彻落实上级有关部署，结合本街道实际，制定本文件。</p>"),
        ("heading", {"text": "主要内容"}),
        (
            "paragraph",
            f"<p>{extra}</p><ul><li>提高思想认识，加强组织领导。</li><li>明确责任分工，抓好工作落实。</li><li>加强督促检查，及时总结经验。</li></ul>",
        ),
    ]


def _policies(home, rng, today) -> list[PolicyPage]:
    index = home.add_child(
        instance=PolicyIndexPage(
            title="政策文件",
            slug="policies",
            intro="街道、社区和党组织发布的政策文件，可按分类、年份、状态和发文机关查找。",
        )
    )
    pages = []
    for n, (title, category, issuer, number, text) in enumerate(POLICIES):
        issued = today - dt.timedelta(days=20 + n * 23 + rng.randint(0, 10))
        pages.append(
            index.add_child(
                instance=PolicyPage(
                    title=title,
                    slug=f"policy-{n + 1}",
                    category=category,
                    issuer=issuer,
                    document_number=number.format(y=issued.year),
                    issued_on=issued,
                    effective_on=issued + dt.timedelta(days=rng.choice([0, 0, 15, 30])),
                    summary=text,
                    body=_body("本文件自印发之日起施行。各单位在执行中遇到的问题，请及时向发文机关反映。"),
                    search_description=text[:120],
                )
            )
        )
    # An older version revised by a newer one, and a repealed document.
    old = index.add_child(
        instance=PolicyPage(
            title="幸福街道社区议事协商工作规则（2019年版）",
            slug="policy-consultation-2019",
            category="governance",
            issuer="幸福街道办事处",
            document_number="幸福办发〔2019〕12号",
            issued_on=dt.date(2019, 6, 1),
            status=PolicyPage.Status.REVISED,
            superseded_by=pages[5],
            summary="本规则已被新版议事协商工作规则修订。",
            body=_body("原规则规定了议题征集和协商程序，已修订，请以新版为准。"),
        )
    )
    index.add_child(
        instance=PolicyPage(
            title="关于疫情期间社区封闭管理的通知",
            slug="policy-repealed-2022",
            category="safety",
            issuer="幸福街道办事处",
            document_number="幸福办发〔2022〕3号",
            issued_on=dt.date(2022, 4, 2),
            status=PolicyPage.Status.REPEALED,
            summary="本通知已废止。",
            body=_body("疫情期间社区出入管理要求，现已不再执行。"),
        )
    )
    return pages + [old]


def _study(home, orgs, rng, today) -> list[StudyPage]:
    index = home.add_child(
        instance=StudyIndexPage(
            title="学习园地", slug="study", intro="党员学习材料：必学内容计入各支部的学习完成情况。"
        )
    )
    pages = []
    for n, (title, topic, text) in enumerate(STUDY):
        audience = StudyPage.Audience.EVERYONE if topic in ("专题学习",) else StudyPage.Audience.MEMBERS
        page = StudyPage(
            title=title,
            slug=f"study-{n + 1}",
            topic=topic,
            audience=audience,
            required=n % 3 != 2,
            estimated_minutes=rng.choice([15, 20, 30, 45]),
            intro=text,
            body=[
                ("paragraph", "<p>请认真阅读本期材料，对照自身查找差距，并在学习记录中写下体会。</p>"),
                ("quote", {"text": "学而不思则罔，思而不学则殆。", "source": "《论语》"}),
                ("heading", {"text": "思考题"}),
                ("paragraph", "<ol><li>结合本人实际，谈谈学习体会。</li><li>在工作中如何落实？</li></ol>"),
            ],
        )
        index.add_child(instance=page)
        page.first_published_at = page.last_published_at = dt.datetime.combine(
            today - dt.timedelta(days=10 + n * 12), dt.time(9), tzinfo=dt.UTC
        )
        page.save(update_fields=["first_published_at", "last_published_at"])
        pages.append(page)
    special = StudyPage(
        title="离退休党员健康讲座学习材料",
        slug="study-retired",
        topic="专题学习",
        audience=StudyPage.Audience.BRANCHES,
        required=True,
        estimated_minutes=20,
        intro="面向离退休党支部的专题学习。",
        body=[("paragraph", "<p>老党员要注意身体健康，量力而行参加组织生活。</p>")],
    )
    index.add_child(instance=special)
    if "heping-2" in orgs:
        special.branches.set([orgs["heping-2"]])
        special.save()
    return pages + [special]


def _news(parent, items, slug, title, rng, today) -> None:
    index = parent.add_child(instance=NewsIndexPage(title=title, slug=slug, intro=""))
    for n, (headline, lead, text) in enumerate(items):
        index.add_child(
            instance=NewsPage(
                title=headline,
                slug=f"{slug}-{n + 1}",
                date=today - dt.timedelta(days=3 + n * 9 + rng.randint(0, 5)),
                intro=lead,
                body=[("paragraph", f"<p>{text}</p>")],
            )
        )


def _study_records(study_pages, members, rng) -> None:
    records = []
    for users in members.values():
        for user in users:
            share = rng.random()
            for page in study_pages:
                if rng.random() < share:
                    records.append(
                        StudyRecord(user=user, page=page, note=rng.choice(["", "", "已学习", "结合工作谈了体会"]))
                    )
    StudyRecord.objects.bulk_create(records, batch_size=1000, ignore_conflicts=True)


def seed(demo) -> None:
    today = dt.date.today()
    home = _home()
    street = demo.shared["street"]
    street.page = home
    street.save(update_fields=["page"])
    orgs = demo.shared.get("organizations", {})
    members = demo.shared.get("members", {})
    _policies(home, demo.rng, today)
    study_pages = _study(home, orgs, demo.rng, today)
    _news(home, NEWS[:6], "news", "新闻动态", demo.rng, today)
    for community in street.get_children():
        community_page = _section(home, community, "community")
        for branch in community.get_children():
            branch_page = _section(community_page, branch, "branch")
            _news(
                branch_page,
                [(f"{branch.name}：{title}", lead, text) for title, lead, text in NEWS[6:]],
                "news",
                "支部动态",
                demo.rng,
                today,
            )
    # Meetings are real ones now, with notices and sign-ins: demo/orglife.py builds them.
    _study_records(study_pages, members, demo.rng)
