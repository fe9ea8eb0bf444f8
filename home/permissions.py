"""The admin's permission policy for meeting records."""

from home.models import MeetingRecord
from organizations.permissions import ScopedPermissionPolicy


class MeetingRecordPermissionPolicy(ScopedPermissionPolicy):
    """Meeting records are visible and editable only within the user's own organisations.

    The listing is narrowed by `scope_filter`; a single record asks the rule (home/rules.py).
    """

    scope_field = "branch"

    def __init__(self):
        super().__init__(MeetingRecord)

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and user.has_perm("home.keep_meetingrecord", instance)
