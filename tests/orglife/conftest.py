"""Fixtures for organisational life: a branch with a handful of members and a meeting running now."""

import datetime as dt

import pytest

from django.utils import timezone

from accounts.factories import UserFactory
from organizations.factories import RosterEntryFactory
from orglife import factories


@pytest.fixture
def members(branch_a, member_a):
    """member_a and three more members of branch A with accounts, and one without an account (no phone)."""
    others = []
    for index in range(3):
        user = UserFactory(display_name=f"党员{index + 1}")
        RosterEntryFactory(branch=branch_a, user=user, name=f"党员{index + 1}", member_no=f"B{index}")
        others.append(user)
    offline = RosterEntryFactory(branch=branch_a, name="老党员", member_no="B9")
    return {"a": member_a, "others": others, "offline": offline}


@pytest.fixture
def running_meeting(branch_a, secretary_a, members):
    """A 主题党日 that started ten minutes ago and lasts two hours."""
    starts_at = timezone.now() - dt.timedelta(minutes=10)
    return factories.meeting(branch_a, kind="theme_day", starts_at=starts_at, user=secretary_a)


@pytest.fixture
def tomorrow_meeting(branch_a, secretary_a, members):
    return factories.meeting(branch_a, kind="theme_day", user=secretary_a)
