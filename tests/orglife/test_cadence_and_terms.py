"""Cadence warnings ahead of and after a quarter's end; committee terms: reminders at six months and monthly
when overdue, postponements of at most a year, and the committee and roles changing on the effective date."""

import datetime as dt

import pytest

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory
from home.models import MeetingRecord
from notifications.models import Notification
from organizations import roles
from organizations.factories import RosterEntryFactory
from orglife import cadence, terms
from orglife.attendance import Refused
from orglife.models import CadenceNotice, CommitteeMember, Term, TermAdjustment, TermReminder

pytestmark = pytest.mark.django_db


def _held(branch, kind, day):
    MeetingRecord.objects.create(branch=branch, kind=kind, date=day, topic="会议", due=5, present=5)


def _by_kind(found, stage):
    return {(w["kind"], w["quarter"]) for w in found if w["stage"] == stage}


def test_cadence_warns_ahead_of_the_quarters_end_not_earlier(branch_a):
    _held(branch_a, "theme_day", dt.date(2026, 10, 8))  # 1 of 3 expected this quarter
    early = cadence.warnings([branch_a.pk], dt.date(2026, 10, 20))  # 72 days left: no warning yet
    assert ("theme_day", 4) not in _by_kind(early, "ahead")
    ahead = cadence.warnings([branch_a.pk], dt.date(2026, 12, 10))  # 21 days left
    assert ("theme_day", 4) in _by_kind(ahead, "ahead")
    warning = next(w for w in ahead if w["kind"] == "theme_day" and w["stage"] == "ahead")
    assert (warning["held"], warning["expected"], warning["days_left"]) == (1, 3, 21)
    # The yearly 组织生活会 is also due before the year ends.
    assert ("life_meeting", 0) in _by_kind(ahead, "ahead")


def test_cadence_reports_a_missed_quarter_after_its_end(branch_a):
    for month in (7, 8, 9):
        _held(branch_a, "theme_day", dt.date(2026, month, 3))
    after = cadence.warnings([branch_a.pk], dt.date(2026, 10, 5))
    missed = _by_kind(after, "missed")
    assert ("theme_day", 3) not in missed  # met
    assert ("general_meeting", 3) in missed and ("lecture", 3) in missed


def test_a_met_quarter_gives_no_warning(branch_a):
    for day in (dt.date(2026, 10, 3), dt.date(2026, 11, 3), dt.date(2026, 12, 3)):
        _held(branch_a, "theme_day", day)
    found = cadence.warnings([branch_a.pk], dt.date(2026, 12, 10))
    assert ("theme_day", 4) not in _by_kind(found, "ahead")


def test_cadence_notices_go_to_the_branch_and_the_level_above_once(branch_a, secretary_a, tree):
    community_admin = UserFactory()
    roles.grant(community_admin, tree["community"], roles.Role.ADMIN)
    sent = cadence.send_notices(dt.date(2026, 12, 10))
    assert sent >= 1
    recipients = set(Notification.objects.filter(kind="orglife").values_list("recipient_id", flat=True))
    assert {secretary_a.pk, community_admin.pk} <= recipients
    count = Notification.objects.count()
    cadence.send_notices(dt.date(2026, 12, 11))
    assert Notification.objects.count() == count  # idempotent
    assert CadenceNotice.objects.filter(branch=branch_a, stage="ahead").exists()


def test_the_secretary_sees_cadence_warnings_on_the_page(client, branch_a, secretary_a, member_a, settings):
    settings.ORGLIFE_CADENCE_WARN_DAYS = 100  # longer than any quarter: the running one is always warned about
    client.force_login(secretary_a)
    found = cadence.warnings_for(secretary_a)
    assert {w["kind"] for w in found if w["stage"] == "ahead"} >= {"theme_day", "general_meeting"}
    html = client.get(reverse("orglife:index")).content.decode()
    assert "即将到期" in html and "主题党日" in html
    client.force_login(member_a)
    assert cadence.warnings_for(member_a) == []


def _committee(branch, elected_on, secretary_user=None, effective_on=None):
    secretary = RosterEntryFactory(branch=branch, user=secretary_user or UserFactory(), name="书记")
    member = RosterEntryFactory(branch=branch, user=UserFactory(), name="委员")
    term = terms.record_election(
        branch,
        elected_on=elected_on,
        effective_on=effective_on or elected_on,
        members=[(secretary.pk, CommitteeMember.Office.SECRETARY), (member.pk, CommitteeMember.Office.ORGANISATION)],
    )
    return term, secretary, member


