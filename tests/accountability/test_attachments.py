"""Evidence files and 述职 reports are not handed to every signed-in user through Wagtail's document URLs,
nor listed in the admin's document chooser."""

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accountability.forms import ATTACHMENTS_GROUP, store_attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(settings, tmp_path, editor_a):
    settings.MEDIA_ROOT = tmp_path
    return store_attachment(SimpleUploadedFile("shuzhi.txt", b"private report"), editor_a, "甲支部述职报告原件")


def test_a_signed_in_resident_cannot_fetch_an_evidence_file(client, resident, report):
    client.force_login(resident)
    response = client.get(report.url)
    assert response.status_code != 200
    assert b"private report" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_the_attachments_group_has_no_one_in_it(report):
    restriction = report.collection.view_restrictions.get()
    assert [group.name for group in restriction.groups.all()] == [ATTACHMENTS_GROUP]
    assert not restriction.groups.get().user_set.exists()


def test_the_document_chooser_does_not_list_list_attachments(admin_client, report):
    response = admin_client.get(reverse("wagtaildocs_chooser:choose"))
    assert response.status_code == 200
    assert "甲支部述职报告原件" not in response.content.decode()
