"""Who may see and do what with the lists, supervision and the assessment (built on organizations.roles).

- an organisation's editors, secretaries and admins keep its own lists (a branch edits its own);
- the admins of a level above see its subtree's lists, supervise them (notices, closing problems) and
  assess them (the indicator scheme of their organisation);
- an assessor scores only the indicators assigned to them;
- members see their branch's assessment once the grades are final and the public notice has started.
"""

from __future__ import annotations

import rules

from organizations import roles
from organizations.models import Organization

ALL_ROLES = (roles.Role.EDITOR, roles.Role.SECRETARY, roles.Role.ADMIN)


def sees(user, organization: Organization) -> bool:
    """Its own people and every admin above it."""
    return user.is_authenticated and roles.can_manage(user, organization)


def keeps(user, organization: Organization) -> bool:
    """The organisation's own editors, secretaries and admins (or a superuser) keep its lists."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or roles.organizations_with_role(user, *ALL_ROLES).filter(pk=organization.pk).exists()


def supervising_organizations(user, organization: Organization):
    """The organisations strictly above `organization` that the user administers, nearest first."""
    administered = roles.organizations_with_role(user, roles.Role.ADMIN).with_ancestors(organization)
    return administered.exclude(pk=organization.pk).order_by("-depth")


def supervises(user, organization: Organization) -> bool:
    """An admin of a level above the organisation (or a superuser, for anything below the top)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return organization.depth > 1
    return supervising_organizations(user, organization).exists()


def issuer_for(user, organization: Organization) -> Organization | None:
    """The level above in whose name the user supervises `organization`: the nearest they administer."""
    if user.is_superuser and not supervising_organizations(user, organization).exists():
        return organization.get_parent()
    return supervising_organizations(user, organization).first()


def assesses(user, organization: Organization) -> bool:
    """Admins of the organisation or above it run its assessment schemes."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser or roles.organizations_with_role(user, roles.Role.ADMIN).with_ancestors(organization).exists()
    )


def member_of(user, organization: Organization) -> bool:
    entry = roles.roster_entry(user)
    return entry is not None and entry.branch_id == organization.pk


@rules.predicate
def sees_organization(user, organization) -> bool:
    return organization is not None and sees(user, organization)


@rules.predicate
def keeps_organization(user, organization) -> bool:
    return organization is not None and keeps(user, organization)


@rules.predicate
def supervises_organization(user, organization) -> bool:
    return organization is not None and supervises(user, organization)


@rules.predicate
def keeps_owner(user, obj) -> bool:
    """For a task, problem or notice: the user keeps the organisation it belongs to."""
    return obj is not None and keeps(user, obj.organization)


@rules.predicate
def sees_owner(user, obj) -> bool:
    return obj is not None and sees(user, obj.organization)


@rules.predicate
def supervises_owner(user, obj) -> bool:
    return obj is not None and supervises(user, obj.organization)


@rules.predicate
def problem_rectifying(user, problem) -> bool:
    return problem.status == problem.Status.RECTIFYING


@rules.predicate
def problem_rectified(user, problem) -> bool:
    return problem.status == problem.Status.RECTIFIED


@rules.predicate
def notice_unanswered(user, notice) -> bool:
    return not notice.replied


@rules.predicate
def assesses_scheme(user, scheme) -> bool:
    return scheme is not None and assesses(user, scheme.organization)


@rules.predicate
def scheme_open(user, scheme) -> bool:
    return scheme.status != scheme.Status.FINAL


@rules.predicate
def assigned_assessor(user, indicator) -> bool:
    """The indicator's assessor; an indicator without one is scored by whoever runs the scheme."""
    if indicator.method != indicator.Method.ASSESSED or indicator.scheme.status == indicator.scheme.Status.FINAL:
        return False
    if indicator.assessor_id is not None:
        return indicator.assessor_id == user.pk
    return assesses(user, indicator.scheme.organization)


@rules.predicate
def runs_assessment(user, assessment) -> bool:
    return assessment is not None and assesses(user, assessment.scheme.organization)


@rules.predicate
def assessed_sees_it(user, assessment) -> bool:
    """The assessed organisation's own people see their assessment while it runs and after."""
    return (
        assessment is not None
        and assessment.scheme.status != assessment.scheme.Status.DRAFT
        and sees(user, assessment.organization)
    )


@rules.predicate
def member_after_notice(user, assessment) -> bool:
    return assessment is not None and assessment.scheme.in_notice and member_of(user, assessment.organization)


@rules.predicate
def assessment_open(user, assessment) -> bool:
    return assessment.scheme.status == assessment.scheme.Status.SCORING


@rules.predicate
def assessor_of_scheme(user, assessment) -> bool:
    return assessment is not None and assessment.scheme.indicators.filter(assessor=user).exists()


rules.add_perm("accountability.view_lists", sees_organization)
rules.add_perm("accountability.keep_lists", keeps_organization)
rules.add_perm("accountability.supervise", supervises_organization)
rules.add_perm("accountability.view_item", sees_owner)
rules.add_perm("accountability.change_task", keeps_owner)
rules.add_perm("accountability.rectify_problem", keeps_owner & problem_rectifying)
rules.add_perm("accountability.close_problem", supervises_owner & problem_rectified)
rules.add_perm("accountability.reopen_problem", supervises_owner & problem_rectified)
rules.add_perm("accountability.reply_notice", keeps_owner & notice_unanswered)
rules.add_perm("accountability.decide_proposal", keeps_owner | supervises_owner)
# A finding about a branch is not the branch's to wave away: only the level above may dismiss it.
rules.add_perm("accountability.dismiss_proposal", supervises_owner)
rules.add_perm("accountability.run_scheme", assesses_scheme)
rules.add_perm("accountability.finalise_scheme", assesses_scheme & scheme_open)
rules.add_perm("accountability.score_indicator", assigned_assessor)
rules.add_perm(
    "accountability.view_assessment", runs_assessment | assessed_sees_it | member_after_notice | assessor_of_scheme
)
rules.add_perm("accountability.write_report", keeps_owner & assessment_open)
