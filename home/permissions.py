"""The admin's permission policy for meeting records."""

from home.models import MeetingRecord
from organizations.permissions import ScopedPermissionPolicy


class MeetingRecordPermissionPolicy(ScopedPermissionPolicy):
    """Meeting records are visible and editable only within the user's own organisations.

    The listing is narrowed by `scope_filter`; a single record asks the rule (home/rules.py). A tracked
    record (a meeting scheduled on the site) is never changed or deleted here.
    """

    scope_field = "branch"

    def __init__(self):
        super().__init__(MeetingRecord)

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if action in ("change", "delete") and instance.tracked:
            # A meeting scheduled on the site: its counts come from its sign-ins and it is run on its own
            # page; here it is only read (deleting this row would delete the meeting and its sign-ins).
            return False
        return self.user_has_permission(user, action) and user.has_perm("home.keep_meetingrecord", instance)
