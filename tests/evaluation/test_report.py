import re
import subprocess

import pytest

from django.core.management import call_command

from evaluation import pdf, tally, voting
from evaluation.models import Stage
from evaluation.voting import Choice

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_campaign(open_campaign, voters, secretary_a):
    appraisees = {a.user_id: a for a in open_campaign.appraisees.all()}
    for index, voter in enumerate(voters):
        choices = {
            appraisees[v.pk].pk: Choice("excellent" if i == 0 else "competent")
            for i, v in enumerate(voters)
            if i != index and i < 5
        }
        voting.cast_member_ballot(open_campaign, voter, choices)
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    return open_campaign


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_appraisal_pdf_embeds_a_cjk_font(closed_campaign, tmp_path):
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf.render_appraisal_pdf(closed_campaign))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk), fonts  # embedded


def test_appraisal_pdf_uses_simplified_chinese_fonts_only(closed_campaign, tmp_path):
    """The grade chart's SVG named no font, and fontconfig drew it in Noto Sans CJK JP."""
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf.render_appraisal_pdf(closed_campaign))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert any("CJK-SC" in name for name in names), fonts
    assert not [name for name in names if any(f"CJK-{tag}" in name for tag in ("JP", "KR", "TC", "HK"))], fonts


def test_appraisal_pdf_headings_keep_whole_words(closed_campaign, tmp_path):
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf.render_appraisal_pdf(closed_campaign))
    text = _pdf_text(path)
    for word in ("自评等次", "综合得分", "建议等次", "评定等次"):
        assert word in text, f"{word} is broken across lines"


def test_numbers_in_the_pdf_equal_the_tally(closed_campaign, tmp_path):
    path = tmp_path / "summary.pdf"
    call_command("render_report", "appraisal", "--campaign", str(closed_campaign.pk), "-o", str(path))
    text = _pdf_text(path)
    computed = tally.compute(closed_campaign)
    assert "党员0" in text and closed_campaign.branch.name in text
    for result in computed.results:
        if not result.appraisee.is_graded:
            continue
        line = next(line for line in text.splitlines() if line.strip().startswith(result.appraisee.name))
        counts = [int(n) for n in re.findall(r"(?<![\d.])(\d+)(?![\d.%])", line.split(result.appraisee.name, 1)[1])][:4]
        assert counts == [result.members.counts[g] for g in ("excellent", "competent", "basic", "incompetent")]


def test_the_report_fetches_no_outside_resources():
    from evaluation.pdf_worker import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(pdf.static_files())
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/x.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert b"Noto Sans CJK SC" in fetcher.fetch("file:///static/pdf/report.css").read()


def test_a_report_over_its_time_limit_is_stopped():
    html = "<p>" + "长" * 200000 + "</p>"
    with pytest.raises(pdf.ReportError):
        pdf.render_pdf(html, timeout=0.01)


def test_secretary_downloads_the_pdf_written_by_a_job(client, closed_campaign, secretary_a, voters):
    from jobs.models import Job

    client.force_login(secretary_a)
    # An old link (GET) starts nothing: it leads to the results page, whose button posts.
    response = client.get(f"/evaluation/{closed_campaign.pk}/report.pdf")
    assert response.status_code == 302 and response["Location"] == f"/evaluation/{closed_campaign.pk}/results/"
    assert not Job.objects.exists()
    started = client.post(f"/evaluation/{closed_campaign.pk}/report.pdf")
    job = Job.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/jobs/{job.pk}/"
    assert job.owner == secretary_a and job.status == Job.Status.DONE and job.percent == 100
    assert job.result_name == f"appraisal-{closed_campaign.branch.code}-{closed_campaign.year}.pdf"
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(voters[0])
    assert client.post(f"/evaluation/{closed_campaign.pk}/report.pdf").status_code == 403
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_a_pdf_job_whose_reader_lost_the_right_fails_with_a_message(closed_campaign, secretary_a, member_a):
    import jobs
    from jobs.models import Job

    job = jobs.start(member_a, "evaluation.appraisal_report", "汇总表", campaign_id=closed_campaign.pk)
    assert job.status == Job.Status.FAILED and job.error == "你已无权查看本次评议的计票结果。"
    assert not job.result_file
