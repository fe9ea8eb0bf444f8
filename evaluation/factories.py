"""Test factories for appraisals (imported by tests only)."""

import datetime as dt

import factory

from evaluation.models import AppraisalCampaign, Stage
from organizations.factories import OrganizationFactory


class AppraisalCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppraisalCampaign

    branch = factory.SubFactory(OrganizationFactory)
    year = 2026
    ballot_date = dt.date(2026, 12, 18)
    stage = Stage.PREPARING
