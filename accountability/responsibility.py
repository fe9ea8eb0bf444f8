"""上级下发, 下级细化: the level above publishes its responsibility list; a level below adopts it (a copy of its
items, marked as coming from the template) and then adds its own items."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from accountability.models import ResponsibilityItem, ResponsibilityList
from organizations.models import Organization


def template_for(organization: Organization, year: int) -> ResponsibilityList | None:
    """The published list of the nearest level above for that year."""
    above = Organization.objects.with_ancestors(organization).exclude(pk=organization.pk)
    return (
        ResponsibilityList.objects.filter(organization__in=above, year=year, published=True)
        .select_related("organization")
        .order_by("-organization__depth")
        .first()
    )


@transaction.atomic
def adopt(user, organization: Organization, year: int) -> ResponsibilityList:
    """The organisation's list for the year with the template's items copied in (once: adopting again adds
    only items the template gained since)."""
    template = template_for(organization, year)
    if template is None:
        raise ValidationError(
            _("The level above has not published a responsibility list for %(year)s.") % {"year": year}
        )
    own, created = ResponsibilityList.objects.get_or_create(
        organization=organization,
        year=year,
        defaults={"title": _("%(org)s responsibility list %(year)s") % {"org": organization.name, "year": year}},
    )
    own.adopted_from = template
    own.save(update_fields=["adopted_from"])
    have = set(own.items.filter(inherited=True).values_list("duty", flat=True))
    start = own.items.count()
    new = [
        ResponsibilityItem(
            responsibility_list=own,
            duty=item.duty,
            responsible=item.responsible,
            standard=item.standard,
            evidence_expected=item.evidence_expected,
            frequency=item.frequency,
            inherited=True,
            sort_order=start + index,
        )
        for index, item in enumerate(item for item in template.items.order_by("sort_order") if item.duty not in have)
    ]
    ResponsibilityItem.objects.bulk_create(new)
    log(own, "accountability.responsibility.adopt", user=user, data={"template": template.pk, "items": len(new)})
    return own


def own_list(organization: Organization, year: int) -> ResponsibilityList:
    """The organisation's list for the year, created empty on first use."""
    own, _created = ResponsibilityList.objects.get_or_create(
        organization=organization,
        year=year,
        defaults={"title": _("%(org)s responsibility list %(year)s") % {"org": organization.name, "year": year}},
    )
    return own
