"""Browser smoke tests: the public pages render, sign-up and sign-in work, the language switch
works, the pages pass axe's WCAG 2.2 AA rules, and the layout holds on a phone."""

import os
import re

import pytest
from playwright.sync_api import expect

from accounts.factories import PASSWORD, UserFactory
from accounts.models import User

from .conftest import MOBILE, axe_check

# DJANGO_ALLOW_ASYNC_UNSAFE is set by the `browser` fixture (conftest.py) while Playwright runs.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RED_HEADER = "rgb(168, 20, 26)"  # --red in site.css: proves the stylesheet loaded
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS")  # a directory; unset means no screenshots


def nav(page):
    return page.locator("#site-nav")


def submit(page):
    page.locator("main form").locator("button[type=submit]").last.click()


def screenshot(page, name):
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_home_page_renders_in_chinese_with_its_stylesheet(page, tree):
    stylesheet = []
    page.on(
        "response", lambda response: stylesheet.append(response.status) if response.url.endswith("/site.css") else None
    )
    response = page.goto("/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_title(re.compile("幸福街道 · 共治"))
    for text in ("首页", "搜索", "登录", "注册"):
        expect(nav(page).get_by_role("link", name=text, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_attached()
    expect(page.get_by_role("heading", level=1)).to_have_text("幸福街道")
    expect(page.get_by_role("link", name="第一党支部")).to_have_count(0)  # grandchildren stay off the home page
    expect(page.get_by_role("link", name="和平社区党委")).to_be_visible()
    assert stylesheet == [200]
    assert page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor") == RED_HEADER
    screenshot(page, "home-desktop")


def test_sign_up_in_the_browser_signs_the_new_user_in(page):
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator("input[name=email]").fill("wang@example.cn")
    page.locator("input[name=display_name]").fill("王小明")
    page.locator("input[name=password1]").fill("Qiang-Zhuang-2026")
    page.locator("input[name=password2]").fill("Qiang-Zhuang-2026")
    screenshot(page, "signup-desktop")
    submit(page)
    expect(nav(page).get_by_role("link", name="王小明")).to_be_visible()
    expect(nav(page).get_by_role("button", name="退出")).to_be_visible()
    screenshot(page, "signed-in-desktop")
    user = User.objects.get(email="wang@example.cn")
    assert user.display_name == "王小明"


def test_login_shows_the_users_name(page):
    user = UserFactory(display_name="李四")
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    submit(page)
    expect(nav(page).get_by_role("link", name="李四")).to_be_visible()
    expect(nav(page).get_by_role("link", name="登录", exact=True)).to_have_count(0)


def test_login_with_a_wrong_password_shows_an_error_in_chinese(page):
    user = UserFactory(display_name="李四")
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill("wrong-password")
    submit(page)
    expect(page.locator("main")).to_contain_text("您提供的电子邮件地址和/或密码不正确。")
    expect(nav(page).get_by_role("link", name="登录", exact=True)).to_be_visible()
    screenshot(page, "login-error-desktop")


def test_language_switch_to_english_and_back(page):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name="切换")).to_be_hidden()  # JavaScript submits on change
    with page.expect_navigation():
        page.get_by_label("语言").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/accounts/login/")  # the switch keeps the reader on the same page
    for text in ("Home", "Search", "Sign in", "Sign up"):
        expect(nav(page).get_by_role("link", name=text, exact=True)).to_be_visible()
    expect(page.get_by_label("Language")).to_have_value("en")

    with page.expect_navigation():
        page.get_by_label("Language").select_option(label="简体中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav(page).get_by_role("link", name="首页", exact=True)).to_be_visible()


def test_language_switch_works_without_javascript(browser, live_server, home_page):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_label("语言").select_option("en")
        page.get_by_role("button", name="切换").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(nav(page).get_by_role("link", name="Home", exact=True)).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_pages_have_no_wcag_22_aa_violations(page, tree, axe_path, path):
    page.goto(path)
    axe_check(page)


def test_login_error_state_has_no_wcag_22_aa_violations(page, axe_path):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("nobody@example.cn")
    page.locator("input[name=password]").fill("wrong-password")
    submit(page)
    expect(page.locator("main")).to_contain_text("不正确")
    axe_check(page)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_mobile_nav_toggle_opens_the_menu_without_horizontal_scroll(mobile_page, tree, path):
    page = mobile_page
    page.goto(path)
    toggle = page.get_by_role("button", name="菜单")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav(page)).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav(page)).to_be_visible()
    expect(nav(page).get_by_role("link", name="登录", exact=True)).to_be_visible()
    if path == "/":
        screenshot(page, "home-mobile-open")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav(page)).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    screenshot(page, f"mobile{path.replace('/', '-').rstrip('-') or '-home'}")


