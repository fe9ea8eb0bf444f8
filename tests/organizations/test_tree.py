"""The organisation tree asked by position: `within` (a subtree) and `with_ancestors` (the way up)."""

import pytest

from organizations.factories import OrganizationFactory
from organizations.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    """street ─┬─ heping ─┬─ heping-1
    │          └─ heping-2
    └─ anle ─── anle-1"""
    street = OrganizationFactory(code="street", kind=Organization.Kind.STREET)
    heping = OrganizationFactory(parent=street, code="heping", kind=Organization.Kind.COMMUNITY)
    anle = OrganizationFactory(parent=street, code="anle", kind=Organization.Kind.COMMUNITY)
    found = {"street": street, "heping": heping, "anle": anle}
    for parent, code in ((heping, "heping-1"), (heping, "heping-2"), (anle, "anle-1")):
        found[code] = OrganizationFactory(parent=Organization.objects.get(pk=parent.pk), code=code)
    return {code: Organization.objects.get(pk=org.pk) for code, org in found.items()}


def _codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_within_is_the_organisation_and_everything_below_it(orgs):
    assert _codes(Organization.objects.within(orgs["heping"])) == {"heping", "heping-1", "heping-2"}
    assert _codes(Organization.objects.within(orgs["heping-1"])) == {"heping-1"}
    assert _codes(Organization.objects.within(orgs["street"])) == set(orgs)


def test_within_several_is_the_union_of_their_subtrees(orgs):
    assert _codes(Organization.objects.within(orgs["heping-2"], orgs["anle"])) == {"heping-2", "anle", "anle-1"}


def test_within_nothing_is_nothing(orgs):
    assert not Organization.objects.within().exists()
    assert not Organization.objects.with_ancestors().exists()


def test_with_ancestors_is_the_organisation_and_everything_above_it(orgs):
    assert _codes(Organization.objects.with_ancestors(orgs["heping-1"])) == {"street", "heping", "heping-1"}
    assert _codes(Organization.objects.with_ancestors(orgs["street"])) == {"street"}


def test_with_ancestors_of_several_is_the_union_of_their_ways_up(orgs):
    found = Organization.objects.with_ancestors(orgs["heping-1"], orgs["anle-1"])
    assert _codes(found) == {"street", "heping", "heping-1", "anle", "anle-1"}


def test_queries_compose_with_filters_and_each_other(orgs):
    heping = orgs["heping"]
    assert _codes(Organization.objects.filter(kind=Organization.Kind.BRANCH).within(heping)) == {"heping-1", "heping-2"}
    around = Organization.objects.within(heping) | Organization.objects.with_ancestors(heping)
    assert _codes(around) == {"street", "heping", "heping-1", "heping-2"}


def test_the_manager_keeps_treebeards_order_and_tree_safe_delete(orgs):
    assert [o.code for o in Organization.objects.all()] == [
        "street",
        "anle",
        "anle-1",
        "heping",
        "heping-1",
        "heping-2",
    ]
    Organization.objects.within(orgs["anle"]).delete()
    assert Organization.objects.get(code="street").numchild == 1
    assert _codes(Organization.objects.all()) == {"street", "heping", "heping-1", "heping-2"}
