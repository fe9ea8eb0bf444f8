"""Evidence files and 述职 reports are private files (PRIVATE_ROOT/accountability, no URL of their own), handed
out only by views that ask who may see the task, problem, notice or assessment: to anyone else a 404."""

import datetime as dt
from pathlib import Path

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accountability.models import Assessment, Evidence, IndicatorScheme, SupervisionNotice
from tests.accountability.conftest import YEAR, make_problem, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def task_a(branch_a):
    return make_task(branch_a, due_on=dt.date(YEAR, 6, 30))


@pytest.fixture
def uploaded(client, secretary_a, task_a):
    client.force_login(secretary_a)
    response = client.post(
        reverse("accountability:task", args=[task_a.pk]),
        {"action": "evidence", "note": "签到表", "attachment": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in")},
    )
    assert response.status_code == 302
    client.logout()
    return Evidence.objects.get(task=task_a)


def test_an_evidence_file_is_stored_privately_without_a_url(uploaded, settings):
    path = Path(uploaded.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_ROOT) / "accountability")
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert uploaded.target() == ("签到表.pdf", reverse("accountability:evidence_file", args=[uploaded.pk]))
    with pytest.raises(ValueError):
        uploaded.file.url  # noqa: B018


def test_the_branch_and_the_level_above_open_an_evidence_file(client, uploaded, secretary_a, community_admin):
    for user in (secretary_a, community_admin):
        client.force_login(user)
        response = client.get(reverse("accountability:evidence_file", args=[uploaded.pk]))
        assert response.status_code == 200
        assert _body(response) == b"%PDF-1.4 sign-in"
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["secretary_b", "resident", "member_a"])
def test_another_branch_or_a_plain_resident_gets_404_for_an_evidence_file(client, uploaded, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("accountability:evidence_file", args=[uploaded.pk]))
    assert response.status_code == 404
    assert b"sign-in" not in _body(response)


def test_an_anonymous_visitor_is_sent_to_log_in_for_an_evidence_file(client, uploaded):
    response = client.get(reverse("accountability:evidence_file", args=[uploaded.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_task_page_links_the_file_through_the_checked_view(client, uploaded, secretary_a, task_a):
    client.force_login(secretary_a)
    page = client.get(reverse("accountability:task", args=[task_a.pk])).content.decode()
    assert reverse("accountability:evidence_file", args=[uploaded.pk]) in page
    assert "/documents/" not in page


def test_a_file_of_a_refused_kind_is_not_stored(client, secretary_a, task_a):
    client.force_login(secretary_a)
    response = client.post(
        reverse("accountability:task", args=[task_a.pk]),
        {"action": "evidence", "attachment": SimpleUploadedFile("page.html", b"<script>alert(1)</script>")},
    )
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_problem_and_a_notice_reply_take_private_files(client, branch_a, tree, secretary_a, secretary_b):
    problem = make_problem(branch_a)
    notice = SupervisionNotice.objects.create(
        issuer=tree["community"], organization=branch_a, problem=problem, text="请报整改进展", reply_due=dt.date.today()
    )
    client.force_login(secretary_a)
    client.post(
        reverse("accountability:problem", args=[problem.pk]),
        {"action": "evidence", "attachment": SimpleUploadedFile("整改.docx", b"rectified")},
    )
    client.post(
        reverse("accountability:notice", args=[notice.pk]),
        {"reply_text": "已整改", "attachment": SimpleUploadedFile("回复.txt", b"reply")},
    )
    files = {e.file_label: e for e in Evidence.objects.all()}
    assert set(files) == {"整改.docx", "回复.txt"}
    for evidence in files.values():
        url = reverse("accountability:evidence_file", args=[evidence.pk])
        client.force_login(secretary_a)
        assert client.get(url).status_code == 200
        client.force_login(secretary_b)
        assert client.get(url).status_code == 404


@pytest.fixture
def assessment_a(tree, branch_a):
    scheme = IndicatorScheme.objects.create(
        organization=tree["street"], year=YEAR, title="考核", status=IndicatorScheme.Status.SCORING
    )
    return Assessment.objects.create(scheme=scheme, organization=branch_a)


def test_a_report_file_is_private_to_those_who_see_the_assessment(
    client, assessment_a, secretary_a, org_admin, secretary_b, resident, member_a
):
    client.force_login(secretary_a)
    response = client.post(
        reverse("accountability:assessment", args=[assessment_a.pk]),
        {"action": "report", "report_text": "一年来……", "report_file": SimpleUploadedFile("述职.pdf", b"%PDF report")},
    )
    assert response.status_code == 302
    assessment_a.refresh_from_db()
    assert assessment_a.report_file_label == "述职.pdf"
    url = reverse("accountability:report_file", args=[assessment_a.pk])
    assert url in client.get(reverse("accountability:assessment", args=[assessment_a.pk])).content.decode()

    for user, status in ((secretary_a, 200), (org_admin, 200), (secretary_b, 404), (resident, 404), (member_a, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        assert (b"%PDF report" in _body(response)) == (status == 200)


def test_saving_the_report_text_again_keeps_the_file(client, assessment_a, secretary_a):
    client.force_login(secretary_a)
    url = reverse("accountability:assessment", args=[assessment_a.pk])
    client.post(url, {"action": "report", "report_text": "初稿", "report_file": SimpleUploadedFile("述职.pdf", b"x")})
    client.post(url, {"action": "report", "report_text": "定稿"})
    assessment_a.refresh_from_db()
    assert assessment_a.report_text == "定稿" and assessment_a.report_file_label == "述职.pdf"


def test_no_wagtail_document_or_locked_collection_is_used_for_attachments(uploaded):
    from django.contrib.auth.models import Group

    from wagtail.documents.models import Document
    from wagtail.models import Collection

    assert not Document.objects.exists()
    assert not Collection.objects.filter(name="三张清单附件").exists()
    assert not Group.objects.filter(name="三张清单附件（不对外开放）").exists()