def test_term_length_follows_the_organisation_type(branch_a, tree, settings):
    term, *_ = _committee(branch_a, dt.date(2024, 3, 15))
    assert term.years == 3 and terms.ends_on(term) == dt.date(2027, 3, 15)
    community_term = terms.record_election(
        tree["community"],
        elected_on=dt.date(2024, 3, 15),
        effective_on=dt.date(2024, 3, 15),
        members=[(RosterEntryFactory(branch=branch_a).pk, CommitteeMember.Office.SECRETARY)],
    )
    assert community_term.years == 5
    settings.ORGLIFE_TERM_YEARS = {**settings.ORGLIFE_TERM_YEARS, "branch": 2}
    assert terms.term_years(branch_a) == 2


def test_term_reminders_at_six_months_then_monthly_when_overdue(branch_a, secretary_a, tree):
    upper_admin = UserFactory()
    roles.grant(upper_admin, tree["community"], roles.Role.ADMIN)
    term, *_ = _committee(branch_a, dt.date(2024, 3, 15))  # ends 2027-03-15
    assert terms.send_reminders(dt.date(2026, 9, 14)) == 0  # six months and a day before: nothing yet
    assert terms.send_reminders(dt.date(2026, 9, 15)) == 1
    assert terms.send_reminders(dt.date(2026, 9, 16)) == 0  # daily run: once
    assert terms.send_reminders(dt.date(2027, 1, 1)) == 0
    notes = Notification.objects.filter(kind="orglife", detail__contains="2027-03-15")
    assert {secretary_a.pk, upper_admin.pk} <= set(notes.values_list("recipient_id", flat=True))
    assert terms.send_reminders(dt.date(2027, 3, 15)) == 1  # the day it ends: overdue
    assert terms.send_reminders(dt.date(2027, 4, 14)) == 0
    assert terms.send_reminders(dt.date(2027, 4, 15)) == 1  # a month later
    assert terms.send_reminders(dt.date(2027, 5, 20)) == 1
    assert list(TermReminder.objects.filter(term=term).order_by("sent_on").values_list("point", flat=True)) == [
        "m6",
        "overdue-0",
        "overdue-1",
        "overdue-2",
    ]


def test_further_reminder_points_can_be_configured(branch_a, settings):
    settings.ORGLIFE_TERM_REMINDER_MONTHS = [6, 3]
    _committee(branch_a, dt.date(2024, 3, 15))
    assert terms.send_reminders(dt.date(2026, 9, 15)) == 1
    assert terms.send_reminders(dt.date(2026, 12, 15)) == 1
    assert terms.send_reminders(dt.date(2026, 12, 16)) == 0


def test_the_daily_command_is_idempotent(branch_a, secretary_a):
    _committee(branch_a, dt.date(2020, 1, 1))  # long overdue
    call_command("orglife_daily", stdout=open("/dev/null", "w"))
    count = Notification.objects.count()
    call_command("orglife_daily", stdout=open("/dev/null", "w"))
    assert Notification.objects.count() == count and count >= 1


def test_a_postponement_moves_the_end_and_is_limited_to_a_year(branch_a, secretary_a):
    term, *_ = _committee(branch_a, dt.date(2024, 3, 15))
    approval = {
        "reason": "配合村（社区）换届统一进行",
        "approved_by": "和平社区党委",
        "approved_on": dt.date(2026, 9, 1),
    }
    terms.adjust(term, TermAdjustment(direction="postpone", months=8, **approval), secretary_a)
    assert terms.ends_on(term) == dt.date(2027, 11, 15)
    with pytest.raises(Refused, match="一年"):
        terms.adjust(term, TermAdjustment(direction="postpone", months=5, **approval), secretary_a)
    terms.adjust(term, TermAdjustment(direction="advance", months=2, **approval), secretary_a)
    assert terms.ends_on(term) == dt.date(2027, 9, 15)


