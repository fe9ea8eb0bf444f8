"""Organisational life as a new user meets it: the secretary schedules a 主题党日 on the desktop; a member
replies on a phone and signs in by scanning the QR code on the secretary's screen (decoded from the
screenshot of the code); another asks for leave and later does the make-up; the minutes are saved, the
counts are right, and the record's PDF and the yearly XLSX download. No console error, no axe violation."""

import datetime as dt
import io

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from accounts.factories import UserFactory
from organizations.factories import RosterEntryFactory
from orglife.models import Invitation, Meeting, SignIn
from tests.browser.conftest import MOBILE, _new_page, add_session, axe_check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _decode_qr(png: bytes) -> str:
    """Read the QR code in a screenshot, as a phone's camera does."""
    import numpy
    import zxingcpp
    from PIL import Image

    image = numpy.array(Image.open(io.BytesIO(png)).convert("L"))
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code found on the secretary's screen"
    return results[0].text


def test_secretary_schedules_members_reply_scan_and_make_up(
    page, browser, live_server, branch_a, secretary_a, tmp_path
):
    attending = UserFactory(display_name="扫码党员")
    RosterEntryFactory(branch=branch_a, user=attending, name="扫码党员", member_no="A1")
    on_leave = UserFactory(display_name="请假党员")
    RosterEntryFactory(branch=branch_a, user=on_leave, name="请假党员", member_no="A2")
    RosterEntryFactory(branch=branch_a, name="老党员", member_no="A3")  # no phone: ticked

    # The secretary schedules a 主题党日 starting now, on the desktop.
    sign_in(page, secretary_a)
    page.goto("/orglife/")
    axe_check(page)
    page.get_by_role("link", name="安排会议").click()
    now = timezone.localtime()
    page.get_by_label("会议类型").select_option(label="主题党日")
    page.get_by_label("会议主题").fill("重温入党誓词")
    page.get_by_label("日期").fill(now.date().isoformat())
    start = (now - dt.timedelta(minutes=5)).strftime("%H:%M")
    end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59)).strftime("%H:%M")
    page.get_by_label("开始时间").fill(start)
    page.get_by_label("结束时间").fill(end)
    page.get_by_label("地点").fill("党员活动室")
    page.get_by_label("学习材料").fill("党章第一章")
    axe_check(page)
    page.get_by_role("button", name="安排并通知").click()
    expect(page.locator(".messages")).to_contain_text("已通知 3 名党员")
    meeting = Meeting.objects.get()
    assert meeting.due == 3
    axe_check(page)

    # A member replies on a phone.
    context, phone = _new_page(browser, live_server, MOBILE, is_mobile=True, has_touch=True, device_scale_factor=2)
    add_session(context, live_server.url, attending)
    phone.goto("/orglife/")
    phone.get_by_role("link", name="重温入党誓词").click()
    phone.get_by_label("参加").check()
    phone.get_by_role("button", name="发送回复").click()
    expect(phone.locator(".messages")).to_contain_text("回复已记录")
    axe_check(phone)

    # Another asks for leave.
    leave_context, leave_phone = _new_page(browser, live_server, MOBILE, is_mobile=True, has_touch=True)
    add_session(leave_context, live_server.url, on_leave)
    leave_phone.goto(f"/orglife/{meeting.pk}/")
    leave_phone.get_by_label("请假", exact=True).check()
    leave_phone.get_by_label("请假事由（仅请假时填写）").fill("在外地照顾家人")
    leave_phone.get_by_role("button", name="发送回复").click()
    expect(leave_phone.locator(".messages")).to_contain_text("请假已记录")

    # The secretary shows the code; the member's phone reads it from the screen and signs in.
    page.goto(f"/orglife/{meeting.pk}/")
    page.get_by_role("link", name="显示签到二维码").click()
    code = page.locator(".qr__box svg")
    expect(code).to_be_visible()
    axe_check(page)
    url = _decode_qr(code.screenshot())
    assert url.startswith(live_server.url + "/orglife/s/")
    phone.goto(url)
    axe_check(phone)  # the sign-in confirmation, on the phone
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.locator(".messages")).to_contain_text("签到成功")
    axe_check(phone)
    phone.goto(url)
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.locator("[role=alert]")).to_contain_text("您已签到")  # once only
    assert SignIn.objects.filter(meeting=meeting).count() == 1

    # The secretary ticks the member without a phone and writes the minutes.
    page.goto(f"/orglife/{meeting.pk}/")
    page.locator("tr", has_text="老党员").get_by_label("到会（无手机）").check()
    page.get_by_role("button", name="将勾选的党员记为到会").click()
    expect(page.locator("[data-count=present]")).to_have_text("2")
    page.get_by_label("记录人").fill("组织委员")
    page.get_by_label("会议内容").fill("全体党员重温入党誓词，学习党章第一章。")
    page.get_by_label("会议决议").fill("下月开展楼道清理志愿服务。")
    page.get_by_role("button", name="保存会议记录").click()
    expect(page.locator(".messages")).to_contain_text("会议记录已保存")
    expect(page.locator("[data-count=due]")).to_have_text("3")
    expect(page.locator("[data-count=on_leave]")).to_have_text("1")
    axe_check(page)

    # The meeting ends; the member on leave does the make-up study.
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    leave_phone.goto(f"/orglife/{meeting.pk}/")
    expect(leave_phone.locator("main")).to_contain_text("党章第一章")
    leave_phone.get_by_role("button", name="补学完成").click()
    expect(leave_phone.locator(".messages")).to_contain_text("补学已记录")
    assert Invitation.objects.get(member__user=on_leave).makeup_done_at is not None
    axe_check(leave_phone)

    # Counts after the meeting, the PDF of the record and the year's ledger.
    page.goto(f"/orglife/{meeting.pk}/")
    expect(page.locator("[data-count=present]")).to_have_text("2")
    expect(page.locator("[data-count=absent]")).to_have_text("0")
    # Each button starts a background job (run at once by the tests' immediate backend); its page offers the file.
    page.get_by_role("button", name="会议记录（PDF）").click()
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    axe_check(page)
    with page.expect_download() as pdf:
        page.locator("[data-job-download]").click()
    assert pdf.value.path().read_bytes().startswith(b"%PDF")
    page.goto(f"/orglife/{meeting.pk}/")
    page.get_by_role("button", name=f"{meeting.date.year}年台账（XLSX）").click()
    with page.expect_download() as xlsx:
        page.locator("[data-job-download]").click()
    assert xlsx.value.path().read_bytes().startswith(b"PK")
    for item in (context, leave_context):
        assert not getattr(item.pages[0], "js_errors", []), item.pages[0].js_errors
        item.close()


