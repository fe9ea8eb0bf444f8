"""Surveys built and saved through the Wagtail admin's page forms, as the editor's JavaScript posts them."""

import json

import pytest

from django.urls import reverse
from django.utils import translation

from wagtail import blocks
from wagtail.test.utils.form_data import querydict_from_html

from surveys.factories import q, section, survey_page
from surveys.models import SatisfactionSurveyPage, SurveyPage
from surveys.presets import DEFAULT_DIMENSIONS

pytestmark = pytest.mark.django_db


def block_form_data(block, value, prefix: str, data: dict) -> dict:
    """The form fields Wagtail's StreamField JavaScript posts for `value` of `block` (nested by prefix)."""
    if isinstance(block, blocks.StreamBlock):
        children = list(value)
        data[f"{prefix}-count"] = str(len(children))
        for index, child in enumerate(children):
            data[f"{prefix}-{index}-type"] = child.block_type
            data[f"{prefix}-{index}-id"] = child.id or ""
            data[f"{prefix}-{index}-deleted"] = ""
            data[f"{prefix}-{index}-order"] = str(index)
            block_form_data(child.block, child.value, f"{prefix}-{index}-value", data)
    elif isinstance(block, blocks.ListBlock):
        items = list(value)
        data[f"{prefix}-count"] = str(len(items))
        for index, item in enumerate(items):
            data[f"{prefix}-{index}-id"] = ""
            data[f"{prefix}-{index}-deleted"] = ""
            data[f"{prefix}-{index}-order"] = str(index)
            block_form_data(block.child_block, item, f"{prefix}-{index}-value", data)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            block_form_data(child, value.get(name), f"{prefix}-{name}", data)
    elif isinstance(block, blocks.BooleanBlock):
        if value:
            data[prefix] = "on"
    else:
        data[prefix] = "" if value is None else str(value)
    return data


def questions_form_data(page) -> dict:
    if page.pk:
        page = type(page).objects.get(pk=page.pk)  # the stored values, defaults filled in
    field = type(page)._meta.get_field("questions")
    return block_form_data(field.stream_block, page.questions, "questions", {})


def in_editor(text: str) -> str:
    """`text` as it appears in the JSON of the editor's StreamField state."""
    return json.dumps(text)[1:-1]


def form_of(response):
    """The page form as the browser would post it, StreamFields left out (their JavaScript writes them)."""
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    for key in [key for key in data if key.startswith(("questions-", "body-"))]:
        del data[key]
    data["body-count"] = "0"
    return data


def _post(client, url, form, questions: dict, **fields):
    form = form.copy()
    form.update(questions)
    for key, value in fields.items():
        form[key] = value
    return client.post(url, form)


