"""Members record their study; only the branch's secretary sees the branch's completion."""

import io
import re

import pytest
from openpyxl import load_workbook

from django.conf import settings

from home.factories import study, study_index
from home.models import StudyPage, StudyRecord
from organizations.factories import RosterEntryFactory
from tests.jobs.downloading import content_of, download_report, start_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def material(home_page, branch_a, branch_b):
    index = study_index(home_page)
    return {
        "index": index,
        "charter": study(index, title="学习党章总纲"),
        "history": study(index, title="党史学习专题"),
        "optional": study(index, title="拓展阅读", required=False),
        "b_only": study(index, title="第二支部专题", audience=StudyPage.Audience.BRANCHES, branches=[branch_b]),
    }


def _mark(client, page, note=""):
    return client.post(page.url + "studied/", {"note": note})


def test_member_marks_a_page_studied_with_a_note(client, member_a, material):
    client.force_login(member_a)
    response = _mark(client, material["charter"], note="重点学习了第二章")
    assert response.status_code == 302
    record = StudyRecord.objects.get(user=member_a)
    assert record.page_id == material["charter"].pk and record.note == "重点学习了第二章"
    _mark(client, material["charter"], note="复习")
    assert StudyRecord.objects.filter(user=member_a).count() == 1


def test_marking_needs_sign_in_and_post(client, material):
    assert _mark(client, material["charter"]).status_code == 403
    assert client.get(material["charter"].url + "studied/").status_code == 405
    assert not StudyRecord.objects.exists()


def test_member_sees_their_own_progress(client, member_a, material):
    client.force_login(member_a)
    _mark(client, material["charter"])
    response = client.get(material["index"].url + "progress/")
    assert response.status_code == 200
    assert response.context["required_done"] == 1
    assert response.context["required_total"] == 2  # the other branch's material is not required of them
    assert response.context["percent"] == 50


def test_secretary_sees_the_completion_table_of_their_branch(client, member_a, secretary_a, branch_a, material):
    other = RosterEntryFactory(branch=branch_a, name="未学习的党员").user
    assert other is None
    client.force_login(member_a)
    _mark(client, material["charter"])
    _mark(client, material["history"])
    client.force_login(secretary_a)
    response = client.get(branch_a.page.url + "study/")
    assert response.status_code == 200
    table = response.context["table"]
    rows = {row["member"].name: row for row in table["rows"]}
    assert rows["党员甲"]["done"] == 2 and rows["党员甲"]["percent"] == 100
    assert rows["未学习的党员"]["done"] == 0
    assert [page.title for page in table["required"]] == ["学习党章总纲", "党史学习专题"]
    assert table["percent"] == 50


def test_xlsx_export_lists_each_member_and_their_completion(client, member_a, secretary_a, branch_a, material):
    client.force_login(member_a)
    _mark(client, material["charter"])
    client.force_login(secretary_a)
    page = client.get(branch_a.page.url + "study/").content.decode()
    assert f'action="{branch_a.page.url}study/export/"' in page  # a button (POST): the file is a job's
    assert client.get(branch_a.page.url + "study/export/").status_code == 200  # an old link: the button's page
    response = download_report(client, branch_a.page.url + "study/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(content_of(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    assert "学习党章总纲" in header and "党史学习专题" in header
    member_row = next(row for row in rows if row[1] == "党员甲")
    assert member_row[2] == "✓" and member_row[3] in ("", None)
    assert 50 in member_row


@pytest.mark.parametrize("who", ["editor_a", "member_a", "resident", "editor_b"])
def test_nobody_else_sees_the_completion_table(client, request, branch_a, material, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(branch_a.page.url + "study/").status_code == 404
    assert client.get(branch_a.page.url + "study/export/").status_code == 404
    assert client.post(branch_a.page.url + "study/export/").status_code == 404


def test_the_study_job_asks_again_and_serves_only_its_owner(client, secretary_a, member_a, branch_a, material):
    from jobs import running
    from jobs.models import Job

    client.force_login(secretary_a)
    job = start_job(client, branch_a.page.url + "study/export/")
    assert job.status == Job.Status.DONE and job.kind == "home.study_completion_xlsx"
    client.force_login(member_a)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    for owner, section_id in ((member_a, branch_a.page.pk), (secretary_a, 0)):
        refused = Job.objects.create(
            owner=owner, kind="home.study_completion_xlsx", title="学习", params={"section_id": section_id}
        )
        assert running.run(refused.pk) == Job.Status.FAILED


def test_anonymous_visitors_are_asked_to_sign_in_for_the_completion_table(client, branch_a, material):
    for route in ("study/", "study/export/"):
        response = client.get(branch_a.page.url + route)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_an_admin_above_the_branch_sees_its_completion_table(client, branch_a, org_admin, material):
    client.force_login(org_admin)
    assert client.get(branch_a.page.url + "study/").status_code == 200


def test_another_branch_secretary_does_not_see_this_branch(client, branch_a, branch_b, material):
    from accounts.factories import UserFactory
    from organizations import roles

    secretary_b = UserFactory()
    roles.grant(secretary_b, branch_b, roles.Role.SECRETARY)
    client.force_login(secretary_b)
    assert client.get(branch_a.page.url + "study/").status_code == 404
    assert client.get(branch_b.page.url + "study/").status_code == 200


def test_one_record_per_member_and_page_is_a_database_rule(member_a, material):
    from django.db import IntegrityError, transaction

    StudyRecord.objects.create(user=member_a, page=material["charter"])
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyRecord.objects.create(user=member_a, page=material["charter"])


def test_my_study_progress_is_linked_from_the_home_page_and_every_study_page(client, member_a, material):
    progress = material["index"].url + "progress/"
    assert progress not in client.get("/").content.decode()  # anonymous visitors have no progress
    client.force_login(member_a)
    assert f'href="{progress}"' in client.get("/").content.decode()
    assert f'href="{progress}"' in client.get(material["charter"].url).content.decode()
    assert client.get(progress).status_code == 200


def test_completion_table_keeps_names_on_one_line_and_headings_upright(client, secretary_a, branch_a, material):
    client.force_login(secretary_a)
    html = client.get(branch_a.page.url + "study/").content.decode()
    assert '<table class="study-table">' in html
    assert 'class="table-scroll" tabindex="0" role="region"' in html  # the scrolled table is reachable by keyboard
    css = (settings.BASE_DIR / "site" / "static" / "css" / "site.css").read_text()
    assert re.search(r"\.study-table th, \.study-table td \{ white-space: nowrap; \}", css)
    assert re.search(r"\.study-table thead th \{[^}]*min-width: 6\.5em", css)
