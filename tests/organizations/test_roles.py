import pytest

from home.models import BranchPage
from organizations import roles
from organizations.models import Organization, RosterEntry


def test_editor_manages_only_their_branch(editor_a, branch_a, branch_b):
    assert list(roles.managed_organizations(editor_a)) == [branch_a]
    assert roles.can_manage(editor_a, branch_a)
    assert not roles.can_manage(editor_a, branch_b)


def test_org_admin_manages_their_whole_subtree(org_admin, tree):
    managed = set(roles.managed_organizations(org_admin))
    assert managed == {tree["street"], tree["community"], tree["branch_a"], tree["branch_b"]}


def test_resident_manages_nothing_and_is_not_a_member(resident, branch_a):
    assert not roles.managed_organizations(resident).exists()
    assert not roles.is_member(resident)


def test_member_is_a_user_on_an_active_roster_entry(member_a):
    assert roles.is_member(member_a)
    RosterEntry.objects.filter(user=member_a).update(status=RosterEntry.Status.LEFT)
    assert not roles.is_member(member_a)


def test_roles_are_wagtail_groups_with_page_permissions_on_their_section_only(editor_a, secretary_a, branch_a):
    editor_perms = {(p.page_id, p.permission.codename) for p in branch_a.editors_group.page_permissions.all()}
    assert editor_perms == {(branch_a.page_id, "add_page"), (branch_a.page_id, "change_page")}
    secretary_codenames = {p.permission.codename for p in branch_a.secretaries_group.page_permissions.all()}
    assert "publish_page" in secretary_codenames


def test_editor_cannot_publish_and_cannot_edit_another_branch_page(editor_a, branch_a, branch_b):
    own = branch_a.page.permissions_for_user(editor_a)
    other = branch_b.page.permissions_for_user(editor_a)
    assert own.can_edit() and not own.can_publish()
    assert not other.can_edit()


def test_moving_the_section_moves_page_permissions(editor_a, branch_a, tree):
    # A free page of the community (never another organisation's section: issue 13, H2).
    fresh = tree["community"].page.add_child(instance=BranchPage(title="新栏目", slug="new-section"))
    branch_a.page = fresh
    branch_a.save()
    pages = set(branch_a.editors_group.page_permissions.values_list("page_id", flat=True))
    assert pages == {fresh.pk}


def test_rules_permission_answers_per_object(editor_a, branch_a, branch_b):
    assert editor_a.has_perm("organizations.manage_roster", branch_a)
    assert not editor_a.has_perm("organizations.manage_roster", branch_b)


def test_roles_of_lists_every_role(secretary_a, branch_a):
    held = roles.roles_of(secretary_a)
    assert held["secretary"] == [branch_a]
    assert held["editor"] == [] and held["admin"] == []


@pytest.mark.django_db
def test_anonymous_user_has_no_roles():
    from django.contrib.auth.models import AnonymousUser

    assert not roles.managed_organizations(AnonymousUser()).exists()
    assert roles.roster_entry(AnonymousUser()) is None
    assert Organization.objects.count() == 0


def test_existing_role_groups_get_newly_declared_permissions_after_migrate(editor_a, branch_a):
    from django.core.management import call_command

    branch_a.editors_group.permissions.clear()
    call_command("migrate", verbosity=0)
    codenames = set(branch_a.editors_group.permissions.values_list("codename", flat=True))
    assert {"change_rosterentry", "access_admin"} <= codenames


def test_org_admin_may_manage_organisations_in_the_admin(org_admin):
    assert org_admin.has_perm("organizations.change_organization")


def _request_of(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_standing_says_in_one_query_per_request_whether_the_user_is_on_a_roster_and_holds_a_role(
    django_assert_num_queries, member_a, secretary_a, resident, branch_a
):
    request = _request_of(member_a)
    with django_assert_num_queries(1):
        standing = roles.standing(request)
        assert roles.standing(request) is standing
    assert standing.on_roster and standing.active_branch_id == branch_a.pk and not standing.keeps
    secretary = roles.standing(_request_of(secretary_a))
    assert secretary.keeps and not secretary.on_roster and secretary.active_branch_id is None
    nobody = roles.standing(_request_of(resident))
    assert not nobody.on_roster and not nobody.keeps


def test_standing_of_a_member_who_left_keeps_the_entry_but_no_active_branch(member_a):
    RosterEntry.objects.filter(user=member_a).update(status=RosterEntry.Status.LEFT)
    standing = roles.standing(_request_of(member_a))
    assert standing.on_roster and standing.active_branch_id is None
    assert standing.active_branch_id == getattr(roles.roster_entry(member_a), "branch_id", None)


@pytest.mark.django_db
def test_standing_of_an_anonymous_visitor_reads_nothing(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert roles.standing(_request_of(AnonymousUser())) == roles.Standing()
