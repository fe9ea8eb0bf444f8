"""Who may see, take part in, manage and moderate a consultation. Built on organizations.roles."""

from __future__ import annotations

import rules

from django.contrib.auth import get_user_model
from django.db.models import Q

from organizations import roles
from organizations.models import Organization, RosterEntry


def _subtree_filter(prefix: str, organizations) -> Q:
    lookups = Q(pk__in=[])
    for organization in organizations:
        lookups |= Q(**{f"{prefix}path__startswith": organization.path})
    return lookups


def is_eligible(user, consultation) -> bool:
    """May `user` take part (post, support, vote, rate)? Everyone signed in, residents of the
    chosen grids (their residence or, for members, their roster grid), or members of the chosen
    organisations and every branch below them."""
    from consultation.models import Audience, Residence

    if not user.is_authenticated or not user.is_active:
        return False
    if consultation.audience == Audience.EVERYONE:
        return True
    if consultation.audience == Audience.BRANCHES:
        organizations = list(consultation.eligible_organizations.all())
        if not organizations:
            return False
        return (
            RosterEntry.objects.active().filter(user=user).filter(_subtree_filter("branch__", organizations)).exists()
        )
    grid_ids = list(consultation.eligible_grids.values_list("pk", flat=True))
    if not grid_ids:
        return False
    return (
        Residence.objects.filter(user=user, grid_id__in=grid_ids).exists()
        or RosterEntry.objects.active().filter(user=user, grid_id__in=grid_ids).exists()
    )


def eligible_count(consultation) -> int:
    """How many people are due to take part (应到): the page's figure, else those who qualify."""
    from consultation.models import Audience, Residence

    if consultation.electorate_size:
        return consultation.electorate_size
    if consultation.audience == Audience.EVERYONE:
        return get_user_model().objects.filter(is_active=True).count()
    if consultation.audience == Audience.BRANCHES:
        organizations = list(consultation.eligible_organizations.all())
        # Every active member on the roster is due, with or without an account.
        return (
            RosterEntry.objects.active().filter(_subtree_filter("branch__", organizations)).count()
            if organizations
            else 0
        )
    grid_ids = list(consultation.eligible_grids.values_list("pk", flat=True))
    residents = Residence.objects.filter(grid_id__in=grid_ids)
    members = (
        RosterEntry.objects.active()
        .filter(grid_id__in=grid_ids)
        .exclude(user__in=residents.exclude(user=None).values("user"))
    )
    return residents.count() + members.count()


def can_manage(user, consultation) -> bool:
    """Branch editors and secretaries of the organising organisation, and admins above it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    organization = consultation.organization
    return organization is not None and roles.can_manage(user, organization)


def can_view(user, consultation) -> bool:
    """Open consultations are public; restricted ones only for those eligible and the organisers."""
    from consultation.models import Audience

    if consultation.audience == Audience.EVERYONE:
        return True
    return is_eligible(user, consultation) or can_manage(user, consultation)


def can_take_part(user, consultation) -> bool:
    return is_eligible(user, consultation) or (user.is_authenticated and can_manage(user, consultation))


def can_receive_live(user, consultation) -> bool:
    """WebSocket connections are for signed-in users who may see the consultation."""
    return user.is_authenticated and user.is_active and can_view(user, consultation)


def moderated_organizations(user):
    return roles.managed_organizations(user) if user.is_authenticated else Organization.objects.none()


view_consultation = rules.predicate(can_view, name="view_consultation")
take_part = rules.predicate(can_take_part, name="take_part_in_consultation")
manage_consultation = rules.predicate(can_manage, name="manage_consultation")

rules.add_perm("consultation.view_consultation", view_consultation)
rules.add_perm("consultation.take_part", take_part)
rules.add_perm("consultation.manage_consultation", manage_consultation)
rules.add_perm("consultation.moderate", manage_consultation)
