"""The secretary approves from the page editor's footer and is told, in Chinese, that the page went live."""

import pytest

from django.urls import reverse

from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.factories import news_index
from home.models import NewsPage

pytestmark = pytest.mark.django_db


def _form(title="第一支部开展主题党日活动", **actions):
    data = nested_form_data(
        {
            "title": title,
            "slug": "theme-day",
            "date": "2026-03-05",
            "intro": "支部党员走进社区开展志愿服务。",
            "body": streamfield([("paragraph", rich_text("<p>加强基层党建工作，服务社区群众。</p>"))]),
        }
    )
    data.update({"comments-TOTAL_FORMS": 0, "comments-INITIAL_FORMS": 0, **actions})
    return data


@pytest.fixture
def submitted(client, editor_a, branch_a):
    parent = news_index(branch_a.page, title="第一支部动态")
    client.force_login(editor_a)
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("home", "newspage", parent.pk)), _form(**{"action-submit": "1"})
    )
    assert response.status_code == 302
    page = NewsPage.objects.get(title="第一支部开展主题党日活动")
    assert WorkflowState.objects.get(object_id=str(page.pk)).status == WorkflowState.STATUS_IN_PROGRESS
    return page


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_approving_from_the_editor_says_approved_and_published_not_updated(client, submitted, secretary_a):
    client.force_login(secretary_a)
    url = reverse("wagtailadmin_pages:edit", args=(submitted.pk,))
    response = client.post(
        url, _form(**{"action-workflow-action": "1", "workflow-action-name": "approve"}), follow=True
    )
    submitted.refresh_from_db()
    assert submitted.live
    said = _messages(response)
    assert "页面“第一支部开展主题党日活动”已批准并发布。" in said
    assert not any("已被更新" in message for message in said), said


def test_the_editor_footer_reads_approve_and_publish_in_chinese(client, submitted, secretary_a):
    client.force_login(secretary_a)
    html = client.get(reverse("wagtailadmin_pages:edit", args=(submitted.pk,))).content.decode()
    assert "批准并发布" in html
    assert "和发布" not in html and "and Publish" not in html


def test_requesting_changes_says_so(client, submitted, secretary_a):
    client.force_login(secretary_a)
    url = reverse("wagtailadmin_pages:edit", args=(submitted.pk,))
    response = client.post(url, _form(**{"action-workflow-action": "1", "workflow-action-name": "reject"}), follow=True)
    said = _messages(response)
    assert "已要求修改页面“第一支部开展主题党日活动”。" in said, said
    assert not any("已被更新" in message for message in said), said
