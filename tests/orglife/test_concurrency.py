"""Sign-ins racing on PostgreSQL: one member scanning twice at once is recorded once, and many members
signing in together leave counts equal to the sign-ins (the meeting's row lock orders the recounts)."""

import datetime as dt

import pytest

from django.utils import timezone

from accounts.factories import UserFactory
from home.models import MeetingRecord
from organizations.factories import RosterEntryFactory
from orglife import attendance, factories
from orglife.attendance import Refused
from orglife.models import SignIn
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _meeting(branch_a, secretary_a):
    return factories.meeting(branch_a, starts_at=timezone.now() - dt.timedelta(minutes=5), user=secretary_a)


def test_one_member_scanning_twice_at_once_is_signed_in_once(branch_a, secretary_a, member_a):
    meeting = _meeting(branch_a, secretary_a)
    results = run_concurrently(lambda i: attendance.sign_in(meeting, member_a), 4)
    assert sum(isinstance(r, SignIn) for r in results) == 1
    assert all(isinstance(r, SignIn | Refused) for r in results)
    assert SignIn.objects.filter(meeting=meeting).count() == 1
    assert MeetingRecord.objects.get(pk=meeting.pk).present == 1


def test_many_members_signing_in_together_leave_counts_equal_to_the_sign_ins(branch_a, secretary_a):
    users = [UserFactory() for _ in range(6)]
    for index, user in enumerate(users):
        RosterEntryFactory(branch=branch_a, user=user, member_no=f"C{index}")
    meeting = _meeting(branch_a, secretary_a)
    results = run_concurrently(lambda i: attendance.sign_in(meeting, users[i]), len(users))
    assert all(isinstance(r, SignIn) for r in results), results
    assert MeetingRecord.objects.get(pk=meeting.pk).present == SignIn.objects.filter(meeting=meeting).count() == 6
