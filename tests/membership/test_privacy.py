"""Who sees a dossier's papers and step notes (its keepers and the level above, no one else), and who names
the branch's dues keepers (its secretary alone)."""

import datetime as dt

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import UserFactory
from membership.factories import open_dossier, take
from membership.models import DuesKeeper, StepKind
from organizations import roles
from organizations.factories import RosterEntryFactory

D = dt.date
pytestmark = pytest.mark.django_db
NOTE = "政审：其父亲的情况已向原单位核实"


def _with_role(organization, role, name):
    user = UserFactory(display_name=name)
    roles.grant(user, organization, role)
    return user


@pytest.fixture
def people(tree, branch_a, branch_b, full_members, applicant_user, secretary_a, org_admin, member_a, editor_a):
    contact = UserFactory(display_name="联系人")
    full_members[0].user = contact
    full_members[0].save()
    return {
        "secretary_a": secretary_a,
        "branch_admin_a": _with_role(branch_a, roles.Role.ADMIN, "支部委员"),
        "community_admin": _with_role(tree["community"], roles.Role.ADMIN, "社区管理员"),
        "org_admin": org_admin,
        "applicant": applicant_user,
        "contact": contact,
        "member_a": member_a,
        "editor_a": editor_a,
        "secretary_b": _with_role(branch_b, roles.Role.SECRETARY, "书记乙"),
        "resident": UserFactory(display_name="居民"),
    }


@pytest.fixture
def dossier_with_paper(client, branch_a, full_members, applicant_user, secretary_a):
    dossier = open_dossier(branch_a, "申请人甲", D(2025, 7, 1), user=applicant_user)
    take(dossier, StepKind.TALK, D(2025, 7, 15), note=NOTE)
    take(dossier, StepKind.ACTIVIST, D(2025, 8, 1), contacts=full_members[:1])
    client.force_login(secretary_a)
    upload = SimpleUploadedFile("review.pdf", b"%PDF-1.4 review", content_type="application/pdf")
    client.post(reverse("membership:document_upload", args=[dossier.pk]), {"title": "政审材料", "file": upload})
    client.logout()
    return dossier, dossier.documents.get()


KEEPERS_AND_APPROVERS = ["secretary_a", "branch_admin_a", "community_admin", "org_admin"]
EVERYONE_ELSE = ["applicant", "contact", "member_a", "editor_a", "secretary_b", "resident"]


@pytest.mark.parametrize("who", KEEPERS_AND_APPROVERS)
def test_the_branch_that_keeps_the_dossier_and_the_level_above_read_its_papers_and_notes(
    client, people, dossier_with_paper, who
):
    dossier, paper = dossier_with_paper
    client.force_login(people[who])
    response = client.get(reverse("membership:document", args=[dossier.pk, paper.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 review"
    page = client.get(reverse("membership:dossier", args=[dossier.pk])).content.decode()
    assert NOTE in page and "政审材料" in page


@pytest.mark.parametrize("who", EVERYONE_ELSE)
def test_a_dossier_paper_is_not_found_for_anyone_else_the_applicant_and_the_contacts_included(
    client, people, dossier_with_paper, who
):
    dossier, paper = dossier_with_paper
    client.force_login(people[who])
    assert client.get(reverse("membership:document", args=[dossier.pk, paper.pk])).status_code == 404


@pytest.mark.parametrize("who", ["applicant", "contact"])
def test_the_applicant_and_the_contacts_read_the_steps_but_not_the_notes_nor_the_papers(
    client, people, dossier_with_paper, who
):
    dossier, paper = dossier_with_paper
    client.force_login(people[who])
    response = client.get(reverse("membership:dossier", args=[dossier.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "2025-07-15" in page  # the talk's date: what was done, and when
    assert NOTE not in page and "政审材料" not in page
    assert reverse("membership:document", args=[dossier.pk, paper.pk]) not in page


# --- Dues keepers (收缴党费的人) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("secretary_a", True),
        ("branch_admin_a", False),
        ("community_admin", False),
        ("org_admin", False),
        ("keeper", False),
        ("secretary_b", False),
        ("member_a", False),
    ],
)
def test_only_the_branch_secretary_names_its_dues_keepers(people, branch_a, who, may):
    if who == "keeper":
        user = UserFactory(display_name="收缴员")
        RosterEntryFactory(branch=branch_a, user=user)
        DuesKeeper.objects.create(branch=branch_a, user=user)
    else:
        user = people[who]
    assert user.has_perm("membership.name_dues_keepers", branch_a) is may


def _add_keeper(client, branch, user):
    return client.post(reverse("wagtailsnippets_membership_dueskeeper:add"), {"branch": branch.pk, "user": user.pk})


def test_the_secretary_names_a_member_of_the_branch_as_dues_keeper_in_the_admin(client, people, branch_a):
    keeper = UserFactory(display_name="收缴员甲")
    RosterEntryFactory(branch=branch_a, user=keeper)
    client.force_login(people["secretary_a"])
    response = _add_keeper(client, branch_a, keeper)
    assert response.status_code == 302
    assert DuesKeeper.objects.filter(branch=branch_a, user=keeper).exists()


@pytest.mark.parametrize("who", ["branch_admin_a", "community_admin", "org_admin"])
def test_a_committee_member_or_an_admin_above_cannot_name_a_dues_keeper_in_the_admin(client, people, branch_a, who):
    keeper = UserFactory(display_name="收缴员甲")
    RosterEntryFactory(branch=branch_a, user=keeper)
    DuesKeeper.objects.create(branch=branch_a, user=people["member_a"])
    client.force_login(people[who])
    _add_keeper(client, branch_a, keeper)
    assert not DuesKeeper.objects.filter(user=keeper).exists()
    listing = client.get(reverse("wagtailsnippets_membership_dueskeeper:list"))
    assert "党员甲" not in listing.content.decode()
    existing = DuesKeeper.objects.get(user=people["member_a"])
    client.post(reverse("wagtailsnippets_membership_dueskeeper:delete", args=[existing.pk]))
    assert DuesKeeper.objects.filter(pk=existing.pk).exists()


def test_the_secretary_cannot_name_someone_outside_the_branch(client, people, branch_a, branch_b):
    stranger = UserFactory(display_name="外支部党员")
    RosterEntryFactory(branch=branch_b, user=stranger)
    client.force_login(people["secretary_a"])
    response = _add_keeper(client, branch_a, stranger)
    assert response.status_code == 200
    assert not DuesKeeper.objects.exists()


def test_a_dues_keeper_who_moved_to_another_branch_no_longer_sees_the_dues(client, branch_a, branch_b, secretary_a):
    from membership import transfers
    from membership.rules import dues_branches

    keeper = UserFactory(display_name="收缴员甲")
    entry = RosterEntryFactory(branch=branch_a, user=keeper)
    DuesKeeper.objects.create(branch=branch_a, user=keeper)
    client.force_login(keeper)
    url = reverse("membership:dues", args=[branch_a.pk])
    assert client.get(url).status_code == 200
    transfer = transfers.request_transfer(entry, secretary_a, to_branch=branch_b)
    transfers.release(transfer, secretary_a)
    transfers.accept(transfer, secretary_a)
    assert client.get(url).status_code == 403
    assert not dues_branches(keeper).exists()
    assert not keeper.has_perm("membership.keep_dues", branch_a)