def test_admin_lists_the_branchs_meetings_without_console_errors(page, branch_a, secretary_a):
    from orglife import factories

    factories.meeting(branch_a, user=secretary_a, topic="支部主题党日")
    sign_in(page, secretary_a)
    page.goto("/admin/snippets/orglife/meeting/")
    expect(page.locator("main")).to_contain_text("支部主题党日")
    page.get_by_role("link", name="支部主题党日").click()
    expect(page.locator("input[name=topic]")).to_have_value("支部主题党日")


def test_the_level_above_records_an_election_and_sees_the_term(page, branch_a, org_admin):
    elected = RosterEntryFactory(
        branch=branch_a, user=UserFactory(display_name="新书记"), name="新书记", member_no="E1"
    )
    sign_in(page, org_admin)
    page.goto(f"/orglife/terms/{branch_a.pk}/")
    expect(page.locator("main")).to_contain_text("尚未记录本组织的委员会")
    axe_check(page)
    page.get_by_role("link", name="记录换届选举结果").click()
    page.get_by_label("选举日期").fill("2026-01-10")
    page.get_by_label("新书记").select_option(label="书记")
    axe_check(page)
    page.get_by_role("button", name="保存选举结果").click()
    expect(page.locator(".messages")).to_contain_text("选举结果已记录")
    expect(page.locator("main")).to_contain_text("2029-01-10")
    axe_check(page)
    from organizations import roles

    assert roles.holds_role(elected.user, branch_a, roles.Role.SECRETARY)


def test_home_admin_shows_a_scheduled_meeting_read_only_and_links_to_its_page(page, branch_a, secretary_a):
    """Home's meeting records admin: a meeting scheduled on the site opens read-only with a link to its page
    (its counts come from sign-ins); a typed record is still edited there. No console error."""
    import re

    from home.models import MeetingRecord
    from orglife import factories

    meeting = factories.meeting(branch_a, user=secretary_a, topic="平台安排的主题党日")
    typed = MeetingRecord.objects.create(
        branch=branch_a, kind="lecture", date=dt.date(2025, 5, 1), topic="手工记录的党课", due=10, present=9, absent=1
    )
    sign_in(page, secretary_a)
    page.goto("/admin/snippets/home/meetingrecord/")
    expect(page.locator("main")).to_contain_text("平台安排的主题党日")
    expect(page.locator(f"a[href$='/meetingrecord/edit/{meeting.pk}/']")).to_have_count(0)
    page.locator(f"a[href$='/meetingrecord/inspect/{meeting.pk}/']").first.click()  # the row's title (its date)
    expect(page).to_have_url(re.compile(rf"/admin/snippets/home/meetingrecord/inspect/{meeting.pk}/$"))
    expect(page.locator("body")).to_contain_text("该会议是在平台上安排的")
    expect(page.locator("input[name=topic]")).to_have_count(0)
    page.goto(f"/admin/snippets/home/meetingrecord/edit/{meeting.pk}/")  # a bookmarked edit link
    expect(page).to_have_url(re.compile(rf"/inspect/{meeting.pk}/$"))
    page.get_by_role("link", name="打开会议页面").click()
    expect(page).to_have_url(re.compile(rf"/orglife/{meeting.pk}/$"))
    expect(page.locator("h1")).to_contain_text("平台安排的主题党日")

    page.goto("/admin/snippets/home/meetingrecord/")
    page.locator(f"a[href$='/meetingrecord/edit/{typed.pk}/']").first.click()
    page.locator("input[name=topic]").fill("改正的党课")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/home/meetingrecord/$"))
    assert MeetingRecord.objects.filter(topic="改正的党课", tracked=False).exists()
