"""Where a request goes: the organisation responsible at each level, and who is told.

grid level → the branch owning the grid (GridDuty.branch, else the grid's community), with the grid worker;
community level → the grid's community; street level → the organisation above the community.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from appeals.models import Appeal, Complaint, GridDuty, Level
from organizations.models import Grid, Organization


def unit_at(grid: Grid, level: int) -> Organization:
    """The organisation that holds a request of `grid` at `level`."""
    community = grid.community
    if level == Level.GRID:
        duty = GridDuty.objects.filter(grid=grid).select_related("branch").first()
        return duty.branch if duty and duty.branch_id else community
    if level == Level.COMMUNITY:
        return community
    return community.get_parent() or community


def level_of(organization: Organization, grid: Grid) -> int:
    """The level an organisation stands at for requests of `grid` (a branch is the grid level)."""
    if organization.kind == Organization.Kind.STREET:
        return Level.STREET
    if organization.pk == grid.community_id or organization.kind == Organization.Kind.COMMUNITY:
        return Level.COMMUNITY
    return Level.GRID


def complained_unit(grid: Grid, complaint: str) -> Organization | None:
    """The organisation a complaint is about: the grid's handler (the branch owning it, else its community)
    or the community."""
    if complaint == Complaint.GRID:
        return unit_at(grid, Level.GRID)
    if complaint == Complaint.COMMUNITY:
        return grid.community
    return None


def is_complained_about(appeal: Appeal, organization: Organization) -> bool:
    """Whether `organization` is the one the request complains about, or stands below it."""
    about = appeal.complains_about
    return about is not None and organization.path.startswith(about.path)


def complained_user_ids(appeal: Appeal) -> set[int]:
    """The people of the organisation complained about (its role holders and those of the organisations
    below it, and the grid workers it looks after): never told, never handlers (art. 35)."""
    about = appeal.complains_about
    if about is None:
        return set()
    below = Organization.objects.filter(path__startswith=about.path)
    groups = [
        group
        for organization in below.only("editors_group_id", "secretaries_group_id", "admins_group_id")
        for group in (organization.editors_group_id, organization.secretaries_group_id, organization.admins_group_id)
        if group
    ]
    workers = GridDuty.objects.filter(worker__isnull=False).filter(
        Q(branch__path__startswith=about.path) | Q(branch=None, grid__community__path__startswith=about.path)
    )
    ids = set(workers.values_list("worker_id", flat=True))
    ids |= set(get_user_model().objects.filter(groups__in=groups).values_list("pk", flat=True)) if groups else set()
    return ids


def starting_level(category_level: int, complains_about: Organization | None, grid: Grid) -> int:
    """A request starts at its category's level, and above the organisation it complains about."""
    level = max(Level.GRID, category_level)
    if complains_about is not None:
        level = max(level, min(level_of(complains_about, grid) + 1, Level.STREET))
    return level


def transfer_targets(appeal: Appeal) -> list[Organization]:
    """Organisations a request may be transferred to: the branches, community and street of its grid's
    community, never below its category's responsible level (art. 17), never back to itself."""
    community = appeal.grid.community
    street = community.get_parent()
    candidates = list(Organization.objects.within(community).filter(kind=Organization.Kind.BRANCH))
    candidates += [community] + ([street] if street else [])
    return [
        organization
        for organization in candidates
        if organization.pk != appeal.unit_id
        and level_of(organization, appeal.grid) >= appeal.category.responsible_level
        # A complaint never goes to those it is about (art. 35); a reopened request never back down to
        # the level whose handling the resident rated 不满意.
        and not is_complained_about(appeal, organization)
        and not (appeal.reopened and level_of(organization, appeal.grid) < appeal.level)
    ]


def handler_ids(appeal: Appeal) -> set[int]:
    """Those told about a request at its unit: the role holders of the unit and, at grid level, the grid worker."""
    unit = appeal.unit
    groups = [unit.editors_group_id, unit.secretaries_group_id, unit.admins_group_id]
    users = get_user_model().objects.filter(is_active=True)
    lookups = Q(groups__in=[g for g in groups if g])
    if appeal.level == Level.GRID:
        # Only the worker of this request's grid: the branch's other grids have other workers (privacy).
        lookups |= Q(grid_duties__grid_id=appeal.grid_id, grid_duties__branch_id=unit.pk) | Q(
            grid_duties__grid_id=appeal.grid_id, grid_duties__branch=None
        )
    return set(users.filter(lookups).values_list("pk", flat=True)) - complained_user_ids(appeal)
