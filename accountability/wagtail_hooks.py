"""The lists and the assessment in the Wagtail admin: responsibility lists (templates published to the levels
below) and indicator schemes, each confined to the user's own organisations; the audit log's action names;
the site pages in the admin menu; the home page panel of work waiting for the user."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from accountability.models import (
    Assessment,
    IndicatorScheme,
    IndicatorScore,
    ResponsibilityList,
    SupervisionNotice,
    Task,
)
from accountability.rules import ALL_ROLES
from organizations import roles
from organizations.models import Organization
from organizations.wagtail_hooks import ScopedSnippetViewSet

LOG_ACTIONS = {
    "accountability.responsibility.adopt": (_("Adopt template"), _("Responsibility template adopted")),
    "accountability.responsibility.add": (_("Add responsibility"), _("Responsibility item added")),
    "accountability.responsibility.remove": (_("Remove responsibility"), _("Responsibility item removed")),
    "accountability.responsibility.publish": (
        _("Publish template"),
        _("Responsibility list published to the levels below"),
    ),
    "accountability.responsibility.withdraw": (
        _("Withdraw template"),
        _("Responsibility list withdrawn from the levels below"),
    ),
    "accountability.task.create": (_("Add task"), _("Task added")),
    "accountability.task.status": (_("Change task status"), _("Task status changed")),
    "accountability.problem.create": (_("Add problem"), _("Problem added")),
    "accountability.problem.rectify": (_("Report rectified"), _("Problem reported rectified")),
    "accountability.problem.close": (_("Close off"), _("Problem closed off")),
    "accountability.problem.reopen": (_("Send back"), _("Problem sent back to rectification")),
    "accountability.proposal.confirm": (_("Confirm proposal"), _("Proposed problem confirmed")),
    "accountability.proposal.dismiss": (_("Dismiss proposal"), _("Proposed problem dismissed")),
    "accountability.notice.issue": (_("Issue notice"), _("Supervision notice issued")),
    "accountability.notice.reply": (_("Reply to notice"), _("Supervision notice answered")),
    "accountability.notice.escalate": (_("Escalate notice"), _("Overdue supervision notice escalated")),
    "accountability.scheme.open": (_("Open scoring"), _("Assessment scoring opened")),
    "accountability.scheme.compute": (_("Compute indicators"), _("Indicators computed")),
    "accountability.scheme.finalise": (_("Finalise grades"), _("Assessment grades made final")),
    "accountability.score": (_("Score indicator"), _("Indicator scored")),
    "accountability.grade": (_("Grade"), _("Assessment grade set")),
    "accountability.report": (_("Save report"), _("Secretary's report saved")),
}


@hooks.register("register_log_actions")
def register_accountability_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)


class OwnOrganizationsPolicy(ModelPermissionPolicy):
    """Anyone holding `roles` somewhere may use the listing; they see and edit only rows of their organisations.

    Permissions come from the roles, not from Django model permissions, so no role group needs new ones.
    """

    roles: tuple = ALL_ROLES

    def organizations(self, user):
        if user.is_superuser:
            return Organization.objects.all()
        held = roles.organizations_with_role(user, *self.roles).only("path")
        return Organization.objects.within(*held) if self.roles == (roles.Role.ADMIN,) else held

    def user_has_permission(self, user, action) -> bool:
        return user.is_active and (user.is_superuser or roles.organizations_with_role(user, *self.roles).exists())

    def user_has_any_permission(self, user, actions) -> bool:
        return self.user_has_permission(user, None)

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return (
            self.user_has_permission(user, action)
            and self.organizations(user).filter(pk=instance.organization_id).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_permission(user, None):
            return self.model._default_manager.none()
        return self.model._default_manager.filter(organization__in=self.organizations(user))


class ResponsibilityListPolicy(OwnOrganizationsPolicy):
    def __init__(self):
        super().__init__(ResponsibilityList)


class SchemePolicy(OwnOrganizationsPolicy):
    roles = (roles.Role.ADMIN,)

    def __init__(self):
        super().__init__(IndicatorScheme)


register_permission_policy(ResponsibilityList, ResponsibilityListPolicy())
register_permission_policy(IndicatorScheme, SchemePolicy())


class OwnOrganizationForm(WagtailAdminModelForm):
    """The organisation is one the user may act for (a plain select: the tree has few enough)."""

    policy_class = OwnOrganizationsPolicy

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = self.policy_class().organizations(self.for_user).order_by("path")
        self.fields["organization"].widget = forms.Select(choices=self.fields["organization"].choices)


class ResponsibilityListForm(OwnOrganizationForm):
    policy_class = ResponsibilityListPolicy

    def is_valid(self) -> bool:
        """Items handed down by the level above (上级下发) are not the organisation's to delete, here as on the site."""
        valid = super().is_valid()
        formset = self.formsets.get("items")
        if formset is None or not formset.is_bound:
            return valid
        refused = [form for form in formset.forms if formset._should_delete_form(form) and form.instance.inherited]
        for form in refused:
            form.add_error(
                None,
                _(
                    "“%(duty)s” was handed down by the level above (上级下发) and cannot be deleted; add your own items instead."
                )
                % {"duty": form.instance.duty},
            )
        if refused:
            self.add_error(
                None,
                _("Items handed down by the level above cannot be deleted: %(duties)s.")
                % {"duties": "、".join(form.instance.duty for form in refused)},
            )
        return valid and not refused


