from wagtail.admin.forms import WagtailAdminModelForm

from organizations import roles
from organizations.models import Organization


class MeetingRecordForm(WagtailAdminModelForm):
    """The branch can only be one the user manages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = (
            roles.managed_organizations(self.for_user).filter(kind=Organization.Kind.BRANCH).order_by("path")
        )
