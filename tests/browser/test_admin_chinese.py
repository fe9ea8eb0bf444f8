"""The page editor in Chinese, in Chromium: the strings Wagtail's JavaScript draws are Chinese, nothing is
fetched from another host, the editing-sessions ping answers 200, and the console stays clean."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from accounts.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_superuser_edits_a_page_in_chinese_with_no_english_js_strings_no_400_and_no_other_host(
    page, live_server, home_page
):
    admin = UserFactory(is_superuser=True, is_staff=True)
    own_host = urlparse(live_server.url).netloc
    failed, foreign, pings = [], [], []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).netloc not in ("", own_host) else None)
    page.on("response", lambda r: pings.append(r.status) if "/editing-sessions/ping/" in r.url else None)

    page.goto("/accounts/login/?next=/admin/")
    page.locator("input[name=login]").fill(admin.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    # The main menu (drawn by script): 页面, not 分页.
    expect(page.locator("#wagtail-sidebar")).to_contain_text("页面")
    expect(page.locator("#wagtail-sidebar")).not_to_contain_text("分页")

    page.goto(f"/admin/pages/{home_page.pk}/edit/")
    expect(page.locator('[role="tab"]').first).to_have_text(re.compile(r"^\s*内容\s*(\(|$)"))
    # Wagtail's JavaScript catalogue (djangojs) answers in Chinese, the project's strings included.
    assert page.evaluate("django.gettext('Insert a block')") == "插入区块"
    assert page.evaluate("django.gettext('Changes have been autosaved.')") == "更改已自动保存。"
    # The editing-sessions ping, as the page's script sends it.
    with page.expect_response(lambda r: "/editing-sessions/ping/" in r.url) as ping:
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert ping.value.status == 200
    page.locator("#id_title").fill("幸福街道（改）")
    page.wait_for_timeout(1500)

    assert all(status == 200 for status in pings), pings
    assert not failed, failed
    assert not foreign, foreign
