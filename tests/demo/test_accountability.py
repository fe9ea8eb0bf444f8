"""The accountability demo: private attachments a person can open, the new indicators in the scheme, and last
year's results on a branch's own page (结果运用)."""

import io

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from accountability.models import Assessment, Evidence, IndicatorScheme

pytestmark = pytest.mark.django_db


def test_seed_demo_keeps_attachments_private_and_shows_results_on_the_branch_page(client, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    call_command("seed_demo", members=40, residents=5, stdout=io.StringIO())

    evidence = Evidence.objects.exclude(file="").select_related("problem__organization").first()
    assert evidence is not None and evidence.file.path.startswith(str(tmp_path))
    report = Assessment.objects.exclude(report_file="").get()
    scheme = IndicatorScheme.objects.exclude(status=IndicatorScheme.Status.FINAL).get()
    assert {"requests_on_time", "requests_satisfaction", "required_study"} <= set(
        scheme.indicators.values_list("source", flat=True)
    )

    branch = evidence.problem.organization
    secretary = get_user_model().objects.filter(groups__id=branch.secretaries_group_id).first()
    client.force_login(secretary)
    assert client.get(reverse("accountability:evidence_file", args=[evidence.pk])).status_code == 200
    page = client.get(branch.page.url).content.decode()
    last_year = IndicatorScheme.objects.get(status=IndicatorScheme.Status.FINAL)
    assert last_year.title in page and "三会一课按时召开" in page
    if report.organization != branch:
        assert client.get(reverse("accountability:report_file", args=[report.pk])).status_code == 404
