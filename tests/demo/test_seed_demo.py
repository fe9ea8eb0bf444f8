import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from home.models import BranchPage, HomePage
from organizations import roles
from organizations.models import Grid, Organization, RosterEntry

pytestmark = pytest.mark.django_db


def _seed(**options) -> str:
    from io import StringIO

    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _snapshot():
    return (
        Organization.objects.count(),
        Grid.objects.count(),
        RosterEntry.objects.count(),
        get_user_model().objects.count(),
        BranchPage.objects.count(),
    )


def test_seed_demo_builds_the_street_tree_members_residents_and_pages():
    output = _seed(members=80, residents=30)
    assert Organization.objects.filter(kind=Organization.Kind.BRANCH).count() == 4
    assert Organization.objects.filter(kind=Organization.Kind.COMMUNITY).count() == 2
    # 80 members, and the membership demo's applicant whom the street approved as a probationary member.
    assert RosterEntry.objects.count() == 81
    assert RosterEntry.objects.filter(member_type=RosterEntry.MemberType.PROBATIONARY).exists()
    assert HomePage.objects.count() == 1 and BranchPage.objects.count() == 6
    assert "admin@demo.gongzhi.example" in output and "gongzhi-demo-2026" in output
    secretary = get_user_model().objects.get(email="secretary-heping-1@demo.gongzhi.example")
    assert roles.holds_role(secretary, Organization.objects.get(code="heping-1"), roles.Role.SECRETARY)
    assert roles.is_member(secretary)


def test_seed_demo_twice_changes_nothing():
    _seed(members=8, residents=5)
    before = _snapshot()
    output = _seed(members=8, residents=5)
    assert _snapshot() == before
    assert "already seeded" in output


class _Undo(Exception):
    pass


def test_seed_demo_is_deterministic():
    try:
        with transaction.atomic():
            _seed(members=8, residents=5)
            first = list(RosterEntry.objects.order_by("member_no").values_list("name", "member_type", "joined_on"))
            raise _Undo
    except _Undo:
        pass
    assert not RosterEntry.objects.exists()
    _seed(members=8, residents=5)
    assert list(RosterEntry.objects.order_by("member_no").values_list("name", "member_type", "joined_on")) == first


def test_demo_users_can_sign_in_with_the_printed_password(client):
    _seed(members=8, residents=5)
    response = client.post(
        "/accounts/login/", {"login": "resident-0001@demo.gongzhi.example", "password": "gongzhi-demo-2026"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_demo_home_page_is_titled_by_its_street_alone(client):
    """The site name follows every title (base.html): a home page titled with it read "… · 共治 · 共治"."""
    _seed(members=20, residents=5)
    assert HomePage.objects.get().title == "幸福街道"
    assert "<title>幸福街道 · 共治</title>" in client.get("/").content.decode()
