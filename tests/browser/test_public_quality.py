"""Every public page type passes the quality bar, in Chinese and in English, at desktop and at phone width.

For one page of each type (content pages, lists, search, the account, notification, study, meeting and
appraisal pages a member sees, the status page and a missing page) the suite asserts:

- 0 axe-core violations (WCAG 2.2 AA and best practice);
- 0 Nu HTML Checker errors (vnu-jar from npm, run by Debian's Java: one JVM for every saved page);
- no horizontal overflow at 375 px (the page scrolls only vertically), no list bullet beside a card;
- no request to any host but the site's own, and no console error or uncaught script error;
- with the interface in English, every piece of Chinese text is inside an element marked lang="zh-hans"
  (WCAG 3.1.2, language of parts): editors' content, organisation and people's names, document numbers,
  posts, search queries.

One browser context per width walks the site in Chinese, then in English: anonymously first, then signed in
as a Party member, then as the branch secretary. Every finding is gathered and reported together, so one run
shows all that is left.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from django.conf import settings

from consultation.models import ConsultationPage
from home.models import (
    BranchPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PolicyIndexPage,
    PolicyPage,
    StudyIndexPage,
    StudyPage,
)
from surveys.models import SatisfactionSurveyPage, SurveyPage

from . import public_site
from .conftest import DESKTOP, PROJECT_ROOT, WCAG_22_AA, add_session, axe_report, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
world = public_site.world  # the fixture: every public page type, filled in

VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE = {"width": 375, "height": 812}
LANGUAGES = ("zh-hans", "en")
CONTENT_LANG = public_site.CONTENT_LANG

# Text nodes (and the accessible names and hints people read) holding Chinese whose nearest lang is not Chinese.
UNMARKED_CHINESE_JS = """() => {
  const han = /\\p{Script=Han}/u;
  const langOf = el => ((el.closest("[lang]") || document.documentElement).getAttribute("lang") || "").toLowerCase();
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    if (!han.test(text) || el.closest("script, style, template, noscript")) continue;
    if (!langOf(el).startsWith("zh")) found.push(`<${el.tagName.toLowerCase()}> ${text.slice(0, 50)}`);
  }
  for (const el of document.body.querySelectorAll("[title], [aria-label], [placeholder], [alt]")) {
    for (const name of ["title", "aria-label", "placeholder", "alt"]) {
      const value = el.getAttribute(name);
      if (value && han.test(value) && !langOf(el).startsWith("zh")) found.push(`@${name} ${value.slice(0, 50)}`);
    }
  }
  return found;
}"""


# Cards in a list are drawn without bullets (home, section, index and notification cards on phones).
BULLETED_CARDS_JS = """() => [...document.querySelectorAll("li.card")]
  .filter(li => getComputedStyle(li).display === "list-item" && getComputedStyle(li).listStyleType !== "none")
  .map(li => li.textContent.trim().slice(0, 40))"""


def _anonymous_pages(world: dict) -> list[tuple[str, str, int]]:
    """(name, url, expected status) of every page type a visitor reaches without signing in."""
    return [
        ("home", world[HomePage].url, 200),
        ("organisation section", world[BranchPage].url, 200),
        ("policy index", world[PolicyIndexPage].url, 200),
        ("policy", world[PolicyPage].url, 200),
        ("news index", world[NewsIndexPage].url, 200),
        ("news", world[NewsPage].url, 200),
        ("study index", world[StudyIndexPage].url, 200),
        ("study material", world[StudyPage].url, 200),
        ("consultation index", "/consultations/", 200),
        ("consultation", world[ConsultationPage].url, 200),
        ("consultation vote", world["voting"].url, 200),
        ("survey index", "/surveys/", 200),
        ("survey", world[SurveyPage].url, 200),
        ("satisfaction survey", world[SatisfactionSurveyPage].url, 200),
        ("survey results", world["closed_survey"].url + "results/", 200),
        ("search", "/search/?q=党章", 200),
        ("sign in", "/accounts/login/", 200),
        ("sign up", "/accounts/signup/", 200),
        ("service status", "/status/", 200),
        ("page not found", "/no-such-page/", 404),
    ]


def _member_pages(world: dict) -> list[tuple[str, str, int]]:
    """Pages a Party member sees once signed in."""
    campaign = world["campaign"]
    return [
        ("home, signed in", "/", 200),
        ("survey form, signed in", world[SurveyPage].url, 200),
        ("consultation with the post form", world[ConsultationPage].url, 200),
        ("study progress", world[StudyIndexPage].url + "progress/", 200),
        ("meeting records", world[BranchPage].url + "meetings/", 200),
        ("notifications", "/notifications/", 200),
        ("profile", "/accounts/profile/", 200),
        ("appraisals", "/evaluation/", 200),
        ("appraisal", f"/evaluation/{campaign.pk}/", 200),
        ("self-assessment", f"/evaluation/{campaign.pk}/self-assessment/", 200),
    ]


def _secretary_pages(world: dict) -> list[tuple[str, str, int]]:
    """What the branch secretary sees of the branch: the study completion table (wide, scrolled)."""
    return [("study completion", world[BranchPage].url + "study/", 200)]


class Quality:
    """Walks pages in one browser context and gathers every finding, page by page."""

    def __init__(self, context, origin: str, width: str, html_dir: Path):
        self.context, self.origin, self.width, self.html_dir = context, origin, width, html_dir
        self.page = context.new_page()
        self.findings: list[str] = []
        self.saved: dict[Path, str] = {}
        self.current = ""
        self.allowed_console: set[str] = set()
        self.page.on("pageerror", lambda error: self._found(f"uncaught script error: {error}"))
        self.page.on("console", self._console)
        self.page.on("request", self._request)

    def _found(self, what: str) -> None:
        self.findings.append(f"{self.current}: {what}")

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium reports the 404 of a missing page's own document as a failed load: that one is expected.
        if message.location.get("url") in self.allowed_console:
            return
        # Allowed: the test's live server speaks HTTP only, so the consultation page's live-update socket
        # is refused; the page falls back to reloading (tests/consultation/test_live*.py cover the socket).
        if message.text.startswith("WebSocket connection to ") and "/ws/consultations/" in message.text:
            return
        self._found(f"console error: {message.text} ({message.location.get('url')})")

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin and parts.netloc != urlsplit(self.origin).netloc:
            self._found(f"request to another host: {request.url}")

    def visit(self, name: str, url: str, status: int, language: str) -> None:
        self.current = f"{name} [{language}, {self.width}] {url}"
        if status != 200:
            self.allowed_console = {self.origin + url}
        response = self.page.goto(url)
        if response.status != status:
            self._found(f"answered {response.status}, expected {status}")
        self.allowed_console = set()
        lang = self.page.locator("html").get_attribute("lang")
        if lang != language:
            self._found(f'<html lang="{lang}">, expected "{language}"')
        violations = axe_violations(self.page, WCAG_22_AA + ["best-practice"])
        if violations:
            self.findings.append(axe_report(self.current, violations))
        for card in self.page.evaluate(BULLETED_CARDS_JS):
            self._found(f"a list bullet beside a card: {card}")
        scroll_width, inner_width = self.page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll_width > inner_width:
            self._found(f"horizontal overflow: {scroll_width}px wide in a {inner_width}px window")
        if language != CONTENT_LANG:
            for text in self.page.evaluate(UNMARKED_CHINESE_JS):
                self._found(f'Chinese without lang="{CONTENT_LANG}": {text}')
        # The HTML as the server sent it, for the Nu HTML Checker (both widths get the same, so one copy).
        if self.width == "desktop":
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            path = self.html_dir / f"{language}-{slug}.html"
            path.write_text(response.text(), encoding="utf-8")
            self.saved[path] = self.current


def _set_language(context, origin: str, language: str) -> None:
    context.clear_cookies()
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": origin}])


# A page with a known error, checked with the others: proves the checker ran and that its report was read.
CANARY = '<!DOCTYPE html><html lang="en"><title>canary</title><p><time datetime="2026-01-01T00:00:00.123456">x</time>'


def nu_html_errors(files: dict[Path, str], tmp_path: Path) -> list[str]:
    """The Nu HTML Checker's errors on all the files, from one JVM."""
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run `npm ci` (or `make test`).")
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", str(canary), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if not result.stdout.strip():
        pytest.fail(f"The Nu HTML Checker gave no report (exit {result.returncode}): {result.stderr[-2000:]}")
    by_file = {path.resolve().as_uri(): where for path, where in files.items()}
    errors, canary_seen = [], False
    for message in json.loads(result.stdout)["messages"]:
        if message["type"] in ("error", "non-document-error") or message.get("subType") == "fatal":
            if message.get("url", "").endswith("/canary.html"):
                canary_seen = canary_seen or "fraction of a second" in message["message"]
                continue
            where = by_file.get(message.get("url", ""), message.get("url", ""))
            extract = message.get("extract", "").replace("\n", " ")
            errors.append(f"{where}: line {message.get('lastLine')}: {message['message']} — “{extract}”")
    assert canary_seen, f"The Nu HTML Checker did not report the canary's error: {result.stdout[:2000]}"
    return errors


