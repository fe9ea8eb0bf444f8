"""Long work with visible progress: a secretary on a phone starts the appraisal summary PDF and a survey's
responses export, watches each progress page reach 100 % and downloads the file; a week later the export's
file is deleted, and she makes it again from its page. No console error, no axe violation on the progress
pages (waiting, finished, file deleted) and the list of her jobs.

The job waits (the dummy backend keeps it queued) while the page is open, so the page's script is seen
polling; then this test thread plays the task worker (`jobs.running.run`, the body of the `run_job` task)
and the page, polling, moves to 100 % and reloads with the download link.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from evaluation import mixing, voting
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Stage
from evaluation.voting import Choice
from jobs import running
from jobs.housekeeping import delete_expired_files
from jobs.models import Job
from organizations.factories import RosterEntryFactory
from surveys.factories import add_responses, qid, survey_page
from tests.browser.conftest import axe_check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WAITING = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _closed_campaign(branch, secretary):
    members = [UserFactory(display_name=f"党员{i}") for i in range(4)]
    for index, user in enumerate(members):
        RosterEntryFactory(branch=branch, user=user, name=f"党员{index}", member_no=f"J{index}")
    campaign = AppraisalCampaignFactory(branch=branch)
    campaign.enrol_members()
    campaign.move_to(Stage.BALLOTING, secretary)
    appraisees = {a.user_id: a for a in campaign.appraisees.all()}
    for voter in members:
        choices = {appraisees[m.pk].pk: Choice("competent") for m in members if m != voter}
        voting.cast_member_ballot(campaign, voter, choices)
    campaign.move_to(Stage.ASSESSMENT, secretary)
    mixing.open_box(campaign.pk)  # what the close's open_ballot_box task does in a worker (tasks wait here)
    return campaign


def _watch_and_download(page, tmp_path, name: str) -> bytes:
    """On a waiting job's page: check it, run the job, see the bar reach 100 % and download the file."""
    expect(page.locator("#job-progress")).to_have_attribute("value", "0")
    expect(page.locator(".job__state")).to_contain_text("等待中")
    axe_check(page)
    job = Job.objects.order_by("-pk").first()
    assert job.status == Job.Status.QUEUED
    running.run(job.pk)  # the worker
    expect(page.locator("#job-progress")).to_have_attribute("value", "100", timeout=15_000)
    link = page.locator("[data-job-download]")
    expect(link).to_be_visible()
    axe_check(page)
    with page.expect_download() as download:
        link.click()
    path = tmp_path / name
    download.value.save_as(path)
    return path.read_bytes()


def test_a_secretary_watches_a_pdf_and_an_export_reach_100_percent_and_downloads_them(
    mobile_page, settings, branch_a, secretary_a, tmp_path
):
    page = mobile_page
    campaign = _closed_campaign(branch_a, secretary_a)  # its ballot box is opened by a task: run at once here
    settings.TASKS = WAITING  # from now on jobs wait in their queue until this test plays the worker
    survey = survey_page(branch_a.page)
    add_responses(survey, [{qid(survey, 0): "30岁以下"}] * 3, users=[UserFactory() for _ in range(3)])

    sign_in(page, secretary_a)
    page.goto(f"/evaluation/{campaign.pk}/results/")
    page.get_by_role("button", name="下载汇总表（PDF）").click()
    expect(page.locator("h1")).to_contain_text("民主评议汇总表（PDF）")
    assert _watch_and_download(page, tmp_path, "summary.pdf").startswith(b"%PDF")

    page.goto(survey.url + "results/")
    page.get_by_role("button", name="答卷明细（Excel）").click()
    expect(page.locator("h1")).to_contain_text(survey.title)
    assert _watch_and_download(page, tmp_path, "responses.xlsx").startswith(b"PK")  # a zip: XLSX

    page.get_by_role("link", name="我的任务").click()
    expect(page.locator(".job-list li")).to_have_count(2)
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A week later housekeeping deletes both files: the export's page says so and makes it again, from today's data.
    export = Job.objects.order_by("-pk").first()
    assert delete_expired_files(export.finished_at + dt.timedelta(days=settings.JOBS_FILES_KEPT_DAYS, minutes=1)) == 2
    page.reload()
    expect(page.locator(".job-list li").filter(has_text="文件已过保留期删除")).to_have_count(2)
    page.locator(".job-list li a").first.click()
    expect(page.locator(".job")).to_contain_text("生成的文件只保留 7 天")
    axe_check(page)
    page.get_by_role("button", name="重新生成").click()
    assert _watch_and_download(page, tmp_path, "again.xlsx").startswith(b"PK")
