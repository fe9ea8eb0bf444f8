"""The Wagtail admin in Chinese: our catalogues never re-translate Wagtail's (or Django's, or allauth's)
own words for another meaning, and the admin's pages read in Chinese."""

import gettext
import re
from pathlib import Path

import allauth
import pytest

import django
from django.conf import settings

import wagtail

PROJECT = Path(settings.BASE_DIR)
VENDORS = {
    "wagtail": Path(wagtail.__file__).parent,
    "django": Path(django.__file__).parent,
    "allauth": Path(allauth.__file__).parent,
}

# Same meaning, our wording on purpose: these may differ from the vendor's translation (without a context).
# Keep this list short; a word with another meaning gets a context (pgettext / {% translate ... context %}).
ALLOWED_DIFFERENT = {
    # Wagtail
    "Actions": "操作 reads better than 动作 in the admin too",
    "Add": "添加 and 新增: the same",
    "All": "全部 and 所有 (filters): the same",
    "All types": "全部类型 and 所有类型: the same",
    "Breadcrumb": "导航路径 and 面包屑导航 (an aria-label): the same",
    "Filter": "筛选 reads better than 过滤器 in the admin too",
    "Maximum": "最大值 and 最大: the same",
    "Minimum": "最小值 and 最小: the same",
    # allauth
    "Remove": "删除 and 移除 (a button): the same",
    "name": "名称 and 名字 (of a thing; a person's name has the context 'person'): the same",
    # Django: the project addresses people as 您, Django's zh_Hans as 你; and a full-width colon after labels.
    ":": "full-width colon after form labels in Chinese text",
    "Your password can’t be a commonly used password.": "您",
    "Your password can’t be entirely numeric.": "您",
    "Your password can’t be too similar to your other personal information.": "您",
    "Your old password was entered incorrectly. Please enter it again.": "您",
    ("Your password must contain at least %(min_length)d character.", 0): "您",
    "Image": "图片 (as Wagtail) and 图像 (Django's form field): the same",
    "Page not found": "页面不存在 and 页面没有找到: the same",
    "Enter a number.": "请输入数字 (polite form of the same)",
    "Enter a whole number.": "请输入整数 (polite form of the same)",
    "email address": "电子邮箱 and 电子邮件地址: the same",
}


def _catalogue(mo: Path) -> dict:
    with mo.open("rb") as fh:
        return {k: v for k, v in gettext.GNUTranslations(fh)._catalog.items() if k != ""}


def _po_to_catalogue(po: Path) -> dict:
    """Read a .po file (so the test does not depend on compiled .mo files being current)."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".mo") as mo:
        subprocess.run(["msgfmt", "-o", mo.name, str(po)], check=True)
        return _catalogue(Path(mo.name))


def _vendor_catalogue(root: Path) -> dict:
    merged: dict = {}
    for mo in sorted(root.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo")):
        for key, value in _catalogue(mo).items():
            merged.setdefault(key, value)
    return merged


def _project_catalogues() -> list[Path]:
    catalogues = sorted(PROJECT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
    return [po for po in catalogues if "locale_wagtail" not in str(po)]


def test_the_project_has_catalogues_to_check():
    names = {po.parts[-5] for po in _project_catalogues()}
    assert {"site", "home", "consultation", "surveys", "evaluation", "search"} <= names


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_no_project_catalogue_retranslates_a_vendor_msgid_without_a_context(vendor):
    theirs = _vendor_catalogue(VENDORS[vendor])
    clashes = []
    for po in _project_catalogues():
        for key, ours in _po_to_catalogue(po).items():
            if key in theirs and theirs[key] != ours and key not in ALLOWED_DIFFERENT:
                clashes.append(f"{po.relative_to(PROJECT)}: {key!r} ours {ours!r}, {vendor}'s {theirs[key]!r}")
    assert not clashes, "Give these a context (pgettext) or a distinct msgid:\n" + "\n".join(clashes)


def test_the_allow_list_holds_only_real_differences():
    """An entry that no longer differs is dead weight: remove it."""
    vendors = [_vendor_catalogue(root) for root in VENDORS.values()]
    ours = {}
    for po in _project_catalogues():
        ours.update(_po_to_catalogue(po))
    stale = [
        key
        for key in ALLOWED_DIFFERENT
        if key not in ours or not any(key in theirs and theirs[key] != ours[key] for theirs in vendors)
    ]
    assert not stale, stale


def test_wagtail_words_read_as_wagtail_translates_them():
    """The ones people saw wrong: the editor's first tab, the Pages menu, the approve action."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Content") == "内容"
        assert translation.gettext("Pages") == "页面"
        assert translation.gettext("Promote") == "推荐"
        assert translation.gettext("Edit") == "编辑"
        assert translation.gettext("Change") == "更改"
        assert translation.gettext("Approve") == "批准"
        assert translation.gettext("date joined") == "加入日期"
        # …while ours keep their own meaning through a context.
        assert translation.pgettext("pagination", "Pages") == "分页"
        assert translation.pgettext("pagination", "Next") == "下一页"
        assert translation.pgettext("statement moderation", "Approve") == "通过"
        assert translation.pgettext("person", "Name") == "姓名"
        assert translation.pgettext("party membership", "date joined") == "入党日期"
        assert not re.search(r"[A-Za-z]", translation.pgettext("meeting record", "Content"))


