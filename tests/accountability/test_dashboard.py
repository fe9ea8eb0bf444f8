"""The dashboard: figures side by side with their lights, a fixed number of queries, XLSX and PDF."""

import io
import subprocess

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from accountability import assessment as scoring
from accountability import dashboard
from organizations.factories import OrganizationFactory
from organizations.models import Organization
from tests.accountability.conftest import TODAY

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
    response = client.get(reverse("accountability:scheme_export", args=[scheme.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "组织" or rows[1][0] == "Organisation"
    assert {row[0] for row in rows[2:]} == {"第一党支部", "第二党支部"}


def test_pdf_report_embeds_a_cjk_font(client, tree, scheme, org_admin, tmp_path):
    scoring.compute(scheme, org_admin, today=TODAY)
    client.force_login(org_admin)
    response = client.get(reverse("accountability:scheme_report", args=[scheme.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "第一党支部" in text


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
