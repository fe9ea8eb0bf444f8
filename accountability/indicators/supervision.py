"""Supervision replies on time: of the notices issued to the organisation in the year that are due by now
(or answered), the share answered by the reply date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from accountability.models import SupervisionNotice


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    notices = list(
        SupervisionNotice.objects.filter(organization=organization, issued_at__year=year)
        .filter(Q(reply_due__lt=today) | Q(replied_at__isnull=False))
        .order_by("issued_at", "pk")
    )
    on_time = [n for n in notices if n.replied_on_time]
    evidence = [
        link(
            f"{n.text[:40]}（{_('answered on time') if n.replied_on_time else _('late or unanswered')}）",
            reverse("accountability:notice", args=[n.pk]),
        )
        for n in notices
    ]
    detail = _("%(done)d of %(all)d notices answered on time") % {"done": len(on_time), "all": len(notices)}
    return Result(share(len(on_time), len(notices)), evidence, detail)
