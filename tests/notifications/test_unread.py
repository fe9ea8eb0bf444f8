"""The header's unread count is kept in the page store under the reader's viewer version: every change to
their notifications moves that version on, so the kept count is never older than the notifications."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import unread
from notifications.delivery import notify
from notifications.models import Notification
from notifications.unread import unread_count

pytestmark = pytest.mark.django_db


def _note(user) -> Notification:
    return Notification.objects.create(recipient=user, kind=Notification.Kind.REPLY, detail="有人回复了您")


def _queries(user) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        count = unread_count(user)
    return count, len(captured)


def test_the_count_is_read_from_the_store_until_the_notifications_change(resident):
    _note(resident)
    assert _queries(resident) == (1, 1)
    assert _queries(resident) == (1, 0)


def test_every_kind_of_change_is_counted_at_once(resident, client):
    assert unread_count(resident) == 0
    note = _note(resident)  # one row: by signal
    assert unread_count(resident) == 1
    notify([resident.pk], Notification.Kind.REMINDER, None, detail="请按时交纳党费")  # in bulk
    assert unread_count(resident) == 2
    note.delete()
    assert unread_count(resident) == 1
    client.force_login(resident)
    client.post("/notifications/")  # every one marked read: a queryset update
    assert unread_count(resident) == 0 == Notification.objects.filter(recipient=resident, read_at=None).count()


def test_a_count_taken_before_a_change_is_not_kept_under_the_version_after_it(resident, monkeypatch):
    """A page drawn while a notification is being written counts the old rows: the change moves the
    version on after that count was taken, so the next page counts again."""
    counted = unread._counted

    def count_then_someone_is_notified(user):
        number = counted(user)
        _note(user)
        return number

    monkeypatch.setattr(unread, "_counted", count_then_someone_is_notified)
    assert unread_count(resident) == 0
    monkeypatch.setattr(unread, "_counted", counted)
    assert unread_count(resident) == 1


def test_one_persons_count_is_never_anothers(resident, editor_a):
    _note(resident)
    assert (unread_count(resident), unread_count(editor_a)) == (1, 0)
    _note(editor_a)
    _note(editor_a)
    assert (unread_count(resident), unread_count(editor_a)) == (1, 2)


def test_without_a_store_every_process_shares_it_is_counted_each_time(resident, settings):
    """One process's memory would never hear of a notification a task worker wrote."""
    settings.PAGE_CACHE_VIEWER_COPIES = False
    _note(resident)
    assert _queries(resident) == (1, 1)
    assert _queries(resident) == (1, 1)
