"""Who may do what, and where. The one place that answers it.

Roles are Wagtail groups attached to an organisation: branch editors and branch
secretaries act on their own branch, organisation admins on their whole subtree.
A resident is any signed-up user; a member is a user linked to an active roster entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from core.tree import ancestor_paths
from organizations.models import Organization, RosterEntry


class Role(models.TextChoices):
    EDITOR = "editor", _("Branch editor")
    SECRETARY = "secretary", _("Branch secretary")
    ADMIN = "admin", _("Organisation admin")


_GROUP_FIELD = {Role.EDITOR: "editors_group", Role.SECRETARY: "secretaries_group", Role.ADMIN: "admins_group"}
_GROUP_LABEL = {Role.EDITOR: "编辑", Role.SECRETARY: "书记", Role.ADMIN: "管理员"}

# Editors draft; secretaries and admins also publish (issue: approval workflow).
_PAGE_PERMISSIONS = {
    Role.EDITOR: ["add_page", "change_page"],
    Role.SECRETARY: ["add_page", "change_page", "publish_page"],
    Role.ADMIN: ["add_page", "change_page", "publish_page", "delete_page"],
}
_MODEL_PERMISSIONS = {
    Role.EDITOR: [
        "organizations.add_rosterentry",
        "organizations.change_rosterentry",
        "organizations.view_rosterentry",
        "home.add_meetingrecord",
        "home.change_meetingrecord",
        "home.view_meetingrecord",
    ],
    Role.SECRETARY: [
        # membership: the branch names its dues keepers (membership/wagtail_hooks.py scopes them to it).
        "membership.add_dueskeeper",
        "membership.change_dueskeeper",
        "membership.delete_dueskeeper",
        "membership.view_dueskeeper",
        "organizations.add_rosterentry",
        "organizations.change_rosterentry",
        "organizations.delete_rosterentry",
        "organizations.view_rosterentry",
        "home.add_meetingrecord",
        "home.change_meetingrecord",
        "home.delete_meetingrecord",
        "home.view_meetingrecord",
        # Organisational life (orglife): scheduled meetings and committee terms, scoped by its policies.
        "orglife.change_meeting",
        "orglife.view_meeting",
        "orglife.change_term",
        "orglife.view_term",
    ],
    Role.ADMIN: [
        # membership: the street's (or a community's) own dues rules, study point rules and study deadlines.
        *[
            f"membership.{action}_{model}"
            for model in ("duesrule", "pointrule", "studydeadline", "dueskeeper")
            for action in ("add", "change", "delete", "view")
        ],
        "organizations.add_rosterentry",
        "organizations.change_rosterentry",
        "organizations.delete_rosterentry",
        "organizations.view_rosterentry",
        "organizations.add_grid",
        "organizations.change_grid",
        "organizations.view_grid",
        "organizations.add_organization",
        "organizations.change_organization",
        "organizations.view_organization",
        "home.add_meetingrecord",
        "home.change_meetingrecord",
        "home.delete_meetingrecord",
        "home.view_meetingrecord",
        "orglife.change_meeting",
        "orglife.view_meeting",
        "orglife.change_term",
        "orglife.view_term",
    ],
}
# Editors and secretaries upload images and documents for their pages.
_COMMON_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "wagtailimages.add_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.choose_document",
]


# Wagtail checks image and document permissions per collection (GroupCollectionPermission): these
# grant nothing as plain group permissions, so role groups get them on the root collection.
_COLLECTION_PERMISSIONS = [name for name in _COMMON_PERMISSIONS if name.startswith(("wagtailimages.", "wagtaildocs."))]


def _sync_collection_permissions(group: Group) -> None:
    root = Collection.get_first_root_node()
    for permission in _permissions(_COLLECTION_PERMISSIONS):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=root, permission=permission)


def _permissions(names: list[str]) -> list[Permission]:
    lookups = Q()
    for name in names:
        app_label, codename = name.split(".")
        lookups |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(lookups))


@transaction.atomic
def role_group(organization: Organization, role: Role) -> Group:
    """The group holding `role` on `organization`, created with its permissions on first use."""
    field = _GROUP_FIELD[role]
    group = getattr(organization, field)
    if group is not None:
        return group
    group, _created = Group.objects.get_or_create(
        name=f"{organization.name}（{organization.code}）· {_GROUP_LABEL[role]}"
    )
    group.permissions.set(_permissions(_MODEL_PERMISSIONS[role] + _COMMON_PERMISSIONS))
    _sync_collection_permissions(group)
    setattr(organization, field, group)
    organization.save(update_fields=[field])
    sync_page_permissions(organization)
    return group


def sync_all() -> None:
    """Bring every existing role group up to the permissions declared here (run after migrations)."""
    for organization in Organization.objects.exclude(
        editors_group=None, secretaries_group=None, admins_group=None
    ).select_related("editors_group", "secretaries_group", "admins_group"):
        for role, field in _GROUP_FIELD.items():
            group = getattr(organization, field)
            if group is not None:
                group.permissions.set(_permissions(_MODEL_PERMISSIONS[role] + _COMMON_PERMISSIONS))
                _sync_collection_permissions(group)
        sync_page_permissions(organization)


def sync_page_permissions(organization: Organization) -> None:
    """Give each role group its page permissions on the organisation's section, and only there."""
    for role, field in _GROUP_FIELD.items():
        group = getattr(organization, field)
        if group is None:
            continue
        GroupPagePermission.objects.filter(group=group).exclude(page_id=organization.page_id).delete()
        if organization.page_id is None:
            continue
        permissions = _permissions([f"wagtailcore.{codename}" for codename in _PAGE_PERMISSIONS[role]])
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(group=group, page_id=organization.page_id, permission=permission)
    sync_workflow(organization)


