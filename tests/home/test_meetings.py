"""Organisational-life records (三会一课), counted per quarter against the expected cadence."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from home.models import MeetingRecord

pytestmark = pytest.mark.django_db


def _record(branch, kind, date, **kwargs):
    defaults = {"topic": "学习贯彻会议精神", "due": 20, "present": 18, "absent": 2}
    defaults.update(kwargs)
    return MeetingRecord.objects.create(branch=branch, kind=kind, date=date, **defaults)


def test_quarterly_cadence_counts_meetings_against_expectations(branch_a, branch_b):
    _record(branch_a, "general_meeting", dt.date(2025, 2, 10))
    for month in (1, 2, 3):
        _record(branch_a, "theme_day", dt.date(2025, month, 1))
    _record(branch_a, "theme_day", dt.date(2025, 4, 1))
    _record(branch_b, "general_meeting", dt.date(2025, 5, 1))
    rows = {row["kind"]: row["quarters"] for row in MeetingRecord.objects.cadence(branch_a.pk, 2025)}
    assert rows["general_meeting"][0] == {"quarter": 1, "held": 1, "expected": 1, "met": True, "started": True}
    assert rows["general_meeting"][1]["held"] == 0 and not rows["general_meeting"][1]["met"]
    assert rows["theme_day"][0]["held"] == 3 and rows["theme_day"][0]["met"]
    assert rows["theme_day"][1]["held"] == 1 and not rows["theme_day"][1]["met"]
    assert rows["lecture"][0]["expected"] == 1


def test_attendance_must_add_up(branch_a):
    record = MeetingRecord(
        branch=branch_a, kind="committee", date=dt.date(2025, 1, 5), topic="支委会", due=5, present=6
    )
    with pytest.raises(ValidationError):
        record.full_clean()
    record.present, record.absent = 4, 2
    with pytest.raises(ValidationError):
        record.full_clean()


def test_branch_members_and_managers_see_the_records_others_do_not(
    client, branch_a, member_a, editor_a, editor_b, resident
):
    _record(branch_a, "lecture", dt.date(2025, 6, 1), topic="专题党课：坚定理想信念")
    url = branch_a.page.url + "meetings/?year=2025"
    assert client.get(url)["Location"].startswith("/accounts/login/?next=")  # anonymous: sign in first
    for user in (resident, editor_b):
        client.force_login(user)
        assert client.get(url).status_code == 404
    for user in (member_a, editor_a):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and "专题党课：坚定理想信念" in response.content.decode()


def test_admin_lists_only_the_users_own_branch_records(client, branch_a, branch_b, editor_a):
    _record(branch_a, "lecture", dt.date(2025, 6, 1), topic="甲支部党课")
    other = _record(branch_b, "lecture", dt.date(2025, 6, 1), topic="乙支部党课")
    client.force_login(editor_a)
    html = client.get(reverse("wagtailsnippets_home_meetingrecord:list")).content.decode()
    assert "甲支部党课" in html and "乙支部党课" not in html
    assert client.get(reverse("wagtailsnippets_home_meetingrecord:edit", args=(other.pk,))).status_code == 404
