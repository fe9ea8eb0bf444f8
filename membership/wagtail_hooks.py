"""Membership in the Wagtail admin: where secretaries and the level above look for it, and its log actions."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from membership import recruitment
from membership.models import Dossier, DuesKeeper, DuesRule, PointRule, StudyDeadline
from membership.rules import above_branches, kept_branches, secretary_branches
from organizations import roles
from organizations.models import Organization, RosterEntry
from organizations.permissions import ScopedPermissionPolicy
from organizations.wagtail_hooks import ScopedSnippetViewSet


@hooks.register("register_log_actions")
def register_membership_log_actions(actions):
    actions.register_action("membership.step", _("Record a recruitment step"), _("Recruitment step recorded"))
    actions.register_action(
        "membership.step_refused", _("Refuse a recruitment step"), _("Recruitment step refused by the time rules")
    )
    actions.register_action("membership.document", _("Add a dossier paper"), _("Dossier paper added"))
    for action, label, message in [
        ("membership.transfer.request", _("Request a transfer"), _("Transfer of membership requested")),
        ("membership.transfer.release", _("Release a transfer"), _("Transfer released by the old branch")),
        ("membership.transfer.accept", _("Accept a transfer"), _("Transfer accepted by the new branch")),
        ("membership.transfer.cancel", _("Cancel a transfer"), _("Transfer cancelled")),
        ("membership.mobile.register", _("Register a mobile member"), _("Mobile member registered")),
        ("membership.mobile.lost", _("Mark lost contact"), _("Mobile member marked as lost contact")),
        ("membership.mobile.found", _("Back in touch"), _("Mobile member back in touch")),
        ("membership.mobile.return", _("Mark returned"), _("Mobile member returned")),
        ("membership.dues.assess", _("Set dues"), _("Dues set from the declared base")),
        ("membership.dues.payment", _("Record dues paid"), _("Dues payment recorded")),
        ("membership.dues.relief", _("Decide a dues relief"), _("Dues reduction or exemption decided")),
    ]:
        actions.register_action(action, label, message)
    actions.register_action(
        "membership.roster_update", _("Update the roster from a dossier"), _("Roster updated from a dossier")
    )


def _dossiers(user):
    branches = Q(branch__in=kept_branches(user)) | Q(branch__in=above_branches(user))
    return Dossier.objects.with_steps().filter(branches).open().order_by("branch__path", "name")


def admin_dossiers(request):
    today = timezone.localdate()
    rows = [{"dossier": d, "next": recruitment.next_steps(d, today)} for d in _dossiers(request.user)]
    return render(request, "membership/admin/dossiers.html", {"rows": rows})


@hooks.register("register_admin_urls")
def register_urls():
    return [path("membership/", admin_dossiers, name="membership_admin_dossiers")]


class MembershipMenuItem(MenuItem):
    def is_shown(self, request):
        return kept_branches(request.user).exists() or above_branches(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return MembershipMenuItem(_("Membership"), reverse("membership_admin_dossiers"), icon_name="group", order=270)


@hooks.register("gongzhi_home_panels")
def my_dossier(request):
    """The person's own dossier, and the secretary's overdue steps, on the home page."""
    if not request.user.is_authenticated:
        return None
    items = [
        {"title": d.name, "url": reverse("membership:dossier", args=[d.pk]), "meta": d.get_stage_display()}
        for d in Dossier.objects.filter(user=request.user)
    ]
    return {"key": "membership", "heading": _("Membership"), "items": items} if items else None


class MembershipScopePolicy(ScopedPermissionPolicy):
    """Rule data of the user's own organisations; the national defaults (no organisation) for superusers."""

    def __init__(self, model, scope_field: str):
        self.scope_field = scope_field
        super().__init__(model)

    def scope_filter(self, user) -> dict:
        return {} if user.is_superuser else super().scope_filter(user)