@pytest.mark.parametrize("display_name", ["欧阳" + "长" * 30, ""])  # no display name: the email shows
def test_mobile_layout_holds_in_english_for_a_signed_in_user_with_a_long_name(mobile_page, display_name):
    page = mobile_page
    user = UserFactory(display_name=display_name, email="zhang.san.from.the.heping.community.grid.one@example.cn")
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.get_by_label("语言").select_option("en")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    submit(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    toggle = page.get_by_role("button", name="Menu")
    toggle.click()
    expect(nav(page).get_by_role("link", name=user.get_full_name())).to_be_visible()
    expect(nav(page).get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, f"mobile-en-signed-in{'-email' if not display_name else ''}")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]


LAYOUT_SHIFT_JS = """() => new Promise(resolve => {
  const entries = [];
  new PerformanceObserver(list => entries.push(...list.getEntries())).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(entries.filter(e => !e.hadRecentInput).reduce((sum, e) => sum + e.value, 0)), 500);
})"""


def test_header_menu_is_folded_from_the_first_paint_so_nothing_shifts(mobile_page, tree):
    """Lighthouse measured 0.22 cumulative layout shift when the script folded a menu drawn open."""
    page = mobile_page
    page.goto("/")
    expect(nav(page)).to_be_hidden()
    assert page.evaluate(LAYOUT_SHIFT_JS) < 0.01


def test_menu_and_language_switch_work_without_javascript_on_a_phone(browser, live_server, home_page):
    context = browser.new_context(java_script_enabled=False, viewport=MOBILE, base_url=live_server.url, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_role("button", name="菜单")).to_be_hidden()  # nothing to unfold without the script
        expect(nav(page).get_by_role("link", name="登录", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="切换")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= MOBILE["width"]
    finally:
        context.close()


def _sign_in(page, user):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        submit(page)


def test_study_completion_table_is_readable_at_1280_and_scrolls_inside_itself_on_a_phone(
    page, mobile_page, branch_a, secretary_a
):
    from home.factories import study, study_index
    from organizations.factories import RosterEntryFactory

    index = study_index(branch_a.page)
    for n in range(8):
        study(index, title=f"第{n + 1}期专题学习：基层党建引领社区治理")
    for n in range(3):
        RosterEntryFactory(branch=branch_a, name=f"欧阳明{n}", member_no=f"HEPING-1-00{n}")
    url = branch_a.page.url + "study/"
    for each in (page, mobile_page):
        _sign_in(each, secretary_a)
        each.goto(url)
        expect(each.locator(".study-table")).to_be_visible()
    # Desktop: a member's name on one line, item headings not standing on end (one character per line).
    name = page.locator(".study-table tbody th").first
    line = float(name.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert name.bounding_box()["height"] < 2 * line
    heading = page.locator(".study-table thead th").nth(2)
    font_size = float(heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert heading.bounding_box()["width"] > 5 * font_size  # at least five characters a line
    # Phone: the table scrolls inside its box; the page itself does not widen.
    scroller = mobile_page.locator(".table-scroll")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    assert mobile_page.evaluate("document.scrollingElement.scrollWidth") <= MOBILE["width"]
