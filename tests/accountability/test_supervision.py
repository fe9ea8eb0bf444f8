"""Supervision notices: issued by the level above, answered by the branch, escalated when overdue, once."""

import datetime as dt

import pytest

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import ModelLogEntry

from accountability import reminders, supervision
from accountability.models import SupervisionNotice
from notifications.models import Notification
from tests.accountability.conftest import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(branch_a, community_admin, secretary_a):
    task = make_task(branch_a, due_on=timezone.localdate() + dt.timedelta(days=10), year=timezone.localdate().year)
    return supervision.issue(community_admin, task, "请于期限内说明进展", timezone.localdate())


def test_issuing_names_the_level_above_and_tells_the_branch(notice, tree, secretary_a):
    assert notice.issuer == tree["community"]
    assert Notification.objects.filter(
        recipient=secretary_a, kind="reminder", link=f"/accountability/notices/{notice.pk}/"
    ).exists()
    assert ModelLogEntry.objects.filter(action="accountability.notice.issue", object_id=str(notice.pk)).exists()


def test_overdue_notice_escalates_to_the_level_above_the_issuer_once(notice, tree, org_admin):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    assert supervision.escalate_overdue(tomorrow) == 1
    assert supervision.escalate_overdue(tomorrow) == 0

    notice.refresh_from_db()
    assert notice.escalated_to == tree["street"]
    assert Notification.objects.filter(recipient=org_admin, kind="reminder").count() == 1
    assert ModelLogEntry.objects.filter(action="accountability.notice.escalate").count() == 1


def test_notice_not_yet_due_or_answered_does_not_escalate(notice, secretary_a):
    assert supervision.escalate_overdue(timezone.localdate()) == 0
    supervision.reply(secretary_a, notice, "已整改完毕")
    assert supervision.escalate_overdue(timezone.localdate() + dt.timedelta(days=5)) == 0
    notice.refresh_from_db()
    assert notice.replied_on_time


def test_a_notice_is_answered_once(notice, secretary_a):
    from django.core.exceptions import ValidationError

    supervision.reply(secretary_a, notice, "已整改完毕")
    with pytest.raises(ValidationError):
        supervision.reply(secretary_a, SupervisionNotice.objects.get(pk=notice.pk), "再次回复")


def test_daily_command_is_idempotent(notice, branch_a, secretary_a):
    late = make_task(branch_a, due_on=timezone.localdate() - dt.timedelta(days=2), year=timezone.localdate().year)
    call_command("run_accountability", "--no-proposals")
    told = Notification.objects.count()
    call_command("run_accountability", "--no-proposals")

    assert Notification.objects.count() == told
    # the overdue task and the notice due today were each told once to the branch secretary
    mine = Notification.objects.filter(recipient=secretary_a)
    assert mine.filter(link=f"/accountability/tasks/{late.pk}/").count() == 1
    assert mine.filter(link=f"/accountability/notices/{notice.pk}/").count() == 2  # issued, then due today


def test_reminders_reach_the_daily_digest(notice, secretary_a):
    from notifications.delivery import send_digests
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=secretary_a, email=NotificationPreference.Email.DAILY)
    reminders.remind_due()
    from django.core import mail

    assert send_digests() == 1
    assert f"/accountability/notices/{notice.pk}/" in mail.outbox[-1].body
