"""Who may see a section's organisational life records and study completion, and keep meeting records.

Asked with `user.has_perm(...)`: the section's views and template (home/views.py, BranchPage) and the
meeting records' admin policy (home/permissions.py). Built on organizations.roles.
"""

import rules

from home.models import BranchPage, MeetingRecord
from organizations import roles


@rules.predicate
def manages_section(user, section: BranchPage) -> bool:
    """An editor or secretary of the section's organisation, or an admin of it or above it."""
    return roles.can_manage(user, section.organization)


@rules.predicate
def member_of_section(user, section: BranchPage) -> bool:
    entry = roles.roster_entry(user)
    return entry is not None and entry.branch_id == section.organization_id


@rules.predicate
def oversees_section(user, section: BranchPage) -> bool:
    """The branch's secretary and the admins of the branch or above it (as for the appraisal); not editors."""
    if user.is_superuser or roles.holds_role(user, section.organization, roles.Role.SECRETARY):
        return True
    return roles.organizations_with_role(user, roles.Role.ADMIN).with_ancestors(section.organization).exists()


@rules.predicate
def keeps_record(user, record: MeetingRecord) -> bool:
    """A record of one of the organisations the user manages."""
    return roles.managed_organizations(user).filter(pk=record.branch_id).exists()


@rules.predicate
def has_organization(user, section: BranchPage) -> bool:
    return section.organization_id is not None


rules.add_perm(
    "home.view_meeting_records",
    rules.is_authenticated & has_organization & (manages_section | member_of_section),
)
rules.add_perm("home.view_study_completion", rules.is_authenticated & has_organization & oversees_section)
rules.add_perm("home.keep_meetingrecord", keeps_record)
