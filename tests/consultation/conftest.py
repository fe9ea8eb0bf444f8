import pytest

from consultation.factories import make_consultation
from home.models import BranchPage


@pytest.fixture
def branch_page(branch_a):
    return BranchPage.objects.get(pk=branch_a.page_id)


@pytest.fixture
def consultation(branch_page):
    return make_consultation(branch_page)


@pytest.fixture
def member_b_user(branch_b):
    from accounts.factories import UserFactory
    from organizations.factories import RosterEntryFactory

    user = UserFactory(display_name="党员乙")
    RosterEntryFactory(branch=branch_b, user=user, name="党员乙")
    return user
