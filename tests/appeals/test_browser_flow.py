"""The Done-when flow, as new users would, on phones (390×844) in Chinese, served by uvicorn (HTTP + WebSocket):

a resident reports a problem with a photo; the grid worker's list shows it live; the worker accepts and
finishes it with a result photo; the resident rates it; a second request passes its deadline and appears
on the community's list; the public board shows both without the residents' names. axe finds nothing.
"""

import datetime

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from accounts.factories import PASSWORD, UserFactory
from appeals import handling
from appeals.models import Appeal, Level, Status
from organizations import roles
from tests.asgi_server import chromium, serving
from tests.browser.conftest import axe_report, axe_violations

from .conftest import photo_bytes

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def asgi_server(home_page, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with serving() as base:
        yield base


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


def _phone(browser, base, user=None):
    context = browser.new_context(
        base_url=base, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.js_errors = errors
    if user is not None:
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(user.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(lambda url: "/accounts/login" not in url)
    return context, page


def _no_axe_violations(page):
    violations = axe_violations(page)
    assert not violations, axe_report(page.url, violations)


def test_report_handle_live_rate_escalate_and_publish_on_phones(
    asgi_server, browser, tmp_path, neighbour, lamp, grids, worker_1, tree
):
    community_admin = UserFactory(display_name="社区书记")
    roles.grant(community_admin, tree["community"], roles.Role.ADMIN)
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(photo_bytes(size=(1200, 900)).getvalue())
    result = tmp_path / "result.jpg"
    result.write_bytes(photo_bytes(gps=False, size=(800, 600)).getvalue())

    worker_context, worker = _phone(browser, asgi_server, worker_1)
    worker.goto("/appeals/handle/")
    expect(worker.locator("#appeal-list[data-connected=true]")).to_have_count(1)
    _no_axe_violations(worker)
    worker.evaluate("window.__notReloaded = true")

    # The resident reports from the navigation, on the phone form that knows their grid.
    resident_context, resident = _phone(browser, asgi_server, neighbour)
    resident.goto("/")
    expect(resident.locator("#site-nav a", has_text="民情诉求")).to_have_attribute("href", "/appeals/")
    resident.goto("/appeals/")
    resident.get_by_role("link", name="反映问题").click()
    expect(resident.get_by_role("combobox", name="网格")).to_have_value(str(grids[0].pk))
    _no_axe_violations(resident)
    resident.get_by_label("问题类别").select_option(label="路灯照明")
    resident.get_by_label("问题描述").fill("和平里3号楼门口的路灯坏了三天，晚上很黑。")
    resident.get_by_label("楼栋或地点").fill("3号楼")
    resident.locator("#id_photos").set_input_files(str(photo))
    resident.get_by_role("button", name="提交").click()
    expect(resident.locator(".message--success")).to_contain_text("已交")
    appeal = Appeal.objects.get(reporter=neighbour)
    assert appeal.photos.count() == 1 and appeal.latitude is None
    _no_axe_violations(resident)

    # The worker's open list shows it without a reload, rendered as after a reload.
    row = worker.locator(f"#appeal-{appeal.pk}")
    expect(row).to_contain_text("路灯照明")
    assert worker.evaluate("window.__notReloaded") is True
    live_text = row.inner_text()
    worker.reload()
    assert worker.locator(f"#appeal-{appeal.pk}").inner_text() == live_text

    # The worker accepts and finishes with a result photo.
    worker.locator(f"#appeal-{appeal.pk} a").click()
    expect(worker.locator(".appeal-facts")).to_contain_text("王小明")
    worker.get_by_role("button", name="受理", exact=True).click()
    expect(worker.locator(".appeal-status--in-progress").first).to_be_visible()
    worker.get_by_label("答复或备注").fill("已更换灯泡，恢复照明。")
    worker.locator("#reply-photos").set_input_files(str(result))
    worker.get_by_role("button", name="以此结果办结").click()
    expect(worker.locator(".appeal-status--done").first).to_be_visible()
    _no_axe_violations(worker)

    # The resident sees the result and its photo, and rates.
    resident.goto(f"/appeals/{appeal.pk}/")
    expect(resident.get_by_text("已更换灯泡，恢复照明。")).to_be_visible()
    expect(resident.locator("img[alt='办理结果照片']")).to_have_count(1)
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.locator(".message--success")).to_contain_text("感谢")
    appeal.refresh_from_db()
    assert appeal.status == Status.DONE and appeal.rating == "satisfied"

    # A second request passes its deadline: the scheduled command sends it to the community's list.
    late = handling.report(neighbour, category=lamp, grid=grids[0], description="5号楼楼道灯不亮。")
    assert handling.escalate_overdue(timezone.now() + datetime.timedelta(days=20)) == 1
    late.refresh_from_db()
    assert late.level == Level.COMMUNITY
    admin_context, admin = _phone(browser, asgi_server, community_admin)
    admin.goto("/appeals/handle/")
    expect(admin.locator(f"#appeal-{late.pk}")).to_contain_text("5号楼楼道灯不亮")

    # The public board shows both, without the resident's name.
    public_context, public = _phone(browser, asgi_server)
    public.goto(f"/appeals/board/{tree['community'].code}/")
    expect(public.locator(f"#appeal-{appeal.pk}")).to_contain_text("路灯坏了三天")
    expect(public.locator(f"#appeal-{late.pk}")).to_contain_text("5号楼楼道灯不亮")
    assert "王小明" not in public.content()
    expect(public.locator("svg.chart")).to_have_count(1)
    _no_axe_violations(public)

    for context, page in (
        (worker_context, worker),
        (resident_context, resident),
        (admin_context, admin),
        (public_context, public),
    ):
        context.close()
        assert not page.js_errors, page.js_errors


def test_a_complaint_about_the_grid_worker_made_on_a_phone_goes_to_the_community(
    asgi_server, browser, tmp_path, neighbour, lamp, grids, worker_1, tree
):
    community_admin = UserFactory(display_name="社区书记")
    roles.grant(community_admin, tree["community"], roles.Role.ADMIN)
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(photo_bytes(size=(1200, 900)).getvalue())

    resident_context, resident = _phone(browser, asgi_server, neighbour)
    resident.goto("/appeals/new/")
    expect(resident.get_by_role("group", name="这是对网格或社区办理情况的投诉吗？")).to_be_visible()
    expect(resident.get_by_label("不是，是需要解决的问题")).to_be_checked()
    resident.get_by_label("问题类别").select_option(label="路灯照明")
    resident.get_by_label("问题描述").fill("网格员说好来修路灯，两周了没人来，打电话也不接。")
    resident.get_by_label("是：投诉我的网格员或负责本网格的党支部").check()
    resident.locator("#id_photos").set_input_files(str(photo))
    _no_axe_violations(resident)
    resident.get_by_role("button", name="提交").click()
    expect(resident.locator(".message--success")).to_contain_text(tree["community"].name)
    appeal = Appeal.objects.get(reporter=neighbour)
    assert appeal.complains_about == worker_1.grid_duties.get().branch and appeal.unit == tree["community"]

    # The community handles it and sees who reported, with the photo (served through the checked view).
    admin_context, admin = _phone(browser, asgi_server, community_admin)
    admin.goto("/appeals/handle/")
    admin.locator(f"#appeal-{appeal.pk} a").click()
    expect(admin.locator(".appeal-facts")).to_contain_text("王小明")
    image = admin.locator("img.appeal-photo").first
    expect(image).to_be_visible()
    # The attributes give it its size before it loads, so wait for the load to end, then check it decoded.
    photo_element = image.element_handle()
    admin.wait_for_function("(img) => img.complete", arg=photo_element)
    assert admin.evaluate("(img) => img.naturalWidth", photo_element) == 1200
    _no_axe_violations(admin)

    # The grid worker complained about finds it on no list and sees only what the public sees.
    worker_context, worker = _phone(browser, asgi_server, worker_1)
    worker.goto("/appeals/handle/?tab=area")
    expect(worker.locator(f"#appeal-{appeal.pk}")).to_have_count(0)
    worker.goto(f"/appeals/{appeal.pk}/")
    assert "王小明" not in worker.content()
    expect(worker.get_by_role("button", name="受理", exact=True)).to_have_count(0)

    for context, page in ((resident_context, resident), (admin_context, admin), (worker_context, worker)):
        context.close()
        assert not page.js_errors, page.js_errors
