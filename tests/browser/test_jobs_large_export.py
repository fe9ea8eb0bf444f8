"""Issue #19's done-when: a PDF report and a 250,000-response export run as tasks, with progress seen in a browser.

A secretary starts the CSV export of a survey holding 250,000 responses: the button lands on the job's
progress page; a task worker (a thread here, running `jobs.running.run`, the body of the `run_job` task)
writes the file while the page polls, and the person sees the bar pass through intermediate values with
the stage "正在写入答卷：n / 250000" before it reaches 100 % and offers the download, whose rows are
counted. Then the satisfaction report (PDF) is seen through to its download the same way.

PostgreSQL only: the worker thread, the live server and the test need separate connections reading
committed rows at once (SQLite's in-memory test database is one shared connection), and the 250,000
responses are made with one INSERT … SELECT generate_series each (a few seconds).
"""

import csv
import re
import threading
import time

import pytest
from playwright.sync_api import expect

from django.db import connection, connections
from django.utils import timezone

from jobs import running
from jobs.models import Job
from surveys.factories import add_responses, qid, satisfaction_page, survey_page
from surveys.models import Response, ResponseTally
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAITING = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
RESPONSES = 250_000

# Records what the person sees: every value the progress bar takes and the stage shown with it. Kept in
# sessionStorage because the page reloads itself once the job has finished.
RECORD_PROGRESS = """
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("#job-progress");
  const stage = document.querySelector("[data-job-stage]");
  if (!bar || !stage) return;
  const note = () => {
    const seen = JSON.parse(sessionStorage.getItem("seen") || "[]");
    seen.push([Number(bar.getAttribute("value")), stage.textContent]);
    sessionStorage.setItem("seen", JSON.stringify(seen));
  };
  note();
  new MutationObserver(note).observe(bar, { attributes: true, attributeFilter: ["value"] });
});
"""


def _bulk_responses(survey, count: int) -> None:
    """`count` responses in SQL, each with a choice; about one in sixteen also has a text holding a comma
    and a newline (what a CSV writer must quote)."""
    first, text = qid(survey, 0), qid(survey, 3)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO surveys_response (id, survey_id, submitted_on, revision) "
            "SELECT gen_random_uuid(), %s, %s, 1 FROM generate_series(1, %s)",
            [survey.pk, timezone.localdate(), count],
        )
        cursor.execute(
            'INSERT INTO surveys_answer (response_id, survey_id, question, "row", choice, text) '
            "SELECT id, survey_id, %s, '', '30岁以下', '' FROM surveys_response WHERE survey_id = %s "
            "UNION ALL SELECT id, survey_id, %s, '', '', '多组织活动，\n谢谢' FROM surveys_response "
            "WHERE survey_id = %s AND id::text LIKE '0%%'",
            [first, survey.pk, text, survey.pk],
        )
    ResponseTally.record(survey.pk, added=count)  # as every path that writes responses does (keys the results cache)


def _work_in_background(job_id: int) -> threading.Thread:
    """The task worker: runs the queued job in another thread (its own database connection)."""

    def work():
        try:
            running.run(job_id)
        finally:
            connections.close_all()

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    return worker


def _seen(page) -> list[tuple[int, str]]:
    return [tuple(item) for item in page.evaluate("JSON.parse(sessionStorage.getItem('seen') || '[]')")]


def test_a_250000_response_export_and_a_pdf_report_show_their_progress_to_the_download(
    mobile_page, settings, branch_a, secretary_a, tmp_path
):
    settings.TASKS = WAITING  # the job waits in its queue until this test's worker thread takes it
    page = mobile_page
    page.context.add_init_script(RECORD_PROGRESS)
    survey = survey_page(branch_a.page)
    started = time.perf_counter()
    _bulk_responses(survey, RESPONSES)
    assert Response.objects.filter(survey=survey).count() == RESPONSES
    built = time.perf_counter() - started

    sign_in(page, secretary_a)
    page.goto(survey.url + "results/")
    page.get_by_role("button", name="答卷明细（CSV）").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-progress")).to_have_attribute("value", "0")
    job = Job.objects.get(owner=secretary_a, kind="surveys.responses_export")
    assert job.status == Job.Status.QUEUED

    started = time.perf_counter()
    worker = _work_in_background(job.pk)
    # Seen in the browser while the worker writes: an intermediate value, with the count written so far.
    expect(page.locator("#job-progress")).to_have_attribute("value", re.compile(r"^([1-8]\d|9[0-4])$"), timeout=60_000)
    expect(page.locator("[data-job-stage]")).to_contain_text(re.compile(r"正在写入答卷：\d+ / 250000"))
    expect(page.locator("[data-job-download]")).to_be_visible(timeout=120_000)  # the page reloads when done
    worker.join(timeout=60)
    exported = time.perf_counter() - started
    seen = _seen(page)
    values = [value for value, _stage in seen]
    middle = {value for value in values if 0 < value < 100}
    assert len(middle) >= 2, seen  # the bar moved through at least two values between 0 and 100
    assert values == sorted(values), seen  # and only forward
    assert values[-1] == 100 and any("/ 250000" in stage for _value, stage in seen), seen

    with page.expect_download() as download:
        page.locator("[data-job-download]").click()
    path = tmp_path / "responses.csv"
    download.value.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == RESPONSES + 1  # the header and one row per response
    assert all(row[6] == "30岁以下" for row in rows[1:])
    assert any(row[-1] == "多组织活动，\n谢谢" for row in rows[1:])
    print(f"\n{RESPONSES} responses: built in {built:.1f} s, exported as a job in {exported:.1f} s; seen {values}")

    # A PDF report: the satisfaction summary, started from the survey's results page, seen to its download.
    report = satisfaction_page(branch_a.page, target_organization=branch_a)
    dimensions = report.questions[0].block.rows_of(report.questions[0].value)
    add_responses(report, [{qid(report, 0): dict.fromkeys(dimensions, "satisfied")}] * 3)
    page.goto(report.url + "results/")
    page.evaluate("sessionStorage.clear()")
    page.get_by_role("button", name="下载群众满意度测评报告（PDF）").click()
    expect(page.locator("h1")).to_contain_text("满意度测评报告（PDF）")
    expect(page.locator("#job-progress")).to_have_attribute("value", "0")
    pdf_job = Job.objects.get(owner=secretary_a, kind="evaluation.satisfaction_report")
    worker = _work_in_background(pdf_job.pk)
    expect(page.locator("[data-job-download]")).to_be_visible(timeout=60_000)
    worker.join(timeout=30)
    assert _seen(page)[-1][0] == 100
    with page.expect_download() as download:
        page.locator("[data-job-download]").click()
    path = tmp_path / "satisfaction.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert not page.js_errors, page.js_errors
