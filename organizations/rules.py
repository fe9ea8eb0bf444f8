"""Object permissions for organisations, declared with django-rules."""

import rules

from organizations import roles


@rules.predicate
def manages_organization(user, organization) -> bool:
    return organization is not None and roles.can_manage(user, organization)


@rules.predicate
def is_member(user) -> bool:
    return roles.is_member(user)


rules.add_perm("organizations.manage_roster", manages_organization)
rules.add_perm("organizations.export_roster", manages_organization)
rules.add_perm("organizations.import_roster", manages_organization)
