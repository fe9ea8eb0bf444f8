from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from home.forms import MeetingRecordForm
from home.models import MeetingRecord
from home.permissions import MeetingRecordPermissionPolicy
from organizations.wagtail_hooks import ScopedSnippetViewSet

register_permission_policy(MeetingRecord, MeetingRecordPermissionPolicy())


class MeetingRecordViewSet(ScopedSnippetViewSet):
    model = MeetingRecord
    icon = "date"
    menu_label = _("Meeting records")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["date", "kind", "topic", "branch", "present", "due"]
    list_filter = ["kind", "branch"]
    search_fields = ["topic", "presenter"]
    ordering = ["-date"]
    list_per_page = 50
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("branch", widget=forms.Select),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("date")]),
            FieldPanel("topic"),
            FieldRowPanel([FieldPanel("presenter"), FieldPanel("recorder")]),
            FieldRowPanel([FieldPanel("due"), FieldPanel("present"), FieldPanel("on_leave"), FieldPanel("absent")]),
            FieldPanel("content"),
            FieldPanel("decisions"),
            FieldPanel("photos"),
        ],
        base_form_class=MeetingRecordForm,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("branch")


register_snippet(MeetingRecordViewSet)
