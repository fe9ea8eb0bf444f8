"""The satisfaction PDF: survey 满意率 plus consultation outcome ratings, numbers equal to the summary."""

import subprocess

import pytest

from django.core.management import call_command

from accounts.factories import UserFactory
from consultation.factories import make_consultation
from consultation.models import OutcomeRating
from evaluation import satisfaction, services
from surveys.factories import add_responses, q, qid, satisfaction_page

pytestmark = pytest.mark.django_db

S, B, D, U = "satisfied", "basically_satisfied", "dissatisfied", "unknown"


@pytest.fixture
def survey(tree):
    community = tree["community"]
    page = satisfaction_page(
        community.page,
        questions=[
            q(
                "satisfaction",
                "请评价",
                required=False,
                dimensions=[{"label": "服务态度", "weight": 1}, {"label": "环境卫生", "weight": 1}],
            )
        ],
        target_organization=community,
        round_label="2026年度",
    )
    rows = [(S, S), (S, B), (B, D), (D, U), (S, S)]
    add_responses(page, [{qid(page, 0): {"服务态度": a, "环境卫生": b}} for a, b in rows], grid=tree["grid"])
    return page


@pytest.fixture
def ratings(tree):
    consultation = make_consultation(tree["community"].page)
    for rating in (S, D, U):
        OutcomeRating.objects.create(
            consultation=consultation, organization=tree["branch_a"], user=UserFactory(), rating=rating
        )


def test_outcome_ratings_of_the_subtree_count_in_the_combined_rate(survey, ratings):
    report = satisfaction.build(survey)
    # Survey: 服务态度 S S B D S → 4 of 5; 环境卫生 S B D U S → 3 of 4 valid. Pooled: 7 of 9.
    assert report.summary.overall.valid == 9 and report.summary.rate == pytest.approx(7 / 9)
    assert (report.consultation.satisfied, report.consultation.dissatisfied, report.consultation.unknown) == (1, 1, 1)
    assert report.combined.rate == pytest.approx(8 / 11)


def test_satisfaction_pdf_embeds_the_cjk_font_and_shows_the_rates(survey, ratings, tmp_path):
    path = tmp_path / "satisfaction.pdf"
    call_command("render_report", "satisfaction", "--survey", str(survey.pk), "-o", str(path))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert any("CJK" in line and " yes " in line for line in fonts.splitlines()), fonts
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "服务态度" in text and "环境卫生" in text
    assert "77.8%" in text  # 7 of 9, the survey's 满意率
    assert "80.0%" in text  # 服务态度: 4 of 5
    assert "72.7%" in text  # 8 of 11 with the outcome ratings


def test_satisfaction_pdf_of_too_few_responses_shows_no_numbers(tree):
    page = satisfaction_page(tree["community"].page, target_organization=tree["community"])
    add_responses(page, [{qid(page, 0): {}}])
    html = services.satisfaction_html(page)
    assert "%" not in html.split("<h1>", 1)[1].split("</table>", 1)[1]


def test_the_satisfaction_pdf_downloads_only_for_those_who_may_see_results(client, survey, secretary_a, resident, tree):
    from organizations import roles

    url = f"/evaluation/satisfaction/{survey.pk}/report.pdf"
    admin = UserFactory()
    roles.grant(admin, tree["community"], roles.Role.ADMIN)
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(resident)
    assert client.get(url).status_code == 403
