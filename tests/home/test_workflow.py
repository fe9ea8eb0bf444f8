"""Editors draft and submit; the branch secretary approves; nobody touches another branch's pages."""

import pytest

from django.urls import reverse

from wagtail.models import Page, PageLogEntry, Workflow, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.factories import news, news_index
from home.models import NewsPage
from organizations import roles
from organizations.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _submit_news(client, parent, title="第一支部开展主题党日活动", action="action-submit"):
    data = nested_form_data(
        {
            "title": title,
            "slug": "theme-day",
            "date": "2026-03-05",
            "intro": "支部党员走进社区开展志愿服务。",
            "body": streamfield([("paragraph", rich_text("<p>加强基层党建工作，服务社区群众。</p>"))]),
            "comments": nested_form_data({"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}),
        }
    )
    data["comments-TOTAL_FORMS"] = 0
    data["comments-INITIAL_FORMS"] = 0
    data[action] = "1"
    return client.post(reverse("wagtailadmin_pages:add", args=("home", "newspage", parent.pk)), data)


@pytest.fixture
def news_a(branch_a):
    return news_index(branch_a.page, title="第一支部动态")


def test_each_branch_section_gets_an_approval_workflow_for_its_secretaries(editor_a, branch_a):
    branch_a.refresh_from_db()
    workflow = branch_a.page.get_workflow()
    assert workflow is not None and workflow.active
    task = workflow.tasks.get().specific
    assert list(task.groups.all()) == [branch_a.secretaries_group]


def test_a_new_branch_gets_its_workflow_when_its_section_is_set(tree, home_page):
    branch = OrganizationFactory(parent=tree["community"], name="新建党支部", code="new-branch")
    roles.role_group(branch, roles.Role.EDITOR)
    from home.models import BranchPage

    branch.page = home_page.add_child(instance=BranchPage(title=branch.name, slug="new-branch", organization=branch))
    branch.save()
    assert Workflow.objects.get(workflow_pages__page=branch.page).tasks.get().specific.groups.get() == (
        branch.secretaries_group
    )


def test_editor_submits_secretary_approves_and_the_page_goes_live_and_into_search(
    client, editor_a, secretary_a, news_a
):
    client.force_login(editor_a)
    response = _submit_news(client, news_a)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = NewsPage.objects.get(title="第一支部开展主题党日活动")
    assert not page.live
    state = WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert client.get(reverse("search"), {"q": "党建"}).context["results"].paginator.count == 0

    client.force_login(secretary_a)
    task_state = state.current_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)), {"comment": ""}
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    client.logout()
    assert client.get(page.url).status_code == 200
    results = client.get(reverse("search"), {"q": "党建"}).context["results"]
    assert [p.pk for p in results] == [page.pk]
    actions = set(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
    assert {"wagtail.create", "wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"} <= actions


def test_editor_cannot_publish_directly(client, editor_a, news_a):
    client.force_login(editor_a)
    _submit_news(client, news_a, title="试图直接发布", action="action-publish")
    page = NewsPage.objects.get(title="试图直接发布")
    assert not page.live
    assert not page.permissions_for_user(editor_a).can_publish()


def test_editor_of_another_branch_cannot_edit_publish_or_see_drafts(client, editor_a, editor_b, news_a):
    client.force_login(editor_a)
    _submit_news(client, news_a, title="第一支部的草稿")
    draft = NewsPage.objects.get(title="第一支部的草稿")

    perms = draft.permissions_for_user(editor_b)
    assert not perms.can_edit() and not perms.can_publish()
    client.force_login(editor_b)
    for url in (
        reverse("wagtailadmin_pages:edit", args=(draft.pk,)),
        reverse("wagtailadmin_pages:preview_on_edit", args=(draft.pk,)),
        reverse("wagtailadmin_pages:revisions_index", args=(draft.pk,)),
        reverse("wagtailadmin_pages:add_subpage", args=(news_a.pk,)),
    ):
        assert client.get(url).status_code in (302, 403, 404), url
    assert client.get(draft.url or f"/{draft.url_path}").status_code == 404
    listing = client.get(reverse("wagtailadmin_explore", args=(news_a.pk,)))
    assert "第一支部的草稿" not in listing.content.decode()
    found = client.get(reverse("wagtailadmin_pages:search"), {"q": "第一支部的草稿"})
    assert found.status_code == 200
    assert reverse("wagtailadmin_pages:edit", args=(draft.pk,)) not in found.content.decode()
    client.post(reverse("wagtailadmin_pages:edit", args=(draft.pk,)), {"title": "改掉", "action-publish": "1"})
    draft.refresh_from_db()
    assert not draft.live and draft.title == "第一支部的草稿"


def test_secretary_cannot_approve_another_branch_page(client, editor_b, branch_b, secretary_a):
    index_b = news_index(branch_b.page)
    client.force_login(editor_b)
    _submit_news(client, index_b, title="第二支部的稿件")
    page = NewsPage.objects.get(title="第二支部的稿件")
    state = WorkflowState.objects.get(object_id=str(page.pk))
    client.force_login(secretary_a)
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", state.current_task_state.pk)),
        {"comment": ""},
    )
    page.refresh_from_db()
    assert not page.live
    assert not Page.objects.get(pk=page.pk).permissions_for_user(secretary_a).can_edit()


def test_unpublishing_and_deleting_take_pages_out_of_search(client, branch_a):
    index = news_index(branch_a.page)
    page = news(index, title="党员志愿服务", body="党员志愿者清理楼道杂物。")
    assert client.get(reverse("search"), {"q": "志愿"}).context["results"].paginator.count == 1
    page.unpublish()
    assert client.get(reverse("search"), {"q": "志愿"}).context["results"].paginator.count == 0
    page.save_revision().publish()
    assert client.get(reverse("search"), {"q": "志愿"}).context["results"].paginator.count == 1
    page.delete()
    assert client.get(reverse("search"), {"q": "志愿"}).context["results"].paginator.count == 0