def test_every_public_page_type_passes_axe_nu_html_checker_phone_width_requests_and_console(
    browser, live_server, world, tmp_path
):
    origin = live_server.url
    member = world["members"][0]
    findings: list[str] = []
    saved: dict[Path, str] = {}
    for width, viewport in (("desktop", DESKTOP), ("375px", PHONE)):
        context = browser.new_context(viewport=viewport, base_url=origin, locale="zh-CN")
        context.set_default_timeout(10_000)
        quality = Quality(context, origin, width, tmp_path)
        try:
            for language in LANGUAGES:
                _set_language(context, origin, language)
                for name, url, status in _anonymous_pages(world):
                    quality.visit(name, url, status, language)
                add_session(context, origin, member)
                for name, url, status in _member_pages(world):
                    quality.visit(name, url, status, language)
                add_session(context, origin, world["secretary"])
                for name, url, status in _secretary_pages(world):
                    quality.visit(name, url, status, language)
        finally:
            context.close()
        findings += quality.findings
        saved.update(quality.saved)

    pages = _anonymous_pages(world) + _member_pages(world) + _secretary_pages(world)
    assert len(saved) == len(LANGUAGES) * len(pages)
    findings += nu_html_errors(saved, tmp_path)
    assert not findings, f"{len(findings)} finding(s):\n" + "\n".join(findings)
