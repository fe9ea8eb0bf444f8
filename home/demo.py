"""Demo pages for `seed_demo`: the home page and one section per organisation."""

from wagtail.models import Page, Site

from home.models import BranchPage, HomePage

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
        instance=HomePage(
            title="幸福街道 · 共治", slug="home", intro="议事协商 · 民主评议 · 满意度测评", body=HOME_BODY
        )
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


def seed(demo) -> None:
    home = _home()
    street = demo.shared["street"]
    street.page = home
    street.save(update_fields=["page"])
    for community in street.get_children():
        community_page = _section(home, community, "community")
        for branch in community.get_children():
            _section(community_page, branch, "branch")
