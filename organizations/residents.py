"""Who lives in a grid: the one answer for everything open to "residents of these grids".

A user lives in a grid when they confirmed a residence there (any resident) or when their active roster
entry names it as their grid (a member). A member whose residence is elsewhere lives in both grids.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q

from organizations.models import Grid, Residence, RosterEntry


def living_in(grid_ids: Iterable[int]) -> Q:
    """A filter on users: those who live in one of the grids."""
    grid_ids = list(grid_ids)
    return Q(pk__in=Residence.objects.filter(grid_id__in=grid_ids).values("user")) | Q(
        pk__in=RosterEntry.objects.active().filter(grid_id__in=grid_ids).values("user")
    )


def lives_in(user, grid_ids: Iterable[int]) -> bool:
    return user.is_authenticated and get_user_model().objects.filter(living_in(grid_ids), pk=user.pk).exists()


def grids_of(user) -> set[int]:
    """The grids the user lives in (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return set()
    members = RosterEntry.objects.active().filter(user=user)
    return set(Grid.objects.filter(Q(residents__user=user) | Q(members__in=members)).values_list("pk", flat=True))


def count(grid_ids: Iterable[int]) -> int:
    """How many people live in the grids, each once, members without an account included."""
    grid_ids = list(grid_ids)
    residences = Residence.objects.filter(grid_id__in=grid_ids)
    members = RosterEntry.objects.active().filter(grid_id__in=grid_ids).exclude(user__in=residences.values("user"))
    return residences.count() + members.count()
