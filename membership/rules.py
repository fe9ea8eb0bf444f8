"""Who may see and do what in the membership records, on organizations.roles.

A branch's secretary (and the admins of the branch or above) keep its dossiers, transfers, mobile
members and dues; the level above (an admin of an organisation above the branch) also takes the
steps the national rules give to it (pre-review, talk, approval); a person reads their own dossier,
and an activist's contacts read it too (they are reminded of its reviews).
Branch editors see none of it: these are personal records.
"""

from __future__ import annotations

import rules

from organizations import roles
from organizations.models import Organization


def keeps_branch(user, branch: Organization | None) -> bool:
    """The branch's secretary, an admin of the branch or above it, or a superuser."""
    if branch is None or not user.is_authenticated:
        return False
    if user.is_superuser or roles.holds_role(user, branch, roles.Role.SECRETARY):
        return True
    return roles.organizations_with_role(user, roles.Role.ADMIN).with_ancestors(branch).exists()


def above_branch(user, branch: Organization | None) -> bool:
    """An admin of an organisation strictly above the branch (the level that approves), or a superuser."""
    if branch is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    ancestors = Organization.objects.with_ancestors(branch).exclude(pk=branch.pk)
    return roles.organizations_with_role(user, roles.Role.ADMIN).filter(pk__in=ancestors.values("pk")).exists()


def kept_branches(user):
    """Branches whose membership records the user keeps, in one query."""
    if not user.is_authenticated:
        return Organization.objects.none()
    branches = Organization.objects.filter(kind=Organization.Kind.BRANCH)
    if user.is_superuser:
        return branches
    administered = list(roles.organizations_with_role(user, roles.Role.ADMIN).only("path"))
    secretary_of = roles.organizations_with_role(user, roles.Role.SECRETARY).values("pk")
    within = Organization.objects.within(*administered).values("pk") if administered else []
    return branches.filter(pk__in=secretary_of) | branches.filter(pk__in=within)


def above_branches(user):
    """Branches for which the user is the level above (admins of a community or the street)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.filter(kind=Organization.Kind.BRANCH)
    administered = list(roles.organizations_with_role(user, roles.Role.ADMIN).only("path"))
    if not administered:
        return Organization.objects.none()
    below = Organization.objects.within(*administered).exclude(pk__in=[o.pk for o in administered])
    return below.filter(kind=Organization.Kind.BRANCH)


@rules.predicate
def keeps_dossier(user, dossier) -> bool:
    return dossier is not None and keeps_branch(user, dossier.branch)


@rules.predicate
def approves_dossier(user, dossier) -> bool:
    return dossier is not None and above_branch(user, dossier.branch)


@rules.predicate
def own_dossier(user, dossier) -> bool:
    return dossier is not None and user.is_authenticated and dossier.user_id == user.pk


@rules.predicate
def guides_dossier(user, dossier) -> bool:
    """The activist's contacts (培养联系人) read the dossier they are reminded about."""
    return dossier is not None and user.is_authenticated and dossier.contacts.filter(user=user).exists()


@rules.predicate
def keeps_organization(user, branch) -> bool:
    return keeps_branch(user, branch)


rules.add_perm("membership.view_dossier", keeps_dossier | approves_dossier | own_dossier | guides_dossier)
# The dossier's papers (application letter, reviews, the political review's findings, 入党志愿书) and the
# notes written on its steps are personal data about the applicant and about third parties (family,
# referees, what the political review found). The rules for developing members (docs/recruitment.md) give
# them to the organisation that develops the member: the branch that keeps the dossier (its committee
# chooses, reviews, holds the meeting) and the level above that pre-reviews and approves it (细则第十九条、
# 第二十三条至第二十五条). They give them neither to the applicant nor to the contacts (培养联系人, 细则第八条、
# 第九条: they educate the activist and report to the branch; they do not hold its file), nor to anyone
# else in the branch. So papers and step notes are for keepers and approvers only; the applicant and the
# contacts read the dossier's steps and dates (what is due, which they are reminded of), never its papers
# or notes; anyone else gets a 404 for a paper.
rules.add_perm("membership.view_dossier_papers", keeps_dossier | approves_dossier)
rules.add_perm("membership.manage_dossier", keeps_dossier)
rules.add_perm("membership.approve_dossier", approves_dossier)
rules.add_perm("membership.open_dossier", keeps_organization)


def keeps_dues(user, branch: Organization | None) -> bool:
    """Dues are seen by the member, the branch's dues keeper and its secretary only (not by editors,
    not by the levels above, who see the annual report and the relief requests they decide)."""
    if branch is None or not user.is_authenticated:
        return False
    if user.is_superuser or roles.holds_role(user, branch, roles.Role.SECRETARY):
        return True
    from membership.models import DuesKeeper

    return DuesKeeper.objects.serving().filter(branch=branch, user=user).exists()


def dues_branches(user):
    """Branches whose dues the user keeps (as secretary or dues keeper)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.filter(kind=Organization.Kind.BRANCH)
    from membership.models import DuesKeeper

    secretary_of = roles.organizations_with_role(user, roles.Role.SECRETARY).values("pk")
    keeper_of = DuesKeeper.objects.serving().filter(user=user).values("branch_id")
    branches = Organization.objects.filter(kind=Organization.Kind.BRANCH)
    return branches.filter(pk__in=secretary_of) | branches.filter(pk__in=keeper_of)


@rules.predicate
def keeps_branch_dues(user, branch) -> bool:
    return keeps_dues(user, branch)


rules.add_perm("membership.keep_dues", keeps_branch_dues)


def secretary_branches(user):
    """Branches whose secretary the user is (all branches for a superuser)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    branches = Organization.objects.filter(kind=Organization.Kind.BRANCH)
    if user.is_superuser:
        return branches
    return branches.filter(pk__in=roles.organizations_with_role(user, roles.Role.SECRETARY).values("pk"))


@rules.predicate
def is_branch_secretary(user, branch) -> bool:
    """The branch's secretary names who collects its dues (收缴党费的人): the rules on dues make the branch
    collect them, and the branch's secretary answers for it. Not a committee member, not an admin of the
    branch or of the levels above, not a dues keeper (a keeper names no other keeper). Superusers run the
    platform and may stand in."""
    if branch is None or not getattr(branch, "is_branch", False):
        return False
    return secretary_branches(user).filter(pk=branch.pk).exists()


rules.add_perm("membership.name_dues_keepers", is_branch_secretary)