def _approver_role(organization: Organization) -> Role:
    """Branch pages are approved by the branch secretaries; higher sections by their admins."""
    return Role.SECRETARY if organization.is_branch else Role.ADMIN


@transaction.atomic
def sync_workflow(organization: Organization) -> Workflow | None:
    """The organisation's approval workflow, assigned to its section page.

    An editor submits a page for moderation; a member of the approver group (the branch
    secretaries) approves it, which publishes it. Wagtail logs every step in its audit log.
    """
    if organization.page_id is None or not (organization.editors_group_id or organization.secretaries_group_id):
        return None
    approvers = role_group(organization, _approver_role(organization))
    name = f"{organization.name}（{organization.code}）· 审核"
    task, _created = GroupApprovalTask.objects.get_or_create(name=name)
    task.groups.set([approvers])
    workflow, _created = Workflow.objects.get_or_create(name=name)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.filter(workflow=workflow).exclude(page_id=organization.page_id).delete()
    WorkflowPage.objects.update_or_create(page_id=organization.page_id, defaults={"workflow": workflow})
    return workflow


def grant(user, organization: Organization, role: Role) -> None:
    user.groups.add(role_group(organization, role))


def revoke(user, organization: Organization, role: Role) -> None:
    group = getattr(organization, _GROUP_FIELD[role])
    if group is not None:
        user.groups.remove(group)


def organizations_with_role(user, *roles: Role) -> models.QuerySet[Organization]:
    """Organisations on which the user directly holds one of `roles`.

    One index lookup per role from the user's groups (a union): joining the three group columns with OR
    made PostgreSQL read every organisation, on every signed-in page that asks (a city has 200,000).
    """
    if not user.is_authenticated or not roles:
        return Organization.objects.none()
    groups = get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")
    holding = [
        Organization.objects.filter(**{f"{_GROUP_FIELD[role]}_id__in": groups}).order_by().values("pk")
        for role in roles
    ]
    return Organization.objects.filter(pk__in=holding[0].union(*holding[1:], all=True))


def managed_organizations(user) -> models.QuerySet[Organization]:
    """Organisations whose roster and section the user may manage."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    administered = organizations_with_role(user, Role.ADMIN).only("path")
    acting = Organization.objects.filter(pk__in=organizations_with_role(user, Role.EDITOR, Role.SECRETARY).values("pk"))
    return Organization.objects.within(*administered) | acting


def may_assign_section(user, page) -> bool:
    """Whether the user may make `page` an organisation's section: a superuser any page, an
    organisation admin only a page strictly inside the section of an organisation they administer
    (never that section itself, never above it)."""
    if user.is_superuser:
        return True
    sections = organizations_with_role(user, Role.ADMIN).exclude(page=None).values_list("page__path", flat=True)
    return any(page.path.startswith(path) and page.path != path for path in sections)


def can_manage(user, organization: Organization) -> bool:
    """Whether `organization` is among `managed_organizations(user)`, asked in one query: the user
    administers it or an organisation above it, or is its editor or secretary."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Organization.objects.filter(
        Q(path__in=ancestor_paths(organization, inclusive=True), admins_group__user=user)
        | Q(pk=organization.pk, editors_group__user=user)
        | Q(pk=organization.pk, secretaries_group__user=user)
    ).exists()


def holds_role(user, organization: Organization, role: Role) -> bool:
    return organizations_with_role(user, role).filter(pk=organization.pk).exists()


def roster_entry(user) -> RosterEntry | None:
    """The user's active roster entry, if they are a member."""
    if not user.is_authenticated:
        return None
    return RosterEntry.objects.active().select_related("branch").filter(user=user).first()


def is_member(user) -> bool:
    return roster_entry(user) is not None


ACTIVE_STATUSES = frozenset({RosterEntry.Status.NORMAL, RosterEntry.Status.MOBILE})


@dataclass(frozen=True)
class Standing:
    """Where the signed-in user stands, in one query: their roster entry (whatever its status) and whether
    they hold any role. Panels of several apps ask it on one page (`standing`) and skip what cannot apply."""

    entry_id: int | None = None
    entry_status: str | None = None
    branch_id: int | None = None
    keeps: bool = False  # holds a role (editor, secretary, admin) on at least one organisation

    @property
    def on_roster(self) -> bool:
        return self.entry_id is not None

    @property
    def active_branch_id(self) -> int | None:
        """The branch of the user's active roster entry (`roster_entry(user).branch_id`), if any."""
        return self.branch_id if self.entry_status in ACTIVE_STATUSES else None


def standing(request) -> Standing:
    """The request user's `Standing`, read once per request whoever asks."""
    found = getattr(request, "_organizations_standing", None)
    if found is None:
        found = request._organizations_standing = _read_standing(request.user)
    return found


def _read_standing(user) -> Standing:
    if not user.is_authenticated:
        return Standing()
    row = (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(keeps=models.Exists(organizations_with_role(user, *Role)))
        .values_list("roster_entry__id", "roster_entry__status", "roster_entry__branch_id", "keeps")
        .first()
    )
    return Standing(*row) if row else Standing()


def roles_of(user) -> dict[str, list[Organization]]:
    """Every role the user holds, for display ("what may I do here")."""
    return {role.value: list(organizations_with_role(user, role)) for role in Role}
