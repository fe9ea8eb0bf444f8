from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from organizations import roles, views
from organizations.forms import GridForm, OrganizationForm, RosterEntryForm
from organizations.models import Grid, Organization, RosterEntry
from organizations.permissions import (
    GridPermissionPolicy,
    OrganizationPermissionPolicy,
    RosterPermissionPolicy,
)

register_permission_policy(RosterEntry, RosterPermissionPolicy())
register_permission_policy(Grid, GridPermissionPolicy())
register_permission_policy(Organization, OrganizationPermissionPolicy())


class ScopedObjectMixin:
    """Objects outside the user's organisations do not exist for them (404, not 403)."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        actions = ["view", "change", "delete"]
        if not self.permission_policy.user_has_any_permission_for_instance(self.request.user, actions, obj):
            raise Http404
        return obj


def _scoped(view_class):
    return type(f"Scoped{view_class.__name__}", (ScopedObjectMixin, view_class), {})


class ScopedSnippetViewSet(SnippetViewSet):
    edit_view_class = _scoped(snippet_views.EditView)
    delete_view_class = _scoped(snippet_views.DeleteView)
    inspect_view_class = _scoped(snippet_views.InspectView)
    history_view_class = _scoped(snippet_views.HistoryView)
    usage_view_class = _scoped(snippet_views.UsageView)
    copy_view_class = _scoped(snippet_views.CopyView)

    def get_queryset(self, request):
        policy = self.permission_policy
        return policy.instances_user_has_any_permission_for(request.user, ["view", "change", "delete"])


class OrganizationViewSet(ScopedSnippetViewSet):
    model = Organization
    icon = "site"
    menu_label = _("Organisations")
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("parent"),
            FieldPanel("name"),
            FieldPanel("code"),
            FieldPanel("kind"),
            FieldPanel("page"),
        ],
        base_form_class=OrganizationForm,
    )


class GridViewSet(ScopedSnippetViewSet):
    model = Grid
    icon = "table"
    menu_label = _("Grids")
    list_display = ["name", "code", "community", "worker_name"]
    search_fields = ["name", "code"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("community"),
            FieldPanel("name"),
            FieldPanel("code"),
            FieldPanel("worker_name"),
        ],
        base_form_class=GridForm,
    )


class RosterEntryViewSet(ScopedSnippetViewSet):
    model = RosterEntry
    icon = "user"
    menu_label = _("Roster")
    list_display = ["member_no", "name", "branch", "member_type", "status", "grid"]
    list_filter = ["member_type", "status", "gender"]
    search_fields = ["name", "member_no"]
    list_per_page = 50
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("branch"),
            FieldPanel("member_no"),
            FieldPanel("name"),
            FieldPanel("gender"),
            FieldPanel("member_type"),
            FieldPanel("joined_on"),
            FieldPanel("grid"),
            FieldPanel("status"),
            FieldPanel("email"),
            FieldPanel("phone"),
            FieldPanel("user"),
        ],
        base_form_class=RosterEntryForm,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("branch", "grid")


class OrganizationsGroup(SnippetViewSetGroup):
    items = (OrganizationViewSet, GridViewSet, RosterEntryViewSet)
    menu_icon = "group"
    menu_label = _("Organisations and members")
    menu_name = "organizations"


register_snippet(OrganizationsGroup)


@hooks.register("register_admin_urls")
def register_roster_urls():
    return [
        path("roster/import/", views.roster_import, name="organizations_roster_import"),
        path(
            "roster/export/<slug:code>/",
            views.roster_export,
            name="organizations_roster_export",
        ),
    ]


class RosterImportMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.managed_organizations(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_roster_import_menu_item():
    return RosterImportMenuItem(
        _("Import and export rosters"),
        reverse("organizations_roster_import"),
        icon_name="download",
        order=250,
    )
