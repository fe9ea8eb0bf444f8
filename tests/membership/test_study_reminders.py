"""Required study with deadlines (who has not completed it, XLSX), personal points with daily caps,
and reminders through the notifications app to whoever must act."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from home import factories as home_factories
from home.models import StudyRecord
from jobs import running
from jobs.models import Job
from membership import reminders, study
from membership.factories import open_dossier
from membership.models import MobileDirection, MobileRecord, PointRule, PointSource, ReminderSent, StudyDeadline
from notifications.models import Notification
from organizations.factories import RosterEntryFactory
from tests.jobs.downloading import content_of, download_report

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def index(home_page):
    return home_factories.study_index(home_page)


def _studied(user, page, when):
    record = StudyRecord.objects.create(user=user, page=page)
    StudyRecord.objects.filter(pk=record.pk).update(studied_at=when)


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [(None, D(2026, 1, 1), D(2026, 12, 31)), (1, D(2026, 1, 1), D(2026, 3, 31)), (4, D(2026, 10, 1), D(2026, 12, 31))],
)
def test_periods_are_quarters_or_the_year(quarter, first, last):
    assert study.period(2026, quarter) == (first, last)


def test_the_secretary_lists_who_has_not_completed_required_study_due_in_the_quarter(
    client, index, tree, branch_a, secretary_a, member_a
):
    other = RosterEntryFactory(branch=branch_a, name="未学党员")
    q2 = home_factories.study(index, title="二季度必学")
    q3 = home_factories.study(index, title="三季度必学")
    StudyDeadline.objects.create(organization=tree["street"], page=q2, due_on=D(2026, 6, 30))
    StudyDeadline.objects.create(organization=tree["street"], page=q3, due_on=D(2026, 9, 30))
    # The branch's own deadline wins over the street's.
    StudyDeadline.objects.create(organization=branch_a, page=q3, due_on=D(2026, 8, 15))
    _studied(member_a, q2, dt.datetime(2026, 6, 1, 9, tzinfo=SHANGHAI))
    missing = study.not_completed(branch_a, *study.period(2026, 2))
    assert [(m.member.name, m.page.title) for m in missing] == [("未学党员", "二季度必学")]
    assert {m.due_on for m in study.not_completed(branch_a, *study.period(2026, 3))} == {D(2026, 8, 15)}

    client.force_login(secretary_a)
    url = reverse("membership:branch_study_xlsx", args=[branch_a.pk]) + "?year=2026&quarter=2"
    response = download_report(client, url)
    assert response["Content-Disposition"].endswith(f'required-study-{branch_a.code}-2026q2.xlsx"')
    sheet = load_workbook(io.BytesIO(content_of(response))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[2] == [other.member_no, "未学党员", "二季度必学", "2026-06-30"]
    job = Job.objects.get(kind="membership.missing_study_xlsx")
    client.force_login(member_a)
    assert client.get(reverse("membership:branch_study", args=[branch_a.pk])).status_code == 403
    assert client.post(url).status_code == 403
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    # The job asks again as the person who started it.
    refused = Job.objects.create(
        owner=member_a,
        kind="membership.missing_study_xlsx",
        title="必学",
        params={"branch_id": branch_a.pk, "year": 2026},
    )
    assert running.run(refused.pk) == Job.Status.FAILED


def test_points_follow_the_streets_rules_with_a_daily_cap_and_only_for_the_member(
    client, index, tree, member_a, secretary_a
):
    pages = [home_factories.study(index, title=f"材料{i}") for i in range(4)]
    PointRule.objects.create(
        organization=tree["street"], source=PointSource.STUDY, points=2, daily_cap=5, valid_from=D(2026, 1, 1)
    )
    for page in pages[:3]:  # three on one day: 6 points, capped at 5
        _studied(member_a, page, dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI))
    _studied(member_a, pages[3], dt.datetime(2026, 4, 1, 23, 30, tzinfo=SHANGHAI))  # a Shanghai day
    entry = member_a.roster_entry
    summary = study.points_of(entry, member_a, 2026)
    assert summary.total == 7 and summary.by_month == {3: 5, 4: 2} and summary.capped_days == 1
    # A rule from a later date changes the points from that date only.
    PointRule.objects.create(
        organization=tree["street"], source=PointSource.STUDY, points=1, daily_cap=5, valid_from=D(2026, 4, 1)
    )
    assert study.points_of(entry, member_a, 2026).by_month == {3: 5, 4: 1}
    neighbour = RosterEntryFactory(branch=member_a.roster_entry.branch, name="邻座党员")
    client.force_login(member_a)
    body = client.get(reverse("membership:my_study")).content.decode()
    assert "<strong>6分</strong>" in body
    assert neighbour.name not in body  # nobody else's points, no table of members
    client.force_login(secretary_a)  # the secretary has no roster entry: no page of someone else's points
    assert client.get(reverse("membership:my_study")).status_code == 403


def test_no_rule_no_points(index, member_a):
    _studied(member_a, home_factories.study(index), dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI))
    assert study.points_of(member_a.roster_entry, member_a, 2026).total == 0


def test_reminders_go_to_whoever_must_act_once_a_week(tree, branch_a, secretary_a, org_admin, member_a):
    from organizations import roles

    roles.grant(secretary_a, branch_a, roles.Role.SECRETARY)
    today = D(2026, 3, 10)
    overdue = open_dossier(branch_a, "逾期谈话", D(2026, 1, 5))  # the talk was due by 5 February
    record = MobileRecord.objects.create(
        branch=branch_a,
        direction=MobileDirection.OUTFLOW,
        entry=member_a.roster_entry,
        name="党员甲",
        place="深圳",
        contact="138",
        registered_on=D(2025, 10, 1),
    )
    sent = reminders.send(today)
    notes = Notification.objects.filter(recipient=secretary_a, kind=Notification.Kind.MEMBERSHIP)
    messages = [n.detail for n in notes]
    assert any("逾期谈话" in m for m in messages)
    assert any("党员甲" in m for m in messages)
    assert {n.link for n in notes} >= {
        reverse("membership:dossier", args=[overdue.pk]),
        reverse("membership:mobile", args=[record.pk]),
    }
    assert not Notification.objects.filter(recipient=org_admin).exists()  # the talk is the branch's step
    assert sent == ReminderSent.objects.count()
    assert reminders.send(today + dt.timedelta(days=3)) == 0
    assert reminders.send(today + dt.timedelta(days=8)) > 0


def test_meeting_attendance_counts_from_orglife_sign_ins(tree, branch_a, member_a):
    from orglife import factories as orglife_factories
    from orglife.models import SignIn

    PointRule.objects.create(
        organization=tree["street"], source=PointSource.MEETING, points=3, daily_cap=3, valid_from=D(2026, 1, 1)
    )
    start = dt.datetime(2026, 5, 20, 14, 30, tzinfo=SHANGHAI)
    meeting = orglife_factories.meeting(branch_a, starts_at=start, notify=False)
    SignIn.objects.create(meeting=meeting, member=member_a.roster_entry, method=SignIn.Method.TICKED, signed_at=start)
    summary = study.points_of(member_a.roster_entry, member_a, 2026)
    assert summary.by_source[PointSource.MEETING] == 3 and summary.by_month == {5: 3}


def test_a_party_lecture_on_a_study_item_counts_once_as_the_meeting_not_again_as_study(tree, branch_a, member_a, index):
    from orglife import attendance
    from orglife import factories as orglife_factories

    PointRule.objects.create(
        organization=tree["street"], source=PointSource.STUDY, points=2, daily_cap=10, valid_from=D(2026, 1, 1)
    )
    PointRule.objects.create(
        organization=tree["street"], source=PointSource.MEETING, points=3, daily_cap=10, valid_from=D(2026, 1, 1)
    )
    lectured, alone = home_factories.study(index, title="党课材料"), home_factories.study(index, title="自学材料")
    start = dt.datetime(2026, 5, 20, 14, 30, tzinfo=SHANGHAI)
    lecture = orglife_factories.meeting(branch_a, kind="lecture", starts_at=start, notify=False, study_page=lectured)
    attendance.sign_in(lecture, member_a, now=start)  # orglife writes the study record of the lecture's item
    StudyRecord.objects.filter(user=member_a, page=lectured).update(studied_at=start)
    _studied(member_a, alone, dt.datetime(2026, 5, 21, 9, tzinfo=SHANGHAI))
    assert StudyRecord.objects.filter(user=member_a).count() == 2
    summary = study.points_of(member_a.roster_entry, member_a, 2026)
    # By hand: the lecture 3 (as the meeting attended), the item studied alone 2; the lecture's item 0.
    assert summary.by_source[PointSource.MEETING] == 3
    assert summary.by_source[PointSource.STUDY] == 2
    assert summary.total == 5 and summary.by_month == {5: 5}


def test_volunteer_hours_count_at_the_streets_rate_in_force_at_the_end_of_the_year(client, tree, member_a, resident):
    from decimal import Decimal

    from appeals.models import Volunteer, VolunteerHours

    PointRule.objects.create(
        organization=tree["street"], source=PointSource.VOLUNTEER, points=2, daily_cap=5, valid_from=D(2025, 1, 1)
    )
    PointRule.objects.create(
        organization=tree["street"], source=PointSource.VOLUNTEER, points=3, daily_cap=5, valid_from=D(2025, 7, 1)
    )
    mine = Volunteer.objects.create(user=member_a, community=tree["community"], skills="修水管")
    theirs = Volunteer.objects.create(user=resident, community=tree["community"], skills="理发")
    for volunteer, day, hours in (
        (mine, D(2025, 3, 1), "2.5"),
        (mine, D(2025, 6, 10), "3"),  # 5.5 hours in 2025
        (mine, D(2024, 12, 31), "4"),  # another year
        (theirs, D(2025, 3, 1), "8"),  # someone else
    ):
        VolunteerHours.objects.create(volunteer=volunteer, day=day, hours=Decimal(hours))
    assert Volunteer.objects.hours_of(member_a, 2025) == 5.5
    summary = study.points_of(member_a.roster_entry, member_a, 2025)
    # By hand: 5.5 hours × 3 points (the rule in force on 31 December 2025) = 16.5, whole points 16.
    assert summary.by_source[PointSource.VOLUNTEER] == 16 and summary.total == 16
    assert summary.volunteer_hours == 5.5 and summary.by_month == {}
    client.force_login(member_a)
    body = client.get(reverse("membership:my_study") + "?year=2025").content.decode()
    assert "<strong>16分</strong>" in body and "5.5" in body
