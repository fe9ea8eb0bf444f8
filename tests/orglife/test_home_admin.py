"""A meeting scheduled on the site (orglife.Meeting, a child of home's MeetingRecord) is only read in the home
app's meeting records admin: its counts come from sign-ins and it is run on its own page. Typed records keep
being added, changed and deleted there."""

import datetime as dt

import pytest

from django.urls import reverse

from home.models import MeetingRecord
from orglife import attendance
from orglife.models import Meeting

pytestmark = pytest.mark.django_db


def _url(name, pk=None):
    return reverse(f"wagtailsnippets_home_meetingrecord:{name}", args=(pk,) if pk else ())


@pytest.fixture
def typed(branch_a):
    return MeetingRecord.objects.create(
        branch=branch_a, kind="lecture", date=dt.date(2025, 5, 1), topic="手工记录的党课", due=10, present=9, absent=1
    )


def test_editing_a_tracked_meeting_in_home_admin_is_refused_with_a_link_to_its_page(
    client, running_meeting, members, secretary_a
):
    attendance.sign_in(running_meeting, members["a"])
    client.force_login(secretary_a)
    response = client.get(_url("edit", running_meeting.pk))
    assert response.status_code == 302 and response["Location"] == _url("inspect", running_meeting.pk)
    html = client.get(response["Location"]).content.decode()
    assert "该会议是在平台上安排的" in html and reverse("orglife:meeting", args=(running_meeting.pk,)) in html
    assert _url("edit", running_meeting.pk) not in html and _url("delete", running_meeting.pk) not in html
    # A hand-made POST changes nothing: neither the counts nor the notice.
    data = {"branch": running_meeting.branch_id, "kind": "lecture", "date": "2025-01-01", "topic": "改过的"}
    data.update({"due": 99, "present": 99, "on_leave": 0, "absent": 0, "photos-count": 0})
    assert client.post(_url("edit", running_meeting.pk), data).status_code == 302
    record = MeetingRecord.objects.get(pk=running_meeting.pk)
    assert (record.topic, record.kind, record.due, record.present) == (running_meeting.topic, "theme_day", 5, 1)


def test_a_tracked_meeting_cannot_be_deleted_through_home_admin(client, running_meeting, secretary_a):
    client.force_login(secretary_a)
    assert client.get(_url("delete", running_meeting.pk)).status_code == 302
    assert client.post(_url("delete", running_meeting.pk)).status_code == 302
    bulk = reverse("wagtail_bulk_action", args=("home", "meetingrecord", "delete"))
    client.post(f"{bulk}?id={running_meeting.pk}", {})
    assert Meeting.objects.filter(pk=running_meeting.pk).exists()
    assert running_meeting.invitations.count() == 5


def test_the_listing_opens_a_tracked_meeting_read_only_and_a_typed_record_for_editing(
    client, running_meeting, typed, secretary_a
):
    client.force_login(secretary_a)
    html = client.get(_url("list")).content.decode()
    assert _url("inspect", running_meeting.pk) in html and _url("edit", running_meeting.pk) not in html
    assert _url("edit", typed.pk) in html


def test_typed_records_keep_being_changed_and_deleted_in_home_admin(client, typed, secretary_a):
    client.force_login(secretary_a)
    assert client.get(_url("edit", typed.pk)).status_code == 200
    data = {"branch": typed.branch_id, "kind": "lecture", "date": "2025-05-01", "topic": "改正的党课"}
    data.update({"presenter": "", "recorder": "", "content": "", "decisions": "", "photos-count": 0})
    data.update({"due": 10, "present": 8, "on_leave": 1, "absent": 1})
    response = client.post(_url("edit", typed.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    typed.refresh_from_db()
    assert (typed.topic, typed.present, typed.on_leave) == ("改正的党课", 8, 1)
    client.post(_url("delete", typed.pk))
    assert not MeetingRecord.objects.filter(pk=typed.pk).exists()


def test_home_knows_the_meetings_page_through_the_child_accessor(running_meeting, typed):
    record = MeetingRecord.objects.get(pk=running_meeting.pk)  # the parent row, as home's admin loads it
    assert record.tracked_url() == reverse("orglife:meeting", args=(running_meeting.pk,))
    assert typed.tracked_url() == ""
