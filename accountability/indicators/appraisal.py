"""The democratic appraisal held on time with a valid turnout: 100 when the branch's appraisal of the year
reached the organisational assessment (组织评定) within the year on a ballot with a valid turnout, else 0."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accountability.indicators.base import Result, link
from evaluation import tally
from evaluation.models import AppraisalCampaign, Stage


def compute(organization, year: int, today: dt.date, indicator=None) -> Result:
    campaign = AppraisalCampaign.objects.filter(branch=organization, year=year).first()
    if campaign is None:
        return Result(0.0, [], _("No democratic appraisal this year."))
    evidence = [link(str(campaign), reverse("evaluation:detail", args=[campaign.pk]))]
    reached = campaign.stage_changes.filter(stage=Stage.ASSESSMENT, changed_at__year__lte=year).exists()
    if not (campaign.ballot_closed and reached):
        return Result(0.0, evidence, _("The ballot did not close within the year."))
    if not tally.ballot_valid(campaign, tally.turnout_now(campaign)):
        return Result(0.0, evidence, _("The ballot's turnout was below the minimum."))
    return Result(100.0, evidence, _("Held on time with a valid turnout."))
