"""axe-core, injected into Debian's Chromium, finds no WCAG 2.2 AA violation on the survey, ballot,
consultation and account forms, in every state a reader's actions reach (errors, receipts, two-factor
prompts), in Chinese and in English. axe's best-practice rules (heading order, landmarks, empty table
headers) run alongside and must pass too. Every public page type as first opened is walked by
test_public_quality.py (axe, the Nu HTML Checker, phone width, requests, console, language of parts).

One browser context per language walks the forms as a reader would: anonymous first, then signed in as
a Party member (appraisal, vote, password and two-factor pages), then as a user with two-factor
authentication (the code prompt and the recovery codes). Every violation on every page is collected and
reported together, so one run shows all that is left to fix.
"""

from __future__ import annotations

import os

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from playwright.sync_api import expect

from wagtail.models import Page, get_page_models

from accounts.factories import PASSWORD
from consultation.models import ConsultationPage
from evaluation.models import Stage
from home.models import StudyPage
from surveys.models import SatisfactionSurveyPage, SurveyPage

from . import public_site
from .conftest import DESKTOP, MOBILE, WCAG_22_AA, axe_report, axe_violations
from .public_site import CONTENT_LANG, EVERY_QUESTION, PAGE_BUILDERS, SCREENSHOTS

pytestmark = pytest.mark.browser
world = public_site.world  # the fixture: every public page type, filled in


def test_every_public_page_type_has_an_axe_case():
    page_types = {model for model in get_page_models() if model is not Page}
    missing = sorted(model._meta.label for model in page_types - set(PAGE_BUILDERS))
    assert not missing, f"Page types without an axe case in PAGE_BUILDERS: {missing}"


class Walk:
    """Visits pages in one browser context, checks <html lang>, and gathers axe's findings for one report."""

    def __init__(self, page, language: str):
        self.page, self.language = page, language
        self.reports: list[str] = []
        self.checked: list[str] = []

    def check(self, name: str, url: str | None = None, status: int = 200) -> None:
        if url is not None:
            response = self.page.goto(url)
            assert response.status == status, f"{name}: {url} answered {response.status}"
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        violations = axe_violations(self.page, WCAG_22_AA + ["best-practice"])
        if violations:
            self.reports.append(axe_report(f"{name} [{self.language}] {self.page.url}", violations))
        self.checked.append(name)
        if SCREENSHOTS:
            os.makedirs(SCREENSHOTS, exist_ok=True)
            slug = "".join(c if c.isalnum() else "-" for c in name)
            self.page.screenshot(path=os.path.join(SCREENSHOTS, f"a11y-{self.language}-{slug}.png"), full_page=True)

    def content_language(self, locator) -> None:
        """Editors' Chinese keeps its own lang inside an English interface (WCAG 3.1.2, language of parts)."""
        lang = locator.first.evaluate("element => element.closest('[lang]').lang")
        assert lang == CONTENT_LANG, f"{locator} on {self.page.url} is marked lang={lang!r}"


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.locator("#site-nav form button[type=submit]").click()


def _totp_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time())) + 1  # the current period (tolerance on either side)
    return format_hotp_value(hotp_value(secret, counter))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_type_and_form_passes_axe_wcag_22_aa_and_best_practice_rules(browser, live_server, world, language):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    walk = Walk(page, language)
    try:
        _walk_the_site(page, walk, world, language)
    finally:
        context.close()
    assert not walk.reports, "\n\n".join(walk.reports)
    assert not errors, f"JavaScript errors: {errors}"


