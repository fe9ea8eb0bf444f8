"""满意率 against a hand computation, in the summary, the results page and the XLSX export."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from django.utils import timezone

from core.satisfaction import LevelCounts, WeightedItem, weighted_score
from surveys import satisfaction
from surveys.factories import add_responses, q, qid, satisfaction_page
from surveys.models import SatisfactionSurveyPage
from tests.surveys.exporting import export_aggregates

pytestmark = pytest.mark.django_db

S, B, D, U = "satisfied", "basically_satisfied", "dissatisfied", "unknown"


def _questions():
    return [
        q(
            "satisfaction",
            "请评价",
            required=False,
            dimensions=[{"label": "服务态度", "weight": 2}, {"label": "环境卫生", "weight": 1}],
        ),
        q("long_text", "意见建议", required=False),
    ]


def _fixed_data_set(page, grid):
    """服务态度: 5 满意, 2 基本满意, 1 不满意, 1 不了解, 1 blank. 环境卫生: 3 / 3 / 3 / 1 不了解 / 0 blank."""
    service = [S, S, S, S, S, B, B, D, U, None]
    environment = [S, S, S, B, B, B, D, D, D, U]
    answers = []
    for a, b in zip(service, environment, strict=True):
        dims = {"环境卫生": b} | ({"服务态度": a} if a else {})
        answers.append({qid(page, 0): dims})
    answers[0][qid(page, 1)] = "text:希望楼道灯早日修好"
    add_responses(page, answers, grid=grid)


@pytest.fixture
def rated(tree, branch_a):
    community = tree["community"]
    previous = satisfaction_page(
        community.page,
        questions=_questions(),
        target_organization=community,
        opens_at=timezone.now() - dt.timedelta(days=400),
        closes_at=timezone.now() - dt.timedelta(days=360),
        round_label="2024年度",
    )
    add_responses(previous, [{qid(previous, 0): {"服务态度": S}}] * 2 + [{qid(previous, 0): {"服务态度": D}}] * 2)
    page = satisfaction_page(
        community.page,
        questions=_questions(),
        target_organization=community,
        round_label="2025年度",
        use_weighted_score=True,
    )
    _fixed_data_set(page, tree["grid"])
    return page


def test_level_counts_follow_the_definition():
    counts = LevelCounts(satisfied=5, basically_satisfied=2, dissatisfied=1, unknown=1, blank=1)
    assert counts.valid == 8
    assert counts.rate == pytest.approx(7 / 8)
    assert counts.shares == {S: pytest.approx(5 / 8), B: pytest.approx(2 / 8), D: pytest.approx(1 / 8)}
    assert LevelCounts(unknown=3, blank=2).rate is None
    assert counts.score() == pytest.approx((5 * 100 + 2 * 75) / 8)
    assert weighted_score([WeightedItem(counts, 2), WeightedItem(LevelCounts(dissatisfied=1), 1)]) == pytest.approx(
        (2 * 81.25 + 0) / 3
    )


def test_satisfaction_rates_equal_a_hand_computation(rated):
    summary = satisfaction.summarise(SatisfactionSurveyPage.objects.get(pk=rated.pk))
    service, environment = summary.dimensions
    assert summary.responses == 10
    assert (service.counts.satisfied, service.counts.basically_satisfied, service.counts.dissatisfied) == (5, 2, 1)
    assert (service.counts.unknown, service.counts.blank) == (1, 1)
    assert service.rate == pytest.approx(7 / 8)  # 87.5%
    assert environment.rate == pytest.approx(6 / 9)  # 66.7%
    assert environment.counts.shares[D] == pytest.approx(3 / 9)
    assert summary.rate == pytest.approx(13 / 17)  # 76.5%, pooled over both dimensions
    assert summary.weighted_score == pytest.approx((2 * 650 / 8 + 1 * 525 / 9) / 3)  # 73.61
    # The previous round of the same community: 服务态度 2 满意, 2 不满意 → 50%.
    assert summary.previous.rate == pytest.approx(0.5)
    assert service.change == pytest.approx(7 / 8 - 0.5)
    assert environment.previous.rate is None and environment.change is None
    assert summary.comments == ["希望楼道灯早日修好"]


def test_roll_up_goes_from_grid_to_community_to_street(rated, tree):
    summary = satisfaction.summarise(rated)
    names = [(g.name, g.responses) for g in summary.by_organization]
    assert names == [("幸福街道党工委", 10), ("和平社区党委", 10)]
    assert summary.by_organization[0].rate == pytest.approx(13 / 17)
    assert [(g.name, g.responses) for g in summary.by_grid] == [("第一网格", 10)]
    street_round = satisfaction.rollup_round([rated])
    assert street_round.rate == pytest.approx(13 / 17)


def test_results_page_and_xlsx_export_show_the_same_rates(client, rated, org_admin):
    client.force_login(org_admin)
    html = client.get(rated.url + "results/").content.decode()
    assert "87.5%" in html and "66.7%" in html and "76.5%" in html
    assert "+37.5" in html  # change of 服务态度 since the previous round, in points
    assert "73.6" in html  # weighted score
    response = export_aggregates(client, rated, "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rates = {
        row[0]: row[1]
        for row in sheet.iter_rows(values_only=True)
        if row and row[0] in ("服务态度", "环境卫生", "总体")
    }
    assert rates == {"服务态度": 0.875, "环境卫生": round(6 / 9, 4), "总体": round(13 / 17, 4)}


def test_satisfaction_survey_starts_from_the_preset(tree):
    page = SatisfactionSurveyPage(title="测评")
    kinds = [child.block_type for child in page.questions]
    assert kinds == ["satisfaction", "long_text"]
    labels = page.questions[0].block.rows_of(page.questions[0].value)
    assert labels[:5] == ["服务态度", "办事效率", "信息公开", "环境卫生", "物业服务"]
    assert "党组织和党员作用" in labels
    assert page.mode == SatisfactionSurveyPage.Mode.ANONYMOUS


def test_groups_with_fewer_than_three_responses_show_no_numbers(client, tree, org_admin):
    page = satisfaction_page(tree["community"].page, questions=_questions(), target_organization=tree["community"])
    add_responses(page, [{qid(page, 0): {"服务态度": S}}] * 2, grid=tree["grid"])
    summary = satisfaction.summarise(page)
    assert summary.hidden and all(group.hidden and group.rate is None for group in summary.by_grid)
    client.force_login(org_admin)
    html = client.get(page.url + "results/").content.decode()
    assert "不显示任何数字" in html and "100.0%" not in html


def test_ratings_from_elsewhere_count_in_the_dimensions_and_the_overall_rate(rated):
    outcome_ratings = LevelCounts(satisfied=3, basically_satisfied=0, dissatisfied=1)
    summary = satisfaction.summarise(
        rated, extra={"议事协商结果": outcome_ratings, "服务态度": LevelCounts(dissatisfied=2)}
    )
    by_label = {d.label: d for d in summary.dimensions}
    assert by_label["议事协商结果"].rate == pytest.approx(3 / 4)
    assert by_label["服务态度"].rate == pytest.approx(7 / 10)
    assert summary.rate == pytest.approx((13 + 3) / (17 + 4 + 2))


def test_the_pdf_shows_the_same_hand_computed_rates(rated, tmp_path):
    import subprocess

    from evaluation import pdf

    path = tmp_path / "satisfaction.pdf"
    path.write_bytes(pdf.render_satisfaction_pdf(SatisfactionSurveyPage.objects.get(pk=rated.pk)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for figure in ("87.5%", "66.7%", "76.5%", "73.6", "+37.5"):
        assert figure in text, figure
