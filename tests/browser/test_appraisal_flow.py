"""A branch secretary runs a whole democratic appraisal from the site's own pages (never the admin):
creates it, takes it through every stage while members write self-assessments and vote, records the
final grades, sees the public notice and downloads the summary. No console error on any page."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from evaluation.models import AppraisalCampaign, Stage
from organizations.factories import RosterEntryFactory
from tests.browser.conftest import DESKTOP, _new_page, add_session, axe_check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STAGES = ["准备", "学习", "个人自评", "民主测评", "组织评定", "公示", "已完成"]


def _member_page(browser, live_server, user):
    """A member's own browser, signed in through a session made by the test client (same process)."""
    context, page = _new_page(browser, live_server, DESKTOP)
    add_session(context, live_server.url, user)
    return context, page


def _next_stage(page, label: str) -> None:
    page.get_by_role("button", name=f"进入下一阶段：{label}").click()
    expect(page.locator("main")).to_contain_text(f"已进入“{label}”阶段")


def test_secretary_runs_an_appraisal_through_every_stage_from_the_site(
    page, browser, live_server, branch_a, secretary_a, tmp_path
):
    members = [UserFactory(display_name=f"党员{i}") for i in range(4)]
    for index, user in enumerate(members):
        RosterEntryFactory(branch=branch_a, user=user, name=f"党员{index}", member_no=f"F{index}")

    # 准备: the secretary starts the appraisal from /evaluation/.
    sign_in(page, secretary_a)
    page.goto("/evaluation/")
    page.get_by_role("link", name="发起民主评议").click()
    page.get_by_label("党支部").select_option(label="第一党支部")
    page.get_by_label("年度").fill("2026")
    page.locator("#id_ballot_date").fill("2026-12-18")
    page.locator("#id_notice_starts").fill("2026-12-21")
    expect(page.locator("#id_min_turnout")).to_have_value("80")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("h1")).to_have_text("管理民主评议")
    campaign = AppraisalCampaign.objects.get(branch=branch_a, year=2026)
    assert campaign.appraisees.count() == 4 and campaign.min_turnout == Decimal("0.8")
    expect(page.locator("#id_ballot_date")).to_have_value("2026-12-18")  # the date shows in Chinese too

    _next_stage(page, "学习")
    _next_stage(page, "个人自评")

    # 个人自评: a member writes theirs.
    context, member = _member_page(browser, live_server, members[0])
    member.goto(f"/evaluation/{campaign.pk}/")
    member.get_by_role("link", name="填写或修改个人自评").click()
    for field, text in [
        ("study", "认真学习党章党规"),
        ("duties", "按时参加组织生活"),
        ("shortcomings", "理论联系实际不够"),
        ("plan", "加强学习"),
    ]:
        member.locator(f"#id_{field}").fill(text)
    member.locator("#id_self_grade").select_option("competent")
    member.get_by_role("button", name="保存").click()
    expect(member.locator("main")).to_contain_text("个人自评已保存")
    context.close()
    assert not member.js_errors, member.js_errors

    _next_stage(page, "民主测评")

    # 测评: every member votes in their own browser.
    for index, user in enumerate(members):
        context, member = _member_page(browser, live_server, user)
        member.goto(f"/evaluation/{campaign.pk}/")
        member.get_by_role("link", name="填写民主测评表").click()
        rows = member.locator("fieldset.ballot-row")
        expect(rows).to_have_count(3)
        for row in range(3):
            rows.nth(row).get_by_label("优秀" if (index, row) == (1, 0) else "合格", exact=True).check()
        member.get_by_role("button", name="提交测评表").click()
        expect(member.locator("main")).to_contain_text("回执")
        context.close()
        assert not member.js_errors, member.js_errors

    # Closing asks first, with the turnout against the minimum.
    page.reload()
    page.get_by_role("button", name="进入下一阶段：组织评定").click()
    expect(page.locator(".confirm-close")).to_contain_text("参评率达到规定比例")
    expect(page.locator(".confirm-close")).to_contain_text("100.0%")
    axe_check(page)
    page.get_by_role("button", name="结束测评，进入“组织评定”阶段").click()
    expect(page.locator("main")).to_contain_text("已进入“组织评定”阶段")

    # 组织评定: the tally, and the final grades with a reason where they differ from the suggestion.
    page.get_by_role("link", name="计票与组织评定").first.click()
    expect(page.locator("main")).to_contain_text("有效")
    first = campaign.appraisees.get(name="党员0")
    page.locator(f"#final-{first.pk}").select_option("excellent")
    page.locator(f"#reason-{first.pk}").fill("带头作用突出")
    page.get_by_role("button", name="保存评定等次").click()
    expect(page.locator("main")).to_contain_text("评定等次已保存")
    axe_check(page)
    first.refresh_from_db()
    assert first.final_grade == "excellent" and first.final_reason == "带头作用突出"

    page.get_by_role("link", name="管理民主评议").click()
    _next_stage(page, "公示")
    page.get_by_role("link", name="公示", exact=True).first.click()
    notice = page.locator("main")
    expect(notice).to_contain_text("评定结果公示 5 天，自 2026-12-21 至 2026-12-25")
    expect(notice).to_contain_text("书记甲（支部书记）")
    expect(notice).to_contain_text("异议")
    expect(notice).to_contain_text("党员0")
    axe_check(page)

    page.go_back()
    # The summary is written by a background job: the button leads to its progress page, which ends in the file.
    page.get_by_role("button", name="下载汇总表（PDF）").first.click()
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    with page.expect_download() as download:
        page.locator("[data-job-download]").click()
    pdf = tmp_path / "summary.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    page.go_back()

    _next_stage(page, "已完成")
    campaign.refresh_from_db()
    assert campaign.stage == Stage.DONE
    assert [change.stage for change in campaign.stage_changes.all()] == list(Stage.values)
    assert dt.date(2026, 12, 18) == campaign.ballot_date
    expect(page.locator(".stages li")).to_have_text(STAGES)


