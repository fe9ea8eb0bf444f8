import pytest

from django.urls import reverse

from consultation.models import ConsultationPage

pytestmark = pytest.mark.django_db


def test_branch_editor_opens_the_consultation_in_the_wagtail_editor(client, consultation, editor_a):
    client.force_login(editor_a)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[consultation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("summary", "audience", "eligible_grids", "vote_options", "quorum", "stage_plans"):
        assert field in html


def test_editor_of_another_branch_cannot_edit_it(client, consultation, editor_b):
    client.force_login(editor_b)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[consultation.pk])).status_code in (302, 403)


def test_consultation_may_live_under_the_home_page_or_a_section():
    assert set(ConsultationPage.parent_page_types) == {"home.HomePage", "home.BranchPage"}


def test_publishing_a_revision_does_not_undo_the_stage(consultation, editor_a):
    from consultation import services
    from consultation.models import Stage

    services.change_stage(consultation, editor_a, Stage.PUBLISHED)
    consultation.summary = "更新摘要"
    consultation.save_revision().publish()
    assert ConsultationPage.objects.get(pk=consultation.pk).stage == Stage.PUBLISHED


def test_consultation_index_lists_open_consultations(client, consultation):
    assert consultation.title in client.get(reverse("consultation:index")).content.decode()
