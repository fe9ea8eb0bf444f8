"""Who may do what in organisational life. Built on organizations.roles; asked with `user.has_perm`.

- schedule, run (sign-in screen, ticks, minutes, cancel) and see every reply of a branch's meetings:
  the branch's secretary, an admin of the branch or of an organisation above it (the level above);
- see a meeting: those, and every member due at it; reply, sign in, make-up: the member due;
- a branch's ledger and cadence warnings: the branch's secretary and the levels above;
- a committee's term and reminders: the organisation's secretary and admins at or above it;
  recording its election result (which grants platform roles) or a postponement/advance: only an
  admin of an organisation strictly above it (the level that approves), or a superuser.
"""

from __future__ import annotations

import rules

from organizations import roles
from organizations.models import Organization


def oversees(user, organization: Organization) -> bool:
    """The organisation's secretary, an admin of it or of an organisation above it, or a superuser."""
    if not user.is_authenticated or organization is None:
        return False
    if user.is_superuser or roles.holds_role(user, organization, roles.Role.SECRETARY):
        return True
    return roles.organizations_with_role(user, roles.Role.ADMIN).with_ancestors(organization).exists()


def overseen_organizations(user):
    """Organisations whose organisational life the user runs or oversees (one query for the list)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    administered = roles.organizations_with_role(user, roles.Role.ADMIN).only("path")
    secretary = Organization.objects.filter(
        pk__in=roles.organizations_with_role(user, roles.Role.SECRETARY).values("pk")
    )
    return Organization.objects.within(*administered) | secretary


def holding_meetings(user):
    """Organisations where the user may schedule meetings: branches and general branches they oversee."""
    return overseen_organizations(user).filter(kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH])


@rules.predicate
def oversees_organization(user, organization) -> bool:
    return oversees(user, organization)


@rules.predicate
def above_organization(user, organization) -> bool:
    """An admin of an organisation strictly above (the level that approves), or a superuser.

    A committee must not record its own election (which grants platform roles) or approve its own
    postponement: its secretary and its own admins are not enough.
    """
    if organization is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    ancestors = Organization.objects.with_ancestors(organization).exclude(pk=organization.pk)
    return roles.organizations_with_role(user, roles.Role.ADMIN).filter(pk__in=ancestors.values("pk")).exists()


@rules.predicate
def may_hold_meetings(user, organization) -> bool:
    return (
        organization is not None
        and organization.kind in (Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH)
        and oversees(user, organization)
    )


@rules.predicate
def runs_meeting(user, meeting) -> bool:
    return meeting is not None and oversees(user, meeting.branch)


@rules.predicate
def invited(user, meeting) -> bool:
    return meeting is not None and user.is_authenticated and meeting.invitations.filter(member__user=user).exists()


rules.add_perm("orglife.schedule_meeting", may_hold_meetings)
rules.add_perm("orglife.run_meeting", runs_meeting)
rules.add_perm("orglife.see_meeting", runs_meeting | invited)
rules.add_perm("orglife.reply_meeting", invited)
rules.add_perm("orglife.view_ledger", oversees_organization)
rules.add_perm("orglife.manage_term", oversees_organization)
rules.add_perm("orglife.record_term", above_organization)
