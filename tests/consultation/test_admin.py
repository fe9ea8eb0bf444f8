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
    from consultation import stages
    from consultation.models import Stage

    stages.change_stage(consultation, editor_a, Stage.PUBLISHED)
    consultation.summary = "更新摘要"
    consultation.save_revision().publish()
    assert ConsultationPage.objects.get(pk=consultation.pk).stage == Stage.PUBLISHED


def test_consultation_index_lists_open_consultations(client, consultation):
    assert consultation.title in client.get(reverse("consultation:index")).content.decode()


def _edit_data(consultation, **changes):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    data = {
        "title": consultation.title,
        "slug": consultation.slug,
        "summary": consultation.summary,
        "background": streamfield([]),
        "attachments": streamfield([]),
        "stage_plans": inline_formset([]),
        "vote_options": inline_formset([]),
        "comments": inline_formset([]),
        "audience": "everyone",
        "edit_window_minutes": 15,
        "allow_oppose": "on",
        "organization": "",
    }
    flat = nested_form_data(data)
    flat.update(changes)  # plain fields; lists stay lists (several values of one field)
    return flat


def test_the_organisation_chooser_offers_only_the_sections_own_and_the_editors(client, consultation, editor_a, tree):
    """Issue 13 M5: a consultation cannot be attributed to another organisation (its staff would moderate
    it and its ratings would count toward their 满意率)."""
    client.force_login(editor_a)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[consultation.pk])).content.decode()
    select = html[html.index('name="organization"') : html.index("</select>", html.index('name="organization"'))]
    assert f'value="{tree["branch_a"].pk}"' in select
    for other in ("branch_b", "community", "street"):
        assert f'value="{tree[other].pk}"' not in select


def test_attributing_a_consultation_to_another_organisation_is_refused(client, consultation, editor_a, tree):
    client.force_login(editor_a)
    url = reverse("wagtailadmin_pages:edit", args=[consultation.pk])
    response = client.post(url, _edit_data(consultation, organization=tree["branch_b"].pk))
    assert response.status_code == 200  # the form again, with the error
    consultation.refresh_from_db()
    assert consultation.organization_id == tree["branch_a"].pk
    assert consultation.get_latest_revision() is None  # nothing saved, not even a draft
    response = client.post(url, _edit_data(consultation, organization=tree["branch_a"].pk))
    assert response.status_code == 302


def test_a_saved_consultation_outside_its_sections_organisation_fails_validation(consultation, tree):
    from django.core.exceptions import ValidationError

    consultation.organization = tree["branch_b"]
    with pytest.raises(ValidationError):
        consultation.full_clean()


def test_a_street_admin_may_attribute_a_street_consultation_to_a_branch_below(tree, org_admin, home_page):
    from consultation.models import attributable_organizations

    allowed = set(attributable_organizations(org_admin, tree["street"]).values_list("code", flat=True))
    assert allowed == {"street", "heping", "branch-a", "branch-b"}


def test_a_vote_needs_a_defined_electorate_and_a_number_due_not_below_it(client, consultation, editor_a, tree):
    """Issue 12.22: "everyone signed in" with a fixed 应到 let anyone from any community vote."""
    from organizations.factories import RosterEntryFactory

    client.force_login(editor_a)
    url = reverse("wagtailadmin_pages:edit", args=[consultation.pk])
    vote = {"voting_enabled": "on", "vote_question": "是否同意？", "organization": tree["branch_a"].pk}
    response = client.post(url, _edit_data(consultation, **vote))
    assert response.status_code == 200 and "表决需要明确的表决范围" in response.content.decode()
    assert not ConsultationPage.objects.get(pk=consultation.pk).voting_enabled
    for _ in range(3):
        RosterEntryFactory(branch=tree["branch_a"])
    members = {"audience": "branches", "eligible_organizations": [tree["branch_a"].pk]}
    response = client.post(url, _edit_data(consultation, electorate_size=2, **vote, **members))
    assert response.status_code == 200 and "不能少于" in response.content.decode()
    response = client.post(url, _edit_data(consultation, electorate_size=5, **vote, **members))
    assert response.status_code == 302
    assert ConsultationPage.objects.get(pk=consultation.pk).get_latest_revision().as_object().electorate_size == 5
