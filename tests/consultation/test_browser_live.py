"""As a new user would, in two browsers: a resident posts and the other browser shows it without
reloading; a reply notifies the first resident. Served by uvicorn (HTTP + WebSocket) in a thread."""

import re

import pytest
from playwright.sync_api import expect

from accounts.factories import PASSWORD, UserFactory
from consultation.models import ConsultationPage, Statement
from notifications.models import Notification
from tests.asgi_server import chromium, serving
from tests.consultation.conftest import end_other_sessions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def asgi_server(consultation, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with serving() as base:
        yield base
    end_other_sessions()


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


def _signed_in(browser, base, user):
    context = browser.new_context(base_url=base, locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return context, page


def test_a_post_appears_live_in_another_browser_and_a_reply_notifies_its_author(asgi_server, browser, consultation):
    first = UserFactory(display_name="张秀英")
    second = UserFactory(display_name="李建国")
    context_a, page_a = _signed_in(browser, asgi_server, first)
    context_b, page_b = _signed_in(browser, asgi_server, second)
    for page in (page_a, page_b):
        page.goto(consultation.url)
        expect(page.locator("[data-live-connected]")).to_have_count(1)
    page_b.evaluate("window.__notReloaded = true")

    page_a.locator("#post-body").fill("建议在楼前增设无障碍坡道。")
    page_a.get_by_role("button", name="发布").click()
    expect(page_a.locator(".posts")).to_contain_text("建议在楼前增设无障碍坡道。")

    arrived = page_b.locator(".posts .post", has_text="建议在楼前增设无障碍坡道。")
    expect(arrived).to_be_visible()
    expect(arrived).to_contain_text("张秀英")
    assert page_b.evaluate("window.__notReloaded") is True
    # Issue 12.2: the live copy is the post as it will be after a reload: no badge it should not have,
    # the same time format, and the report button.
    expect(arrived.locator(".badge--official")).to_have_count(0)
    expect(arrived.locator(".badge:visible")).to_have_count(0)
    expect(arrived.locator("time")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    expect(arrived.locator(".post__report summary")).to_have_text("举报")
    live_text = arrived.inner_text()
    page_b.reload()
    assert page_b.locator(".posts > .post", has_text="建议在楼前增设无障碍坡道。").inner_text() == live_text

    # The second resident replies (after a reload, through the server-rendered form).
    page_b.reload()
    post = page_b.locator(".posts > .post", has_text="建议在楼前增设无障碍坡道。")
    post.locator("summary", has_text="回复").click()
    post.locator("textarea[name=body]").fill("同意，坡道还方便推婴儿车。")
    post.get_by_role("button", name="发送回复").click()
    # The first resident sees the reply arrive live under the post, and is notified.
    expect(page_a.locator(".post .post", has_text="同意，坡道还方便推婴儿车。")).to_be_visible()
    assert Notification.objects.filter(recipient=first, kind=Notification.Kind.REPLY).count() == 1
    page_a.goto("/notifications/")
    expect(page_a.locator("main")).to_contain_text("李建国")

    # Issue 12.21: on the opinion map the chosen answer looks chosen, and the resident reads their own answer.
    statement = Statement.objects.create(consultation=consultation, text="坡道应当先于电梯建设。", approved=True)
    ConsultationPage.objects.filter(pk=consultation.pk).update(opinion_map_enabled=True)
    page_b.goto(consultation.url)
    item = page_b.locator(f"#statement-{statement.pk}")
    item.get_by_role("button", name="同意", exact=True).click()
    item = page_b.locator(f"#statement-{statement.pk}")
    expect(item).to_contain_text("您的回答：同意")
    chosen = item.locator("button[value=agree]")
    other = item.locator("button[value=disagree]")
    expect(chosen).to_have_attribute("aria-pressed", "true")
    background = "e => getComputedStyle(e).backgroundColor"
    assert chosen.evaluate(background) != other.evaluate(background)
    assert other.evaluate(background) == "rgb(255, 255, 255)"

    assert not page_a.js_errors and not page_b.js_errors
    context_a.close()
    context_b.close()
