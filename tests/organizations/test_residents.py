"""Who lives in a grid: a confirmed residence, or an active roster entry naming the grid; each person once."""

import pytest

from django.contrib.auth.models import AnonymousUser

from accounts.factories import UserFactory
from organizations import residents
from organizations.factories import GridFactory, RosterEntryFactory
from organizations.models import Residence, RosterEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def grids(tree):
    return tree["grid"], GridFactory(community=tree["community"], name="第二网格", code="heping-g2")


def test_a_resident_lives_in_the_grid_of_their_residence(grids):
    grid, other = grids
    resident = UserFactory()
    Residence.objects.create(user=resident, grid=grid)
    assert residents.lives_in(resident, [grid.pk])
    assert not residents.lives_in(resident, [other.pk])
    assert residents.grids_of(resident) == {grid.pk}


def test_a_member_lives_in_their_roster_grid_and_in_their_residence_while_on_the_roster(grids, branch_a):
    grid, other = grids
    member = UserFactory()
    entry = RosterEntryFactory(branch=branch_a, user=member, grid=grid)
    Residence.objects.create(user=member, grid=other)
    assert residents.lives_in(member, [grid.pk]) and residents.lives_in(member, [other.pk])
    assert residents.grids_of(member) == {grid.pk, other.pk}
    entry.status = RosterEntry.Status.LEFT
    entry.save()
    assert not residents.lives_in(member, [grid.pk])
    assert residents.grids_of(member) == {other.pk}


def test_the_filter_on_users_names_those_who_live_there(grids, branch_a):
    grid, other = grids
    resident, member, elsewhere = UserFactory(), UserFactory(), UserFactory()
    Residence.objects.create(user=resident, grid=grid)
    RosterEntryFactory(branch=branch_a, user=member, grid=grid)
    Residence.objects.create(user=elsewhere, grid=other)
    users = type(resident).objects.filter(residents.living_in([grid.pk]))
    assert set(users) == {resident, member}


def test_the_count_counts_each_person_once_and_members_without_an_account(grids, branch_a):
    grid, _other = grids
    both = UserFactory()
    Residence.objects.create(user=both, grid=grid)
    RosterEntryFactory(branch=branch_a, user=both, grid=grid)
    RosterEntryFactory(branch=branch_a, user=None, grid=grid)
    Residence.objects.create(user=UserFactory(), grid=grid)
    assert residents.count([grid.pk]) == 3


def test_an_anonymous_visitor_lives_nowhere(grids):
    assert not residents.lives_in(AnonymousUser(), [grids[0].pk])
    assert residents.grids_of(AnonymousUser()) == set()


def test_the_residence_keeps_its_table_from_consultation():
    assert Residence._meta.db_table == "consultation_residence"