def _walk_the_site(page, walk: Walk, world: dict, language: str) -> None:
    page.goto("/")
    if language != "zh-hans":
        # As a reader switches: the chooser in the header, which sets the language cookie.
        with page.expect_navigation():
            page.locator("#language-select").select_option(language)

    # Anonymous. Every public page type, the lists, search, sign-in, sign-up and a missing page are walked at
    # both widths in both languages by test_public_quality.py (axe, Nu HTML Checker, language of parts); here
    # the states only a reader's actions reach: forms with errors, closed and invitation-only surveys.
    walk.check("consultation vote (signed out)", world["voting"].url)
    walk.check("closed survey", world["closed_survey"].url)
    walk.check("survey asking for an invitation code", world["invitation_survey"].url)
    walk.check("search, no results", "/search/?q=没有这个词")
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("nobody@example.cn")
    page.locator("input[name=password]").fill("wrong-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main .errorlist")).to_be_visible()
    walk.check("login with errors")
    page.goto("/accounts/signup/")
    # Errors the server finds (the browser's own checks pass): a taken address, passwords that differ.
    page.locator("input[name=email]").fill(world["members"][0].email)
    page.locator("input[name=display_name]").fill("王小明")
    page.locator("input[name=password1]").fill("Qiang-Zhuang-2026")
    page.locator("input[name=password2]").fill("Qiang-Zhuang-2027")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    walk.check("signup with errors")
    walk.check("password reset", "/accounts/password/reset/")
    walk.check("password reset sent", "/accounts/password/reset/done/")
    member = world["members"][0]
    walk.check("password reset from key", _reset_url(member))

    # A Party member: forms to answer, vote, appraise; the account pages.
    _sign_in(page, member.email)
    walk.check("email addresses", "/accounts/email/")
    walk.check("password change", "/accounts/password/change/")
    walk.check("two-factor index", "/accounts/2fa/")
    walk.check("two-factor activation", "/accounts/2fa/totp/activate/")
    walk.check("sign-out confirmation", "/accounts/logout/")
    walk.check("notification settings", "/notifications/settings/")
    survey = world[SurveyPage]
    walk.check("survey form", survey.url)
    # Every question type is on the one step, so axe saw them all.
    expect(page.locator(".survey-question")).to_have_count(len(EVERY_QUESTION) - 1)
    expect(page.locator(".survey-question").last).to_be_visible()
    for text in ("您希望社区开展哪些活动？", "健康讲座", "便民服务", "好", "绿化", "很差", "单选"):
        walk.content_language(page.get_by_text(text, exact=True))
    # The satisfaction scale is the site's own wording, translated: it stays in the reader's language.
    satisfied = "满意" if language == "zh-hans" else "Satisfied"
    assert page.get_by_text(satisfied, exact=True).first.evaluate("e => e.closest('[lang]').lang") == language
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".survey-question--error").first).to_be_visible()
    walk.check("survey form with errors")
    walk.check("survey thanks", survey.url + "?done=1")
    walk.check("satisfaction survey form", world[SatisfactionSurveyPage].url)
    walk.check("consultation thread and post form", world[ConsultationPage].url)
    walk.check("consultation vote form", world["voting"].url)
    expect(page.locator("#vote form input[type=radio]")).to_have_count(2)
    walk.check("consultation outcome rating form", world["rating"].url)
    walk.check("study page with the studied form", world[StudyPage].url)
    campaign = world["campaign"]
    walk.check("self-assessment form", f"/evaluation/{campaign.pk}/self-assessment/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    walk.check("self-assessment form after saving")
    campaign.move_to(Stage.BALLOTING, world["secretary"])
    walk.check("ballot form 民主测评表", f"/evaluation/{campaign.pk}/ballot/")
    rows = page.locator("fieldset.ballot-row")
    expect(rows).to_have_count(len(world["members"]) - 1)
    for index in range(rows.count()):
        rows.nth(index).locator("input[type=radio]").nth(index % 2).check()
    with page.expect_navigation():
        page.locator("form.ballot button[type=submit]").click()
    expect(page.locator(".receipt code")).to_be_visible()
    walk.check("ballot receipt")
    walk.check("ballot already cast", f"/evaluation/{campaign.pk}/ballot/")
    walk.check("masses' representatives' ballot", f"/evaluation/{campaign.pk}/masses-ballot/")
    campaign.move_to(Stage.ASSESSMENT, world["secretary"])
    walk.check("published ballots", f"/evaluation/{campaign.pk}/ballots/")
    page.locator("#id_receipt, input[name=receipt]").first.fill("0" * 64)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    walk.check("published ballots, receipt not found")

    # On a phone: the menu open, and the forms residents fill in there.
    page.set_viewport_size(MOBILE)
    page.goto("/")
    page.locator(".nav-toggle").click()
    expect(page.locator("#site-nav")).to_be_visible()
    walk.check("phone: home with the menu open")
    walk.check("phone: survey form", world[SatisfactionSurveyPage].url)
    walk.check("phone: consultation vote form", world["voting"].url)
    page.set_viewport_size(DESKTOP)
    _sign_out(page)

    # Two-factor sign-in: the code prompt, then the pages of an account that has two-factor on.
    _sign_in(page, world["totp_user"].email)
    expect(page.locator("input[name=code]")).to_be_visible()
    walk.check("two-factor code prompt")
    page.locator("input[name=code]").fill(_totp_code(world["totp_secret"]))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    walk.check("two-factor index, on", "/accounts/2fa/")
    walk.check("recovery codes", "/accounts/2fa/recovery-codes/")
    walk.check("two-factor deactivation", "/accounts/2fa/totp/deactivate/")
    walk.check("reauthentication", "/accounts/2fa/reauthenticate/")


def _reset_url(user) -> str:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    return f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}/"
