"""The Wagtail admin as its users use it: each content page type is created, edited and published by the
right role; an editor's page goes live only after the branch secretary approves it; a roster is imported.

Every test fails on a console error or an uncaught page error (the `page` fixture), in zh-hans.
"""

import io
import os
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from accounts.factories import PASSWORD
from consultation.models import ConsultationPage
from home.models import (
    BranchPage,
    NewsIndexPage,
    NewsPage,
    PolicyIndexPage,
    PolicyPage,
    StudyIndexPage,
    StudyPage,
)
from organizations.models import RosterEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS")


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _login(page, user) -> None:
    if not hasattr(page, "failed_requests"):
        page.failed_requests = []
        page.on(
            "response",
            lambda r: page.failed_requests.append((r.status, r.request.method, r.url)) if r.status >= 400 else None,
        )
    page.context.clear_cookies()
    page.goto("/accounts/login/?next=/admin/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def _fill(page, fields: dict[str, str]) -> None:
    """Fill fields by id (the slug follows the title, as Wagtail makes it)."""
    for field_id, value in fields.items():
        target = page.locator(f"#{field_id}")
        if target.get_attribute("type") == "checkbox":
            target.check()
        elif target.evaluate("el => el.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
            target.press("Tab")  # leaving the title is what makes Wagtail write the slug
        if field_id == "id_title":
            # Wagtail writes the slug from the title when the title loses focus; wait until it has.
            slug = page.locator("#id_slug")
            try:
                expect(slug).not_to_have_value("", timeout=3000)
            except AssertionError:
                # Once in a while the first blur comes before the editor's scripts listen: type it again.
                target.fill("")
                target.fill(value)
                target.press("Tab")
                expect(slug).not_to_have_value("", timeout=5000)


def _paragraph(page, text: str) -> None:
    """Add a paragraph block to the page's body stream through the block picker."""
    body = page.locator("#body-root > [data-streamfield-stream-container]")
    body.locator(":scope > div:not([data-streamfield-child])").last.locator("button").click()
    page.get_by_role("option", name="段落", exact=True).click()
    editor = body.locator("[contenteditable=true]").last
    editor.click()
    expect(editor).to_be_focused()
    page.keyboard.type(text)
    expect(editor).to_contain_text(text)
    # Draftail writes its hidden input a moment after the last keystroke.
    expect(body.locator("input[name$='-value']").last).to_have_value(re.compile(text))


def _publish(page) -> None:
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target=toggle]").first.click()
    page.get_by_role("button", name=re.compile("^发布$")).click()
    _saved(page, re.compile("已.{0,3}发布"))


def _saved(page, message) -> None:
    """Wait for the admin's answer; on a validation error, fail with the fields' own messages."""
    page.locator(".messages li").first.wait_for()
    errors = page.locator("[data-field-wrapper]:has(.error-message)").all_inner_texts()
    assert not errors, f"{page.url}: {errors}"
    expect(page.locator(".messages")).to_contain_text(message)


def _create_and_publish(page, parent, model: str, fields: dict[str, str], body: str | None = None) -> None:
    page.goto(f"/admin/pages/add/{model}/{parent.pk}/")
    _fill(page, fields)
    if body:
        _paragraph(page, body)
    _publish(page)


def test_secretary_creates_edits_and_publishes_every_content_page_type(page, branch_a, secretary_a):
    _login(page, secretary_a)
    section = branch_a.page
    _create_and_publish(page, section, "home/policyindexpage", {"id_title": "政策文件"})
    policy_index = PolicyIndexPage.objects.get(title="政策文件")
    _create_and_publish(
        page,
        policy_index,
        "home/policypage",
        {
            "id_title": "关于加强支部建设的通知",
            "id_document_number": "幸福党发〔2026〕1号",
            "id_issuer": "幸福街道党工委",
            "id_issued_on": "2026-11-02",
            "id_category": "party_building",
        },
        body="各支部要按时开展组织生活。",
    )
    _create_and_publish(page, section, "home/studyindexpage", {"id_title": "学习园地"})
    _create_and_publish(
        page,
        StudyIndexPage.objects.get(title="学习园地"),
        "home/studypage",
        {"id_title": "学习党章", "id_topic": "党章", "id_estimated_minutes": "20"},
        body="认真学习党章第一章。",
    )
    _create_and_publish(page, section, "home/newsindexpage", {"id_title": "支部动态"})
    _create_and_publish(
        page,
        NewsIndexPage.objects.get(title="支部动态"),
        "home/newspage",
        {"id_title": "主题党日走进社区", "id_date": "2026-11-20"},
        body="支部党员走进社区开展志愿服务。",
    )
    _create_and_publish(
        page,
        section,
        "consultation/consultationpage",
        {"id_title": "加装电梯议事", "id_summary": "三号楼加装电梯，请居民发表意见。"},
    )
    _shot(page, "admin-pages-published")
    assert not page.failed_requests
    policy = PolicyPage.objects.get(title="关于加强支部建设的通知")
    assert policy.live and policy.document_number == "幸福党发〔2026〕1号" and str(policy.issued_on) == "2026-11-02"
    assert "按时开展组织生活" in str(policy.body)
    assert StudyPage.objects.get(title="学习党章").live
    assert NewsPage.objects.get(title="主题党日走进社区").live
    assert ConsultationPage.objects.get(title="加装电梯议事").live

    # Edit: the date fields show their stored value in zh-hans, a change is published, the public page shows it.
    page.goto(f"/admin/pages/{policy.pk}/edit/")
    expect(page.locator("#id_issued_on")).to_have_value("2026-11-02")
    page.locator("#id_title").fill("关于加强支部建设的通知（修订）")
    _publish(page)
    page.goto(policy.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("关于加强支部建设的通知（修订）")


def test_editor_submits_a_page_and_it_goes_live_only_after_the_secretary_approves(
    page, branch_a, editor_a, secretary_a
):
    index = branch_a.page.add_child(instance=NewsIndexPage(title="支部动态", slug="dongtai"))
    _login(page, editor_a)
    page.goto(f"/admin/pages/add/home/newspage/{index.pk}/")
    _fill(page, {"id_title": "支部开展主题党日", "id_date": "2026-11-21"})
    _paragraph(page, "党员志愿服务进社区。")
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target=toggle]").first.click()
    page.get_by_role("button", name=re.compile("提交")).first.click()
    _saved(page, "提交审核")
    news = NewsPage.objects.get(title="支部开展主题党日")
    assert not news.live

    _login(page, secretary_a)
    page.goto(f"/admin/pages/{news.pk}/edit/")
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target=toggle]").first.click()
    page.get_by_role("button", name="批准并发布", exact=True).click()
    _saved(page, re.compile("批准|通过"))
    news.refresh_from_db()
    assert news.live
    _shot(page, "admin-approved")
    assert not page.failed_requests


