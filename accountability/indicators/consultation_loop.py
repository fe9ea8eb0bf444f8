"""Closed loop of consultations: of the consultations the organisation published in the year, the share
carried through to residents rating the outcome (评议) or the archive, with the outcome published."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from consultation.models import ConsultationPage, ConsultationState, Stage

CLOSED_STAGES = (Stage.RATING, Stage.ARCHIVED)


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    consultations = list(
        ConsultationPage.objects.live()
        .filter(organization=organization, first_published_at__year=year)
        .order_by("first_published_at", "pk")
    )
    closed = set(
        ConsultationState.objects.filter(
            consultation__in=[c.pk for c in consultations], stage__in=CLOSED_STAGES, consultation__outcome__isnull=False
        ).values_list("consultation_id", flat=True)
    )
    evidence = [
        link(f"{c.title}（{_('loop closed') if c.pk in closed else _('loop open')}）", c.url) for c in consultations
    ]
    detail = _("%(closed)d of %(all)d consultations closed the loop") % {
        "closed": len(closed),
        "all": len(consultations),
    }
    return Result(share(len(closed), len(consultations)), evidence, detail)
