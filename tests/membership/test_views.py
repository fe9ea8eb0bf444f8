"""The dossier pages as secretaries, the level above and the person use them; who may see what."""

import datetime as dt

import pytest

from django.urls import reverse

from accounts.factories import UserFactory
from membership.factories import open_dossier, take, walk
from membership.models import Dossier, Stage, StepKind
from organizations import roles
from organizations.models import RosterEntry

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def community_admin(tree):
    user = UserFactory(display_name="社区管理员")
    roles.grant(user, tree["community"], roles.Role.ADMIN)
    return user


@pytest.fixture
def activist(branch_a, full_members, applicant_user):
    dossier = open_dossier(branch_a, "申请人甲", D(2025, 7, 1), user=applicant_user)
    take(dossier, StepKind.TALK, D(2025, 7, 15))
    take(dossier, StepKind.ACTIVIST, D(2025, 8, 1), contacts=full_members[:1])
    return dossier


def _url(dossier):
    return reverse("membership:dossier", args=[dossier.pk])


def test_secretary_opens_a_dossier_and_the_account_with_that_email_is_linked(
    client, secretary_a, branch_a, applicant_user
):
    client.force_login(secretary_a)
    response = client.post(
        reverse("membership:dossier_create"),
        {
            "branch": branch_a.pk,
            "name": "申请人甲",
            "gender": "F",
            "birth_date": "2000-05-01",
            "email": "Applicant@example.org",
            "applied_on": "2026-11-02",
        },
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert dossier.user == applicant_user and dossier.applied_on == D(2026, 11, 2)


def test_an_account_with_the_applicants_email_unverified_is_not_linked_and_cannot_read_the_dossier(
    client, secretary_a, branch_a
):
    squatter = UserFactory(display_name="冒名者", email="applicant@example.org", verified=False)
    client.force_login(secretary_a)
    client.post(
        reverse("membership:dossier_create"),
        {
            "branch": branch_a.pk,
            "name": "申请人甲",
            "gender": "F",
            "birth_date": "2000-05-01",
            "email": "applicant@example.org",
            "applied_on": "2026-11-02",
        },
    )
    dossier = Dossier.objects.get()
    assert dossier.user is None
    client.force_login(squatter)
    assert client.get(_url(dossier)).status_code in (403, 404)


def test_an_applicant_under_18_gets_a_clear_error_and_nothing_is_stored(client, secretary_a, branch_a):
    client.force_login(secretary_a)
    response = client.post(
        reverse("membership:dossier_create"),
        {"branch": branch_a.pk, "name": "少年", "gender": "M", "birth_date": "2010-01-01", "applied_on": "2026-11-02"},
    )
    assert response.status_code == 400
    assert "十八岁" in response.content.decode()
    assert not Dossier.objects.exists()


def test_secretary_is_refused_a_candidate_after_ten_months_with_the_rule(client, secretary_a, activist, full_members):
    client.force_login(secretary_a)
    response = client.post(
        _url(activist),
        {
            "kind": StepKind.CANDIDATE,
            "candidate-taken_on": "2026-06-01",
            "candidate-introducers": [full_members[0].pk, full_members[1].pk],
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "第十三条" in body and "一年以上" in body
    assert Dossier.objects.get(pk=activist.pk).stage == Stage.ACTIVIST
    # The refusal is in the history the secretary sees.
    assert "申请人甲" in client.get(_url(activist)).content.decode()


def test_secretary_makes_a_one_year_activist_a_candidate(client, secretary_a, activist, full_members):
    client.force_login(secretary_a)
    response = client.post(
        _url(activist),
        {
            "kind": StepKind.CANDIDATE,
            "candidate-taken_on": "2026-08-01",
            "candidate-introducers": [full_members[0].pk, full_members[1].pk],
        },
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=activist.pk).stage == Stage.CANDIDATE


def test_the_person_reads_their_dossier_without_forms(client, applicant_user, activist):
    client.force_login(applicant_user)
    response = client.get(_url(activist))
    assert response.status_code == 200
    assert 'name="kind"' not in response.content.decode()
    assert client.post(_url(activist), {"kind": StepKind.CANDIDATE}).status_code == 403


@pytest.mark.parametrize("who", ["editor_a", "member_a", "resident", "editor_b"])
def test_others_may_not_see_a_dossier(client, request, activist, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(activist)).status_code == 403


def test_the_activists_contact_reads_the_dossier_without_forms(client, activist, full_members):
    contact = UserFactory(display_name="联系人")
    full_members[0].user = contact
    full_members[0].save()
    client.force_login(contact)
    response = client.get(_url(activist))
    assert response.status_code == 200 and 'name="kind"' not in response.content.decode()
    assert client.post(_url(activist), {"kind": StepKind.ACTIVIST_REVIEW}).status_code == 403


def test_a_secretary_of_another_branch_may_not_see_it(client, branch_b, activist):
    other = UserFactory()
    roles.grant(other, branch_b, roles.Role.SECRETARY)
    client.force_login(other)
    assert client.get(_url(activist)).status_code == 403


def test_only_the_level_above_takes_the_pre_review_and_the_approval(
    client, secretary_a, community_admin, branch_a, full_members
):
    dossier = walk(
        open_dossier(branch_a, "蒋申请", D(2024, 1, 2)), StepKind.COMMITTEE_REVIEW, D(2024, 1, 2), full_members
    )
    client.force_login(secretary_a)
    page = client.get(_url(dossier)).content.decode()
    assert 'value="pre_review"' not in page
    assert client.post(_url(dossier), {"kind": "pre_review", "pre_review-taken_on": "2025-06-01"}).status_code == 403
    client.force_login(community_admin)
    assert 'value="pre_review"' in client.get(_url(dossier)).content.decode()
    response = client.post(_url(dossier), {"kind": "pre_review", "pre_review-taken_on": "2025-06-01"})
    assert response.status_code == 302
    assert Dossier.objects.with_steps().get(pk=dossier.pk).date_of(StepKind.PRE_REVIEW) == D(2025, 6, 1)


def test_the_level_above_approves_and_the_roster_shows_the_probationary_member(
    client, community_admin, branch_a, full_members
):
    dossier = walk(open_dossier(branch_a, "沈申请", D(2024, 1, 2)), StepKind.HIGHER_TALK, D(2024, 1, 2), full_members)
    talk = dossier.date_of(StepKind.HIGHER_TALK)
    client.force_login(community_admin)
    response = client.post(
        _url(dossier), {"kind": "admission_approval", "admission_approval-taken_on": str(talk + dt.timedelta(days=5))}
    )
    assert response.status_code == 302
    entry = RosterEntry.objects.get(name="沈申请")
    assert entry.member_type == RosterEntry.MemberType.PROBATIONARY and entry.branch == branch_a


def test_the_meeting_form_records_the_vote_and_says_when_it_is_not_adopted(client, secretary_a, branch_a, full_members):
    dossier = walk(
        open_dossier(branch_a, "韩申请", D(2024, 1, 2)), StepKind.APPLICATION_FORM, D(2024, 1, 2), full_members
    )
    client.force_login(secretary_a)
    page = client.get(_url(dossier)).content.decode()
    # Those due with a vote are not typed: the roster's full members on the meeting's date are counted.
    assert 'name="admission_meeting-entitled"' not in page and "今天为5名正式党员" in page
    assert 'name="admission_meeting-excused"' in page
    day = str(dossier.date_of(StepKind.APPLICATION_FORM) + dt.timedelta(days=20))
    counts = {"entitled": 3, "present": 3, "written": 0, "agree": 2, "against": 1, "abstain": 0}
    response = client.post(
        _url(dossier),
        {"kind": "admission_meeting", "admission_meeting-taken_on": day}
        | {f"admission_meeting-{k}": v for k, v in counts.items()},
    )
    assert response.status_code == 302
    assert "未通过" in client.get(_url(dossier)).content.decode()
    assert Dossier.objects.get(pk=dossier.pk).stage == Stage.CANDIDATE
    assert dossier.steps.get(kind=StepKind.ADMISSION_MEETING).entitled == 5  # the typed 3 is ignored


def test_papers_are_private_to_those_who_may_see_the_dossier(client, secretary_a, activist, member_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretary_a)
    upload = SimpleUploadedFile("application.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(reverse("membership:document_upload", args=[activist.pk]), {"title": "入党申请书", "file": upload})
    paper = activist.documents.get()
    url = reverse("membership:document", args=[activist.pk, paper.pk])
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 test"
    client.force_login(member_a)
    assert client.get(url).status_code == 404  # as if there were none (tests/membership/test_privacy.py)


def test_a_paper_of_the_wrong_type_is_refused(client, secretary_a, activist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretary_a)
    upload = SimpleUploadedFile("script.exe", b"MZ", content_type="application/octet-stream")
    client.post(reverse("membership:document_upload", args=[activist.pk]), {"title": "x", "file": upload})
    assert not activist.documents.exists()


def test_the_index_lists_overdue_dossiers_in_constant_queries(
    client, secretary_a, branch_a, django_assert_max_num_queries
):
    client.force_login(secretary_a)

    def add(count):
        for i in range(count):
            open_dossier(branch_a, f"申请人{Dossier.objects.count()}", D(2026, 1, 5))

    add(2)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("membership:index"))
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("membership:index"))
    assert "已逾期" in response.content.decode() or "逾期" in response.content.decode()


def test_a_paper_whose_file_is_gone_is_not_found_not_a_server_error(client, secretary_a, activist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretary_a)
    upload = SimpleUploadedFile("application.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(reverse("membership:document_upload", args=[activist.pk]), {"title": "入党申请书", "file": upload})
    paper = activist.documents.get()
    paper.file.storage.delete(paper.file.name)
    assert client.get(reverse("membership:document", args=[activist.pk, paper.pk])).status_code == 404
