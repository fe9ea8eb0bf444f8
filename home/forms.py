from wagtail.admin.forms import WagtailAdminModelForm

from organizations import roles
from organizations.models import Organization


class MeetingRecordForm(WagtailAdminModelForm):
    """The branch can only be one the user manages; a secretary of one branch finds it already chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        branches = roles.managed_organizations(self.for_user).filter(kind=Organization.Kind.BRANCH).order_by("path")
        self.fields["branch"].queryset = branches
        if not self.instance.pk and not self.is_bound and not self.initial.get("branch"):
            only = list(branches.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                self.initial["branch"] = only[0]
