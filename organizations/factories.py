"""Test factories for organisations and rosters (imported by tests only)."""

import datetime as dt

import factory

from organizations.models import Grid, Organization, RosterEntry


class OrganizationFactory(factory.django.DjangoModelFactory):
    """Pass `parent=` to place the organisation in the tree; without it, a root."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"第{n}党支部")
    code = factory.Sequence(lambda n: f"org-{n}")
    kind = Organization.Kind.BRANCH

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        instance = model_class(**kwargs)
        return parent.add_child(instance=instance) if parent else Organization.add_root(instance=instance)


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.COMMUNITY)
    name = factory.Sequence(lambda n: f"第{n}网格")
    code = factory.Sequence(lambda n: f"grid-{n}")


class RosterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterEntry

    branch = factory.SubFactory(OrganizationFactory)
    member_no = factory.Sequence(lambda n: f"M{n:04d}")
    name = factory.Sequence(lambda n: f"党员{n}")
    gender = RosterEntry.Gender.FEMALE
    member_type = RosterEntry.MemberType.FULL
    joined_on = dt.date(2010, 7, 1)
