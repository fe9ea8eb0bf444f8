import csv
import io

import pytest
from openpyxl import load_workbook

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from surveys.factories import GENERAL_QUESTIONS, add_responses, q, qid, survey_page
from surveys.models import SurveyPage
from tests.surveys.exporting import export_aggregates, export_responses

pytestmark = pytest.mark.django_db


def _many(page, n, grid=None):
    ages = ["30岁以下", "30–59岁", "60岁及以上"]
    add_responses(
        page,
        [
            {
                qid(page, 0): ages[i % 3],
                qid(page, 1): ["健康讲座", "志愿服务"] if i % 2 else ["文艺演出"],
                qid(page, 2): str(1 + i % 5),
                qid(page, 3): f"text:建议{i}",
            }
            for i in range(n)
        ],
        grid=grid,
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_results_page_uses_the_same_number_of_queries_for_10_and_10000_responses(client, branch_a, org_admin, tree):
    small = survey_page(branch_a.page, ask_grid=True)
    large = survey_page(branch_a.page, ask_grid=True)
    _many(small, 10, tree["grid"])
    _many(large, 10_000, tree["grid"])
    client.force_login(org_admin)
    client.get("/accounts/profile/")  # the visitor's own cached data (permissions) is filled once per visit
    assert _queries(client, small.url + "results/") == _queries(client, large.url + "results/")


def test_results_count_choices_in_sql_and_draw_svg_charts(client, branch_a, org_admin):
    page = survey_page(branch_a.page)
    _many(page, 30)
    client.force_login(org_admin)
    response = client.get(page.url + "results/")
    results = response.context["results"]
    age, activities, rating, text = results.questions
    assert results.total == 30
    assert [(label, n) for label, n, _share in age.rows] == [("30岁以下", 10), ("30–59岁", 10), ("60岁及以上", 10)]
    assert dict((label, n) for label, n, _s in activities.rows)["健康讲座"] == 15
    assert rating.stats["mean"] == pytest.approx(3.0)
    assert len(text.texts) == 10
    html = response.content.decode()
    assert html.count("<svg") >= 4 and "<title" in html


def test_breakdowns_with_fewer_than_three_responses_show_no_numbers(client, branch_a, org_admin, tree):
    page = survey_page(branch_a.page)
    _many(page, 2)
    client.force_login(org_admin)
    response = client.get(page.url + "results/")
    assert response.context["results"].hidden
    html = response.content.decode()
    assert "<svg" not in html and "建议0" not in html
    rows = list(
        csv.reader(io.StringIO(b"".join(export_aggregates(client, page, "csv").streaming_content).decode("utf-8-sig")))
    )
    assert all(row[3] == "" for row in rows[2:] if len(row) > 3)


def test_results_are_for_editors_unless_published_after_close(client, branch_a, resident, editor_a, editor_b):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    assert client.get(page.url + "results/").status_code == 403
    client.force_login(editor_b)
    assert client.get(page.url + "results/").status_code == 403
    client.force_login(editor_a)
    assert client.get(page.url + "results/").status_code == 200


def test_results_filter_by_grid_and_date(client, branch_a, org_admin, tree):
    page = survey_page(branch_a.page, ask_grid=True)
    _many(page, 6, tree["grid"])
    _many(page, 4)
    client.force_login(org_admin)
    response = client.get(page.url + "results/", {"grid": tree["grid"].pk})
    assert response.context["results"].total == 6
    response = client.get(page.url + "results/", {"date_from": "2000-01-01", "date_to": "2000-12-31"})
    assert response.context["results"].total == 0


def test_anonymous_survey_exports_without_identifying_columns(client, branch_a, org_admin):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    _many(page, 5)
    client.force_login(org_admin)
    response = export_responses(client, page, "csv")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "日期", "组织", "网格"] and "邮箱" not in rows[0]
    assert len(rows) == 6
    assert {row[4] for row in rows[1:]} <= {"30岁以下", "30–59岁", "60岁及以上"}
    assert any("；" in row[5] for row in rows[1:])  # multiple choices in one cell


