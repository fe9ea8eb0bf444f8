"""axe-core, injected into Debian's Chromium, finds no WCAG 2.2 AA violation on any public page type, nor on
the survey, ballot, consultation and account forms, in Chinese and in English. axe's best-practice rules
(heading order, landmarks, empty table headers) run alongside and must pass too.

One browser context per language walks the whole site as a reader would: anonymous first, then signed in as
a Party member (appraisal, vote, profile, password and two-factor pages), then as a user with two-factor
authentication (the code prompt and the recovery codes). Every violation on every page is collected and
reported together, so one run shows all that is left to fix.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from playwright.sync_api import expect

from django.utils import timezone

from wagtail.models import Page, get_page_models

from accounts.factories import PASSWORD, UserFactory
from consultation.factories import make_consultation, make_posts
from consultation.models import ConsultationPage
from consultation.models import Stage as ConsultationStage
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Stage
from home import factories as content
from home.models import (
    BranchPage,
    HomePage,
    MeetingRecord,
    NewsIndexPage,
    NewsPage,
    PolicyIndexPage,
    PolicyPage,
    StudyIndexPage,
    StudyPage,
)
from organizations.factories import RosterEntryFactory
from surveys.factories import q, satisfaction_page, section, survey_page
from surveys.lib import SATISFACTION_LEVELS
from surveys.models import Answer, Response, SatisfactionSurveyPage, SurveyPage

from .conftest import DESKTOP, MOBILE, WCAG_22_AA, axe_report, axe_violations

pytestmark = pytest.mark.browser
CONTENT_LANG = "zh-hans"  # WAGTAIL_CONTENT_LANGUAGES: editors write in Chinese whatever the reader's language
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS")  # a directory; unset means no screenshots

# Every question type the survey builder offers, in one step, so that axe sees them all at once.
EVERY_QUESTION = [
    section("基本情况", intro="请根据实际情况填写。"),
    q("single_choice", "您的年龄段", choices=["30岁以下", "30–59岁", "60岁及以上"], key="age", help_text="单选"),
    q("multiple_choice", "您希望社区开展哪些活动？", choices=["健康讲座", "文艺演出", "志愿服务"], max_picks=2),
    q("rating", "您对社区环境的总体评价", scale_min=1, scale_max=5, min_label="很差", max_label="很好"),
    q("nps", "您有多大可能向邻居推荐社区服务站？", min_label="不可能", max_label="非常可能"),
    q("matrix", "您对以下服务的评价", rows=["便民服务", "文体活动"], columns=["好", "一般", "差"]),
    q("satisfaction", "请对以下方面作出评价", dimensions=[{"label": "服务态度", "weight": 1}]),
    q("ranking", "请按重要程度排序", choices=["停车", "绿化", "安防"]),
    q("short_text", "您居住的楼栋", max_length=50),
    q("long_text", "其他建议", required=False),
    q("number", "家庭常住人口", min_value=1, max_value=20, whole_numbers=True),
    q("date", "您入住本社区的时间", required=False),
]
SAMPLE_ANSWERS = {
    "single_choice": "30–59岁",
    "multiple_choice": ["健康讲座", "志愿服务"],
    "rating": "4",
    "nps": "9",
    "matrix": {"便民服务": "好", "文体活动": "一般"},
    "satisfaction": {"服务态度": SATISFACTION_LEVELS[0][0]},
    "ranking": {"停车": 1, "绿化": 2, "安防": 3},
    "short_text": "3号楼",
    "long_text": "希望增加夜间照明。",
    "number": 3.0,
    "date": dt.date(2018, 5, 1),
}


def _store_responses(survey: SurveyPage, count: int) -> None:
    """Responses as the answering form stores them (through each block's own answer rows)."""
    for _ in range(count):
        response = Response.objects.create(survey=survey, submitted_on=timezone.localdate())
        for qid, block, value, _section in survey.question_list():
            for row in block.answer_rows(value, SAMPLE_ANSWERS[block.question_type]):
                Answer.objects.create(
                    response=response,
                    survey=survey,
                    question=qid,
                    row=row.row,
                    choice=row.choice,
                    number=row.number,
                    text=row.text,
                    date=row.date,
                )


# One builder per public page type, each given what was built before it. A Page subclass added to the
# project without a builder here fails test_every_public_page_type_has_an_axe_case.
def _community(world) -> BranchPage:
    return BranchPage.objects.get(pk=world["tree"]["community"].page_id)


def _branch(world) -> BranchPage:
    return BranchPage.objects.get(pk=world["tree"]["branch_a"].page_id)


def _consultation(world) -> ConsultationPage:
    page = make_consultation(_branch(world), stage=ConsultationStage.DELIBERATING)
    make_posts(page, [world["neighbour"]], 3, replies_per_post=1)
    return page


PAGE_BUILDERS = {
    HomePage: lambda world: world["tree"]["street"].page.specific,
    BranchPage: _branch,
    PolicyIndexPage: lambda world: content.policy_index(_community(world), intro="和平社区党委发布的政策文件。"),
    PolicyPage: lambda world: content.policy(world[PolicyIndexPage], body="各网格要做好排查工作。"),
    StudyIndexPage: lambda world: content.study_index(_community(world), intro="理论学习材料。"),
    StudyPage: lambda world: content.study(world[StudyIndexPage], title="学习党章", body="认真学习党章。"),
    NewsIndexPage: lambda world: content.news_index(_community(world), intro="社区新闻。"),
    NewsPage: lambda world: content.news(world[NewsIndexPage], title="社区举办邻里节", body="居民们欢聚一堂。"),
    ConsultationPage: _consultation,
    SurveyPage: lambda world: survey_page(
        _community(world), title="社区居民问卷", intro="感谢您参与。", questions=EVERY_QUESTION
    ),
    SatisfactionSurveyPage: lambda world: satisfaction_page(
        _community(world), target_organization=world["tree"]["community"], round_label="2026年度"
    ),
}


def test_every_public_page_type_has_an_axe_case():
    page_types = {model for model in get_page_models() if model is not Page}
    missing = sorted(model._meta.label for model in page_types - set(PAGE_BUILDERS))
    assert not missing, f"Page types without an axe case in PAGE_BUILDERS: {missing}"


@pytest.fixture
def world(tree, branch_a, secretary_a):
    """Every public page type; a consultation open for votes; an appraisal; a closed survey with public results."""
    world = {"tree": tree, "neighbour": UserFactory(display_name="邻居")}
    world["members"] = []
    for index in range(4):
        user = UserFactory(display_name=f"党员{index}")
        RosterEntryFactory(branch=branch_a, user=user, name=f"党员{index}", member_no=f"M{index:02d}")
        world["members"].append(user)
    for model, builder in PAGE_BUILDERS.items():
        world[model] = builder(world)
    world["voting"] = make_consultation(
        _branch(world), stage=ConsultationStage.VOTING, options=["同意", "不同意"], title="加装电梯表决"
    )
    world["rating"] = make_consultation(_branch(world), stage=ConsultationStage.RATING, title="楼道照明改造评议")
    world["invitation_survey"] = survey_page(
        _community(world), title="凭邀请码填写的问卷", mode=SurveyPage.Mode.INVITATION, questions=EVERY_QUESTION[:3]
    )
    closed = survey_page(
        _community(world),
        title="已结束的问卷",
        questions=EVERY_QUESTION,
        opens_at=timezone.now() - dt.timedelta(days=10),
        results_visibility=SurveyPage.ResultsVisibility.PUBLIC_AFTER_CLOSE,
    )
    _store_responses(closed, 4)
    SurveyPage.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - dt.timedelta(days=1))
    world["closed_survey"] = closed
    MeetingRecord.objects.create(
        branch=branch_a,
        kind="committee",
        date=timezone.localdate() - dt.timedelta(days=3),
        topic="支委会：研究年度民主评议",
        due=5,
        present=4,
        absent=1,
        content="讨论民主评议安排。",
    )
    campaign = AppraisalCampaignFactory(branch=branch_a, year=timezone.localdate().year, masses_enabled=True)
    campaign.enrol_members()
    campaign.move_to(Stage.SELF_ASSESSMENT, secretary_a)
    world["campaign"] = campaign
    world["secretary"] = secretary_a
    # Signs in with a one-time code: the two-factor prompt and the recovery codes.
    world["totp_user"] = UserFactory(display_name="双重验证用户")
    world["totp_secret"] = generate_totp_secret()
    TOTP.activate(world["totp_user"], world["totp_secret"])
    RecoveryCodes.activate(world["totp_user"])
    return world


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

    # Anonymous: every public page type, the lists, search, the account forms, a missing page.
    for model in PAGE_BUILDERS:
        walk.check(model._meta.label, world[model].url)
        walk.content_language(page.locator("main h1"))
    page.goto(world[ConsultationPage].url)
    walk.content_language(page.get_by_text(world[ConsultationPage].summary))
    page.goto(world[StudyIndexPage].url)
    walk.content_language(page.locator(".page-list h2"))
    page.goto(world[NewsPage].url)
    walk.content_language(page.get_by_text("居民们欢聚一堂。"))  # the body
    walk.check("consultation vote (signed out)", world["voting"].url)
    walk.check("consultation index", "/consultations/")
    walk.content_language(page.locator("main li h2"))
    walk.check("survey index", "/surveys/")
    walk.content_language(page.get_by_role("link", name="社区居民问卷"))
    walk.check("survey results", world["closed_survey"].url + "results/")
    walk.check("closed survey", world["closed_survey"].url)
    walk.check("survey asking for an invitation code", world["invitation_survey"].url)
    walk.check("search results", "/search/?q=党章")
    walk.content_language(page.get_by_role("link", name="学习党章"))
    walk.check("search, no results", "/search/?q=没有这个词")
    walk.check("login", "/accounts/login/")
    page.locator("input[name=login]").fill("nobody@example.cn")
    page.locator("input[name=password]").fill("wrong-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main .errorlist")).to_be_visible()
    walk.check("login with errors")
    walk.check("signup", "/accounts/signup/")
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
    walk.check("404", "/no-such-page/", status=404)

    # A Party member: forms to answer, vote, appraise; the account pages.
    _sign_in(page, member.email)
    walk.check("home, signed in", "/")
    walk.check("profile", "/accounts/profile/")
    walk.check("email addresses", "/accounts/email/")
    walk.check("password change", "/accounts/password/change/")
    walk.check("two-factor index", "/accounts/2fa/")
    walk.check("two-factor activation", "/accounts/2fa/totp/activate/")
    walk.check("sign-out confirmation", "/accounts/logout/")
    walk.check("notifications", "/consultations/notifications/")
    walk.check("notification settings", "/consultations/notifications/settings/")
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
    branch = world[BranchPage]
    walk.check("meeting records", branch.url + "meetings/")
    walk.check("study progress", world[StudyIndexPage].url + "progress/")
    campaign = world["campaign"]
    walk.check("appraisal list", "/evaluation/")
    walk.check("appraisal", f"/evaluation/{campaign.pk}/")
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