def test_secretary_imports_a_roster_file_through_the_admin(page, branch_a, secretary_a, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "姓名", "性别", "党员类型", "入党日期", "网格", "状态", "邮箱", "手机"])
    sheet.append(["A001", "张三", "男", "正式党员", "2010-07-01", "", "正常", "zhangsan@example.cn", "13800000001"])
    sheet.append(["A002", "李四", "女", "预备党员", "2026-01-15", "", "正常", "", ""])
    path = tmp_path / "roster.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())

    _login(page, secretary_a)
    page.get_by_role("link", name="导入导出花名册").first.click()
    page.locator("#id_branch").select_option(str(branch_a.pk))
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="导入").click()
    expect(page.locator(".messages")).to_contain_text("2")
    _shot(page, "admin-roster-imported")
    assert not page.failed_requests
    names = set(RosterEntry.objects.filter(branch=branch_a).values_list("name", flat=True))
    assert {"张三", "李四"} <= names


def test_an_organisation_admin_opens_and_publishes_a_section_for_a_new_branch(page, tree, org_admin):
    _login(page, org_admin)
    _create_and_publish(
        page, tree["community"].page, "home/branchpage", {"id_title": "第三党支部", "id_intro": "新成立的支部"}
    )
    section = BranchPage.objects.get(title="第三党支部")
    assert section.live and section.get_parent().pk == tree["community"].page.pk
    assert not page.failed_requests
