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


def end_other_sessions() -> None:
    """On PostgreSQL, end the sessions servers started by a test left open, so the test database can be dropped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
