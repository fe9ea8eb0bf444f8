"""A resident answers a survey on a phone-sized screen, in Chromium, with the JavaScript steps."""

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.factories import UserFactory
from surveys import mixing
from surveys.factories import q, section, survey_page
from surveys.models import Answer, Response, SealedResponse, SurveyPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def survey(tree):
    return survey_page(
        tree["community"].page,
        title="出行与停车调查",
        mode=SurveyPage.Mode.ANONYMOUS,
        questions=[
            section("基本情况"),
            q("single_choice", "您家是否有小汽车？", choices=["有", "没有"], key="car"),
            section("停车"),
            q(
                "rating",
                "您对小区停车的满意程度",
                scale_min=1,
                scale_max=5,
                min_label="很不满意",
                max_label="很满意",
                show_if={"question": "car", "values": "有"},
            ),
            q("long_text", "其他建议", required=False),
        ],
    )


def test_resident_answers_on_a_phone_sees_the_missing_answer_and_submits_once(
    mobile_page, live_server, survey, axe_path
):
    page = mobile_page
    _sign_in(page, live_server, UserFactory())
    page.goto(survey.url)
    expect(page.get_by_text("第 1 步，共 2 步")).to_be_visible()
    expect(page.get_by_text("其他建议")).to_be_hidden()  # one step at a time
    # Skip the required question: the server answers with a message next to it, on its step.
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("您对小区停车的满意程度")).to_be_hidden()  # its condition is not met
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#survey-errors")).to_be_focused()
    question = page.locator(".survey-question--error")
    expect(question).to_contain_text("请回答此问题。")
    expect(question).to_be_visible()
    assert Response.objects.count() == 0
    # The page passes axe's WCAG 2.2 AA rules, errors shown.
    # Evaluated, not added as a <script>: the site's Content-Security-Policy refuses inline scripts.
    page.evaluate(axe_path.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(f"axe.run(document, {{runOnly: {json.dumps(WCAG_22_AA)}}})")
    assert result["violations"] == [], [v["id"] for v in result["violations"]]
    # Answer: the conditional question appears on the next step; a tap on a scale point picks it.
    page.get_by_text("有", exact=True).click()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("您对小区停车的满意程度")).to_be_visible()
    page.locator(".survey-scale__point", has_text="4").click()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="谢谢您的参与！")).to_be_visible()
    # Anonymous: sealed until a batch is mixed.
    assert SealedResponse.objects.count() == 1 and Response.objects.count() == 0
    # Coming back offers no second response.
    page.goto(survey.url)
    expect(page.get_by_text("您已经回答过本问卷")).to_be_visible()
    assert SealedResponse.objects.count() == 1 and Response.objects.count() == 0
    survey.closes_at = timezone.now() - dt.timedelta(seconds=1)
    survey.save()
    mixing.settle(survey)
    assert sorted(Answer.objects.values_list("choice", flat=True)) == ["4", "有"]
    # No horizontal scrolling on the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
