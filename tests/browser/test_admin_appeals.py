"""Residents' requests in the Wagtail admin, in Chromium and in Chinese: the street admin maintains the
categories and their deadlines (working days or hours, responsible level, visibility) and who handles
each grid. The `page` fixture fails on any console error."""

import pytest
from playwright.sync_api import expect

from appeals.models import Category, GridDuty, Level, TimeUnit

from .conftest import add_session, axe_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_street_admin_sets_a_categorys_deadlines_in_the_admin(page, live_server, org_admin, tree):
    add_session(page.context, live_server.url, org_admin)
    page.goto("/admin/")
    page.get_by_role("button", name="民情诉求").click()
    page.get_by_role("link", name="诉求类别与时限").click()
    expect(page.locator("h1")).to_contain_text("诉求类别")
    page.get_by_role("link", name="添加 诉求类别").first.click()
    page.locator("#id_name").fill("楼道漏水")
    page.locator("#id_accept_within").fill("2")
    page.locator("#id_accept_unit").select_option(TimeUnit.WORK_HOURS)
    page.locator("#id_finish_within").fill("24")
    page.locator("#id_finish_unit").select_option(TimeUnit.WORK_HOURS)
    page.locator("#id_responsible_level").select_option(str(Level.COMMUNITY))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("楼道漏水")
    category = Category.objects.get(name="楼道漏水")
    assert (category.accept_within, category.accept_unit, category.finish_within, category.finish_unit) == (
        2,
        TimeUnit.WORK_HOURS,
        24,
        TimeUnit.WORK_HOURS,
    )
    assert category.responsible_level == Level.COMMUNITY
    expect(page.locator("table.listing")).to_contain_text("楼道漏水")
    page.reload()  # axe on the listing itself, not on Wagtail's fading "saved" banner
    axe_check(page)

    # Edit: a finishing time of 0 is refused (with a message at the field), nothing is saved.
    page.get_by_role("link", name="楼道漏水").first.click()
    page.locator("#id_finish_within").fill("0")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#panel-child-deadlines-content .error-message, .w-field--error").first).to_be_visible()
    category.refresh_from_db()
    assert category.finish_within == 24


def test_the_street_admin_names_the_grid_worker_and_branch(page, live_server, org_admin, tree, branch_a):
    from accounts.factories import UserFactory

    worker = UserFactory(display_name="网格员一")
    add_session(page.context, live_server.url, org_admin)
    page.goto("/admin/snippets/appeals/gridduty/add/")
    page.locator("#id_grid").select_option(str(tree["grid"].pk))
    page.locator("#id_worker").fill(worker.email)
    page.locator("#id_branch").select_option(str(branch_a.pk))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_be_visible()
    duty = GridDuty.objects.get(grid=tree["grid"])
    assert (duty.branch, duty.worker) == (branch_a, worker)
    page.reload()  # axe on the listing itself: Wagtail's own "saved" banner (white on #489e84) fails contrast
    axe_check(page)


def test_a_branch_editor_cannot_change_the_categories(page, live_server, editor_a):
    add_session(page.context, live_server.url, editor_a)
    response = page.goto("/admin/snippets/appeals/category/")
    assert response.status in (302, 403) or "/admin/" in page.url and "category" not in page.url