def test_identified_survey_exports_who_answered_to_editors_only(client, branch_a, org_admin, resident):
    page = survey_page(branch_a.page)
    users = [UserFactory() for _ in range(3)]
    add_responses(page, [{qid(page, 0): "30岁以下"}] * 3, users=users)
    client.force_login(org_admin)
    response = export_responses(client, page, "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "邮箱" in rows[0] and {row[4] for row in rows[1:]} == {u.email for u in users}
    client.force_login(resident)
    assert client.get(page.url + "export/responses/csv/").status_code == 403


def test_editing_an_answered_question_is_refused(branch_a):
    from django.core.exceptions import ValidationError

    page = survey_page(branch_a.page, questions=GENERAL_QUESTIONS)
    add_responses(page, [{qid(page, 0): "30岁以下"}])
    page = SurveyPage.objects.get(pk=page.pk)
    raw = list(page.questions.raw_data)
    raw[0]["value"]["choices"] = ["青年", "中年", "老年"]
    page.questions = raw
    with pytest.raises(ValidationError, match="已有答卷"):
        page.full_clean()
    # Adding a choice, rewording help text and adding a question stay possible.
    page = SurveyPage.objects.get(pk=page.pk)
    raw = list(page.questions.raw_data)
    raw[0]["value"]["choices"] = [*raw[0]["value"]["choices"], "不愿透露"]
    raw[0]["value"]["help_text"] = "单选"
    page.questions = raw + [{"type": "short_text", "value": q("short_text", "楼栋")[1] | {"max_length": 20}}]
    page.full_clean()


def test_a_condition_must_refer_to_an_earlier_choice_question(branch_a):
    from django.core.exceptions import ValidationError

    page = survey_page(branch_a.page)
    page.questions = [
        q("short_text", "楼栋", max_length=20, show_if={"question": "car", "values": "有"}),
        q("single_choice", "是否有车", choices=["有", "没有"], key="car"),
    ]
    with pytest.raises(ValidationError, match="不是前面某个问题的引用名"):
        page.full_clean()


def test_results_are_cached_until_a_new_response_arrives(client, branch_a, org_admin):
    page = survey_page(branch_a.page)
    _many(page, 5)
    client.force_login(org_admin)
    url = page.url + "results/"
    first = _queries(client, url)
    assert _queries(client, url) < first  # the computed part comes from the cache
    _many(page, 1)
    response = client.get(url)
    assert response.context["results"].total == 6 and "6 份答卷" in response.content.decode()


def test_the_responses_export_runs_as_a_job_with_progress_per_chunk(client, branch_a, org_admin, monkeypatch):
    from jobs import running
    from jobs.models import Job
    from surveys import jobs as survey_jobs

    monkeypatch.setattr(survey_jobs, "PROGRESS_EVERY", 2)
    stages = []
    report = running._Progress.__call__
    monkeypatch.setattr(
        running._Progress,
        "__call__",
        lambda self, stage, percent: (stages.append((str(stage), int(percent))), report(self, stage, percent)),
    )
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    _many(page, 5)
    client.force_login(org_admin)
    # A GET (an old link) starts nothing: back to the results page, where the button posts.
    response = client.get(page.url + "export/responses/csv/?grid=")
    assert response.status_code == 302 and response["Location"].endswith("/results/?grid=")
    assert not Job.objects.exists()
    download = export_responses(client, page, "csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 6
    job = Job.objects.get()
    assert job.owner == org_admin and job.status == Job.Status.DONE and job.percent == 100
    assert job.title == f"答卷明细（CSV）：{page.title}"
    written = [percent for stage, percent in stages if stage.startswith("正在写入答卷")]
    assert written == sorted(written) and len(written) >= 3  # at 0, then every 2 responses
    assert ("正在写入答卷：2 / 5", 41) in stages
