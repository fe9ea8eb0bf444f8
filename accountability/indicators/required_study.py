"""Required study completed: of the branch's active members, the share who studied every required item (必学)
whose deadline fell in the year, by now (membership.study: the deadlines the nearest organisation set, and
`not_completed`, who has not studied what was due)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link, share
from home.models import StudyPage
from membership import study
from organizations.models import RosterEntry


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    first, last = study.period(year, None)
    last = min(last, today)
    evidence = [
        link(
            _("Required study of %(org)s in %(year)d") % {"org": organization.name, "year": year},
            reverse("membership:branch_study", args=[organization.pk]) + f"?year={year}",
        )
    ]
    due = [page_id for page_id, due_on in study.deadlines_for(organization).items() if first <= due_on <= last]
    items = StudyPage.objects.required_for_branch(organization).filter(pk__in=due).count()
    members = RosterEntry.objects.active().filter(branch=organization).count()
    if not items or not members:
        return Result(None, evidence, _("No required study was due this year."))
    behind = {missing.member.pk for missing in study.not_completed(organization, first, last)}
    done = members - len(behind)
    detail = _("%(done)d of %(members)d members completed %(items)d required items") % {
        "done": done,
        "members": members,
        "items": items,
    }
    return Result(share(done, members), evidence, detail)
