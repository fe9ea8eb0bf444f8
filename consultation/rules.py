"""Who may see, take part in, manage and moderate a consultation. Built on organizations.roles."""

from __future__ import annotations

import rules

from django.contrib.auth import get_user_model

from organizations import residents, roles
from organizations.models import Organization, RosterEntry


def is_eligible(user, consultation) -> bool:
    """May `user` take part (post, support, vote, rate)? Everyone signed in, residents of the
    chosen grids (their residence or, for members, their roster grid), or members of the chosen
    organisations and every branch below them."""
    from consultation.models import Audience

    if not user.is_authenticated or not user.is_active:
        return False
    if consultation.audience == Audience.EVERYONE:
        return True
    if consultation.audience == Audience.BRANCHES:
        organizations = list(consultation.eligible_organizations.all())
        if not organizations:
            return False
        return (
            RosterEntry.objects.active()
            .filter(user=user)
            .filter(branch__in=Organization.objects.within(*organizations))
            .exists()
        )
    grid_ids = list(consultation.eligible_grids.values_list("pk", flat=True))
    if not grid_ids:
        return False
    return residents.lives_in(user, grid_ids)


def eligible_count(consultation) -> int:
    """How many people are due to vote (应到): counted from the audience, or the organisers' figure when they
    give one (it counts people the site cannot know, e.g. residents without an account) and it is not lower."""
    counted = audience_count(
        consultation.audience,
        list(consultation.eligible_grids.values_list("pk", flat=True)),
        list(consultation.eligible_organizations.all()),
    )
    return max(consultation.electorate_size or 0, counted)


def audience_count(audience: str, grid_ids: list[int], organizations: list) -> int:
    """Those the audience rule names: every active member on the roster of the organisations and the
    branches below (with or without an account); residents with a confirmed residence in the grids plus
    members whose roster grid is one of them. "Everyone signed in" names no electorate: all active accounts."""
    from consultation.models import Audience

    if audience == Audience.EVERYONE:
        return get_user_model().objects.filter(is_active=True).count()
    if audience == Audience.BRANCHES:
        return (
            RosterEntry.objects.active().filter(branch__in=Organization.objects.within(*organizations)).count()
            if organizations
            else 0
        )
    return residents.count(grid_ids)


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


def hidden_consultation_ids(user) -> set[int]:
    """Ids of the restricted consultations `user` may not see, in a fixed number of queries.

    The one audience rule for every list that shows consultations (index, search, notifications):
    anonymous visitors see none of them; signed-in users see those they are eligible for or manage.
    """
    from consultation.models import Audience, ConsultationPage

    restricted = dict(ConsultationPage.objects.exclude(audience=Audience.EVERYONE).values_list("pk", "audience"))
    if not restricted or not user.is_authenticated or not user.is_active:
        return set(restricted)
    if user.is_superuser:
        return set()
    organisers = dict(ConsultationPage.objects.filter(pk__in=restricted).values_list("pk", "organization_id"))
    managed = set(roles.managed_organizations(user).values_list("pk", flat=True))
    branch_paths = list(RosterEntry.objects.active().filter(user=user).values_list("branch__path", flat=True))
    grids = residents.grids_of(user)
    visible = {pk for pk, organization_id in organisers.items() if organization_id in managed}
    through_grids = ConsultationPage.eligible_grids.through.objects.filter(consultationpage_id__in=restricted)
    visible |= {
        pk
        for pk, grid in through_grids.values_list("consultationpage_id", "grid_id")
        if grid in grids and restricted[pk] == Audience.GRIDS
    }
    through_orgs = ConsultationPage.eligible_organizations.through.objects.filter(consultationpage_id__in=restricted)
    visible |= {
        pk
        for pk, path in through_orgs.values_list("consultationpage_id", "organization__path")
        if restricted[pk] == Audience.BRANCHES and any(branch.startswith(path) for branch in branch_paths)
    }
    return set(restricted) - visible


def viewer_ids(consultation, user_ids) -> set[int]:
    """Those of `user_ids` who may see `consultation` (for notifications), in a fixed number of queries."""
    from consultation.models import Audience

    user_ids = set(user_ids)
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    if consultation.audience == Audience.EVERYONE:
        return set(users.values_list("pk", flat=True))
    allowed = set(users.filter(is_superuser=True).values_list("pk", flat=True))
    if consultation.audience == Audience.BRANCHES:
        organizations = list(consultation.eligible_organizations.all())
        if organizations:
            allowed |= set(
                RosterEntry.objects.active()
                .filter(user__in=users)
                .filter(branch__in=Organization.objects.within(*organizations))
                .values_list("user_id", flat=True)
            )
    else:
        grid_ids = list(consultation.eligible_grids.values_list("pk", flat=True))
        allowed |= set(users.filter(residents.living_in(grid_ids)).values_list("pk", flat=True))
    organization = consultation.organization
    for user in users.exclude(pk__in=allowed):  # organisers: few, checked one by one
        if organization is not None and roles.can_manage(user, organization):
            allowed.add(user.pk)
    return allowed


def moderated_organizations(user):
    return roles.managed_organizations(user) if user.is_authenticated else Organization.objects.none()


# Views, templates (through context flags), actions and the live consumer ask these with
# `user.has_perm("consultation.…", consultation)`. Being in a vote's electorate (`is_eligible`) is no
# permission: it is who counts among those due (应到), and `has_perm` says yes to every active superuser.
view_consultation = rules.predicate(can_view, name="view_consultation")
take_part = rules.predicate(can_take_part, name="take_part_in_consultation")
manage_consultation = rules.predicate(can_manage, name="manage_consultation")
receive_live = rules.predicate(can_receive_live, name="receive_live_updates")

rules.add_perm("consultation.view_consultation", view_consultation)
rules.add_perm("consultation.take_part", take_part)
rules.add_perm("consultation.manage_consultation", manage_consultation)
rules.add_perm("consultation.moderate", manage_consultation)
rules.add_perm("consultation.receive_live", receive_live)
