from django import forms
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views

from home.forms import MeetingRecordForm
from home.models import MeetingRecord
from home.permissions import MeetingRecordPermissionPolicy
from organizations.wagtail_hooks import ScopedSnippetViewSet

register_permission_policy(MeetingRecord, MeetingRecordPermissionPolicy())


def _tracked_notice(request, record: MeetingRecord) -> None:
    """Tell why a meeting scheduled on the site is read-only here, with a link to the page where it is run."""
    url = record.tracked_url()
    messages.warning(
        request,
        _(
            "This meeting was scheduled on the site: its attendance is counted from the members' sign-ins and "
            "it is changed on its own page, not here."
        ),
        buttons=[messages.button(url, _("Open the meeting's page"))] if url else None,
    )


class TrackedRefusedMixin:
    """Edit and delete of a tracked record (an orglife meeting) go to its read-only view with the notice."""

    def run_before_hook(self):
        if self.object.tracked:
            inspect = MeetingRecord.snippet_viewset.get_url_name("inspect")
            return redirect(reverse(inspect, args=(quote(self.object.pk),)))
        return super().run_before_hook()


class MeetingRecordIndexView(snippet_views.IndexView):
    def get_edit_url(self, instance):
        return None if instance.tracked else super().get_edit_url(instance)  # its title opens the read-only view

    def get_delete_url(self, instance):
        return None if instance.tracked else super().get_delete_url(instance)


class MeetingRecordInspectView(ScopedSnippetViewSet.inspect_view_class):
    def get(self, request, *args, **kwargs):
        if self.object.tracked:
            _tracked_notice(request, self.object)
        return super().get(request, *args, **kwargs)

    def get_edit_url(self):
        return None if self.object.tracked else super().get_edit_url()

    def get_delete_url(self):
        return None if self.object.tracked else super().get_delete_url()


class MeetingRecordViewSet(ScopedSnippetViewSet):
    model = MeetingRecord
    index_view_class = MeetingRecordIndexView
    edit_view_class = type("MeetingRecordEditView", (TrackedRefusedMixin, ScopedSnippetViewSet.edit_view_class), {})
    delete_view_class = type(
        "MeetingRecordDeleteView", (TrackedRefusedMixin, ScopedSnippetViewSet.delete_view_class), {}
    )
    inspect_view_class = MeetingRecordInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        *("branch", "kind", "date", "topic", "presenter", "recorder"),
        *("due", "present", "on_leave", "absent", "tracked", "content", "decisions"),
    ]
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
