"""Surveys in the Wagtail admin, in Chromium at desktop size and in Chinese: the survey builder works.

A branch editor builds a survey with every question type, sections and a show-if condition, reorders
and duplicates blocks, saves a draft and submits it; the branch secretary approves it (the branch
workflow); a satisfaction survey is made from its preset; a resident answers at phone size and the
answer shows in the results. The `page` and `mobile_page` fixtures fail on any console error.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from django.urls import reverse
from django.utils import timezone, translation

from surveys.factories import add_responses, q, qid, satisfaction_page, section, survey_page
from surveys.models import Answer, Response, SatisfactionSurveyPage, SealedResponse, SurveyPage
from surveys.presets import DEFAULT_DIMENSIONS
from surveys.questions import SurveyQuestionsBlock

from .conftest import add_session, axe_check

with translation.override("zh-hans"):
    BLOCK_LABELS = {name: str(block.meta.label) for name, block in SurveyQuestionsBlock().child_blocks.items()}

# Wagtail's autosave posts the form while it is being filled in and answers 400 (JSON: "validation_error")
# while it is invalid, e.g. between typing a show-if question and its answers, or with one of two
# required choices filled. Chromium logs every 4xx fetch as a console error. Nothing is lost (the next
# autosave or the save button sends everything), so these, and only these, are allowed: 400 answers
# to POSTs on the page's own add or edit URL, one console message each.
AUTOSAVE_URL = re.compile(r"/admin/pages/(add/surveys/\w+/\d+|\d+/edit)/$")
AUTOSAVE_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


def allow_autosave_validation_errors(page) -> list:
    """Record the autosave 400s of `page`; call `forgive_autosave_errors` before the test ends.

    The autosaves that succeed (JSON, 200) are recorded in `page.autosaves`.
    """
    refused, page.autosaves = [], []

    def record(response):
        if response.request.method != "POST" or not AUTOSAVE_URL.search(response.url):
            return
        if response.status == 400:
            refused.append(response.url)
        elif response.status == 200 and response.headers.get("content-type", "").startswith("application/json"):
            page.autosaves.append(response.url)

    page.on("response", record)
    return refused


def forgive_autosave_errors(page, refused: list) -> None:
    for _url in refused:
        if AUTOSAVE_400 in page.js_errors:
            page.js_errors.remove(AUTOSAVE_400)


# DJANGO_ALLOW_ASYNC_UNSAFE is set by the `browser` fixture (conftest.py) while Playwright runs.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def stream(page):
    """The questions StreamField of the page editor."""
    return page.locator("#questions-root > [data-streamfield-stream-container]")


def blocks_of(page):
    """The top-level blocks of the questions stream (list items inside a block are not counted)."""
    return stream(page).locator(":scope > [data-streamfield-child]")


def test_the_editor_of_an_existing_survey_of_each_type_opens_without_errors(page, live_server, editor_a, branch_a):
    general = survey_page(
        branch_a.page,
        title="社区服务问卷",
        questions=[
            section("基本情况"),
            q("single_choice", "您的年龄段", choices=["30岁以下", "60岁及以上"], key="age"),
            q("nps", "推荐程度", min_label="不可能", max_label="非常可能"),
            q("satisfaction", "满意度", dimensions=[{"label": "服务态度", "weight": 1}]),
            section("老年人", show_if={"question": "age", "values": "60岁及以上"}),
            q("long_text", "建议", required=False),
        ],
    )
    satisfaction = satisfaction_page(branch_a.page, target_organization=branch_a)
    add_session(page.context, live_server.url, editor_a)
    for survey, last_label in ((general, "建议"), (satisfaction, "意见建议")):
        page.goto(reverse("wagtailadmin_pages:edit", args=[survey.pk]))
        # Every block of the stream is drawn, the last one included.
        expect(blocks_of(page)).to_have_count(len(survey.questions))
        expect(blocks_of(page).last.locator("input[name$='-value-label']")).to_have_value(last_label)


class SurveyEditor:
    """Drives the questions StreamField of Wagtail's page editor as an editor would."""

    def __init__(self, page):
        self.page = page
        self.count = 0  # Wagtail names each new block by a counter: questions-<n>-value-…

    def field(self, index, name):
        return self.page.locator(f"[name='questions-{index}-value-{name}']")

    def add(self, kind, label, *, required=False, key=""):
        stream(self.page).locator(":scope > div:not([data-streamfield-child])").last.locator("button").click()
        self.page.get_by_role("option", name=BLOCK_LABELS[kind], exact=True).click()
        index, self.count = self.count, self.count + 1
        if kind == "section":
            self.field(index, "title").fill(label)
            return index
        self.field(index, "label").fill(label)
        if not required:
            self.field(index, "required").uncheck()
        if key:
            self.field(index, "key").fill(key)
        return index

    def items(self, index, list_name, values, value_name="value"):
        for n, value in enumerate(values):
            item = self.field(index, f"{list_name}-{n}-{value_name}")
            if not item.count():
                list_box = self.field(index, f"{list_name}-count").locator("xpath=..")
                list_box.locator("[data-streamfield-list-add]").last.click()
            item.fill(value)

    def show_if(self, index, question, values):
        target = self.field(index, "show_if-question")
        if not target.is_visible():  # the condition is a collapsed panel
            self.page.locator("section.w-panel", has=target).last.locator("[data-panel-toggle]").first.click()
        self.field(index, "show_if-values").fill(values)
        target.fill(question)


