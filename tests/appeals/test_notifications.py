"""Residents and handlers are told in the site and by e-mail, at once or in the daily digest."""

import pytest

from django.core import mail

from appeals import handling
from notifications.delivery import send_digests
from notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_handler_is_emailed_at_once_and_the_resident_in_the_digest(client, neighbour, lamp, grids, worker_1):
    NotificationPreference.objects.create(user=neighbour, email=NotificationPreference.Email.DAILY)
    mail.outbox.clear()
    appeal = handling.report(neighbour, category=lamp, grid=grids[0], description="路灯不亮")
    assert [m.to for m in mail.outbox] == [[worker_1.email]]
    assert f"/appeals/{appeal.pk}/" in mail.outbox[0].body
    handling.accept(appeal, worker_1)
    assert len(mail.outbox) == 1
    assert send_digests() == 1
    digest = mail.outbox[-1]
    assert digest.to == [neighbour.email] and f"#{appeal.pk}" in digest.body and f"/appeals/{appeal.pk}/" in digest.body


def test_the_notification_list_links_the_request(client, neighbour, lamp, grids, worker_1):
    appeal = handling.report(neighbour, category=lamp, grid=grids[0], description="路灯不亮")
    client.force_login(worker_1)
    page = client.get("/notifications/").content.decode()
    assert f'href="/appeals/{appeal.pk}/"' in page
    assert Notification.objects.get(recipient=worker_1).kind == Notification.Kind.APPEAL


def test_a_resident_may_turn_off_request_emails(neighbour, lamp, grids, worker_1):
    NotificationPreference.objects.create(user=worker_1, on_appeal=False)
    mail.outbox.clear()
    handling.report(neighbour, category=lamp, grid=grids[0], description="路灯不亮")
    assert mail.outbox == [] and Notification.objects.filter(recipient=worker_1).exists()
