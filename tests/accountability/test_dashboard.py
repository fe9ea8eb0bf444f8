"""The dashboard: figures side by side with their lights, a fixed number of queries, XLSX and PDF."""

import io
import subprocess

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from accountability import assessment as scoring
from accountability import dashboard
from accounts.factories import UserFactory
from jobs.models import Job
from organizations.factories import OrganizationFactory
from organizations.models import Organization
from tests.accountability.conftest import TODAY
from tests.jobs.downloading import content_of, download_report, start_job

pytestmark = pytest.mark.django_db


def _branches(tree, n, start=0):
    return [
        OrganizationFactory(parent=tree["community"], name=f"支部{i}", code=f"b{i}") for i in range(start, start + n)
    ]


def _render(client, scheme):
    response = client.get(reverse("accountability:scheme", args=[scheme.pk]))
    assert response.status_code == 200
    return response


def test_dashboard_queries_do_not_grow_with_the_branches(
    client, tree, scheme, org_admin, django_assert_max_num_queries
):
    _branches(tree, 3)
    scoring.compute(scheme, org_admin, today=TODAY)
    client.force_login(org_admin)
    _render(client, scheme)  # warm caches (site root, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        _render(client, scheme)
    _branches(tree, 40, start=10)
    scoring.compute(scheme, org_admin, today=TODAY)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = _render(client, scheme)
    assert response.content.decode().count('class="light') >= 45 * 2


def test_lights_follow_the_target_and_margin(scheme):
    indicator = scheme.indicators.get(source="cadence")  # target 90, margin 10
    assert [indicator.light_for(v) for v in (95, 90, 85, 80, 79.9, None)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "",
    ]


def test_dashboard_links_each_figure_to_its_evidence(client, tree, scheme, org_admin, branch_a):
    scoring.compute(scheme, org_admin, today=TODAY)
    client.force_login(org_admin)
    body = _render(client, scheme).content.decode()
    assessment = scheme.assessments.get(organization=branch_a)
    indicator = scheme.indicators.get(source="cadence")
    assert f"/accountability/assessments/{assessment.pk}/#indicator-{indicator.pk}" in body
    assert "<svg" in body


def test_xlsx_export_has_a_row_per_organisation(client, tree, scheme, org_admin):
    scoring.compute(scheme, org_admin, today=TODAY)
    client.force_login(org_admin)
    response = download_report(client, reverse("accountability:scheme_export", args=[scheme.pk]))
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(content_of(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "组织" or rows[1][0] == "Organisation"
    assert {row[0] for row in rows[2:]} == {"第一党支部", "第二党支部"}


def test_pdf_report_embeds_a_cjk_font(client, tree, scheme, org_admin, tmp_path):
    scoring.compute(scheme, org_admin, today=TODAY)
    client.force_login(org_admin)
    response = download_report(client, reverse("accountability:scheme_report", args=[scheme.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(content_of(response))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "第一党支部" in text


def test_an_old_get_link_to_a_file_offers_the_button_and_starts_nothing(client, tree, scheme, org_admin):
    client.force_login(org_admin)
    for name in ("scheme_export", "scheme_report"):
        page = client.get(reverse(f"accountability:{name}", args=[scheme.pk]) + f"?within={tree['community'].code}")
        assert page.status_code == 200
        assert b'<form method="post">' in page.content
    assert not Job.objects.exists()


def test_a_narrowed_export_keeps_the_community_and_only_its_owner_downloads_it(client, tree, scheme, org_admin):
    scoring.compute(scheme, org_admin, today=TODAY)
    client.force_login(org_admin)
    url = reverse("accountability:scheme_export", args=[scheme.pk]) + f"?within={tree['community'].code}"
    job = start_job(client, url)
    assert job.status == Job.Status.DONE and job.params["within"] == tree["community"].code
    client.force_login(UserFactory())
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_the_job_asks_again_whether_its_owner_may_run_the_scheme(tree, scheme, org_admin):
    from jobs import running

    outsider = UserFactory()
    for kind in ("accountability.dashboard_xlsx", "accountability.report_pdf"):
        job = Job.objects.create(owner=outsider, kind=kind, title="考核", params={"scheme_id": scheme.pk})
        assert running.run(job.pk) == Job.Status.FAILED
        job.refresh_from_db()
        assert job.error and not job.result_file
    gone = Job.objects.create(owner=org_admin, kind="accountability.report_pdf", title="考核", params={"scheme_id": 0})
    assert running.run(gone.pk) == Job.Status.FAILED
    elsewhere = Job.objects.create(
        owner=org_admin,
        kind="accountability.dashboard_xlsx",
        title="考核",
        params={"scheme_id": scheme.pk, "within": "no-such-code"},
    )
    assert running.run(elsewhere.pk) == Job.Status.FAILED


def test_a_bad_scheme_or_community_is_not_found_not_a_server_error(client, tree, scheme, org_admin):
    client.force_login(org_admin)
    assert client.post(reverse("accountability:scheme_report", args=[999999])).status_code == 404
    assert client.post(reverse("accountability:scheme_export", args=[scheme.pk]) + "?within=nowhere").status_code == 404
    assert not Job.objects.exists()


def test_board_narrows_to_a_community(tree, scheme, org_admin):
    other = OrganizationFactory(parent=tree["street"], name="光明社区党委", code="guangming", kind="community")
    OrganizationFactory(parent=other, name="光明第一支部", code="gm-1")
    scoring.compute(scheme, org_admin, today=TODAY)
    community = Organization.objects.get(pk=tree["community"].pk)  # sorted siblings: its path moved
    board = dashboard.build(scheme, within=community)
    assert [row.organization.code for row in board.rows] == ["branch-a", "branch-b"]


def test_outsiders_do_not_find_the_dashboard(client, scheme, secretary_a, community_admin):
    for user in (secretary_a, community_admin):
        client.force_login(user)
        assert client.get(reverse("accountability:scheme", args=[scheme.pk])).status_code == 404
