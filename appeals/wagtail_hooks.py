"""The admin: request categories with their deadlines (the street's), and who handles each grid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from appeals.forms import GridDutyForm
from appeals.models import Category, GridDuty
from appeals.rules import is_street_admin
from organizations import roles


class StreetPolicy(ModelPermissionPolicy):
    """Categories and deadlines belong to the street: its admins and superusers maintain them."""

    def user_has_permission(self, user, action):
        return is_street_admin(user)


class GridDutyPolicy(ModelPermissionPolicy):
    """Organisation admins say who handles the grids of the communities they manage."""

    def user_has_permission(self, user, action):
        if not (user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or roles.organizations_with_role(user, roles.Role.ADMIN).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return GridDuty.objects.none()
        if user.is_superuser:
            return GridDuty.objects.all()
        return GridDuty.objects.filter(grid__community__in=roles.managed_organizations(user))

    def user_has_permission_for_instance(self, user, action, instance):
        return self.instances_user_has_any_permission_for(user, [action]).filter(pk=instance.pk).exists()


register_permission_policy(Category, StreetPolicy(Category))
register_permission_policy(GridDuty, GridDutyPolicy(GridDuty))


@hooks.register("register_log_actions")
def register_appeal_log_actions(actions):
    actions.register_action("appeals.status", _("Change request status"), _("Request status changed"))
    actions.register_action("appeals.escalate", _("Escalate request"), _("Request escalated to the level above"))
    actions.register_action("appeals.extend", _("Extend request deadline"), _("Request deadline extended"))
    actions.register_action("appeals.rating", _("Rate request"), _("Request rated by the resident"))
    actions.register_action("appeals.hide", _("Hide request"), _("Request kept off the public board"))
    actions.register_action("appeals.show", _("Show request"), _("Request shown on the public board"))
    actions.register_action("appeals.promote", _("Promote request"), _("Request taken to a consultation"))
    actions.register_action("appeals.offer", _("Offer request"), _("Request offered to registered members"))
    actions.register_action("appeals.volunteer_hours", _("Record volunteer hours"), _("Volunteer hours recorded"))


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Categories and deadlines")
    list_display = [
        "name",
        "accept_within",
        "accept_unit",
        "finish_within",
        "finish_unit",
        "responsible_level",
        "visibility",
        "active",
    ]
    list_filter = ["responsible_level", "visibility", "active"]
    search_fields = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("accept_within"), FieldPanel("accept_unit")]),
                FieldRowPanel([FieldPanel("finish_within"), FieldPanel("finish_unit")]),
            ],
            heading=_("Deadlines"),
        ),
        FieldPanel("responsible_level"),
        FieldPanel("visibility"),
        FieldPanel("active"),
        FieldPanel("sort_order"),
    ]


class GridDutyViewSet(SnippetViewSet):
    model = GridDuty
    icon = "group"
    menu_label = _("Grid handlers")
    list_display = ["grid", "worker", "branch"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("grid", widget=forms.Select),
            FieldPanel("worker"),
            FieldPanel("branch", widget=forms.Select),
        ],
        base_form_class=GridDutyForm,
    )

    def get_queryset(self, request):
        return (
            GridDutyPolicy(GridDuty)
            .instances_user_has_any_permission_for(request.user, ["change"])
            .select_related("grid", "worker", "branch")
        )


class AppealsViewSetGroup(SnippetViewSetGroup):
    items = (CategoryViewSet, GridDutyViewSet)
    menu_icon = "mail"
    menu_label = _("Residents' requests")
    menu_name = "appeals"


register_snippet(AppealsViewSetGroup)
