"""Who is told about an organisation's lists: its own keepers, and the admins of a level above."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from organizations.models import Organization


def keepers_of(organization: Organization) -> set[int]:
    """The organisation's editors, secretaries and admins (those who keep its lists)."""
    groups = [organization.editors_group_id, organization.secretaries_group_id, organization.admins_group_id]
    groups = [pk for pk in groups if pk]
    if not groups:
        return set()
    return set(get_user_model().objects.filter(groups__in=groups, is_active=True).values_list("pk", flat=True))


def admins_of(organization: Organization | None) -> set[int]:
    if organization is None or not organization.admins_group_id:
        return set()
    return set(
        get_user_model()
        .objects.filter(Q(groups=organization.admins_group_id), is_active=True)
        .values_list("pk", flat=True)
    )
