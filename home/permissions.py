from home.models import MeetingRecord
from organizations.permissions import ScopedPermissionPolicy


class MeetingRecordPermissionPolicy(ScopedPermissionPolicy):
    """Meeting records are visible and editable only within the user's own organisations."""

    scope_field = "branch"

    def __init__(self):
        super().__init__(MeetingRecord)
