"""Audit actions and the admin's views of meetings and terms (scoped to the user's own organisations)."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views

from organizations.wagtail_hooks import ScopedSnippetViewSet
from orglife.models import Meeting, Term
from orglife.permissions import MeetingPermissionPolicy, TermPermissionPolicy

register_permission_policy(Meeting, MeetingPermissionPolicy())
register_permission_policy(Term, TermPermissionPolicy())


@hooks.register("register_log_actions")
def register_orglife_log_actions(actions):
    actions.register_action(
        "orglife.meeting.schedule", _("Schedule meeting"), _("Meeting scheduled and members notified")
    )
    actions.register_action("orglife.meeting.reply", _("Reply to meeting"), _("Member replied to the meeting notice"))
    actions.register_action("orglife.meeting.sign_in", _("Sign in to a meeting"), _("Member signed in"))
    actions.register_action("orglife.meeting.tick", _("Tick attendance"), _("Attendance ticked by the secretary"))
    actions.register_action("orglife.meeting.untick", _("Remove tick"), _("Attendance tick removed"))
    actions.register_action("orglife.meeting.minutes", _("Save minutes"), _("Minutes saved"))
    actions.register_action("orglife.meeting.makeup", _("Complete make-up"), _("Make-up study completed"))
    actions.register_action("orglife.meeting.cancel", _("Cancel meeting"), _("Meeting cancelled"))
    actions.register_action("orglife.term.elect", _("Record election"), _("Election result recorded"))
    actions.register_action("orglife.term.in_force", _("Committee in office"), _("New committee took office"))
    actions.register_action("orglife.term.adjust", _("Adjust term"), _("Term postponed or brought forward"))
    actions.register_action("orglife.term.remind", _("Term reminder"), _("Term reminder sent"))


class HeldMeetingDeleteView(ScopedSnippetViewSet.delete_view_class):
    """A meeting at which members signed in is part of the ledger: it is not deleted (one without sign-ins is
    cancelled on its page, which tells the members)."""

    def run_before_hook(self):
        if self.object.present:
            messages.error(
                self.request,
                _("Members signed in to this meeting: it stays in the ledger and cannot be deleted."),
                buttons=[messages.button(self.object.get_absolute_url(), _("Open the meeting's page"))],
            )
            return redirect(reverse(Meeting.snippet_viewset.get_url_name("list")))
        return super().run_before_hook()


class MeetingIndexView(snippet_views.IndexView):
    def get_delete_url(self, instance):
        return None if instance.present else super().get_delete_url(instance)


class MeetingViewSet(ScopedSnippetViewSet):
    """Scheduled meetings in the admin: read and correct the notice; the site runs replies and sign-ins."""

    model = Meeting
    index_view_class = MeetingIndexView
    delete_view_class = HeldMeetingDeleteView
    icon = "group"
    menu_label = _("Meetings")
    menu_order = 259
    add_to_admin_menu = True
    list_display = ["topic", "starts_at", "kind", "branch", "due", "present", "on_leave", "absent"]
    list_filter = ["kind"]
    search_fields = ["topic", "presenter"]
    ordering = ["-starts_at"]
    list_per_page = 50
    copy_view_enabled = False
    add_view_enabled = False  # scheduling invites the roster and notifies: done on the site's form
    edit_handler = ObjectList(
        [
            FieldPanel("topic"),
            FieldRowPanel([FieldPanel("presenter"), FieldPanel("place")]),
            FieldPanel("online_url"),
            FieldPanel("material"),
        ]
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("branch")


class TermViewSet(ScopedSnippetViewSet):
    model = Term
    icon = "user"
    menu_label = _("Committee terms")
    menu_order = 261
    add_to_admin_menu = True
    list_display = ["organization", "elected_on", "effective_on", "years", "replaced_on"]
    ordering = ["organization__path", "-effective_on"]
    copy_view_enabled = False
    add_view_enabled = False  # an election is recorded on the site, where the roles follow from it
    edit_handler = ObjectList([FieldPanel("note")])

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


register_snippet(MeetingViewSet)
register_snippet(TermViewSet)