class ScopedOrganizationForm(WagtailAdminModelForm):
    """The organisation (or branch) field offers only the user's own organisations."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        for name in ("organization", "branch"):
            if name in self.fields and for_user is not None and not for_user.is_superuser:
                self.fields[name].queryset = roles.managed_organizations(for_user)
                self.fields[name].required = True


for _model, _field in (
    (DuesRule, "organization"),
    (PointRule, "organization"),
    (StudyDeadline, "organization"),
):
    register_permission_policy(_model, MembershipScopePolicy(_model, _field))


class DuesKeeperPolicy(MembershipScopePolicy):
    """Only a branch's secretary names (and removes) its dues keepers (membership.name_dues_keepers):
    the keepers of the branches the user is secretary of, and nothing for an admin of the branch or above."""

    def __init__(self):
        super().__init__(DuesKeeper, "branch")

    def scope_filter(self, user) -> dict:
        return {"branch__in": secretary_branches(user)}

    def user_has_permission(self, user, action) -> bool:
        return super().user_has_permission(user, action) and secretary_branches(user).exists()

    def user_has_any_permission(self, user, actions) -> bool:
        return super().user_has_any_permission(user, actions) and secretary_branches(user).exists()


register_permission_policy(DuesKeeper, DuesKeeperPolicy())


class DuesRuleViewSet(ScopedSnippetViewSet):
    model = DuesRule
    icon = "table"
    menu_label = _("Dues rules")
    list_display = ["category", "organization", "valid_from", "above", "up_to", "rate", "fixed"]
    list_filter = ["category"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("organization", widget=forms.Select),
            FieldPanel("valid_from"),
            FieldPanel("category"),
            FieldPanel("above"),
            FieldPanel("up_to"),
            FieldPanel("rate"),
            FieldPanel("fixed"),
        ],
        base_form_class=ScopedOrganizationForm,
    )


class PointRuleViewSet(ScopedSnippetViewSet):
    model = PointRule
    icon = "pick"
    menu_label = _("Study point rules")
    list_display = ["source", "organization", "points", "daily_cap", "valid_from"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("organization", widget=forms.Select),
            FieldPanel("source"),
            FieldPanel("points"),
            FieldPanel("daily_cap"),
            FieldPanel("valid_from"),
        ],
        base_form_class=ScopedOrganizationForm,
    )


class StudyDeadlineViewSet(ScopedSnippetViewSet):
    model = StudyDeadline
    icon = "date"
    menu_label = _("Required study deadlines")
    list_display = ["page", "organization", "due_on"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [FieldPanel("organization", widget=forms.Select), FieldPanel("page"), FieldPanel("due_on")],
        base_form_class=ScopedOrganizationForm,
    )


class DuesKeeperForm(WagtailAdminModelForm):
    """The branch is one the user is secretary of; the keeper, an active member of that branch with an
    account (the user list of the whole platform is nobody's business)."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.for_user = for_user
        branches = secretary_branches(for_user) if for_user is not None else Organization.objects.none()
        self.fields["branch"].queryset = branches
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(roster_entry__in=RosterEntry.objects.active().filter(branch__in=branches))
            .order_by("display_name", "pk")
        )

    def clean(self):
        data = super().clean()
        branch, user = data.get("branch"), data.get("user")
        if branch is not None and not self.for_user.has_perm("membership.name_dues_keepers", branch):
            self.add_error("branch", _("Only the branch's secretary names its dues keepers."))
        elif branch is not None and user is not None:
            if not RosterEntry.objects.active().filter(branch=branch, user=user).exists():
                self.add_error("user", _("A dues keeper is an active member of the branch."))
        return data


class DuesKeeperViewSet(ScopedSnippetViewSet):
    model = DuesKeeper
    icon = "user"
    menu_label = _("Dues keepers")
    list_display = ["user", "branch"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [FieldPanel("branch", widget=forms.Select), FieldPanel("user", widget=forms.Select)],
        base_form_class=DuesKeeperForm,
    )


class MembershipSettingsGroup(SnippetViewSetGroup):
    items = (DuesRuleViewSet, PointRuleViewSet, StudyDeadlineViewSet, DuesKeeperViewSet)
    menu_icon = "cogs"
    menu_label = _("Membership settings")
    menu_name = "membership-settings"
    menu_order = 271


register_snippet(MembershipSettingsGroup)
