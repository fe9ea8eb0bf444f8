"""The Wagtail admin for organisations, grids and rosters: each user sees and changes only what they manage."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.users.models import UserProfile

from accounts.factories import UserFactory
from organizations import roles
from organizations.factories import GridFactory, OrganizationFactory, RosterEntryFactory
from organizations.models import Grid, Organization, RosterEntry
from organizations.roster_import import import_roster

HEADER_ZH = ["编号", "姓名", "性别", "党员类型", "入党日期", "网格", "状态", "邮箱", "手机"]
HEADER_EN = ["Member number", "Name", "Gender", "Member type", "Date joined", "Grid", "Status", "Email", "Phone"]


def url(model: str, view: str, *args) -> str:
    return reverse(f"wagtailsnippets_organizations_{model}:{view}", args=args)


def html(response) -> str:
    return response.content.decode()


def select_options(page: str, name: str) -> list[str]:
    """The visible labels of a <select name=...>'s options."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, flags=re.DOTALL)
    assert match, f"no <select name={name!r}>"
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", match.group(1))]


def is_kept_out(response) -> bool:
    """Wagtail sends users without admin access to the login page, and admin users without
    permission to the dashboard (or answers 403)."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and ("login" in response["Location"] or response["Location"] == "/admin/")


@pytest.fixture
def entry_a(branch_a):
    return RosterEntryFactory(branch=branch_a, member_no="A001", name="甲支部党员")


@pytest.fixture
def entry_b(branch_b):
    return RosterEntryFactory(branch=branch_b, member_no="B001", name="乙支部党员")


def entry_form(entry: RosterEntry | None = None, **changes) -> dict:
    data = {
        "branch": entry.branch_id if entry else "",
        "member_no": entry.member_no if entry else "",
        "name": entry.name if entry else "",
        "gender": entry.gender if entry else "F",
        "member_type": entry.member_type if entry else "full",
        "joined_on": entry.joined_on.isoformat() if entry else "2020-07-01",
        "grid": entry.grid_id or "" if entry else "",
        "status": entry.status if entry else "normal",
        "email": entry.email if entry else "",
        "phone": entry.phone if entry else "",
        "user": entry.user_id or "" if entry else "",
    }
    data.update(changes)
    return data


# --- Roster listing --------------------------------------------------------------------------------


def test_editor_sees_only_their_branch_roster_in_the_listing(client, editor_a, entry_a, entry_b):
    client.force_login(editor_a)
    response = client.get(url("rosterentry", "list"))
    assert response.status_code == 200
    assert entry_a.name in html(response)
    assert entry_b.name not in html(response)


def test_searching_the_listing_does_not_reach_other_branches(client, editor_a, entry_a, entry_b):
    client.force_login(editor_a)
    response = client.get(url("rosterentry", "list"), {"q": "乙支部"})
    assert response.status_code == 200
    assert entry_b.name not in html(response)
    response = client.get(url("rosterentry", "list"), {"q": "甲支部"})
    assert entry_a.name in html(response)


def test_street_admin_sees_every_branch_of_the_street(client, org_admin, entry_a, entry_b):
    client.force_login(org_admin)
    page = html(client.get(url("rosterentry", "list")))
    assert entry_a.name in page and entry_b.name in page


def test_resident_without_roles_cannot_reach_the_roster_listing(client, resident, entry_a):
    client.force_login(resident)
    response = client.get(url("rosterentry", "list"))
    assert is_kept_out(response)
    assert entry_a.name not in html(response)


def test_anonymous_visitor_is_sent_to_log_in(client, entry_a):
    response = client.get(url("rosterentry", "list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_roster_listing_query_count_does_not_grow_with_entries(client, editor_a, branch_a, tree):
    client.force_login(editor_a)
    RosterEntryFactory.create_batch(5, branch=branch_a, grid=tree["grid"])
    client.get(url("rosterentry", "list"))  # warm per-session caches
    with CaptureQueriesContext(connection) as five:
        client.get(url("rosterentry", "list"))
    RosterEntryFactory.create_batch(45, branch=branch_a, grid=tree["grid"])
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url("rosterentry", "list"))
    assert len(response.context["object_list"]) == 50
    assert len(fifty) == len(five)


# --- Roster edit, delete, add ------------------------------------------------------------------------


def test_editor_can_edit_an_entry_of_their_branch(client, editor_a, entry_a):
    client.force_login(editor_a)
    assert client.get(url("rosterentry", "edit", entry_a.pk)).status_code == 200
    response = client.post(url("rosterentry", "edit", entry_a.pk), entry_form(entry_a, name="甲支部党员（改）"))
    assert response.status_code == 302
    entry_a.refresh_from_db()
    assert entry_a.name == "甲支部党员（改）"


def test_editor_gets_404_on_edit_of_another_branch_entry(client, editor_a, entry_b):
    client.force_login(editor_a)
    assert client.get(url("rosterentry", "edit", entry_b.pk)).status_code == 404
    response = client.post(url("rosterentry", "edit", entry_b.pk), entry_form(entry_b, name="改名"))
    assert response.status_code == 404
    entry_b.refresh_from_db()
    assert entry_b.name == "乙支部党员"


@pytest.mark.parametrize("user_fixture", ["editor_a", "secretary_a"])
def test_another_branch_entry_cannot_be_deleted(client, request, user_fixture, entry_b):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(url("rosterentry", "delete", entry_b.pk)).status_code in (403, 404)
    assert client.post(url("rosterentry", "delete", entry_b.pk)).status_code in (403, 404)
    assert RosterEntry.objects.filter(pk=entry_b.pk).exists()


def test_secretary_can_delete_an_entry_of_their_branch(client, secretary_a, entry_a):
    client.force_login(secretary_a)
    assert client.post(url("rosterentry", "delete", entry_a.pk)).status_code == 302
    assert not RosterEntry.objects.filter(pk=entry_a.pk).exists()


@pytest.mark.parametrize("view", ["history", "usage"])
def test_history_and_usage_are_404_for_another_branch_entry_and_open_for_their_own(
    client, editor_a, entry_a, entry_b, view
):
    client.force_login(editor_a)
    assert client.get(url("rosterentry", view, entry_b.pk)).status_code == 404
    assert client.get(url("rosterentry", view, entry_a.pk)).status_code == 200


def test_editor_can_create_an_entry_in_their_branch(client, editor_a, branch_a, tree):
    client.force_login(editor_a)
    data = entry_form(branch=branch_a.pk, member_no="A100", name="新党员", grid=tree["grid"].pk)
    response = client.post(url("rosterentry", "add"), data)
    assert response.status_code == 302
    entry = RosterEntry.objects.get(member_no="A100")
    assert (entry.branch, entry.grid) == (branch_a, tree["grid"])


def test_editor_cannot_create_an_entry_in_another_branch(client, editor_a, branch_b):
    client.force_login(editor_a)
    response = client.post(url("rosterentry", "add"), entry_form(branch=branch_b.pk, member_no="B100", name="越权"))
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert not RosterEntry.objects.filter(member_no="B100").exists()


def test_editor_cannot_move_an_entry_to_another_branch(client, editor_a, entry_a, branch_b):
    client.force_login(editor_a)
    response = client.post(url("rosterentry", "edit", entry_a.pk), entry_form(entry_a, branch=branch_b.pk))
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    entry_a.refresh_from_db()
    assert entry_a.branch_id != branch_b.pk


def test_branch_and_grid_choices_offer_only_what_the_editor_manages(client, editor_a, tree):
    elsewhere = OrganizationFactory(parent=tree["street"], code="guangming", kind=Organization.Kind.COMMUNITY)
    GridFactory(community=elsewhere, name="光明网格", code="guangming-g1")
    client.force_login(editor_a)
    page = html(client.get(url("rosterentry", "add")))
    assert [label for label in select_options(page, "branch") if label.strip("-")] == ["第一党支部"]
    assert [label for label in select_options(page, "grid") if label.strip("-")] == ["第一网格"]


def test_grid_of_another_community_is_refused(client, org_admin, entry_a, tree):
    elsewhere = OrganizationFactory(parent=tree["street"], code="guangming", kind=Organization.Kind.COMMUNITY)
    foreign_grid = GridFactory(community=elsewhere, name="光明网格", code="guangming-g1")
    client.force_login(org_admin)
    response = client.post(url("rosterentry", "edit", entry_a.pk), entry_form(entry_a, grid=foreign_grid.pk))
    assert response.status_code == 200
    assert "grid" in response.context["form"].errors
    entry_a.refresh_from_db()
    assert entry_a.grid is None


def test_user_choice_offers_only_the_linked_user_or_one_with_the_entry_email(client, editor_a, branch_a, resident):
    verified = UserFactory(email="wang@example.cn", display_name="王建国账号")
    unverified = UserFactory(email="wang2@example.cn", display_name="未验证账号", verified=False)
    entry = RosterEntryFactory(branch=branch_a, email="WANG@example.cn")
    client.force_login(editor_a)
    options = select_options(html(client.get(url("rosterentry", "edit", entry.pk))), "user")
    assert "王建国账号" in options
    assert resident.display_name not in options and unverified.display_name not in options
    response = client.post(url("rosterentry", "edit", entry.pk), entry_form(entry, user=resident.pk))
    assert "user" in response.context["form"].errors
    response = client.post(url("rosterentry", "edit", entry.pk), entry_form(entry, user=verified.pk))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.user == verified


def test_roster_chooser_lists_and_returns_only_the_users_branches(client, editor_a, entry_a, entry_b):
    client.force_login(editor_a)
    response = client.get(reverse("wagtailsnippetchoosers_organizations_rosterentry:choose"))
    listing = json.dumps(response.json(), ensure_ascii=False)
    assert entry_a.name in listing and entry_b.name not in listing
    chosen = "wagtailsnippetchoosers_organizations_rosterentry:chosen"
    assert client.get(reverse(chosen, args=[entry_b.pk])).status_code == 404
    assert client.get(reverse(chosen, args=[entry_a.pk])).status_code == 200


def test_bulk_delete_neither_lists_nor_deletes_other_branch_entries(client, secretary_a, entry_a, entry_b):
    client.force_login(secretary_a)
    bulk = reverse("wagtail_bulk_action", args=["organizations", "rosterentry", "delete"])
    page = html(client.get(bulk, {"id": "all"}))
    assert entry_a.name in page and entry_b.name not in page
    assert client.get(bulk, {"id": entry_b.pk}).status_code == 404
    client.post(f"{bulk}?id={entry_b.pk}&id={entry_a.pk}")
    assert RosterEntry.objects.filter(pk=entry_b.pk).exists()
    assert not RosterEntry.objects.filter(pk=entry_a.pk).exists()


# --- Grids and organisations --------------------------------------------------------------------------


@pytest.fixture
def other_community(tree):
    community = OrganizationFactory(parent=tree["street"], code="guangming", kind=Organization.Kind.COMMUNITY)
    GridFactory(community=community, name="光明网格", code="guangming-g1")
    return community


@pytest.fixture
def community_admin(tree):
    user = UserFactory(display_name="社区管理员")
    roles.grant(user, tree["community"], roles.Role.ADMIN)
    return user


def test_community_admin_sees_only_their_community_grids(client, community_admin, other_community, tree):
    client.force_login(community_admin)
    page = html(client.get(url("grid", "list")))
    assert "第一网格" in page and "光明网格" not in page
    foreign = Grid.objects.get(code="guangming-g1")
    assert client.get(url("grid", "edit", foreign.pk)).status_code == 404
    assert client.get(url("grid", "edit", tree["grid"].pk)).status_code == 200


def test_street_admin_sees_the_grids_of_every_community(client, org_admin, other_community):
    client.force_login(org_admin)
    page = html(client.get(url("grid", "list")))
    assert "第一网格" in page and "光明网格" in page


def test_grid_community_choice_offers_only_managed_communities(client, community_admin, other_community):
    client.force_login(community_admin)
    options = select_options(html(client.get(url("grid", "add"))), "community")
    assert "和平社区党委" in options and other_community.name not in options
    data = {"community": other_community.pk, "name": "越权网格", "code": "sneaky", "worker_name": ""}
    response = client.post(url("grid", "add"), data)
    assert response.status_code == 200 and not Grid.objects.filter(code="sneaky").exists()


@pytest.mark.parametrize("model", ["grid", "organization"])
def test_branch_editor_cannot_reach_grid_or_organisation_listings(client, editor_a, model):
    client.force_login(editor_a)
    response = client.get(url(model, "list"))
    assert is_kept_out(response)
    assert "第一网格" not in html(response) and "和平社区党委" not in html(response)


def test_grid_listing_query_count_does_not_grow_with_grids(client, org_admin, tree):
    client.force_login(org_admin)
    GridFactory.create_batch(4, community=tree["community"])
    client.get(url("grid", "list"))
    with CaptureQueriesContext(connection) as five:
        client.get(url("grid", "list"))
    GridFactory.create_batch(45, community=tree["community"])
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url("grid", "list"))
    assert response.context["paginator"].count == 50
    assert len(fifty) == len(five)


@pytest.fixture
def organisation_manager(tree):
    """A community admin who has also been given the organisation model permissions."""
    user = UserFactory(display_name="组织管理员")
    roles.grant(user, tree["community"], roles.Role.ADMIN)
    group = Group.objects.create(name="organisation managers")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="organizations", codename__endswith="_organization")
    )
    user.groups.add(group)
    return user


def test_organisation_listing_shows_only_the_managed_subtree(client, organisation_manager, other_community, tree):
    client.force_login(organisation_manager)
    page = html(client.get(url("organization", "list")))
    assert "和平社区党委" in page and "第一党支部" in page
    assert "光明" not in page and "幸福街道党工委" not in page
    assert client.get(url("organization", "edit", tree["street"].pk)).status_code == 404
    assert client.get(url("organization", "edit", tree["branch_a"].pk)).status_code == 200


def test_superuser_sees_every_organisation(client, tree, other_community):
    client.force_login(UserFactory(is_superuser=True))
    page = html(client.get(url("organization", "list")))
    for name in ("幸福街道党工委", "和平社区党委", "第一党支部", "第二党支部", other_community.name):
        assert name in page


# --- Roster import page -----------------------------------------------------------------------------

IMPORT_URL = "/admin/roster/import/"


def roster_csv(*rows: list[str]) -> SimpleUploadedFile:
    lines = [",".join(HEADER_ZH), *(",".join(row) for row in rows)]
    return SimpleUploadedFile("roster.csv", "\n".join(lines).encode("utf-8"), content_type="text/csv")


GOOD = ["M001", "王建国", "男", "正式党员", "2001-07-01", "第一网格", "正常", "", ""]


def test_import_page_is_the_named_admin_url():
    assert reverse("organizations_roster_import") == IMPORT_URL


def test_editor_can_import_into_their_branch(client, editor_a, branch_a):
    client.force_login(editor_a)
    response = client.post(IMPORT_URL, {"branch": branch_a.pk, "file": roster_csv(GOOD)}, follow=True)
    assert response.status_code == 200
    entry = RosterEntry.objects.get(branch=branch_a, member_no="M001")
    assert entry.grid.name == "第一网格"
    assert "第一党支部" in str(list(response.context["messages"])[0])


def test_import_branch_choice_does_not_offer_another_branch(client, editor_a):
    client.force_login(editor_a)
    options = select_options(html(client.get(IMPORT_URL)), "branch")
    assert "第一党支部" in options and "第二党支部" not in options


def test_import_into_another_branch_is_rejected(client, editor_a, branch_b):
    client.force_login(editor_a)
    response = client.post(IMPORT_URL, {"branch": branch_b.pk, "file": roster_csv(GOOD)})
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert not RosterEntry.objects.exists()


def test_import_error_table_lists_line_numbers_and_nothing_is_stored(client, editor_a, branch_a, entry_a):
    client.force_login(editor_a)
    bad_gender = ["M002", "李秀英", "未知", "预备党员", "2021-07-01", "", "", "", ""]
    bad_date = ["M003", "张伟", "男", "正式党员", "不是日期", "", "", "", ""]
    response = client.post(IMPORT_URL, {"branch": branch_a.pk, "file": roster_csv(GOOD, bad_gender, bad_date)})
    assert response.status_code == 200
    assert [error.line for error in response.context["errors"]] == [3, 4]
    page = html(response)
    assert re.search(r"<td>3</td>\s*<td>[^<]*未知", page)
    assert re.search(r"<td>4</td>\s*<td>[^<]*不是日期", page)
    assert list(RosterEntry.objects.values_list("pk", flat=True)) == [entry_a.pk]


def test_import_form_refuses_files_that_are_not_csv_or_xlsx(client, editor_a, branch_a):
    client.force_login(editor_a)
    upload = SimpleUploadedFile("roster.txt", b"whatever")
    response = client.post(IMPORT_URL, {"branch": branch_a.pk, "file": upload})
    assert "file" in response.context["form"].errors
    assert not RosterEntry.objects.exists()


def test_whole_file_problems_have_no_line_number_in_the_table(client, editor_a, branch_a):
    client.force_login(editor_a)
    upload = SimpleUploadedFile("roster.csv", b"\n\n")
    response = client.post(IMPORT_URL, {"branch": branch_a.pk, "file": upload})
    assert [error.line for error in response.context["errors"]] == [0]
    assert "<td>0</td>" not in html(response) and "<td>—</td>" in html(response)


def test_import_page_offers_exports_only_of_managed_branches(client, editor_a, branch_a, branch_b):
    client.force_login(editor_a)
    page = html(client.get(IMPORT_URL))
    assert reverse("organizations_roster_export", args=[branch_a.code]) in page
    assert reverse("organizations_roster_export", args=[branch_b.code]) not in page


def test_resident_cannot_reach_the_import_page(client, resident):
    client.force_login(resident)
    assert is_kept_out(client.get(IMPORT_URL))


# --- Roster export view -------------------------------------------------------------------------------


@pytest.fixture
def filled_branch_a(branch_a, tree):
    RosterEntryFactory(branch=branch_a, member_no="0012", name="王建国", gender="M", grid=tree["grid"])
    RosterEntryFactory(branch=branch_a, member_no="0013", name="李秀英", member_type="probationary", status="mobile")
    return branch_a


def snapshot(branch: Organization) -> list[tuple]:
    return list(RosterEntry.objects.filter(branch=branch).order_by("member_no").values_list())


def test_exported_roster_from_the_admin_reimports_with_no_change(client, editor_a, filled_branch_a):
    before = snapshot(filled_branch_a)
    client.force_login(editor_a)
    response = client.get(reverse("organizations_roster_export", args=["branch-a"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="roster-branch-a.xlsx"' in response["Content-Disposition"]
    result = import_roster(response.content, "roster.xlsx", filled_branch_a)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot(filled_branch_a) == before


def _header(response) -> list[str]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return list(next(sheet.iter_rows(values_only=True)))


def test_export_headers_are_in_the_admin_language(client, editor_a, filled_branch_a):
    client.force_login(editor_a)
    export_url = reverse("organizations_roster_export", args=["branch-a"])
    assert _header(client.get(export_url)) == HEADER_ZH
    profile = UserProfile.get_for_user(editor_a)
    profile.preferred_language = "en"
    profile.save()
    assert _header(client.get(export_url)) == HEADER_EN


def test_editor_of_branch_a_cannot_export_branch_b(client, editor_a, branch_b, entry_b):
    client.force_login(editor_a)
    response = client.get(reverse("organizations_roster_export", args=["branch-b"]))
    assert response.status_code == 404
    assert entry_b.name.encode() not in response.content


def test_export_of_an_unknown_or_non_branch_code_is_404(client, org_admin):
    client.force_login(org_admin)
    assert client.get(reverse("organizations_roster_export", args=["nowhere"])).status_code == 404
    assert client.get(reverse("organizations_roster_export", args=["heping"])).status_code == 404


def test_resident_cannot_export(client, resident, branch_a):
    client.force_login(resident)
    assert is_kept_out(client.get(reverse("organizations_roster_export", args=["branch-a"])))