def settled(page) -> None:
    """Let Wagtail's autosave (500 ms after a change) finish before pressing 保存草稿.

    The first autosave of a new page creates it and moves the editor to its edit URL; pressing the
    button while that request is on its way posts the add form a second time, which is refused
    because the slug is taken (Wagtail's behaviour, nothing typed is lost).
    """
    expect(page.locator("#id_slug")).not_to_have_value("")  # the slug follows the title
    page.wait_for_timeout(1500)
    page.wait_for_load_state("networkidle")


def footer_action(page, name):
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name=name).click()


def test_an_editor_builds_every_question_type_the_secretary_approves_and_a_resident_answers_on_a_phone(
    page, mobile_page, live_server, editor_a, secretary_a, resident, branch_a
):
    refused = allow_autosave_validation_errors(page)
    add_session(page.context, live_server.url, editor_a)

    # 1. The editor builds a survey with every question type, two sections and a show-if condition.
    page.goto(reverse("wagtailadmin_pages:add", args=("surveys", "surveypage", branch_a.page.pk)))
    page.locator("#id_title").fill("社区服务问卷")
    page.locator("#id_title").press("Tab")  # the slug follows the title
    editor = SurveyEditor(page)
    editor.add("section", "基本情况")
    age = editor.add("single_choice", "您的年龄段", required=True, key="age")
    editor.items(age, "choices", ["30岁以下", "60岁及以上"])
    picks = editor.add("multiple_choice", "您希望社区开展哪些活动？")
    editor.items(picks, "choices", ["健康讲座", "文艺演出"])
    rating = editor.add("rating", "您对社区环境的评价")
    editor.field(rating, "min_label").fill("很差")
    editor.field(rating, "max_label").fill("很好")
    editor.add("nps", "您有多大可能向邻居推荐社区服务站？")
    matrix = editor.add("matrix", "您对以下服务的评价")
    editor.items(matrix, "rows", ["便民服务"])
    editor.items(matrix, "columns", ["好", "差"])
    rated = editor.add("satisfaction", "请对以下方面作出评价", required=True)
    editor.items(rated, "dimensions", ["服务态度", "办事效率"], value_name="value-label")
    elderly = editor.add("section", "老年人服务")
    editor.show_if(elderly, "age", "60岁及以上")
    ranking = editor.add("ranking", "请按重要程度排序")
    editor.items(ranking, "choices", ["停车", "绿化"])
    editor.add("date", "您入住本社区的时间")
    editor.add("short_text", "您居住的楼栋")
    editor.add("long_text", "其他建议")
    editor.add("number", "家庭常住人口")
    assert set(BLOCK_LABELS) == {
        "section",
        "single_choice",
        "multiple_choice",
        "rating",
        "nps",
        "matrix",
        "satisfaction",
        "ranking",
        "date",
        "short_text",
        "long_text",
        "number",
    }
    blocks = blocks_of(page)
    expect(blocks).to_have_count(13)
    # Reorder (the date question moves below the building) and duplicate (a second long text).
    blocks.nth(9).locator("[data-streamfield-action='MOVE_DOWN']").click()
    blocks.nth(11).locator("[data-streamfield-action='DUPLICATE']").click()
    expect(blocks).to_have_count(14)
    settled(page)
    assert page.autosaves, "the editor autosaved nothing"
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("社区服务问卷")
    survey = SurveyPage.objects.get(title="社区服务问卷")
    draft = survey.get_latest_revision_as_object()
    assert [child.block_type for child in draft.questions] == [
        "section", "single_choice", "multiple_choice", "rating", "nps", "matrix", "satisfaction",
        "section", "ranking", "short_text", "date", "long_text", "long_text", "number",
    ]  # fmt: skip
    assert draft.questions[7].value["show_if"] == {"question": "age", "values": "60岁及以上"}
    assert draft.questions[6].block.rows_of(draft.questions[6].value) == ["服务态度", "办事效率"]
    assert not survey.live

    # 2. Editors do not publish: the editor submits, the branch secretary approves and publishes.
    page.goto(reverse("wagtailadmin_pages:edit", args=[survey.pk]))
    expect(blocks_of(page)).to_have_count(14)
    footer_action(page, re.compile(r"^提交给"))
    expect(page.locator(".messages")).to_contain_text("审核")
    page.context.clear_cookies()
    add_session(page.context, live_server.url, secretary_a)
    page.goto(reverse("wagtailadmin_pages:edit", args=[survey.pk]))
    footer_action(page, re.compile(r"^(批准|通过).*发布$"))
    expect(page.locator(".messages")).to_contain_text("社区服务问卷")
    survey.refresh_from_db()
    assert survey.live and len(survey.questions) == 14

    # 3. A satisfaction survey starts from its preset (群众满意度测评) and stores it.
    page.context.clear_cookies()
    add_session(page.context, live_server.url, editor_a)
    page.goto(reverse("wagtailadmin_pages:add", args=("surveys", "satisfactionsurveypage", branch_a.page.pk)))
    expect(blocks_of(page)).to_have_count(2)
    expect(page.locator("[name='questions-0-value-dimensions-6-value-label']")).to_have_value(DEFAULT_DIMENSIONS[6])
    page.locator("#id_title").fill("2026年度群众满意度测评")
    page.locator("#id_title").press("Tab")
    settled(page)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("2026年度群众满意度测评")
    rated_page = SatisfactionSurveyPage.objects.get(title="2026年度群众满意度测评").get_latest_revision_as_object()
    assert [child.block_type for child in rated_page.questions] == ["satisfaction", "long_text"]
    assert rated_page.questions[0].block.rows_of(rated_page.questions[0].value) == DEFAULT_DIMENSIONS

    # 4. A resident answers the published survey on a phone; the conditional step appears for 60岁及以上.
    phone = mobile_page
    add_session(phone.context, live_server.url, resident)
    phone.goto(survey.url)

    def question(label):
        return phone.locator(".survey-question", has_text=label)

    question("您的年龄段").get_by_text("60岁及以上", exact=True).click()
    question("推荐社区服务站").locator(".survey-scale__point", has_text=re.compile(r"^\s*9\s*$")).click()
    for row in question("请对以下方面作出评价").locator(".survey-matrix__row").all():
        row.get_by_text("满意", exact=True).click()
    phone.get_by_role("button", name="下一步").click()
    expect(phone.get_by_text("老年人服务")).to_be_visible()
    question("其他建议").first.locator("textarea").fill("希望多组织老年人活动")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("heading", name="谢谢您的参与！")).to_be_visible()
    response = Response.objects.get(survey=survey)
    assert Answer.objects.filter(response=response).count() == 5  # age, NPS, two dimensions, the suggestion

    # 5. The answer is counted on the results page (two more responses lift it over the three below which
    # numbers stay hidden), with the satisfaction PDF beside it; the page passes axe, scroll regions included.
    add_responses(survey, [{qid(survey, 0): "30岁以下", qid(survey, 5): {"服务态度": "satisfied"}}] * 2)
    page.context.clear_cookies()
    add_session(page.context, live_server.url, secretary_a)
    page.goto(survey.url + "results/")
    expect(page.get_by_text("3 份答卷")).to_be_visible()
    age_rows = page.locator(".survey-result", has_text="您的年龄段").locator("tbody tr")
    expect(age_rows.filter(has_text="60岁及以上").locator("td").first).to_have_text("1")  # the resident's answer
    expect(age_rows.filter(has_text="30岁以下").locator("td").first).to_have_text("2")
    expect(page.locator(".table-scroll[tabindex='0'][role='region']").first).to_be_visible()
    expect(page.get_by_role("button", name="下载群众满意度测评报告（PDF）")).to_be_visible()
    axe_check(page)

    # 6. The satisfaction survey made from the preset: the secretary publishes the editor's draft, a resident
    # answers it on the phone (sealed: anonymous answers wait unread in the ballot box), the secretary closes
    # it in the admin, and on the results page (which settles a closed survey: the final mix) the resident's
    # answer is counted, beside two more residents' (three, the fewest for numbers to show).
    satisfaction = SatisfactionSurveyPage.objects.get(title="2026年度群众满意度测评")
    page.goto(reverse("wagtailadmin_pages:edit", args=[satisfaction.pk]))
    footer_action(page, re.compile(r"^发布$"))
    expect(page.locator(".messages")).to_contain_text("2026年度群众满意度测评")
    satisfaction.refresh_from_db()
    assert satisfaction.live and satisfaction.mode == SurveyPage.Mode.ANONYMOUS

    phone.goto(satisfaction.url)
    grid = phone.locator("#survey-grid")
    grid.select_option(index=1)
    dimensions = question("您对以下各方面工作是否满意").locator(".survey-matrix__row")
    expect(dimensions).to_have_count(len(DEFAULT_DIMENSIONS))
    for row in dimensions.all():
        row.get_by_text("满意", exact=True).click()
    question("意见建议").locator("textarea").fill("希望物业服务再及时一些")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("heading", name="谢谢您的参与！")).to_be_visible()
    assert SealedResponse.objects.filter(survey_id=satisfaction.pk).count() == 1
    assert not Response.objects.filter(survey=satisfaction).exists()  # nothing readable while it is open

    page.goto(reverse("wagtailadmin_pages:edit", args=[satisfaction.pk]))
    page.get_by_role("tab", name="设置").click()
    closed_at = timezone.localtime(timezone.now() - dt.timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M")
    page.locator("#id_closes_at").fill(closed_at)
    page.locator("#id_closes_at").press("Tab")  # leaving the field closes Wagtail's date picker
    settled(page)  # the autosave of the change, before the publish button posts the form
    footer_action(page, re.compile(r"^发布$"))
    expect(page.locator(".messages")).to_contain_text("2026年度群众满意度测评")
    satisfaction.refresh_from_db()
    assert satisfaction.has_closed()

    others = {qid(satisfaction, 0): dict.fromkeys(DEFAULT_DIMENSIONS, "basically_satisfied")}
    add_responses(satisfaction, [others] * 2)
    page.goto(satisfaction.url + "results/")
    expect(page.get_by_text("3 份答卷")).to_be_visible()
    satisfaction_table = page.locator("section[aria-labelledby='satisfaction-heading'] table").first
    attitude = satisfaction_table.locator("tbody tr", has_text=DEFAULT_DIMENSIONS[0])
    expect(attitude.first.locator("td").nth(1)).to_have_text("1（33.3%）")  # 满意: the resident's answer
    expect(attitude.first.locator("td").nth(2)).to_have_text("2（66.7%）")  # 基本满意: the two others
    assert not SealedResponse.objects.filter(survey_id=satisfaction.pk).exists()  # mixed at the close
    axe_check(page)
    forgive_autosave_errors(page, refused)
