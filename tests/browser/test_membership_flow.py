"""Issue 16's Done-when flow in a browser, on the site's own pages (phone first): a secretary takes an
applicant through the next step, is refused a candidate after ten months with the rule, records the
branch meeting's vote; the level above approves and the roster shows the probationary member; the
person reads their own dossier; a transfer moves a member between two branches. No console error,
no axe violation on the pages visited."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from membership.factories import open_dossier, path_to_meeting, take
from membership.models import Dossier, Stage, StepKind
from membership.timerules import add_months
from organizations import roles
from organizations.factories import RosterEntryFactory
from organizations.models import RosterEntry
from tests.browser.conftest import MOBILE, _new_page, add_session, axe_check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DAY = dt.timedelta(days=1)


def _activist(branch, members, name, months):
    today = dt.date.today()
    dossier = open_dossier(branch, name, add_months(today, -months) - 40 * DAY)
    take(dossier, StepKind.TALK, add_months(today, -months) - 20 * DAY)
    take(dossier, StepKind.ACTIVIST, add_months(today, -months), contacts=members[:1])
    return dossier


def test_secretary_takes_applicants_through_their_steps_and_the_level_above_approves(
    mobile_page, browser, live_server, branch_a, secretary_a, tree
):
    page = mobile_page
    today = dt.date.today()
    members = [RosterEntryFactory(branch=branch_a, name=f"正式党员{i}", member_no=f"F{i}") for i in range(5)]
    person = UserFactory(display_name="申请人本人")
    ready = _activist(branch_a, members, "满一年", 13)
    early = _activist(branch_a, members, "十个月", 10)
    meeting = open_dossier(branch_a, "待表决", today - 500 * DAY, user=person)
    path_to_meeting(meeting, today - 1 * DAY, members, until=StepKind.APPLICATION_FORM)

    sign_in(page, secretary_a)
    page.goto("/membership/")
    axe_check(page)

    # The next step of an activist of thirteen months: development candidate, with two introducers.
    page.get_by_role("link", name="满一年").click()
    form = page.locator("section", has=page.get_by_role("heading", name="登记：确定为发展对象"))
    form.get_by_label("正式党员0").check()
    form.get_by_label("正式党员1").check()
    form.get_by_role("button", name="登记此步骤").click()
    expect(page.locator(".messages")).to_contain_text("已登记：确定为发展对象")
    assert Dossier.objects.get(pk=ready.pk).stage == Stage.CANDIDATE
    axe_check(page)

    # Ten months as an activist: refused, with the rule and the earliest date.
    page.goto(f"/membership/recruitment/{early.pk}/")
    form = page.locator("section", has=page.get_by_role("heading", name="登记：确定为发展对象"))
    form.get_by_label("正式党员0").check()
    form.get_by_label("正式党员1").check()
    form.get_by_role("button", name="登记此步骤").click()
    expect(form).to_contain_text("第十三条")
    expect(form).to_contain_text("一年以上")
    assert Dossier.objects.get(pk=early.pk).stage == Stage.ACTIVIST
    # A refused form answers 400 on purpose (nothing was stored); Chromium logs that load, nothing else.
    assert page.js_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.js_errors.clear()

    # The branch meeting: 5 full members due (counted from the roster, not typed), 3 present, 3 in favour
    # (more than half of 5): adopted.
    page.goto(f"/membership/recruitment/{meeting.pk}/")
    form = page.locator("section", has=page.get_by_role("heading", name="登记：支部大会讨论接收预备党员"))
    expect(form.get_by_label("应到会有表决权的正式党员")).to_have_count(0)
    expect(form).to_contain_text("今天为5名正式党员")
    form.get_by_label("实到会有表决权的正式党员").fill("3")
    form.get_by_label("赞成").fill("3")
    form.get_by_label("反对").fill("0")
    form.get_by_role("button", name="登记此步骤").click()
    expect(page.locator("main")).to_contain_text("到会人数符合要求；通过。")
    axe_check(page)

    # The level above (the community's admin) talks with the candidate and approves.
    admin = UserFactory(display_name="社区组织委员")
    roles.grant(admin, tree["community"], roles.Role.ADMIN)
    context, above = _new_page(browser, live_server, MOBILE, is_mobile=True, has_touch=True)
    add_session(context, live_server.url, admin)
    above.goto("/membership/")
    expect(above.locator("main")).to_contain_text("待上级党委办理")
    above.get_by_role("link", name="待表决").first.click()
    for step in ("上级党委派人谈话", "上级党委审批接收预备党员"):
        above.locator("section", has=above.get_by_role("heading", name=f"登记：{step}")).get_by_role(
            "button", name="登记此步骤"
        ).click()
        expect(above.locator(".messages")).to_contain_text(f"已登记：{step}")
    assert not above.js_errors, above.js_errors
    context.close()

    # The secretary sees the roster updated: a probationary member of the branch.
    page.reload()
    expect(page.locator("main")).to_contain_text("预备党员")
    entry = RosterEntry.objects.get(name="待表决")
    assert entry.member_type == RosterEntry.MemberType.PROBATIONARY and entry.branch_id == branch_a.pk

    # The person reads their own dossier, without any form to take a step.
    context, own = _new_page(browser, live_server, MOBILE, is_mobile=True, has_touch=True)
    add_session(context, live_server.url, person)
    own.goto("/membership/")
    own.get_by_role("link", name="待表决 · 预备党员").click()
    expect(own.locator("h1")).to_contain_text("待表决")
    expect(own.get_by_role("button", name="登记此步骤")).to_have_count(0)
    axe_check(own)
    assert not own.js_errors, own.js_errors
    context.close()


def test_a_transfer_moves_a_member_between_two_branches(page, browser, live_server, branch_a, branch_b, secretary_a):
    mover = RosterEntryFactory(branch=branch_a, name="调动党员", member_no="A-9")
    secretary_b = UserFactory(display_name="书记乙")
    roles.grant(secretary_b, branch_b, roles.Role.SECRETARY)

    sign_in(page, secretary_a)
    page.goto("/membership/transfers/")
    page.get_by_label("党员", exact=True).select_option(label="调动党员（第一党支部 · A-9）")
    page.get_by_label("转入支部").select_option(label="第二党支部")
    page.get_by_label("理由").fill("工作调动")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("转接已申请")
    axe_check(page)
    page.get_by_role("button", name="转出至新支部").click()
    expect(page.locator("main")).to_contain_text("原支部已转出")
    mover.refresh_from_db()
    assert mover.branch_id == branch_a.pk  # still on the old roster until the new branch accepts

    context, other = _new_page(browser, live_server, MOBILE, is_mobile=True, has_touch=True)
    add_session(context, live_server.url, secretary_b)
    other.goto("/membership/transfers/")
    other.get_by_role("link", name="调动党员").click()
    other.get_by_role("button", name="接收到本支部花名册").click()
    expect(other.locator("main")).to_contain_text("新支部已接收")
    assert not other.js_errors, other.js_errors
    context.close()
    mover.refresh_from_db()
    assert mover.branch_id == branch_b.pk and RosterEntry.objects.filter(name="调动党员").count() == 1


def test_a_member_sees_their_required_study_and_points(mobile_page, member_a, home_page, tree):
    from home import factories as home_factories
    from membership.models import PointRule, PointSource, StudyDeadline

    index = home_factories.study_index(home_page)
    page_ = home_factories.study(index, title="本季度必学材料")
    StudyDeadline.objects.create(organization=tree["street"], page=page_, due_on=dt.date.today() + 10 * DAY)
    PointRule.objects.create(
        organization=tree["street"], source=PointSource.STUDY, points=2, daily_cap=6, valid_from=dt.date(2000, 1, 1)
    )
    sign_in(mobile_page, member_a)
    mobile_page.goto("/membership/study/")
    expect(mobile_page.locator("main")).to_contain_text("本季度必学材料")
    expect(mobile_page.locator("main")).to_contain_text("0分")
    mobile_page.get_by_role("link", name="本季度必学材料").click()
    mobile_page.get_by_role("button", name="标记为已学习").click()
    mobile_page.goto("/membership/study/")
    expect(mobile_page.locator("main")).to_contain_text("2分")
    expect(mobile_page.locator("main")).to_contain_text("已学")
    axe_check(mobile_page)


def test_the_membership_admin_page_loads_without_console_errors(page, secretary_a, branch_a):
    open_dossier(branch_a, "后台申请人", dt.date.today() - 5 * DAY)
    sign_in(page, secretary_a)
    page.goto("/admin/membership/")
    expect(page.locator("main")).to_contain_text("后台申请人")
    page.get_by_role("link", name="打开党员管理页面").click()
    expect(page.locator("h1")).to_have_text("党员管理")
