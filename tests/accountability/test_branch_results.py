"""结果运用: an organisation's final grade and indicator results on its own page of the site, to those allowed
to see the assessment, and to no one else (home asks through a hook; it does not import accountability)."""

import datetime as dt

import pytest

from django.utils import timezone

from accountability import assessment as scoring
from accountability.models import Assessment, Grade, IndicatorScheme, IndicatorScore
from tests.accountability.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def final(scheme, org_admin, branch_a, branch_b):
    scoring.compute(scheme, org_admin, today=TODAY)
    IndicatorScore.objects.filter(assessment__organization=branch_a, indicator__name="三会一课").update(
        value=91.7, score=40
    )
    Assessment.objects.filter(organization=branch_a).update(total=88.5, grade=Grade.FAIRLY_GOOD)
    Assessment.objects.filter(organization=branch_b).update(total=55.0, grade=Grade.POOR)
    IndicatorScheme.objects.filter(pk=scheme.pk).update(
        status=IndicatorScheme.Status.FINAL, notice_starts=timezone.localdate() - dt.timedelta(days=1)
    )
    return scheme


def _page(client, organization) -> str:
    response = client.get(organization.page.url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["secretary_a", "org_admin", "member_a"])
def test_the_branch_page_shows_its_final_grade_and_indicator_results(client, final, branch_a, who, request):
    client.force_login(request.getfixturevalue(who))

    page = _page(client, branch_a)

    assert final.title in page
    assert "较好" in page and "88.5" in page
    assert "三会一课" in page and "91.7" in page and "40 / 40" in page
    assert "差" not in page.split(final.title, 1)[1].split("</section>", 1)[0]  # not branch B's grade


@pytest.mark.parametrize("who", ["secretary_b", "resident", None])
def test_another_branch_a_resident_and_a_visitor_do_not_see_the_results(client, final, branch_a, who, request):
    if who:
        client.force_login(request.getfixturevalue(who))

    page = _page(client, branch_a)

    assert final.title not in page and "88.5" not in page


def test_results_are_not_shown_before_the_grades_are_final(client, scheme, org_admin, branch_a, secretary_a):
    scoring.compute(scheme, org_admin, today=TODAY)
    client.force_login(secretary_a)
    assert scheme.title not in _page(client, branch_a)


def test_members_see_the_results_only_once_the_public_notice_starts(client, final, branch_a, member_a):
    IndicatorScheme.objects.filter(pk=final.pk).update(notice_starts=timezone.localdate() + dt.timedelta(days=3))
    client.force_login(member_a)
    assert final.title not in _page(client, branch_a)
