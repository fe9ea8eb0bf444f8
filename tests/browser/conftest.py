"""Browser fixtures: one Debian Chromium for the browser package, a fresh context per test.

Never `playwright install`: the tests drive the Chromium that `make test` installs from Debian.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from django.conf import settings
from django.db import connections
from django.test import Client

from accounts.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
# axe-core's tags for the WCAG 2.2 AA rule set (2.0, 2.1 and 2.2, levels A and AA).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MOBILE = {"width": 390, "height": 844}


@pytest.fixture(scope="package")
def browser(django_db_setup, live_server):
    """One Chromium for the browser tests, started after the test database and the live server.

    Package scope, not session: while Playwright runs, its event loop counts as running in the
    main thread, which would break asyncio tests elsewhere in the suite.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (`make system`).")
    test_connections = {alias: connections[alias] for alias in connections}
    # Playwright's sync API keeps an event loop running in this thread, so Django's ORM refuses to
    # run from tests and fixtures unless told it is safe (it is: they all run in this one thread).
    # Set only while Playwright runs, so the rest of the suite keeps Django's async-safety check.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        # With a loop running, Django looks connections up in per-context storage and would open
        # fresh ones: they lack the serialized test data (serialized_rollback) and, for in-memory
        # SQLite, are not the connection the live server shares. Keep using the test's own.
        for alias, connection in test_connections.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if saved is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


def _new_page(browser, live_server, viewport, **kwargs):
    # Readers' browsers ask for Chinese; LocaleMiddleware would otherwise follow Chromium's en-US.
    context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="zh-CN", **kwargs)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.js_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server, home_page):
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    context.close()
    assert not page.js_errors, f"JavaScript errors or failed loads: {page.js_errors}"


@pytest.fixture
def mobile_page(browser, live_server, home_page):
    context, page = _new_page(browser, live_server, MOBILE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()
    assert not page.js_errors, f"JavaScript errors or failed loads: {page.js_errors}"


@pytest.fixture
def axe_path():
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (or `make test`).")
    return AXE_JS


def axe_violations(page, tags=tuple(WCAG_22_AA)) -> list[dict]:
    """axe-core's violations of the rules with these tags (WCAG 2.2 AA unless told), one readable dict per rule."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (or `make test`).")
    # Evaluated through the DevTools protocol, not added as a <script>: the site's Content-Security-Policy
    # refuses inline scripts, and the test must not weaken it to look inside.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(result =>
            result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary.replace(/\\s+/g, " ")),
            })))""",
        list(tags),
    )


def axe_report(where: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)


def axe_check(page) -> None:
    """Fail with every WCAG 2.2 AA violation axe-core finds on the page."""
    violations = axe_violations(page)
    assert not violations, axe_report(page.url, violations)


def sign_in(page, user) -> None:
    """Sign in through allauth's form, as a person does, and wait for their name in the header."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("#site-nav")).to_contain_text(user.get_full_name())


def add_session(context, origin: str, user) -> None:
    """Give a browser context a signed-in session without the form (where signing in is not the point)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": origin}])