def test_the_committee_and_roles_change_on_the_elections_effective_date(branch_a):
    today = timezone.localdate()
    old_secretary_user = UserFactory()
    first, old_secretary, old_member = _committee(
        branch_a, today - dt.timedelta(days=1000), secretary_user=old_secretary_user
    )
    assert roles.holds_role(old_secretary_user, branch_a, roles.Role.SECRETARY)  # in office: roles applied
    assert roles.holds_role(old_member.user, branch_a, roles.Role.EDITOR)

    new_user = UserFactory()
    new_secretary = RosterEntryFactory(branch=branch_a, user=new_user, name="新书记")
    takes_effect = today + dt.timedelta(days=10)
    second = terms.record_election(
        branch_a,
        elected_on=today,
        effective_on=takes_effect,
        members=[(new_secretary.pk, "secretary"), (old_member.pk, "organisation")],
    )
    assert terms.apply_due(takes_effect - dt.timedelta(days=1)) == 0  # elected, not yet in office
    assert terms.current_term(branch_a, takes_effect - dt.timedelta(days=1)) == first
    assert roles.holds_role(old_secretary_user, branch_a, roles.Role.SECRETARY)
    assert not roles.holds_role(new_user, branch_a, roles.Role.SECRETARY)

    assert terms.apply_due(takes_effect) == 1
    assert terms.current_term(branch_a, takes_effect) == second
    assert Term.objects.get(pk=first.pk).replaced_on == takes_effect
    assert roles.holds_role(new_user, branch_a, roles.Role.SECRETARY)
    assert not roles.holds_role(old_secretary_user, branch_a, roles.Role.SECRETARY)
    assert roles.holds_role(old_member.user, branch_a, roles.Role.EDITOR)  # still on the committee
    assert terms.apply_due(takes_effect) == 0  # once


def test_an_election_needs_exactly_one_secretary(branch_a):
    member = RosterEntryFactory(branch=branch_a)
    with pytest.raises(Refused, match="书记"):
        terms.record_election(
            branch_a, elected_on=dt.date(2026, 1, 1), effective_on=dt.date(2026, 1, 1), members=[(member.pk, "member")]
        )
    assert not Term.objects.exists()


def test_election_page_records_the_result_for_the_level_above(client, branch_a, org_admin, editor_a):
    secretary = RosterEntryFactory(branch=branch_a, user=UserFactory(), name="当选书记")
    client.force_login(editor_a)
    assert client.get(reverse("orglife:election", args=(branch_a.pk,))).status_code == 404
    client.force_login(org_admin)
    response = client.post(
        reverse("orglife:election", args=(branch_a.pk,)),
        {"elected_on": "2026-02-30", f"office-{secretary.pk}": "secretary"},
    )
    assert response.status_code == 200 and "请填写选举日期" in response.content.decode()
    assert not Term.objects.exists()  # no such date: a message, not a 500
    response = client.post(
        reverse("orglife:election", args=(branch_a.pk,)),
        {"elected_on": "2026-01-10", f"office-{secretary.pk}": "secretary"},
    )
    assert response.status_code == 302
    assert roles.holds_role(secretary.user, branch_a, roles.Role.SECRETARY)
    html = client.get(reverse("orglife:term", args=(branch_a.pk,))).content.decode()
    assert "当选书记" in html and "2029-01-10" in html


def test_a_branchs_own_secretary_cannot_record_its_election_or_postpone_its_term(client, branch_a, secretary_a):
    """The result grants platform roles and the postponement needs approval: only the level above records them."""
    term, *_ = _committee(branch_a, dt.date(2024, 3, 15))
    candidate = RosterEntryFactory(branch=branch_a, user=UserFactory(), name="自封书记")
    client.force_login(secretary_a)
    page = client.get(reverse("orglife:term", args=(branch_a.pk,)))
    assert page.status_code == 200 and "由上级党组织记录" in page.content.decode()
    response = client.post(
        reverse("orglife:election", args=(branch_a.pk,)),
        {"elected_on": "2026-01-10", f"office-{candidate.pk}": "secretary"},
    )
    assert response.status_code == 403
    assert Term.objects.filter(organization=branch_a).count() == 1
    assert not roles.holds_role(candidate.user, branch_a, roles.Role.SECRETARY)
    postpone = {
        "direction": "postpone",
        "months": 6,
        "reason": "自行延期",
        "approved_by": "和平社区党委",
        "approved_on": "2026-09-01",
    }
    assert client.post(reverse("orglife:term", args=(branch_a.pk,)), postpone).status_code == 403
    assert not TermAdjustment.objects.exists()


def test_the_level_above_records_a_postponement_on_the_term_page(client, branch_a, org_admin):
    term, *_ = _committee(branch_a, dt.date(2024, 3, 15))
    client.force_login(org_admin)
    response = client.post(
        reverse("orglife:term", args=(branch_a.pk,)),
        {
            "direction": "postpone",
            "months": 6,
            "reason": "配合村（社区）换届统一进行",
            "approved_by": "和平社区党委",
            "approved_on": "2026-09-01",
        },
    )
    assert response.status_code == 302
    assert TermAdjustment.objects.filter(term=term, months=6).exists()