# English that Wagtail 8.0.1 or our code left in the zh-hans admin (issue 12, point 15).
KNOWN_ENGLISH = [
    "The page could not be created due to validation errors",
    "Autosave is paused",
    "Autosave is <span>paused</span>",
    "Page types usage",
    "Exploring",
    "Locking:",
    ">Checks<",
    "Go to the first error",
    "Save your changes before leaving",
    "New: ",
    "Sort by '",
    "editor guide",
    "Pages <span",
    "Privacy and access",
    "Keyboard shortcuts are currently",
    "Content metrics",
    "Show keyboard shortcuts",
    "and Publish",
    "和发布",
]


def _english_in(html: str) -> list[str]:
    return [text for text in KNOWN_ENGLISH if text in html]


@pytest.fixture
def superuser(db):
    from accounts.factories import UserFactory

    return UserFactory(is_superuser=True, is_staff=True)


@pytest.mark.django_db
def test_the_main_admin_pages_read_in_chinese_for_the_superuser(client, superuser, home_page):
    client.force_login(superuser)
    pages = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{home_page.pk}/",
        f"/admin/pages/{home_page.pk}/edit/",
        f"/admin/pages/add/home/newsindexpage/{home_page.pk}/",
        "/admin/reports/page-types-usage/",
        "/admin/reports/locked/",
        "/admin/users/",
        "/admin/groups/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/account/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not _english_in(html), (url, _english_in(html))
    editor = client.get(f"/admin/pages/{home_page.pk}/edit/").content.decode()
    first_tab = re.search(r'role="tab"[^>]*>.*?<', editor, re.S)
    assert first_tab and "内容" in editor and "会议内容" not in editor
    # The main menu is drawn by script from JSON, where Chinese may be written as \\u escapes.
    dashboard = client.get("/admin/").content.decode()
    assert "分页" not in dashboard and "\\u5206\\u9875" not in dashboard
    assert "页面" in dashboard or "\\u9875\\u9762" in dashboard


@pytest.mark.django_db
def test_a_page_that_fails_validation_is_refused_in_chinese(client, superuser, home_page):
    client.force_login(superuser)
    response = client.post(f"/admin/pages/add/home/newsindexpage/{home_page.pk}/", {"title": "", "slug": ""})
    html = response.content.decode()
    assert "由于验证错误，无法创建页面。" in html
    assert not _english_in(html), _english_in(html)


@pytest.mark.django_db
def test_account_settings_offer_chinas_time_zones_only(client, superuser):
    """All of zoneinfo's names included "localtime", which the admin's script cannot localise (console error)."""
    client.force_login(superuser)
    html = client.get("/admin/account/").content.decode()
    options = set(re.findall(r'<option value="([A-Za-z_/]+)"', html))
    assert {"Asia/Shanghai", "UTC"} <= options
    assert "localtime" not in options and "America/New_York" not in options


def test_every_supplied_wagtail_string_keeps_its_placeholders_and_markup():
    """A lost %(name)s or {name} breaks Wagtail's formatting (a KeyError in a view); a lost tag, its markup."""
    import sys

    sys.path.insert(0, str(PROJECT / "site" / "locale_wagtail"))
    from find_gaps import read_po

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    tags = re.compile(r"</?([a-z]+)")
    checked = 0
    for domain in ("django", "djangojs"):
        for (_context, msgid), entry in read_po(
            PROJECT / f"site/locale_wagtail/zh_Hans/LC_MESSAGES/{domain}.po"
        ).items():
            translation = entry.get("msgstr") or entry.get("msgstr[0]")
            assert translation, msgid
            msgid = entry.get("msgid_plural", msgid)  # Chinese has one form: the plural's
            assert sorted(placeholder.findall(translation)) == sorted(placeholder.findall(msgid)), msgid
            assert sorted(tags.findall(translation)) == sorted(tags.findall(msgid)), msgid
            checked += 1
    assert checked > 300


@pytest.mark.django_db
def test_the_admin_reads_in_chinese_for_a_branch_editor(client, editor_a, branch_a):
    client.force_login(editor_a)
    section = branch_a.page
    for url in ["/admin/", f"/admin/pages/{section.pk}/", f"/admin/pages/{section.pk}/edit/", "/admin/account/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not _english_in(html), (url, _english_in(html))
        assert "会议内容" not in html, (url, html[max(0, html.find("会议内容") - 300) : html.find("会议内容") + 100])


@pytest.mark.django_db
def test_snippet_forms_of_our_models_have_no_english_labels(client, superuser):
    client.force_login(superuser)
    for url in ["/admin/snippets/consultation/keyword/add/", "/admin/snippets/organizations/residence/add/"]:
        html = client.get(url).content.decode()
        assert not re.search(r">\s*(Created at|User)\s*<", html), url
        assert "居民" in html or "keyword" in url
