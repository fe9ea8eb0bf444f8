import datetime as dt

import pytest

from django.utils import timezone

from surveys.factories import add_responses, qid, satisfaction_page, survey_page
from surveys.models import SurveyPage
from tests.surveys.exporting import export_aggregates

pytestmark = pytest.mark.django_db


def test_editor_opens_the_survey_in_the_admin_with_results_and_invitation_buttons(client, editor_a, branch_a):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.INVITATION)
    client.force_login(editor_a)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    listing = client.get(f"/admin/pages/{branch_a.page.pk}/").content.decode()
    assert page.url + "results/" in listing
    assert f"/admin/surveys/{page.pk}/invitations/" in listing


def test_satisfaction_survey_edit_form_renders(client, org_admin, tree):
    page = satisfaction_page(tree["community"].page, target_organization=tree["community"])
    client.force_login(org_admin)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="target_organization"' in html and 'name="score_basically_satisfied"' in html


def test_results_are_public_after_close_when_the_editors_choose_so(client, branch_a, resident):
    page = survey_page(
        branch_a.page,
        results_visibility=SurveyPage.ResultsVisibility.PUBLIC_AFTER_CLOSE,
        closes_at=timezone.now() + dt.timedelta(days=1),
    )
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 3)
    client.force_login(resident)
    assert client.get(page.url + "results/").status_code == 403
    page.closes_at = timezone.now() - dt.timedelta(minutes=1)
    page.save()
    assert client.get(page.url + "results/").status_code == 200
    # Raw responses stay with the editors.
    assert client.get(page.url + "export/responses/csv/").status_code == 403
    assert export_aggregates(client, page, "csv").status_code == 200
