"""The organisational life demo shows what issue 18 asks for, whatever day it is built."""

import io

import pytest

from django.core.management import call_command
from django.utils import timezone

from home.models import MeetingRecord
from organizations.models import Organization
from orglife import cadence, terms
from orglife.models import Invitation, Meeting, SignIn, TermReminder

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_year_of_meetings_a_branch_behind_and_terms_ending_and_overdue():
    call_command("seed_demo", members=40, residents=5, stdout=io.StringIO())
    today = timezone.localdate()
    branches = {b.code: b for b in Organization.objects.filter(kind=Organization.Kind.BRANCH)}
    for branch in branches.values():
        held = MeetingRecord.objects.held().filter(branch=branch)
        assert held.count() >= 20 and not held.filter(tracked=False).exists()  # real meetings, none typed
    assert SignIn.objects.exists() and Invitation.objects.filter(reply="leave").exists()
    assert Invitation.objects.exclude(makeup_done_at=None).exists()
    # Counts on the ledger rows equal the sign-ins.
    meeting = Meeting.objects.filter(present__gt=0).first()
    assert meeting.present == SignIn.objects.filter(meeting=meeting).count()
    assert meeting.has_ended() and meeting.absent == meeting.due - meeting.present - meeting.on_leave
    # Today's 主题党日 of the first branch is open for sign-in.
    assert any(m.signin_open() for m in Meeting.objects.filter(branch=branches["heping-1"], cancelled_at=None))
    # 和平社区离退休党支部 held nothing this quarter: it is behind (warned ahead, or missed once it ends).
    year, quarter = today.year, cadence.quarter_of(today)
    rows = {r["kind"]: r["quarters"] for r in MeetingRecord.objects.cadence(branches["heping-2"].pk, year)}
    assert rows["theme_day"][quarter - 1]["held"] == 0
    # One term ends in four months (reminded six months ahead), one is overdue.
    soon = terms.current_term(branches["heping-1"])
    assert (terms.ends_on(soon) - today).days in range(110, 130)
    assert TermReminder.objects.filter(term=soon, point="m6").exists()
    overdue = terms.current_term(branches["guangming-2"])
    assert terms.ends_on(overdue) < today
    assert TermReminder.objects.filter(term=overdue, point__startswith="overdue").exists()
