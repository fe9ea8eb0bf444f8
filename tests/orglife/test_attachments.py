"""Minutes attachments are the branch's internal papers: stored under PRIVATE_ROOT/orglife (never under
MEDIA_ROOT, which is served to anyone who guesses the path), handed out only after the permission check."""

import importlib
from pathlib import Path

import pytest

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import UserFactory
from organizations.factories import RosterEntryFactory
from orglife.models import MinutesAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(client, running_meeting, secretary_a):
    client.force_login(secretary_a)
    upload = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    client.post(
        reverse("orglife:minutes", args=(running_meeting.pk,)),
        {"recorder": "组织委员", "content": "学习了党章", "attachments": [upload]},
    )
    client.logout()
    return running_meeting.attachments.get()


def test_minutes_attachments_are_stored_under_private_root_not_media_root(attachment, settings):
    path = Path(attachment.file.path).resolve()
    assert path.is_file()
    assert path.is_relative_to((Path(settings.PRIVATE_ROOT) / "orglife").resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018 — no URL of its own: only the checked view hands it out


def test_the_member_due_downloads_an_attachment_privately(client, attachment, members):
    client.force_login(members["a"])
    response = client.get(reverse("orglife:attachment", args=(attachment.pk,)))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 minutes"
    assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_a_member_of_another_branch_and_an_outsider_get_not_found(client, attachment, branch_b, editor_b, resident):
    url = reverse("orglife:attachment", args=(attachment.pk,))
    other = UserFactory(display_name="乙支部党员")
    RosterEntryFactory(branch=branch_b, user=other, name="乙支部党员")
    for user in (other, editor_b, resident):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


def test_an_anonymous_visitor_is_sent_to_sign_in(client, attachment):
    response = client.get(reverse("orglife:attachment", args=(attachment.pk,)))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_migration_moves_existing_attachments_out_of_media_root(running_meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    old = settings.MEDIA_ROOT / "orglife" / "minutes" / "2026" / "sheet.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"%PDF-1.4 old")
    item = MinutesAttachment.objects.create(meeting=running_meeting, name="sheet.pdf")
    MinutesAttachment.objects.filter(pk=item.pk).update(file="orglife/minutes/2026/sheet.pdf")
    gone = MinutesAttachment.objects.create(meeting=running_meeting, name="gone.pdf")
    MinutesAttachment.objects.filter(pk=gone.pk).update(file="orglife/minutes/2026/gone.pdf")
    migration = importlib.import_module("orglife.migrations.0002_minutes_attachments_private")
    migration.to_private(apps, None)
    migration.to_private(apps, None)  # idempotent
    item.refresh_from_db()
    assert item.file.name == "minutes/2026/sheet.pdf" and not old.exists()
    assert (settings.PRIVATE_ROOT / "orglife" / "minutes" / "2026" / "sheet.pdf").read_bytes() == b"%PDF-1.4 old"
    assert item.file.open("rb").read() == b"%PDF-1.4 old"
    gone.refresh_from_db()
    assert gone.file.name == "minutes/2026/gone.pdf"  # its download answers 404, as before
