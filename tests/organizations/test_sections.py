"""Which section (page subtree) an organisation owns decides what its staff may edit (issue 13, H2)."""

from __future__ import annotations

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from wagtail.models import GroupPagePermission, Page

from accounts.factories import UserFactory
from home.models import BranchPage
from organizations import roles
from organizations.models import Organization

pytestmark = pytest.mark.django_db


def edit_url(organization) -> str:
    return reverse("wagtailsnippets_organizations_organization:edit", args=[organization.pk])


def form_data(organization, page) -> dict:
    return {
        "name": organization.name,
        "code": organization.code,
        "kind": organization.kind,
        "page": page.pk if page else "",
    }


@pytest.fixture
def community_admin(tree):
    user = UserFactory(display_name="社区管理员")
    roles.grant(user, tree["community"], roles.Role.ADMIN)
    return user


def _page_ids_of(user) -> set[int]:
    return set(GroupPagePermission.objects.filter(group__user=user).values_list("page_id", flat=True))


def test_an_organisation_admin_cannot_make_the_home_page_their_section(client, community_admin, tree, home_page):
    community = tree["community"]
    own_section = community.page_id
    client.force_login(community_admin)
    response = client.post(edit_url(community), form_data(community, home_page))
    assert response.status_code == 200  # the form again, with the error
    community.refresh_from_db()
    assert community.page_id == own_section
    assert home_page.pk not in _page_ids_of(community_admin)
    assert not Page.objects.get(pk=home_page.pk).permissions_for_user(community_admin).can_edit()


def test_an_organisation_admin_cannot_give_a_branch_another_branchs_section(client, community_admin, tree):
    branch_a, branch_b = tree["branch_a"], tree["branch_b"]
    editor_a = UserFactory()
    roles.grant(editor_a, branch_a, roles.Role.EDITOR)
    client.force_login(community_admin)
    response = client.post(edit_url(branch_a), form_data(branch_a, branch_b.page))
    assert response.status_code == 200
    branch_a.refresh_from_db()
    assert branch_a.page_id != branch_b.page_id
    assert not branch_b.page.permissions_for_user(editor_a).can_edit()


def test_an_organisation_admin_cannot_hand_a_branch_the_community_section(client, community_admin, tree):
    branch_a = tree["branch_a"]
    client.force_login(community_admin)
    client.post(edit_url(branch_a), form_data(branch_a, tree["community"].page))
    branch_a.refresh_from_db()
    assert branch_a.page_id != tree["community"].page_id


def test_an_organisation_admin_may_move_a_branch_to_a_new_page_inside_their_section(client, community_admin, tree):
    branch_a = tree["branch_a"]
    fresh = tree["community"].page.add_child(instance=BranchPage(title="新栏目", slug="new-section"))
    client.force_login(community_admin)
    response = client.post(edit_url(branch_a), form_data(branch_a, fresh))
    assert response.status_code == 302
    branch_a.refresh_from_db()
    assert branch_a.page_id == fresh.pk


def test_a_page_outside_the_admins_sections_is_refused_even_if_free(client, community_admin, tree, home_page):
    elsewhere = home_page.add_child(instance=BranchPage(title="别处", slug="elsewhere"))
    branch_a = tree["branch_a"]
    client.force_login(community_admin)
    response = client.post(edit_url(branch_a), form_data(branch_a, elsewhere))
    assert response.status_code == 200
    assert "site administrator" in response.content.decode() or "网站管理员" in response.content.decode()
    branch_a.refresh_from_db()
    assert branch_a.page_id != elsewhere.pk


def test_a_branch_secretary_cannot_edit_their_organisation(client, secretary_a, tree, home_page):
    branch_a = tree["branch_a"]
    client.force_login(secretary_a)
    response = client.post(edit_url(branch_a), form_data(branch_a, home_page))
    assert response.status_code in (302, 403, 404)
    branch_a.refresh_from_db()
    assert branch_a.page_id != home_page.pk
    assert not Page.objects.get(pk=home_page.pk).permissions_for_user(secretary_a).can_edit()


def test_a_superuser_may_move_a_section_but_not_onto_another_one(client, tree, home_page):
    client.force_login(UserFactory(is_superuser=True))
    branch_a = tree["branch_a"]
    elsewhere = home_page.add_child(instance=BranchPage(title="别处", slug="elsewhere"))
    assert client.post(edit_url(branch_a), form_data(branch_a, elsewhere)).status_code == 302
    branch_a.refresh_from_db()
    assert branch_a.page_id == elsewhere.pk
    assert client.post(edit_url(branch_a), form_data(branch_a, tree["branch_b"].page)).status_code == 200
    branch_a.refresh_from_db()
    assert branch_a.page_id == elsewhere.pk


def test_saving_an_overlapping_section_is_refused_whoever_saves(tree, home_page):
    branch_a = Organization.objects.get(pk=tree["branch_a"].pk)
    branch_a.page = home_page
    with pytest.raises(ValidationError):
        branch_a.save()
    branch_a = Organization.objects.get(pk=tree["branch_a"].pk)
    branch_a.page = tree["branch_b"].page
    with pytest.raises(ValidationError):
        branch_a.save(update_fields=["page"])
    new = Organization(name="新支部", code="new-branch", kind=Organization.Kind.BRANCH, page=tree["branch_b"].page)
    with pytest.raises(ValidationError):
        tree["community"].add_child(instance=new)


def test_a_new_organisation_cannot_be_created_on_the_home_page_by_an_admin(client, community_admin, tree, home_page):
    client.force_login(community_admin)
    data = {
        "parent": tree["community"].pk,
        "name": "越权支部",
        "code": "sneaky",
        "kind": "branch",
        "page": home_page.pk,
    }
    response = client.post(reverse("wagtailsnippets_organizations_organization:add"), data)
    assert response.status_code == 200
    assert not Organization.objects.filter(code="sneaky").exists()
