"""E-mails "at once" leave from a task worker after the commit, never from the request that notified."""

import pytest

from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from consultation import posting
from consultation.models import Post
from notifications.models import Notification
from tests.concurrency import free_port

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db
def test_an_unreachable_mail_server_does_not_fail_the_page_that_notified(
    client, settings, consultation, member_a, editor_a, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 1
    post = posting.create_post(consultation, member_a, "不当言论")
    client.force_login(editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("consultation:post_moderate", args=[post.pk]), {"action": "hide", "reason": "含人身攻击"}
        )
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).status == Post.Status.HIDDEN
    # Kept for the next try (the digest or a retry), not marked as sent.
    assert Notification.objects.get(recipient=member_a, kind=Notification.Kind.MODERATION).emailed_at is None


@pytest.mark.django_db(transaction=True)
def test_the_mail_waits_for_a_task_worker(client, settings, consultation, member_a, editor_a):
    settings.TASKS = DATABASE_TASKS
    from django_tasks_db.models import DBTaskResult

    post = posting.create_post(consultation, member_a, "不当言论")
    client.force_login(editor_a)
    client.post(reverse("consultation:post_moderate", args=[post.pk]), {"action": "hide", "reason": "含人身攻击"})
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(task_path="notifications.tasks.send_immediate_mail").count() == 1
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert len(mail.outbox) == 1 and "含人身攻击" in mail.outbox[0].body
    assert Notification.objects.get(recipient=member_a).emailed_at is not None