def test_an_invalid_close_is_followed_by_a_second_round_from_the_sites_pages(
    page, browser, live_server, branch_a, secretary_a
):
    """Only one of three members votes; the secretary is warned, closes anyway, sees the ballot is not
    valid and holds it again from the manage page; round 2 is voted by everyone, the member who voted in
    round 1 included, and the tally shows round 1 as not valid beside round 2's valid result."""
    members = [UserFactory(display_name=f"党员{i}") for i in range(3)]
    for index, user in enumerate(members):
        RosterEntryFactory(branch=branch_a, user=user, name=f"党员{index}", member_no=f"R{index}")
    campaign = AppraisalCampaign.objects.create(branch=branch_a, year=2026, ballot_date=dt.date(2026, 12, 18))
    campaign.enrol_members()
    campaign.move_to(Stage.BALLOTING, secretary_a)

    def vote(user, round_label=None):
        context, member = _member_page(browser, live_server, user)
        member.goto(f"/evaluation/{campaign.pk}/")
        if round_label:
            expect(member.locator("main")).to_contain_text(round_label)
        member.get_by_role("link", name="填写民主测评表").click()
        rows = member.locator("fieldset.ballot-row")
        for row in range(rows.count()):
            rows.nth(row).get_by_label("合格", exact=True).check()
        member.get_by_role("button", name="提交测评表").click()
        expect(member.locator("main")).to_contain_text("回执")
        context.close()
        assert not member.js_errors, member.js_errors

    vote(members[0])
    sign_in(page, secretary_a)
    page.goto(f"/evaluation/{campaign.pk}/manage/")
    page.get_by_role("button", name="进入下一阶段：组织评定").click()
    expect(page.locator(".confirm-close")).to_contain_text("33.3%")
    page.get_by_role("button", name="仍然结束（本次测评将无效）").click()
    expect(page.locator("main")).to_contain_text("已进入“组织评定”阶段")

    # Round 2, from the site's own manage page, with the explanation in Chinese.
    hold_again = page.locator("section", has=page.get_by_role("heading", name="重新进行民主测评（第2轮）"))
    expect(hold_again).to_contain_text("每名党员都重新投票")
    axe_check(page)
    hold_again.get_by_role("button", name="开启第2轮民主测评").click()
    expect(page.locator("main")).to_contain_text("第2轮民主测评已开启")
    expect(page.locator("main")).to_contain_text("此前各轮测评（无效）")

    for user in members:
        vote(user, round_label="这是第2轮")
    page.reload()
    page.get_by_role("button", name="进入下一阶段：组织评定").click()
    page.get_by_role("button", name="结束测评，进入“组织评定”阶段").click()
    expect(page.locator("main")).to_contain_text("已进入“组织评定”阶段")
    page.get_by_role("link", name="计票与组织评定").first.click()
    tally = page.locator("main")
    expect(tally).to_contain_text("第2轮民主测评（重新测评）")
    expect(tally.locator(".earlier-rounds")).to_contain_text("否：参评率低于规定比例")
    expect(page.get_by_role("combobox", name="评定等次").first).to_be_visible()  # round 2 is valid
    axe_check(page)
    campaign.refresh_from_db()
    assert (campaign.ballot_round, campaign.stage) == (2, Stage.ASSESSMENT)
