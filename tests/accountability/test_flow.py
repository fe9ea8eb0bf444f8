"""The Done-when flow through the site pages: template → adoption → task with evidence → notice and reply →
problem rectified and closed off; and bad input gets an error, never a 500."""

import datetime as dt

import pytest

from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

from accountability.models import Evidence, Problem, ResponsibilityList, SupervisionNotice, Task
from home.models import MeetingRecord
from tests.accountability.conftest import make_problem

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def _post(client, name, *args, data, follow=False):
    return client.post(reverse(f"accountability:{name}", args=args), data, follow=follow)


def test_street_template_is_adopted_and_extended_by_a_branch_which_cannot_remove_inherited_items(
    client, tree, org_admin, secretary_a, branch_a
):
    street = tree["street"]
    client.force_login(org_admin)
    item = {"duty": "每季度召开支部党员大会", "responsible": "支部书记（第一责任人）", "year": THIS_YEAR}
    _post(client, "responsibility_action", street.code, data={**item, "action": "add"})
    _post(client, "responsibility_action", street.code, data={"action": "publish", "year": THIS_YEAR})
    assert ResponsibilityList.objects.get(organization=street).published

    client.force_login(secretary_a)
    page = client.get(reverse("accountability:organization", args=[branch_a.code]))
    assert "幸福街道党工委" in page.content.decode()
    _post(client, "responsibility_action", branch_a.code, data={"action": "adopt", "year": THIS_YEAR})
    own = {"duty": "每月走访困难党员", "responsible": "组织委员", "year": THIS_YEAR, "action": "add"}
    _post(client, "responsibility_action", branch_a.code, data=own)

    items = ResponsibilityList.objects.get(organization=branch_a, year=THIS_YEAR).items.order_by("sort_order")
    assert [(i.duty, i.inherited) for i in items] == [("每季度召开支部党员大会", True), ("每月走访困难党员", False)]
    assert ModelLogEntry.objects.filter(action="accountability.responsibility.adopt").exists()

    # The items handed down from above stay; the branch's own may be removed.
    inherited, added = items
    response = _post(
        client,
        "responsibility_action",
        branch_a.code,
        data={"action": "remove", "item": inherited.pk, "year": THIS_YEAR},
    )
    assert response.status_code == 404
    _post(
        client, "responsibility_action", branch_a.code, data={"action": "remove", "item": added.pk, "year": THIS_YEAR}
    )
    assert [i.duty for i in ResponsibilityList.objects.get(organization=branch_a).items.all()] == [
        "每季度召开支部党员大会"
    ]


def test_adopting_without_a_template_says_why(client, secretary_a, branch_a):
    client.force_login(secretary_a)
    response = _post(client, "responsibility_action", branch_a.code, data={"action": "adopt"}, follow=True)
    assert response.status_code == 200
    assert not ResponsibilityList.objects.exists()
    assert len(list(response.context["messages"])) == 1


def test_task_with_a_meeting_record_as_evidence(client, secretary_a, branch_a, branch_b):
    record = MeetingRecord.objects.create(
        branch=branch_a, kind="lecture", date=dt.date(THIS_YEAR, 1, 5), topic="党课", due=9, present=9
    )
    other = MeetingRecord.objects.create(
        branch=branch_b, kind="lecture", date=dt.date(THIS_YEAR, 1, 5), topic="党课", due=9, present=9
    )
    client.force_login(secretary_a)
    response = _post(
        client,
        "task_create",
        branch_a.code,
        data={
            "title": "讲一次专题党课",
            "owner": "书记甲",
            "due_on": f"{THIS_YEAR}-12-31",
            "priority": "high",
            "year": THIS_YEAR,
        },
    )
    task = Task.objects.get()
    assert response.url == reverse("accountability:task", args=[task.pk])

    refused = _post(client, "task", task.pk, data={"action": "evidence", "meeting_record": other.pk})
    assert refused.status_code == 200 and not Evidence.objects.exists()
    nothing = _post(client, "task", task.pk, data={"action": "evidence", "note": "只有说明"})
    assert nothing.status_code == 200 and not Evidence.objects.exists()

    r = _post(client, "task", task.pk, data={"action": "evidence", "meeting_record": record.pk})
    assert r.status_code == 302, r.context["evidence_form"].errors
    _post(client, "task", task.pk, data={"action": "status", "status": "done"})

    evidence = Evidence.objects.get()
    assert evidence.record == record
    assert evidence.target()[1].endswith(f"meetings/?year={THIS_YEAR}")
    task.refresh_from_db()
    assert task.status == "done" and task.completed_on == timezone.localdate()
    assert ModelLogEntry.objects.filter(action="accountability.task.status").exists()


def test_bad_dates_get_an_error_not_a_500(client, secretary_a, branch_a):
    client.force_login(secretary_a)
    response = _post(
        client,
        "task_create",
        branch_a.code,
        data={"title": "x", "owner": "y", "due_on": "2026/13/40", "priority": "high"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["due_on"]
    assert not Task.objects.exists()


def test_notice_reply_and_problem_closing_off(client, secretary_a, community_admin, branch_a):
    problem = make_problem(branch_a, deadline=timezone.localdate() + dt.timedelta(days=30), year=THIS_YEAR)

    client.force_login(community_admin)
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    _post(client, "problem", problem.pk, data={"action": "notice", "text": "请报告整改进度", "reply_due": due})
    notice = SupervisionNotice.objects.get()
    assert _post(client, "problem", problem.pk, data={"action": "close"}).status_code == 403  # not rectified yet

    client.force_login(secretary_a)
    _post(client, "notice", notice.pk, data={"reply_text": "活动室已恢复开放"})
    _post(client, "problem", problem.pk, data={"action": "rectify"})
    assert _post(client, "problem", problem.pk, data={"action": "close"}).status_code == 403  # not by itself

    client.force_login(community_admin)
    _post(client, "problem", problem.pk, data={"action": "close"})

    problem.refresh_from_db()
    notice.refresh_from_db()
    assert notice.replied_on_time
    assert problem.status == Problem.Status.CLOSED and problem.closed_by == community_admin
    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {
        "accountability.notice.issue",
        "accountability.notice.reply",
        "accountability.problem.rectify",
        "accountability.problem.close",
    } <= actions


def test_another_branch_cannot_open_a_task(client, secretary_b, branch_a):
    from tests.accountability.conftest import make_task

    task = make_task(branch_a, due_on=dt.date(2025, 3, 1))
    client.force_login(secretary_b)
    assert client.get(reverse("accountability:task", args=[task.pk])).status_code == 404
    assert client.get(reverse("accountability:organization", args=[branch_a.code])).status_code == 404
