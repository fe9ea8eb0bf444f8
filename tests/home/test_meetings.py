"""Organisational-life records (三会一课), counted per quarter against the expected cadence."""

import datetime as dt
import re

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
    assert rows["general_meeting"][0] == {
        "quarter": 1,
        "held": 1,
        "expected": 1,
        "met": True,
        "started": True,
        "ended": True,
    }
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


def test_meeting_record_form_preselects_the_secretarys_only_branch(client, branch_a, secretary_a, org_admin):
    client.force_login(secretary_a)
    html = client.get(reverse("wagtailsnippets_home_meetingrecord:add")).content.decode()
    assert f'<option value="{branch_a.pk}" selected>' in html
    # Someone who manages several branches chooses one.
    client.force_login(org_admin)
    html = client.get(reverse("wagtailsnippets_home_meetingrecord:add")).content.decode()
    choices = html.split('name="branch"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected>' in choices and choices.count("selected>") == 1


def test_the_running_quarter_is_in_progress_not_below_cadence(client, branch_a, member_a):
    today = dt.date.today()
    running = (today.month - 1) // 3  # index of the running quarter
    rows = {row["kind"]: row["quarters"] for row in MeetingRecord.objects.cadence(branch_a.pk, today.year)}
    cell = rows["general_meeting"][running]
    assert cell["started"] and not cell["ended"] and not cell["met"]
    if running:
        assert rows["general_meeting"][running - 1]["ended"]

    client.force_login(member_a)
    html = client.get(branch_a.page.url + "meetings/").content.decode()
    row = html.split("支部党员大会", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert "进行中" in cells[running] and "未达标" not in cells[running]
    assert all("未达标" in c for c in cells[:running])  # ended quarters without a meeting are below cadence
    assert all(c.strip() == "0 / 1" for c in cells[running + 1 :])  # not started: no verdict
