"""The admin's permission policies: meetings and terms of the organisations the user oversees only."""

from organizations.permissions import ScopedPermissionPolicy
from orglife.models import Meeting, Term
from orglife.rules import overseen_organizations


class MeetingPermissionPolicy(ScopedPermissionPolicy):
    """A branch's secretary and the admins above it; editors keep typed records in home's admin only."""

    def __init__(self):
        super().__init__(Meeting)

    def scope_filter(self, user) -> dict:
        return {"branch__in": overseen_organizations(user).values("pk")}

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if action == "delete" and instance.present:
            return False  # a meeting that took place stays in the ledger with its sign-ins
        return super().user_has_permission_for_instance(user, action, instance)


class TermPermissionPolicy(ScopedPermissionPolicy):
    def __init__(self):
        super().__init__(Term)

    def scope_filter(self, user) -> dict:
        return {"organization__in": overseen_organizations(user).values("pk")}