class SchemeForm(OwnOrganizationForm):
    policy_class = SchemePolicy


class ResponsibilityListViewSet(ScopedSnippetViewSet):
    model = ResponsibilityList
    icon = "list-ul"
    menu_label = _("Responsibility lists")
    list_display = ["title", "organization", "year", "published"]
    list_filter = ["year", "published"]
    search_fields = ["title"]
    copy_view_enabled = False
    edit_handler = ObjectList(ResponsibilityList.panels, base_form_class=ResponsibilityListForm)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


class IndicatorSchemeViewSet(ScopedSnippetViewSet):
    model = IndicatorScheme
    icon = "doc-full"
    menu_label = _("Assessment schemes")
    list_display = ["title", "organization", "year", "status"]
    list_filter = ["year", "status"]
    search_fields = ["title"]
    copy_view_enabled = False
    edit_handler = ObjectList(IndicatorScheme.panels, base_form_class=SchemeForm)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


class AccountabilityGroup(SnippetViewSetGroup):
    items = (ResponsibilityListViewSet, IndicatorSchemeViewSet)
    menu_icon = "tasks"
    menu_label = _("Lists and assessment")
    menu_name = "accountability"
    menu_order = 270


register_snippet(AccountabilityGroup)


class SitePagesMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.managed_organizations(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_site_pages_menu_item():
    return SitePagesMenuItem(
        _("Lists, supervision and dashboard"), reverse("accountability:index"), icon_name="site", order=271
    )


@hooks.register("gongzhi_home_panels")
def waiting_work(request):
    """Overdue tasks and unanswered notices of the organisations the user keeps, on the home page."""
    if not request.user.is_authenticated:
        return None
    # Read once for every panel: who holds no role has no tasks or notices to see, who is no member no
    # assessment of their branch.
    standing = roles.standing(request)
    today = timezone.localdate()
    items = []
    if standing.keeps:
        kept = roles.organizations_with_role(request.user, *ALL_ROLES)
        items += [
            {"title": task.title, "url": reverse("accountability:task", args=[task.pk]), "meta": _("Overdue task")}
            for task in Task.objects.overdue(today).filter(organization__in=kept)[:5]
        ] + [
            {
                "title": notice.text[:60],
                "url": reverse("accountability:notice", args=[notice.pk]),
                "meta": _("Supervision notice: reply by %(date)s") % {"date": notice.reply_due.isoformat()},
            }
            for notice in SupervisionNotice.objects.unanswered().filter(organization__in=kept)[:5]
        ]
    if standing.active_branch_id is not None:
        items += [
            {
                "title": assessment.scheme.title,
                "url": reverse("accountability:assessment", args=[assessment.pk]),
                "meta": _("Your branch's assessment: %(grade)s") % {"grade": assessment.get_grade_display()},
            }
            for assessment in Assessment.objects.filter(
                organization_id=standing.active_branch_id,
                scheme__status=IndicatorScheme.Status.FINAL,
                scheme__notice_starts__lte=today,
            ).select_related("scheme")[:3]
        ]
    return {"key": "accountability", "heading": _("Lists and supervision"), "items": items} if items else None


RESULT_YEARS = 5


@hooks.register("gongzhi_branch_panels")
def assessment_results(request, organization):
    """结果运用 on the organisation's own page: its final grades and indicator results, year on year, to those
    accountability.rules lets see the assessment (its people, the levels above, its assessors, and its members
    once the public notice has started)."""
    assessments = [
        assessment
        for assessment in Assessment.objects.filter(
            organization=organization, scheme__status=IndicatorScheme.Status.FINAL
        )
        .select_related("scheme", "organization")
        .order_by("-scheme__year", "-pk")[:RESULT_YEARS]
        if request.user.has_perm("accountability.view_assessment", assessment)
    ]
    if not assessments:
        return None
    scores: dict[int, list[IndicatorScore]] = {assessment.pk: [] for assessment in assessments}
    for score in (
        IndicatorScore.objects.filter(assessment__in=assessments)
        .select_related("indicator")
        .order_by("indicator__sort_order", "indicator__pk")
    ):
        scores[score.assessment_id].append(score)
    return {
        "key": "accountability-results",
        "heading": _("Annual assessment results"),
        "template": "accountability/includes/branch_results.html",
        "items": [],
        "results": [
            {
                "assessment": assessment,
                "scores": scores[assessment.pk],
                "url": reverse("accountability:assessment", args=[assessment.pk]),
            }
            for assessment in assessments
        ],
    }
