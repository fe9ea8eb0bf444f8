"""Membership fixtures: branch_a with five full members (contacts, introducers, the meeting's voters)."""

import pytest

from accounts.factories import UserFactory
from organizations.factories import RosterEntryFactory
from organizations.models import RosterEntry


@pytest.fixture(autouse=True)
def _chinese(settings):
    # Refusals are read in the default language, as secretaries read them.
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture
def full_members(branch_a):
    return [RosterEntryFactory(branch=branch_a, name=f"正式党员{i}") for i in range(5)]


@pytest.fixture
def probationary_member(branch_a):
    return RosterEntryFactory(branch=branch_a, name="预备党员甲", member_type=RosterEntry.MemberType.PROBATIONARY)


@pytest.fixture
def applicant_user(db):
    return UserFactory(display_name="申请人甲", email="applicant@example.org")
