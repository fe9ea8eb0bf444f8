"""Meetings as they happen: the notice from the roster, replies, sign-in by QR code or tick, counts that
equal the sign-ins, make-up study, minutes, and who may do what."""

import datetime as dt
import re

import pytest

from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from home.factories import study, study_index
from home.models import MeetingRecord, StudyRecord
from jobs.models import Job
from notifications.models import Notification
from organizations.factories import RosterEntryFactory
from organizations.models import RosterEntry
from orglife import attendance, factories
from orglife.attendance import Refused
from orglife.models import Invitation, Meeting, SignIn
from tests.jobs.downloading import content_of, download_report

pytestmark = pytest.mark.django_db


def _token_url(meeting, **kwargs):
    return reverse("orglife:sign_in", args=(attendance.signin_token(meeting),))


def test_scheduling_invites_the_active_roster_and_notifies_members_with_accounts(
    client, branch_a, secretary_a, members
):
    RosterEntryFactory(branch=branch_a, name="已出党", member_no="X1", status=RosterEntry.Status.LEFT)
    client.force_login(secretary_a)
    response = client.post(
        reverse("orglife:schedule"),
        {
            "branch": branch_a.pk,
            "kind": "theme_day",
            "topic": "重温入党誓词",
            "day": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "start": "14:30",
            "end": "16:30",
            "place": "党员活动室",
            "presenter": "书记",
            "material": "党章第一章",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orglife:meeting", args=(meeting.pk,))
    assert meeting.invitations.count() == 5  # member_a, three others, the one without an account; not who left
    assert meeting.due == 5 and meeting.tracked
    notes = Notification.objects.filter(kind=Notification.Kind.ORGLIFE)
    assert notes.count() == 4 and "重温入党誓词" in notes.first().detail
    assert notes.first().link == reverse("orglife:meeting", args=(meeting.pk,))
    assert len(mail.outbox) == 0 or all("重温入党誓词" in m.subject or "重温入党誓词" in m.body for m in mail.outbox)


def test_schedule_form_refuses_an_end_before_the_start_and_no_place(client, branch_a, secretary_a, members):
    client.force_login(secretary_a)
    response = client.post(
        reverse("orglife:schedule"),
        {
            "branch": branch_a.pk,
            "kind": "theme_day",
            "topic": "t",
            "day": "2026-12-20",
            "start": "16:00",
            "end": "15:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "会议结束时间须晚于开始时间" in html and "请填写地点" in html


def test_members_reply_attending_or_ask_for_leave_with_a_reason(client, tomorrow_meeting, members):
    client.force_login(members["a"])
    url = reverse("orglife:reply", args=(tomorrow_meeting.pk,))
    client.post(url, {"answer": "leave", "reason": ""})
    assert Invitation.objects.get(member__user=members["a"]).reply == ""  # a leave needs a reason
    client.post(url, {"answer": "leave", "reason": "外出就医"})
    invitation = Invitation.objects.get(member__user=members["a"])
    assert invitation.reply == "leave" and invitation.reason == "外出就医"
    tomorrow_meeting.refresh_from_db()
    assert tomorrow_meeting.on_leave == 1


def test_a_member_signs_in_by_the_code_once_and_a_second_sign_in_is_refused(client, running_meeting, members):
    client.force_login(members["a"])
    url = _token_url(running_meeting)
    page = client.get(url)
    assert page.status_code == 200 and "签到" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert SignIn.objects.filter(meeting=running_meeting).count() == 1
    again = client.post(url)
    assert again.status_code == 200 and "您已签到" in again.content.decode()
    assert SignIn.objects.filter(meeting=running_meeting).count() == 1


def test_the_database_refuses_a_second_sign_in_row(running_meeting, members):
    from django.db import IntegrityError, transaction

    entry = RosterEntry.objects.get(user=members["a"])
    SignIn.objects.create(meeting=running_meeting, member=entry, method="qr")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignIn.objects.create(meeting=running_meeting, member=entry, method="ticked")


def test_sign_in_outside_the_meetings_window_is_refused(tomorrow_meeting, members, client):
    with pytest.raises(Refused, match="签到时间"):
        attendance.sign_in(tomorrow_meeting, members["a"])
    late = tomorrow_meeting.ends_at + dt.timedelta(hours=1)
    with pytest.raises(Refused, match="签到时间"):
        attendance.sign_in(tomorrow_meeting, members["a"], now=late)
    inside = tomorrow_meeting.starts_at + dt.timedelta(minutes=5)
    attendance.sign_in(tomorrow_meeting, members["a"], now=inside)
    assert SignIn.objects.filter(meeting=tomorrow_meeting).count() == 1
    # And through the page: a clear message, nothing written.
    client.force_login(members["others"][0])
    response = client.post(_token_url(tomorrow_meeting))
    assert response.status_code == 200 and "签到时间" in response.content.decode()
    assert SignIn.objects.filter(meeting=tomorrow_meeting).count() == 1


def test_an_old_or_forged_code_is_refused(client, running_meeting, members, settings):
    client.force_login(members["a"])
    forged = _token_url(running_meeting)[:-3] + "abc/"
    response = client.post(forged)
    assert response.status_code == 200 and "不是有效的签到码" in response.content.decode()
    old = signing.TimestampSigner(salt=attendance.SIGNIN_SALT)
    token = old.sign_object({"m": running_meeting.pk})
    settings.ORGLIFE_QR_MAX_AGE_SECONDS = -1  # every code is already too old
    response = client.post(reverse("orglife:sign_in", args=(token,)))
    assert response.status_code == 200 and "已过期" in response.content.decode()
    assert not SignIn.objects.exists()


def test_someone_not_due_cannot_sign_in(client, running_meeting, resident, editor_b):
    for user in (resident, editor_b):
        client.force_login(user)
        response = client.post(_token_url(running_meeting))
        assert response.status_code == 200 and "不在本次会议的应到名单" in response.content.decode()
    assert not SignIn.objects.exists()


def test_signing_in_needs_an_account_first(client, running_meeting):
    response = client.get(_token_url(running_meeting))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/orglife/s/")


def test_counts_equal_the_sign_ins_and_reach_the_ledger_and_cadence(client, running_meeting, members, secretary_a):
    attendance.sign_in(running_meeting, members["a"])
    attendance.sign_in(running_meeting, members["others"][0])
    attendance.reply(running_meeting, members["others"][1], "leave", "出差")
    attendance.tick(running_meeting, [members["offline"].pk], secretary_a)
    counts = attendance.counts(running_meeting)
    assert counts["present"] == SignIn.objects.filter(meeting=running_meeting).count() == 3
    assert counts["due"] == 5 and counts["on_leave"] == 1
    record = MeetingRecord.objects.get(pk=running_meeting.pk)
    assert (record.due, record.present, record.on_leave) == (5, 3, 1)
    # After the meeting: the one who neither came nor asked for leave is absent.
    later = running_meeting.ends_at + dt.timedelta(minutes=1)
    Meeting.objects.filter(pk=running_meeting.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    running_meeting.refresh_from_db()
    assert attendance.counts(running_meeting)["absent"] == 1
    assert later  # the counts above were taken while it ran
    rows = {
        row["kind"]: row["quarters"]
        for row in MeetingRecord.objects.cadence(running_meeting.branch_id, running_meeting.date.year)
    }
    quarter = (running_meeting.date.month - 1) // 3
    assert rows["theme_day"][quarter]["held"] == 1


def test_a_scheduled_meeting_nobody_attended_does_not_count_as_held(tomorrow_meeting):
    rows = {
        r["kind"]: r["quarters"]
        for r in MeetingRecord.objects.cadence(tomorrow_meeting.branch_id, tomorrow_meeting.date.year)
    }
    assert sum(cell["held"] for cell in rows["theme_day"]) == 0


def test_typed_records_from_before_keep_counting(branch_a):
    MeetingRecord.objects.create(
        branch=branch_a, kind="lecture", date=dt.date(2025, 5, 1), topic="旧记录", due=10, present=9, absent=1
    )
    rows = {r["kind"]: r["quarters"] for r in MeetingRecord.objects.cadence(branch_a.pk, 2025)}
    assert rows["lecture"][1]["held"] == 1 and rows["lecture"][1]["met"]
    assert "life_meeting" not in rows  # held once a year: no quarterly expectation


def test_the_secretary_ticks_those_without_phones_and_can_undo_a_tick(client, running_meeting, members, secretary_a):
    client.force_login(secretary_a)
    offline = members["offline"]
    client.post(reverse("orglife:tick", args=(running_meeting.pk,)), {"member": [offline.pk, "x", "999999999"]})
    assert list(SignIn.objects.values_list("member_id", "method")) == [(offline.pk, "ticked")]
    client.post(reverse("orglife:tick", args=(running_meeting.pk,)), {"untick": offline.pk})
    assert not SignIn.objects.exists()
    assert MeetingRecord.objects.get(pk=running_meeting.pk).present == 0


def test_absentees_and_those_on_leave_do_the_make_up_and_mark_it_done(client, running_meeting, members, secretary_a):
    attendance.sign_in(running_meeting, members["a"])
    attendance.reply(running_meeting, members["others"][0], "leave", "出差")
    Meeting.objects.filter(pk=running_meeting.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    running_meeting.refresh_from_db()
    assert attendance.assign_makeups(running_meeting, secretary_a) == 3  # on leave + two absent with accounts
    assert attendance.assign_makeups(running_meeting, secretary_a) == 0  # told once
    client.force_login(members["others"][0])
    html = client.get(reverse("orglife:meeting", args=(running_meeting.pk,))).content.decode()
    assert "补学" in html
    client.post(reverse("orglife:makeup", args=(running_meeting.pk,)), {"note": "已学习党章"})
    invitation = Invitation.objects.get(member__user=members["others"][0])
    assert invitation.makeup_done_at and invitation.makeup_note == "已学习党章"
    # Someone who was present has no make-up.
    client.force_login(members["a"])
    client.post(reverse("orglife:makeup", args=(running_meeting.pk,)))
    assert not Invitation.objects.get(member__user=members["a"]).makeup_done_at


def test_minutes_are_saved_once_with_attachments_and_shown(client, running_meeting, members, secretary_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretary_a)
    url = reverse("orglife:minutes", args=(running_meeting.pk,))
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    client.post(url, {"recorder": "组织委员", "content": "学习了党章", "attachments": [bad]})
    running_meeting.refresh_from_db()
    assert not running_meeting.minutes_saved_at and not running_meeting.attachments.exists()  # nothing half-written
    good = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(
        url, {"recorder": "组织委员", "content": "学习了党章", "decisions": "下月开展志愿服务", "attachments": [good]}
    )
    running_meeting.refresh_from_db()
    assert running_meeting.content == "学习了党章" and running_meeting.recorder == "组织委员"
    assert running_meeting.attachments.get().name == "签到表.pdf"
    client.force_login(members["a"])
    html = client.get(reverse("orglife:meeting", args=(running_meeting.pk,))).content.decode()
    assert "下月开展志愿服务" in html
    attachment = running_meeting.attachments.get()
    assert client.get(reverse("orglife:attachment", args=(attachment.pk,))).status_code == 200


def test_a_party_lecture_on_a_study_item_counts_as_study(home_page, branch_a, secretary_a, members):
    index = study_index(home_page)
    item = study(index, title="学习党章")
    starts_at = timezone.now() - dt.timedelta(minutes=5)
    lecture = factories.meeting(branch_a, kind="lecture", starts_at=starts_at, user=secretary_a, study_page=item)
    attendance.sign_in(lecture, members["a"])
    assert StudyRecord.objects.filter(user=members["a"], page=item).exists()
    assert not StudyRecord.objects.filter(user=members["others"][0], page=item).exists()


@pytest.mark.parametrize(
    ("who", "see", "run"),
    [
        ("secretary_a", True, True),
        ("org_admin", True, True),
        ("member_a", True, False),
        ("editor_a", False, False),
        ("editor_b", False, False),
        ("resident", False, False),
    ],
)
def test_permissions_per_role(request, client, running_meeting, who, see, run):
    user = request.getfixturevalue(who)
    assert user.has_perm("orglife.see_meeting", running_meeting) is see
    assert user.has_perm("orglife.run_meeting", running_meeting) is run
    assert user.has_perm("orglife.schedule_meeting", running_meeting.branch) is run
    client.force_login(user)
    assert client.get(reverse("orglife:meeting", args=(running_meeting.pk,))).status_code == (200 if see else 404)
    screen = client.get(reverse("orglife:signin_screen", args=(running_meeting.pk,)))
    assert screen.status_code == (200 if run else 404)
    ledger = client.post(reverse("orglife:ledger_xlsx", args=(running_meeting.branch_id, running_meeting.date.year)))
    assert ledger.status_code == (302 if run else 404)
    record = client.post(reverse("orglife:record_pdf", args=(running_meeting.pk,)))
    assert record.status_code == (302 if run else 404)


def test_the_sign_in_screen_shows_a_qr_code_holding_a_signed_link(client, running_meeting, secretary_a):
    client.force_login(secretary_a)
    html = client.get(reverse("orglife:signin_screen", args=(running_meeting.pk,))).content.decode()
    assert "<svg" in html and 'role="img"' in html
    url = re.search(r'data-signin-url="([^"]+)"', html).group(1)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert attendance.meeting_of_token(token) == running_meeting.pk


def test_ledger_xlsx_lists_the_years_meetings_with_computed_counts(client, running_meeting, members, secretary_a):
    from io import BytesIO

    from openpyxl import load_workbook

    attendance.sign_in(running_meeting, members["a"])
    client.force_login(secretary_a)
    response = download_report(
        client, reverse("orglife:ledger_xlsx", args=(running_meeting.branch_id, running_meeting.date.year))
    )
    sheet = load_workbook(BytesIO(content_of(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][2] == running_meeting.topic and rows[2][5] == 5 and rows[2][6] == 1


def test_the_index_lists_my_meetings_with_constant_queries(
    client, branch_a, secretary_a, members, django_assert_max_num_queries
):
    client.force_login(members["a"])
    for _ in range(2):
        factories.meeting(branch_a, user=secretary_a)
    with django_assert_max_num_queries(30):
        small = client.get(reverse("orglife:index"))
    for _ in range(8):
        factories.meeting(branch_a, user=secretary_a)
    with django_assert_max_num_queries(30):
        large = client.get(reverse("orglife:index"))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count("主题党日：学习贯彻会议精神") == 10


def test_an_attachment_whose_file_is_gone_is_not_found_not_a_server_error(client, running_meeting, secretary_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretary_a)
    good = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(
        reverse("orglife:minutes", args=(running_meeting.pk,)),
        {"recorder": "组织委员", "content": "学习了党章", "attachments": [good]},
    )
    attachment = running_meeting.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(reverse("orglife:attachment", args=(attachment.pk,))).status_code == 404


def test_a_ledger_of_year_zero_is_not_found_not_a_server_error(client, branch_a, secretary_a):
    client.force_login(secretary_a)
    assert client.get(f"/orglife/ledger/{branch_a.pk}/0.xlsx").status_code == 404
    assert client.get(f"/orglife/ledger/{branch_a.pk}/0.pdf").status_code == 404
    assert client.post(f"/orglife/ledger/{branch_a.pk}/0.pdf").status_code == 404
    assert client.post("/orglife/ledger/999999/2026.xlsx").status_code == 404
    assert client.post("/orglife/999999/record.pdf").status_code == 404


def test_the_meeting_record_pdf_is_a_job_the_secretary_downloads_and_no_one_else(
    client, running_meeting, members, secretary_a
):
    client.force_login(secretary_a)
    page = client.get(reverse("orglife:meeting", args=(running_meeting.pk,))).content.decode()
    url = reverse("orglife:record_pdf", args=(running_meeting.pk,))
    assert f'action="{url}"' in page  # a button (POST), not a link
    assert client.get(url).status_code == 200 and not Job.objects.exists()  # an old link: the button's page
    response = download_report(client, url)
    assert content_of(response).startswith(b"%PDF")
    job = Job.objects.get()
    assert job.kind == "orglife.record_pdf" and running_meeting.topic in job.title
    client.force_login(members["a"])
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_orglife_jobs_ask_again_as_the_person_who_started_them(running_meeting, members, secretary_a):
    from jobs import running

    member = members["a"]
    year = running_meeting.date.year
    started = [
        Job.objects.create(
            owner=member, kind="orglife.record_pdf", title="记录", params={"meeting_id": running_meeting.pk}
        ),
        Job.objects.create(owner=secretary_a, kind="orglife.record_pdf", title="记录", params={"meeting_id": 0}),
    ]
    for kind in ("orglife.ledger_xlsx", "orglife.ledger_pdf"):
        params = {"branch_id": running_meeting.branch_id, "year": year}
        started.append(Job.objects.create(owner=member, kind=kind, title="台账", params=params))
        started.append(Job.objects.create(owner=secretary_a, kind=kind, title="台账", params={**params, "year": 0}))
    for job in started:
        assert running.run(job.pk) == Job.Status.FAILED
        job.refresh_from_db()
        assert job.error and not job.result_file


# --- Review of issue 18: no meetings scheduled in the past, no ticks months later, absent after the end ---------


def _schedule_post(branch, day, start="14:30", end="16:30"):
    return {
        "branch": branch.pk,
        "kind": "theme_day",
        "topic": "补登的会议",
        "day": day.isoformat(),
        "start": start,
        "end": end,
        "place": "党员活动室",
    }


def test_scheduling_a_meeting_in_the_past_is_refused_with_a_clear_message(client, branch_a, secretary_a, members):
    client.force_login(secretary_a)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(reverse("orglife:schedule"), _schedule_post(branch_a, yesterday))
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "该时间已过" in html and "会议记录" in html  # says why, and where a past meeting is entered
    assert not Notification.objects.exists()
    # The same rule below the form: a meeting that started an hour ago is not scheduled either.
    start = timezone.now() - dt.timedelta(hours=1)
    past = Meeting(branch=branch_a, kind="theme_day", topic="t", place="p", starts_at=start, ends_at=start)
    past.ends_at = start + dt.timedelta(hours=2)
    with pytest.raises(Refused, match="该时间已过"):
        attendance.schedule(past, secretary_a)
    assert not Meeting.objects.exists()


def test_a_meeting_starting_ahead_or_just_now_is_scheduled(client, branch_a, secretary_a, members):
    client.force_login(secretary_a)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(reverse("orglife:schedule"), _schedule_post(branch_a, tomorrow))
    assert response.status_code == 302 and Meeting.objects.count() == 1
    # A secretary who fills in the form as the meeting begins is not refused for the minutes that took.
    start = timezone.now() - dt.timedelta(minutes=5)
    late = Meeting(branch=branch_a, kind="theme_day", topic="t", place="p", starts_at=start)
    late.ends_at = start + dt.timedelta(hours=2)
    attendance.schedule(late, secretary_a)
    assert Meeting.objects.count() == 2


def test_a_meeting_that_already_took_place_is_still_entered_as_a_typed_record(client, branch_a, secretary_a):
    client.force_login(secretary_a)
    day = timezone.localdate() - dt.timedelta(days=20)
    response = client.post(
        reverse("wagtailsnippets_home_meetingrecord:add"),
        {
            "branch": branch_a.pk,
            "kind": "lecture",
            "date": day.isoformat(),
            "topic": "上月的党课",
            "presenter": "书记",
            "recorder": "组织委员",
            "due": 10,
            "present": 8,
            "on_leave": 1,
            "absent": 1,
            "content": "学习党章",
            "decisions": "",
            "photos-count": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = MeetingRecord.objects.get(topic="上月的党课")
    assert (record.date, record.present, record.tracked) == (day, 8, False)


def test_the_secretary_ticks_within_the_grace_after_the_meeting_not_months_later(
    client, running_meeting, members, secretary_a, settings
):
    settings.ORGLIFE_TICK_GRACE_DAYS = 7
    offline, other = members["offline"], RosterEntry.objects.get(user=members["others"][0])
    within = running_meeting.ends_at + dt.timedelta(days=6)
    assert attendance.tick(running_meeting, [offline.pk], secretary_a, now=within) == 1
    attendance.untick(running_meeting, offline.pk, secretary_a, now=within)
    attendance.tick(running_meeting, [offline.pk], secretary_a, now=within)
    months_later = running_meeting.ends_at + dt.timedelta(days=90)
    with pytest.raises(Refused, match="考勤已于.*截止"):
        attendance.tick(running_meeting, [other.pk], secretary_a, now=months_later)
    with pytest.raises(Refused, match="考勤已于.*截止"):
        attendance.untick(running_meeting, offline.pk, secretary_a, now=months_later)
    assert list(SignIn.objects.values_list("member_id", flat=True)) == [offline.pk]
    # Through the page, once the grace is over: a clear message, nothing written, no tick boxes left.
    settings.ORGLIFE_TICK_GRACE_DAYS = 0
    Meeting.objects.filter(pk=running_meeting.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(secretary_a)
    response = client.post(reverse("orglife:tick", args=(running_meeting.pk,)), {"member": [other.pk]}, follow=True)
    html = response.content.decode()
    assert "考勤已于" in html and 'name="member"' not in html
    assert SignIn.objects.count() == 1 and MeetingRecord.objects.get(pk=running_meeting.pk).present == 1


def _end(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    meeting.refresh_from_db()


def test_absent_is_counted_once_the_meeting_is_over_in_the_ledgers_xlsx_and_pdf(
    client, running_meeting, members, secretary_a
):
    from io import BytesIO

    from openpyxl import load_workbook

    from orglife import ledger

    attendance.sign_in(running_meeting, members["a"])
    attendance.tick(running_meeting, [members["offline"].pk], secretary_a)
    attendance.reply(running_meeting, members["others"][0], "leave", "出差")
    _end(running_meeting)  # nothing runs at the end: the stored counts must already be right
    client.force_login(secretary_a)
    url = reverse("orglife:ledger_xlsx", args=(running_meeting.branch_id, running_meeting.date.year))
    sheet = load_workbook(BytesIO(content_of(download_report(client, url)))).active
    row = list(sheet.iter_rows(values_only=True))[2]
    assert row[2] == running_meeting.topic
    assert row[5:9] == (5, 2, 1, 2)  # due, present, on leave, absent = 5 − 2 − 1
    html = ledger.ledger_html(running_meeting.branch, running_meeting.date.year)
    assert "<td>5</td><td>2</td><td>1</td><td>2</td>" in html
    record = MeetingRecord.objects.get(pk=running_meeting.pk)
    assert (record.due, record.present, record.on_leave, record.absent) == (5, 2, 1, 2)
    assert attendance.counts(running_meeting) == {"due": 5, "present": 2, "on_leave": 1, "absent": 2}


def test_the_ledger_pdf_shows_the_absent_of_a_finished_meeting(client, running_meeting, members, secretary_a):
    import shutil
    import subprocess

    attendance.sign_in(running_meeting, members["a"])
    _end(running_meeting)
    client.force_login(secretary_a)
    response = download_report(
        client, reverse("orglife:ledger_pdf", args=(running_meeting.branch_id, running_meeting.date.year))
    )
    content = content_of(response)
    assert response.status_code == 200 and content.startswith(b"%PDF")
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed: make system"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert re.search(r"(?<!\d)5\s+1\s+0\s+4(?!\d)", text), text  # due, present, on leave, absent


def test_while_a_meeting_runs_the_ledger_does_not_call_anyone_absent_yet(client, running_meeting, members, secretary_a):
    from io import BytesIO

    from openpyxl import load_workbook

    attendance.sign_in(running_meeting, members["a"])
    client.force_login(secretary_a)
    url = reverse("orglife:ledger_xlsx", args=(running_meeting.branch_id, running_meeting.date.year))
    sheet = load_workbook(BytesIO(content_of(download_report(client, url)))).active
    row = list(sheet.iter_rows(values_only=True))[2]
    assert row[5:8] == (5, 1, 0) and row[8] in (None, "")
    html = client.get(reverse("orglife:meeting", args=(running_meeting.pk,))).content.decode()
    assert 'data-count="absent">–<' in html


def test_the_migration_recounts_absent_of_meetings_already_over(running_meeting, members, secretary_a):
    import importlib

    from django.apps import apps

    attendance.sign_in(running_meeting, members["a"])
    _end(running_meeting)
    MeetingRecord.objects.filter(pk=running_meeting.pk).update(absent=0)  # as the old code left it
    typed = MeetingRecord.objects.create(
        branch=running_meeting.branch, kind="lecture", date=dt.date(2025, 5, 1), topic="旧记录", due=10, present=9
    )
    migration = importlib.import_module("orglife.migrations.0003_recount_absent")
    migration.recount_absent(apps, None)
    assert MeetingRecord.objects.get(pk=running_meeting.pk).absent == 4
    assert MeetingRecord.objects.get(pk=typed.pk).absent == 0  # typed records keep what was typed
