"""Issue 19: the digest command enqueues batches of users; task workers share them; a batch run twice sends once."""

import io

import pytest

from django.core import mail
from django.core.management import call_command

from accounts.factories import UserFactory
from notifications.models import Notification, NotificationPreference
from notifications.tasks import send_digest_batch

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _daily_users(count: int) -> list:
    users = [UserFactory() for _ in range(count)]
    for user in users:
        NotificationPreference.objects.create(user=user, email=NotificationPreference.Email.DAILY)
        Notification.objects.create(recipient=user, kind=Notification.Kind.REPLY, detail="有人回复了您")
    return users


@pytest.mark.django_db(transaction=True)
def test_the_command_enqueues_batches_that_a_db_worker_sends(settings):
    settings.TASKS = DATABASE_TASKS
    from django_tasks_db.models import DBTaskResult

    _daily_users(5)
    out = io.StringIO()
    call_command("send_notification_digest", batch=2, stdout=out)
    assert "3 (5 users)" in out.getvalue() and mail.outbox == []
    assert DBTaskResult.objects.filter(task_path="notifications.tasks.send_digest_batch").count() == 3
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert len(mail.outbox) == 5
    assert not Notification.objects.filter(emailed_at=None).exists()


@pytest.mark.django_db
def test_a_batch_delivered_twice_sends_each_digest_once():
    users = _daily_users(2)
    ids = [user.pk for user in users]
    assert send_digest_batch.call(ids) == 2
    assert send_digest_batch.call(ids) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_now_sends_in_the_command_itself():
    _daily_users(1)
    out = io.StringIO()
    call_command("send_notification_digest", now=True, stdout=out)
    assert "Digests sent: 1" in out.getvalue() and len(mail.outbox) == 1
