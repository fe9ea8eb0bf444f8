"""The lists and the assessment as their users meet them (issue 15's Done-when): the street admin publishes a
responsibility template and an indicator scheme in the admin; a branch secretary adopts the template, adds a
task with a meeting record as its evidence, answers a supervision notice and rectifies a problem that the
community closes off; the street sees the dashboard, follows a branch's 满意率 to its survey, finalises the
grades (the share of 好 is enforced) and downloads the PDF. No console error on any page; phone viewport for
the branch's pages."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from accountability.models import Indicator, IndicatorScheme, Problem, ResponsibilityList, SupervisionNotice, Task
from accounts.factories import PASSWORD, UserFactory
from home.models import MeetingRecord
from organizations import roles
from surveys.factories import add_responses, q, qid, satisfaction_page
from tests.browser.conftest import MOBILE, _new_page, add_session, axe_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _admin_login(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/?next=/admin/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def _as(browser, live_server, user, viewport=MOBILE):
    context, page = _new_page(browser, live_server, viewport)
    add_session(context, live_server.url, user)
    return context, page


def _closing(context, page):
    context.close()
    assert not page.js_errors, f"JavaScript errors or failed loads: {page.js_errors}"


def test_street_publishes_branch_adopts_and_the_assessment_is_finalised(
    page, browser, live_server, tree, org_admin, secretary_a, branch_a, tmp_path
):
    street, community = tree["street"], tree["community"]
    year = dt.date.today().year
    community_admin = UserFactory(display_name="社区管理员")
    roles.grant(community_admin, community, roles.Role.ADMIN)
    survey = satisfaction_page(
        community.page,
        questions=[q("satisfaction", "请评价", dimensions=[{"label": "服务态度", "weight": 1}])],
        target_organization=community,
        opens_at=timezone.now() - dt.timedelta(days=3),
        closes_at=timezone.now() - dt.timedelta(hours=1),
    )
    add_responses(survey, [{qid(survey, 0): {"服务态度": "satisfied"}}] * 5, organization=branch_a)
    record = MeetingRecord.objects.create(
        branch=branch_a, kind="lecture", date=dt.date(year, 1, 8), topic="专题党课：基层治理", due=8, present=8
    )

    # The street admin writes the responsibility template in the admin, with one item, published.
    _admin_login(page, org_admin)
    page.goto("/admin/snippets/accountability/responsibilitylist/add/")
    page.locator("#id_organization").select_option(str(street.pk))
    page.locator("#id_year").fill(str(year))
    page.locator("#id_published").check()
    page.locator("#id_title").fill(f"{year}年度基层党建责任清单")
    page.locator("#id_items-ADD").click()
    page.locator("#id_items-0-duty").fill("每季度召开支部党员大会")
    page.locator("#id_items-0-responsible").fill("支部书记（第一责任人）")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_be_visible()
    template = ResponsibilityList.objects.get(organization=street, year=year)
    assert template.published and template.items.count() == 1

    # … and the indicator scheme: 三会一课 computed, and the 满意率 indicator.
    page.goto("/admin/snippets/accountability/indicatorscheme/add/")
    page.locator("#id_organization").select_option(str(street.pk))
    page.locator("#id_year").fill(str(year))
    page.locator("#id_title").fill(f"{year}年度基层党建考核")
    page.locator("#id_good_share").fill("0.5")
    for index, (name, source) in enumerate([("三会一课", "cadence"), ("群众满意率", "satisfaction")]):
        if index:
            page.locator("#id_indicators-ADD").click()
        page.locator(f"#id_indicators-{index}-name").fill(name)
        page.locator(f"#id_indicators-{index}-source").select_option(source)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_be_visible()
    scheme = IndicatorScheme.objects.get(organization=street, year=year)
    assert list(scheme.indicators.values_list("source", flat=True)) == ["cadence", "satisfaction"]

    # The branch secretary, on a phone: adopts the template, adds a task with the meeting record as evidence.
    context, phone = _as(browser, live_server, secretary_a)
    phone.goto(f"/accountability/org/{branch_a.code}/")
    axe_check(phone)
    phone.locator("button[name=action][value=adopt]").click()
    expect(phone.locator("#responsibilities")).to_contain_text("每季度召开支部党员大会")
    phone.locator("a[href*='/tasks/new/']").click()
    phone.locator("#id_title").fill("讲一次基层治理专题党课")
    phone.locator("#id_owner").fill("书记甲")
    phone.locator("#id_due_on").fill(f"{year}-12-31")
    phone.locator("form.acct-form button[type=submit]").click()
    task = Task.objects.get(organization=branch_a)
    expect(phone).to_have_url(re.compile(rf"/accountability/tasks/{task.pk}/$"))
    phone.locator("details summary").first.click()
    phone.locator("#id_meeting_record").select_option(str(record.pk))
    phone.locator("form:has(input[value=evidence]) button[type=submit]").click()
    expect(phone.locator("main")).to_contain_text("专题党课：基层治理")
    # Where nothing on the platform shows it: a file, kept privately and opened through the checked view.
    sign_in_sheet = tmp_path / "签到表.pdf"
    sign_in_sheet.write_bytes(b"%PDF-1.4 sign-in sheet")
    phone.locator("details summary").first.click()
    phone.locator("#id_attachment").set_input_files(str(sign_in_sheet))
    phone.locator("#id_note").fill("党课签到表")
    phone.locator("form:has(input[value=evidence]) button[type=submit]").click()
    file_link = phone.locator("a[href*='/accountability/evidence/']")
    expect(file_link).to_contain_text("签到表")
    with phone.expect_download() as download:
        file_link.click()
    assert download.value.path().read_bytes() == b"%PDF-1.4 sign-in sheet"
    axe_check(phone)
    _closing(context, phone)

    # The community issues a notice on a problem; the secretary answers and rectifies; the community closes it off.
    problem = Problem.objects.create(
        organization=branch_a,
        year=year,
        title="党员活动室长期关闭",
        measures="每周三、周六下午开放。",
        owner="组织委员",
        deadline=dt.date.today() + dt.timedelta(days=30),
    )
    context, above = _as(browser, live_server, community_admin)
    above.goto(f"/accountability/problems/{problem.pk}/")
    above.locator("section:has(input[value=notice]) details summary").click()
    above.locator("#id_text").fill("请报告活动室开放情况")
    above.locator("#id_reply_due").fill((dt.date.today() + dt.timedelta(days=7)).isoformat())
    above.locator("form:has(input[value=notice]) button[type=submit]").click()
    notice = SupervisionNotice.objects.get()
    expect(above).to_have_url(re.compile(rf"/accountability/notices/{notice.pk}/$"))
    _closing(context, above)

    context, phone = _as(browser, live_server, secretary_a)
    phone.goto(f"/accountability/notices/{notice.pk}/")
    phone.locator("#id_reply_text").fill("活动室已恢复开放，值班表已公示。")
    phone.locator("form.acct-form button[type=submit]").click()
    expect(phone.locator("main")).to_contain_text("活动室已恢复开放")
    phone.goto(f"/accountability/problems/{problem.pk}/")
    phone.locator("button[name=action][value=rectify]").click()
    expect(phone.locator("button[name=action][value=rectify]")).to_have_count(0)
    _closing(context, phone)

    context, above = _as(browser, live_server, community_admin)
    above.goto(f"/accountability/problems/{problem.pk}/")
    above.locator("button[name=action][value=close]").click()
    expect(above.locator("button[name=action][value=close]")).to_have_count(0)
    _closing(context, above)
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CLOSED

    # The street: computes, sees the dashboard, follows the satisfaction figure, finalises grades, downloads the PDF.
    _admin_login(page, org_admin)
    page.goto(f"/accountability/schemes/{scheme.pk}/")
    page.locator("form:has(input[value=compute]) button").click()
    # The computation is a job: its progress page ends in a link back to the dashboard.
    expect(page.locator("[data-job]")).to_contain_text("100%")
    axe_check(page)
    page.locator(f"main a.button[href='/accountability/schemes/{scheme.pk}/']").click()
    expect(page.locator("table.acct-table")).to_contain_text(branch_a.name)
    axe_check(page)
    satisfaction = scheme.indicators.get(source="satisfaction")
    assessment = scheme.assessments.get(organization=branch_a)
    page.locator(f"a[href='/accountability/assessments/{assessment.pk}/#indicator-{satisfaction.pk}']").click()
    expect(page.locator(f"#indicator-{satisfaction.pk}")).to_contain_text("100")
    page.locator(f"#indicator-{satisfaction.pk} a[href='{survey.url}']").click()
    expect(page.locator("h1")).to_contain_text(survey.title)

    page.goto(f"/accountability/schemes/{scheme.pk}/grades/")
    for select in page.locator("select[name^=grade_]").all():
        select.select_option("good")
    page.locator("form.acct-form button[type=submit]").click()
    expect(page.locator(".acct-errors")).to_be_visible()  # two branches, 50%: one 好 at most
    page.locator("select[name^=grade_]").last.select_option("fairly_good")
    page.locator("form.acct-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/accountability/schemes/{scheme.pk}/$"))
    scheme.refresh_from_db()
    assert scheme.status == IndicatorScheme.Status.FINAL

    # The button starts a background job (run at once by the tests' immediate backend): its page offers the file.
    page.get_by_role("button", name="下载考核报告（PDF）").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    axe_check(page)
    with page.expect_download() as download:
        page.locator("[data-job-download]").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert Indicator.objects.filter(scheme=scheme).count() == 2

    # 结果运用: the branch's final grade and indicator results on its own page, for its secretary (on a phone).
    assessment.refresh_from_db()
    context, phone = _as(browser, live_server, secretary_a)
    phone.goto(branch_a.page.url)
    results = phone.locator("section:has(#panel-accountability-results)")
    expect(results).to_contain_text(scheme.title)
    expect(results).to_contain_text(assessment.get_grade_display())
    expect(results).to_contain_text("群众满意率")
    axe_check(phone)
    _closing(context, phone)


def test_the_admin_refuses_to_delete_an_item_handed_down_by_the_level_above(
    page, browser, live_server, tree, secretary_a, branch_a
):
    from accountability import responsibility
    from accountability.models import ResponsibilityItem

    year = dt.date.today().year
    template = ResponsibilityList.objects.create(
        organization=tree["street"], year=year, title="街道模板", published=True
    )
    ResponsibilityItem.objects.create(responsibility_list=template, duty="落实三会一课", responsible="书记")
    own = responsibility.adopt(secretary_a, branch_a, year)

    _admin_login(page, secretary_a)
    page.goto(f"/admin/snippets/accountability/responsibilitylist/edit/{own.pk}/")
    page.locator("#id_items-0-DELETE-button").click()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("main")).to_contain_text("上级下发")
    assert own.items.filter(inherited=True, duty="落实三会一课").exists()
    assert not page.js_errors, page.js_errors
