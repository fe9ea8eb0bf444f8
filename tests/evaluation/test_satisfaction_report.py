"""The satisfaction PDF: survey 满意率 plus consultation outcome ratings, numbers equal to the summary."""

import subprocess

import pytest

from django.core.management import call_command

from accounts.factories import UserFactory
from consultation.factories import make_consultation
from consultation.models import OutcomeRating
from evaluation import pdf, satisfaction
from jobs import running
from jobs.models import Job
from surveys.factories import add_responses, q, qid, satisfaction_page
from tests.jobs.downloading import content_of, download_report, start_job

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
    html = pdf.satisfaction_html(page)
    assert "%" not in html.split("<h1>", 1)[1].split("</table>", 1)[1]


def test_the_satisfaction_pdf_downloads_only_for_those_who_may_see_results(client, survey, secretary_a, resident, tree):
    from organizations import roles

    url = f"/evaluation/satisfaction/{survey.pk}/report.pdf"
    admin = UserFactory()
    roles.grant(admin, tree["community"], roles.Role.ADMIN)
    client.force_login(admin)
    response = download_report(client, url)
    assert response.status_code == 200 and content_of(response).startswith(b"%PDF")
    assert response["Content-Disposition"].endswith(f'satisfaction-{survey.pk}.pdf"')
    job = Job.objects.get()
    assert job.kind == "evaluation.satisfaction_report" and "满意度" in job.title
    client.force_login(resident)
    assert client.post(url).status_code == 403
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # not hers


def test_the_satisfaction_job_asks_again_and_a_bad_id_gives_a_message(client, survey, resident, tree):
    from organizations import roles

    admin = UserFactory()
    roles.grant(admin, tree["community"], roles.Role.ADMIN)
    client.force_login(admin)
    assert client.post("/evaluation/satisfaction/999999/report.pdf").status_code == 404
    job = Job.objects.create(
        owner=resident, kind="evaluation.satisfaction_report", title="满意度", params={"survey_id": survey.pk}
    )
    assert running.run(job.pk) == Job.Status.FAILED
    gone = Job.objects.create(
        owner=admin, kind="evaluation.satisfaction_report", title="满意度", params={"survey_id": 0}
    )
    assert running.run(gone.pk) == Job.Status.FAILED
    page = client.get(f"/jobs/{gone.pk}/").content.decode()
    assert "您已无权查看该问卷的结果" in page
    assert start_job(client, f"/evaluation/satisfaction/{survey.pk}/report.pdf").status == Job.Status.DONE


TYPICAL_DIMENSIONS = [
    "服务态度",
    "办事效率",
    "信息公开",
    "环境卫生",
    "物业服务",
    "党组织和党员作用",
    "领导班子作用",
    "文体活动",
    "网格员作用",
]


@pytest.fixture
def typical_pdf(tree, tmp_path):
    """The satisfaction PDF of a survey with the nine typical dimensions."""
    page = satisfaction_page(
        tree["community"].page,
        questions=[
            q(
                "satisfaction",
                "请评价",
                required=False,
                dimensions=[{"label": d, "weight": 1} for d in TYPICAL_DIMENSIONS],
            )
        ],
        target_organization=tree["community"],
        round_label="2026年度",
    )
    levels = [S, S, B, D, U]
    answers = [{qid(page, 0): {d: levels[(i + j) % 5] for j, d in enumerate(TYPICAL_DIMENSIONS)}} for i in range(12)]
    add_responses(page, answers, grid=tree["grid"])
    path = tmp_path / "satisfaction.pdf"
    path.write_bytes(pdf.render_satisfaction_pdf(page))
    return path


def test_nothing_is_drawn_in_the_right_margin_of_the_satisfaction_pdf(typical_pdf, tmp_path):
    """The pie chart used to sit beside the bar chart and run off the right edge of the page."""
    from PIL import Image, ImageOps

    subprocess.run(["pdftoppm", "-r", "50", "-png", str(typical_pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    for png in pages:
        image = ImageOps.grayscale(Image.open(png))
        strip = image.crop((image.width - round(12 / 25.4 * 50), 0, image.width, image.height))  # the right 12 mm
        assert strip.getextrema()[0] > 240, f"something is drawn in the right margin of {png.name}"


def test_dimension_names_and_headings_keep_whole_words(typical_pdf):
    text = subprocess.run(
        ["pdftotext", "-layout", str(typical_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = text.splitlines()
    for word in [*TYPICAL_DIMENSIONS, "基本满意", "满意率（问卷与评议合计）", "议事协商结果评议"]:
        assert any(word in line for line in lines), f"{word} is broken across lines"
    assert "（百分点）" in text


def test_previous_round_column_is_not_read_as_pagination(survey):
    html = pdf.satisfaction_html(survey)
    assert "上一轮" in html and "上一页" not in html


def test_satisfaction_pdf_uses_simplified_chinese_fonts_only(typical_pdf):
    fonts = subprocess.run(["pdffonts", str(typical_pdf)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert any("CJK-SC" in name for name in names), fonts
    assert not [name for name in names if any(f"CJK-{tag}" in name for tag in ("JP", "KR", "TC", "HK"))], fonts
