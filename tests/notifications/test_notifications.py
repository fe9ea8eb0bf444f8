"""The notifications app: its addresses, and the rules feature apps register for what a user may still see."""

import pytest

from notifications import visibility
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/consultations/notifications/", "/notifications/"),
        ("/consultations/notifications/settings/", "/notifications/settings/"),
    ],
)
def test_the_addresses_from_before_the_move_lead_to_the_new_ones(client, old, new):
    # E-mails already sent link the settings at the old address.
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new


def test_the_list_and_settings_are_for_signed_in_users(client, resident):
    assert client.get("/notifications/").status_code == 302
    client.force_login(resident)
    assert client.get("/notifications/").status_code == 200
    assert client.get("/notifications/settings/").status_code == 200


def test_consultation_registers_its_audience_rule_once(resident):
    from consultation.recipients import hidden_notifications

    before = len(visibility._rules)
    visibility.register(hidden_notifications)
    assert len(visibility._rules) == before and hidden_notifications in visibility._rules


def test_a_notification_about_nothing_hidden_stays_visible(resident):
    note = Notification.objects.create(recipient=resident, kind=Notification.Kind.REPLY, detail="有人回复了您")
    assert list(Notification.objects.visible_to(resident)) == [note]


def test_the_models_keep_their_tables_from_consultation():
    from notifications.models import NotificationPreference

    assert Notification._meta.db_table == "consultation_notification"
    assert NotificationPreference._meta.db_table == "consultation_notificationpreference"
