from django import forms
from django.http import Http404
from django.shortcuts import get_list_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from organizations import roles, views
from organizations.forms import GridForm, OrganizationForm, RosterEntryForm
from organizations.models import Grid, Organization, Residence, RosterEntry
from organizations.permissions import (
    GridPermissionPolicy,
    OrganizationPermissionPolicy,
    RosterPermissionPolicy,
)

register_permission_policy(RosterEntry, RosterPermissionPolicy())
register_permission_policy(Grid, GridPermissionPolicy())
register_permission_policy(Organization, OrganizationPermissionPolicy())


SCOPED_ACTIONS = ["view", "change", "delete"]


def _visible(permission_policy, user):
    """The instances the user may see in the admin: those under the organisations they manage."""
    return permission_policy.instances_user_has_any_permission_for(user, SCOPED_ACTIONS)


class ScopedObjectMixin:
    """Objects outside the user's organisations do not exist for them (404, not 403)."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_any_permission_for_instance(self.request.user, SCOPED_ACTIONS, obj):
            raise Http404
        return obj


def _scoped(view_class):
    return type(f"Scoped{view_class.__name__}", (ScopedObjectMixin, view_class), {})


class ScopedChooserMixin:
    """The chooser lists, and returns, only instances of the user's own organisations."""

    def _visible_objects(self):
        policy = policy_registry.get_by_type(self.model_class)
        if hasattr(policy, "choosable_instances"):
            return policy.choosable_instances(self.request.user)
        return _visible(policy, self.request.user)

    def get_object_list(self):
        return self._visible_objects()

    def get_object(self, pk):
        return self._visible_objects().get(pk=pk)

    def get_objects(self, pks):
        return self._visible_objects().filter(pk__in=pks)


def _scoped_chooser(view_class):
    return type(f"Scoped{view_class.__name__}", (ScopedChooserMixin, view_class), {})


class ScopedSnippetChooserViewSet(chooser_views.SnippetChooserViewSet):
    choose_view_class = _scoped_chooser(chooser_views.ChooseView)
    choose_results_view_class = _scoped_chooser(chooser_views.ChooseResultsView)
    chosen_view_class = _scoped_chooser(chooser_views.SnippetChosenView)
    chosen_multiple_view_class = _scoped_chooser(chooser_views.SnippetChosenMultipleView)


class ScopedDeleteBulkAction(DeleteBulkAction):
    """Bulk delete that neither acts on nor names objects outside the user's organisations."""

    models = [Organization, Grid, RosterEntry]

    def _visible_objects(self):
        return _visible(self.permission_policy, self.request.user)

    def get_queryset(self, model, object_ids):  # a classmethod upstream; here it needs the request
        return get_list_or_404(self._visible_objects(), pk__in=object_ids)

    def get_all_objects_in_listing_query(self, parent_id):
        return self._visible_objects().values_list("pk", flat=True)


# Registered after Wagtail's own snippet delete action, so it replaces it for these models.
hooks.register("register_bulk_action", ScopedDeleteBulkAction, order=1)


class ScopedSnippetViewSet(SnippetViewSet):
    # Choosers too (meeting records, organisations, grids, roster entries): only the user's own.
    chooser_viewset_class = ScopedSnippetChooserViewSet
    edit_view_class = _scoped(snippet_views.EditView)
    delete_view_class = _scoped(snippet_views.DeleteView)
    inspect_view_class = _scoped(snippet_views.InspectView)
    history_view_class = _scoped(snippet_views.HistoryView)
    usage_view_class = _scoped(snippet_views.UsageView)
    copy_view_class = _scoped(snippet_views.CopyView)

    def get_queryset(self, request):
        return _visible(self.permission_policy, request.user)


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
            FieldPanel("community", widget=forms.Select),
            FieldPanel("name"),
            FieldPanel("code"),
            FieldPanel("worker_name"),
        ],
        base_form_class=GridForm,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("community")


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
            # Plain selects: they offer only the branches and grids the form allows.
            FieldPanel("branch", widget=forms.Select),
            FieldPanel("member_no"),
            FieldPanel("name"),
            FieldPanel("gender"),
            FieldPanel("member_type"),
            FieldPanel("joined_on"),
            FieldPanel("grid", widget=forms.Select),
            FieldPanel("status"),
            FieldPanel("email"),
            FieldPanel("phone"),
            FieldPanel("user"),
        ],
        base_form_class=RosterEntryForm,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("branch", "grid")


class ResidenceViewSet(SnippetViewSet):
    """Residences, for site admins: no role group holds permissions on them, so no organisation scope applies."""

    model = Residence
    icon = "home"
    menu_label = _("Residences")
    list_display = [Column("user", label=_("Resident")), "grid", "confirmed_at"]
    panels = [FieldPanel("user", heading=_("Resident")), FieldPanel("grid"), FieldPanel("confirmed_at")]
    add_to_admin_menu = False


class OrganizationsGroup(SnippetViewSetGroup):
    items = (OrganizationViewSet, GridViewSet, RosterEntryViewSet)
    menu_icon = "group"
    menu_label = _("Organisations and members")
    menu_name = "organizations"


register_snippet(OrganizationsGroup)
register_snippet(ResidenceViewSet)


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