def test_a_satisfaction_survey_added_from_its_preset_stores_the_preset_questions(client, editor_a, branch_a):
    client.force_login(editor_a)
    url = reverse("wagtailadmin_pages:add", args=("surveys", "satisfactionsurveypage", branch_a.page.pk))
    response = client.get(url)
    assert response.status_code == 200
    # The editor opens with the preset: its seven dimensions are in the form state sent to the browser.
    html = response.content.decode()
    assert all(in_editor(dimension) in html for dimension in DEFAULT_DIMENSIONS)
    draft = SatisfactionSurveyPage()  # what the add view starts from
    response = _post(
        client,
        url,
        form_of(response),
        questions_form_data(draft),
        title="2026年度第一党支部群众满意度测评",
        slug="satisfaction-2026",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = SatisfactionSurveyPage.objects.get(slug="satisfaction-2026")
    latest = page.get_latest_revision_as_object()
    assert [child.block_type for child in latest.questions] == ["satisfaction", "long_text"]
    assert latest.questions[0].block.rows_of(latest.questions[0].value) == DEFAULT_DIMENSIONS


@pytest.fixture
def every_kind_of_question(branch_a):
    return survey_page(
        branch_a.page,
        title="社区服务问卷",
        questions=[
            section("基本情况"),
            q("single_choice", "您的年龄段", choices=["30岁以下", "60岁及以上"], key="age"),
            q("multiple_choice", "希望的活动", choices=["讲座", "演出"], max_picks=2),
            q("rating", "环境评价", scale_min=1, scale_max=5, min_label="差", max_label="好"),
            q("nps", "推荐程度", min_label="不可能", max_label="非常可能"),
            q("matrix", "服务评价", rows=["便民", "文体"], columns=["好", "差"]),
            q("satisfaction", "满意度", dimensions=[{"label": "服务态度", "weight": 1}]),
            section("老年人", show_if={"question": "age", "values": "60岁及以上"}),
            q("ranking", "排序", choices=["停车", "绿化"]),
            q("short_text", "楼栋", max_length=20, required=False),
            q("long_text", "建议", required=False),
            q("number", "人口", min_value=1, max_value=20, required=False),
            q("date", "入住", required=False),
        ],
    )


def test_every_kind_of_question_saves_through_the_admin_editor(client, editor_a, every_kind_of_question):
    page = every_kind_of_question
    client.force_login(editor_a)
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = client.get(url)
    assert response.status_code == 200
    questions = questions_form_data(page)
    questions["questions-5-value-label"] = "各项服务评价"
    response = _post(client, url, form_of(response), questions)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = SurveyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert [child.block_type for child in latest.questions] == [child.block_type for child in page.questions]
    assert latest.questions[5].value["label"] == "各项服务评价"


def test_a_refused_save_redisplays_every_entry_with_a_chinese_error(client, editor_a, every_kind_of_question):
    page = every_kind_of_question
    client.force_login(editor_a)
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = client.get(url)
    questions = questions_form_data(page)
    # A show-if naming an answer the question does not offer, and new text typed elsewhere.
    questions["questions-7-value-show_if-values"] = "70岁以上"
    questions["questions-10-value-label"] = "您居住的楼栋号（新写的）"
    with translation.override("zh-hans"):
        response = _post(client, url, form_of(response), questions, title="社区服务问卷（修改中）")
    assert response.status_code == 200
    html = response.content.decode()
    assert in_editor("关于“age”的显示条件包含该问题没有的答案：70岁以上。") in html
    # Nothing typed is lost: the redisplayed editor holds the new entries.
    assert in_editor("您居住的楼栋号（新写的）") in html and "社区服务问卷（修改中）" in html
    assert page.get_latest_revision_as_object().questions[7].value["show_if"]["values"] == "60岁及以上"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"questions-7-value-show_if-question": "nobody"}, "但它不是前面某个问题的引用名"),
        ({"questions-7-value-show_if-question": "mx", "questions-5-value-key": "mx"}, "但它不是选择题或评分题"),
        ({"questions-2-value-key": "age"}, "引用名“age”重复使用"),
        ({"questions-1-value-key": "Age!"}, "只能使用小写字母、数字、_ 或 -"),
        ({"questions-1-value-choices-1-value": "30岁以下"}, "各项不能重复：“30岁以下”出现了不止一次。"),
        ({"questions-3-value-scale_max": "1"}, "最高分必须大于最低分。"),
    ],
)
def test_survey_validation_errors_are_in_chinese(client, editor_a, every_kind_of_question, change, message):
    page = every_kind_of_question
    client.force_login(editor_a)
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    form = form_of(client.get(url))
    questions = questions_form_data(page)
    questions.update(change)
    response = _post(client, url, form, questions)
    assert response.status_code == 200
    assert in_editor(message) in response.content.decode()


def test_a_survey_of_each_type_opens_in_the_editor(client, editor_a, every_kind_of_question, branch_a):
    client.force_login(editor_a)
    from surveys.factories import satisfaction_page

    satisfaction = satisfaction_page(branch_a.page, target_organization=branch_a)
    for page in (every_kind_of_question, satisfaction):
        response = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert response.status_code == 200
    assert SurveyPage.objects.count() == 2


def test_a_post_missing_part_of_a_block_is_refused_with_the_rest_redisplayed(client, editor_a, every_kind_of_question):
    """Once a half-drawn block made every save a server error (MultiValueDictKeyError) and lost the typing."""
    page = every_kind_of_question
    client.force_login(editor_a)
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    form = form_of(client.get(url))
    questions = questions_form_data(page)
    del questions["questions-6-value-dimensions-count"]  # the satisfaction block arrived half-drawn
    questions["questions-10-value-label"] = "您居住的楼栋号（新写的）"
    data = {**form.dict(), **questions}
    # The autosave (asking for JSON) is refused as a validation error, not a server error.
    assert client.post(url, data, HTTP_ACCEPT="application/json").status_code == 400
    # The save button redisplays the editor: the error in Chinese, every complete block as typed.
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert in_editor("部分问题没有提交成功，因此未保存任何内容。请检查后重新保存。") in html
    assert in_editor("您居住的楼栋号（新写的）") in html
    assert page.get_latest_revision_as_object().questions[10].value["label"] == "建议"
