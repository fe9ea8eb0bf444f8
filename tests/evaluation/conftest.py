import pytest

from accounts.factories import UserFactory
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Stage
from organizations.factories import RosterEntryFactory
from organizations.models import RosterEntry


@pytest.fixture
def voters(branch_a, secretary_a):
    """Six members of branch A with accounts: five full members and one probationary member."""
    users = [UserFactory(display_name=f"党员{i}") for i in range(6)]
    for index, user in enumerate(users):
        member_type = RosterEntry.MemberType.PROBATIONARY if index == 5 else RosterEntry.MemberType.FULL
        RosterEntryFactory(
            branch=branch_a, user=user, name=f"党员{index}", member_no=f"A{index:02d}", member_type=member_type
        )
    return users


@pytest.fixture
def campaign(branch_a, voters):
    campaign = AppraisalCampaignFactory(branch=branch_a)
    campaign.enrol_members()
    return campaign


@pytest.fixture
def open_campaign(campaign, secretary_a):
    campaign.move_to(Stage.BALLOTING, secretary_a)
    return campaign
