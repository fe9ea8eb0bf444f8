"""The satisfaction PDF is linked where a secretary looks: results page, survey page, admin listing and header."""

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from surveys.factories import add_responses, qid, satisfaction_page, survey_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def satisfaction(branch_a):
    page = satisfaction_page(branch_a.page, target_organization=branch_a)
    dimensions = page.questions[0].block.rows_of(page.questions[0].value)
    add_responses(page, [{qid(page, 0): dict.fromkeys(dimensions, "satisfied")}] * 3)
    return page


def _report_url(page) -> str:
    return reverse("evaluation:satisfaction_report", kwargs={"survey_id": page.pk})


def test_the_secretary_finds_the_pdf_on_the_results_and_survey_pages(client, secretary_a, satisfaction):
    client.force_login(secretary_a)
    results = client.get(satisfaction.url + "results/").content.decode()
    # The button posts: the PDF is written by a background job, whose progress page ends in the download.
    assert f'action="{_report_url(satisfaction)}"' in results and "下载群众满意度测评报告（PDF）" in results
    survey = client.get(satisfaction.url).content.decode()
    assert f'action="{_report_url(satisfaction)}"' in survey
    assert client.get(_report_url(satisfaction)).status_code == 200  # an old link: the page with the button


def test_the_pdf_link_is_shown_only_to_those_who_may_download_it(client, resident, satisfaction):
    client.force_login(resident)
    assert _report_url(satisfaction) not in client.get(satisfaction.url).content.decode()
    assert client.get(_report_url(satisfaction)).status_code == 403
    assert client.post(_report_url(satisfaction)).status_code == 403


def test_a_survey_without_a_satisfaction_question_has_no_pdf_link(client, secretary_a, branch_a):
    page = survey_page(branch_a.page)
    client.force_login(secretary_a)
    assert _report_url(page) not in client.get(page.url).content.decode()
    assert _report_url(page) not in client.get(page.url + "results/").content.decode()


def test_the_admin_listing_and_the_editor_header_link_the_pdf(client, secretary_a, branch_a, satisfaction):
    client.force_login(secretary_a)
    listing = client.get(reverse("wagtailadmin_explore", args=[branch_a.page.pk])).content.decode()
    assert _report_url(satisfaction) in listing and "满意度测评报告（PDF）" in listing
    editor = client.get(reverse("wagtailadmin_pages:edit", args=[satisfaction.pk])).content.decode()
    assert _report_url(satisfaction) in editor
    assert satisfaction.url + "results/" in editor


def test_the_satisfaction_tables_scroll_regions_are_focusable_and_named(client, secretary_a, satisfaction):
    client.force_login(secretary_a)
    soup = BeautifulSoup(client.get(satisfaction.url + "results/").content, "html.parser")
    regions = soup.select(".table-scroll")
    assert regions
    for region in regions:
        assert region.get("tabindex") == "0" and region.get("role") == "region"
        labelled_by = (region.get("aria-labelledby") or "").split()
        assert labelled_by and all(soup.find(id=name).get_text(strip=True) for name in labelled_by)
