"""Wagtail permission policies that confine each user to the organisations they manage."""

from wagtail.permission_policies.base import ModelPermissionPolicy

from organizations import roles
from organizations.models import Grid, Organization, RosterEntry


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions from groups, narrowed to instances under the user's organisations."""

    scope_field: str

    def scope_filter(self, user) -> dict:
        return {f"{self.scope_field}__in": roles.managed_organizations(user)}

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if not self.user_has_permission(user, action):
            return False
        return self.model._default_manager.filter(pk=instance.pk, **self.scope_filter(user)).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.model._default_manager.filter(**self.scope_filter(user))

    def choosable_instances(self, user):
        """What the admin's chooser for this model offers the user (issue 13, L2): by default the
        instances they may view, change or delete, i.e. those of their own organisations."""
        return self.instances_user_has_any_permission_for(user, ["view", "change", "delete"])


class RosterPermissionPolicy(ScopedPermissionPolicy):
    scope_field = "branch"

    def __init__(self):
        super().__init__(RosterEntry)


class GridPermissionPolicy(ScopedPermissionPolicy):
    scope_field = "community"

    def __init__(self):
        super().__init__(Grid)

    def choosable_instances(self, user):
        """Grids of the user's organisations and of the communities above them: a branch editor
        chooses among their own community's grids, never another community's."""
        managed = roles.managed_organizations(user).only("path", "depth")
        return Grid.objects.filter(community__in=Organization.objects.with_ancestors(*managed))


class OrganizationPermissionPolicy(ScopedPermissionPolicy):
    def __init__(self):
        super().__init__(Organization)

    def scope_filter(self, user) -> dict:
        return {"pk__in": roles.managed_organizations(user).values("pk")}

    def choosable_instances(self, user):
        """The user's own organisations (those they act for), whatever their model permissions."""
        return roles.managed_organizations(user)
