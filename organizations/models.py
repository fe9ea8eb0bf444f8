from __future__ import annotations

from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.tree import ancestor_paths, in_subtrees


class OrganizationQuerySet(MP_NodeQuerySet):
    """Parts of the organisation tree, asked by position instead of by path arithmetic.

    Both take organisations, not paths, and compose: `within(a) | with_ancestors(a)` is everything
    above, at and below `a`. An empty argument list matches nothing.
    """

    def within(self, *organizations: Organization) -> OrganizationQuerySet:
        """The organisations given and everything below them."""
        return self.filter(in_subtrees(organization.path for organization in organizations))

    def with_ancestors(self, *organizations: Organization) -> OrganizationQuerySet:
        """The organisations given and every organisation above them."""
        paths = {path for organization in organizations for path in ancestor_paths(organization, inclusive=True)}
        return self.filter(path__in=paths)


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    """Treebeard's manager (ordered by path, tree-safe deletes) with the queries above."""

    def get_queryset(self) -> OrganizationQuerySet:
        # Treebeard's get_queryset names its own queryset class: ours keeps its ordering.
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    """A Party organisation: street working committee, community committee or branch."""

    class Kind(models.TextChoices):
        STREET = "street", _("Street Party working committee")
        COMMUNITY = "community", _("Community Party committee")
        GENERAL_BRANCH = "general_branch", _("General Party branch")
        BRANCH = "branch", _("Party branch")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("A stable identifier, used by imports."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("section page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The organisation's part of the site; its editors may edit only below it."),
    )
    editors_group = models.OneToOneField(
        Group, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    secretaries_group = models.OneToOneField(
        Group, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    admins_group = models.OneToOneField(
        Group, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    node_order_by = ["code"]

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_page_id = self.__dict__.get("page_id")  # never loads a deferred field

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == self.Kind.BRANCH

    def save(self, *args, **kwargs):
        # Whoever saves (admin form, import, shell, service), a section never takes over another's.
        update_fields = kwargs.get("update_fields")
        changed = self._state.adding or self.page_id != self._saved_page_id
        if self.page_id and changed and (update_fields is None or "page" in update_fields):
            self.validate_section(self.page)
        super().save(*args, **kwargs)
        self._saved_page_id = self.page_id

    def section_clashes(self, page, parent: Organization | None = None) -> list[Organization]:
        """Other organisations whose section `page` would contain, or sit inside, although they are
        neither below this organisation (for the first) nor above it (for the second).

        Sections nest like the organisation tree: the street's page holds its communities' pages,
        which hold their branches'. A section that contains another organisation's section would hand
        it to this organisation's editors; one inside a cousin's section would be edited by both.
        `parent` stands in for the tree position of an organisation not created yet.
        """
        if page is None:
            return []
        own_path = self.path or None
        others = (
            Organization.objects.exclude(pk=self.pk)
            .filter(Q(page__path__startswith=page.path) | Q(page__path__in=ancestor_paths(page)))
            .select_related("page")
        )
        clashes = []
        for other in others:
            if other.page.path.startswith(page.path):
                allowed = own_path is not None and other.path.startswith(own_path) and other.path != own_path
            else:
                above = own_path if own_path is not None else (parent.path + "~" if parent else "")
                allowed = above.startswith(other.path)
            if not allowed:
                clashes.append(other)
        return clashes

    def validate_section(self, page, parent: Organization | None = None) -> None:
        clashes = self.section_clashes(page, parent)
        if clashes:
            raise ValidationError(
                {
                    "page": _(
                        "This page overlaps the section of %(organizations)s: choose a page of this organisation's own."
                    )
                    % {"organizations": "、".join(str(other) for other in clashes)}
                }
            )


class Grid(models.Model):
    """A 网格: a part of a community looked after by a grid worker."""

    community = models.ForeignKey(
        Organization, verbose_name=_("community"), on_delete=models.CASCADE, related_name="grids"
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    worker_name = models.CharField(_("grid worker"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["community__path", "code"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name_per_community")]

    def __str__(self) -> str:
        return self.name


class Residence(models.Model):
    """The grid a resident lives in, as they confirmed it (members also live in their roster grid:
    organizations.residents answers who lives where)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="residence")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="residents", verbose_name=_("grid"))
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        db_table = "consultation_residence"  # the table it had in consultation, kept when the model moved here
        verbose_name = _("residence")
        verbose_name_plural = _("residences")

    def __str__(self) -> str:
        return f"{self.user} · {self.grid}"


class RosterEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=[RosterEntry.Status.NORMAL, RosterEntry.Status.MOBILE])

    def in_organizations(self, organizations):
        return self.filter(branch__in=organizations)


class RosterEntry(models.Model):
    """One Party member on a branch's roster (花名册)."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class MemberType(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        MOBILE = "mobile", _("Mobile")
        SUSPENDED = "suspended", _("Membership suspended")
        LEFT = "left", _("Left the Party")
        # Released to an organisation outside the platform (membership.transfers): kept for history.
        TRANSFERRED = "transferred", _("Transferred out")

    branch = models.ForeignKey(Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="roster")
    member_no = models.CharField(
        _("member number"), max_length=32, help_text=_("Unique within the branch; the key for imports.")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    member_type = models.CharField(_("member type"), max_length=16, choices=MemberType.choices, default=MemberType.FULL)
    joined_on = models.DateField(pgettext_lazy("party membership", "date joined"))
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NORMAL)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_entry",
    )

    objects = RosterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")
        ordering = ["branch__path", "member_no"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "member_no"], name="roster_unique_member_no_per_branch")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.branch.name}）"
