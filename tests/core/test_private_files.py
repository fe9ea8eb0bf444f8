"""Personal files have no URL and leave only through a checked view, never cached, never sniffed."""

from __future__ import annotations

import pytest

from django.core.files.base import ContentFile
from django.http import Http404

from core.private_files import PrivateStorage, private_file_response


@pytest.fixture
def storage(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return PrivateStorage("evidence")


def test_a_private_file_is_stored_under_the_private_root_not_under_media(storage, settings):
    name = storage.save("2026/report.pdf", ContentFile(b"%PDF-1.7"))
    path = storage.path(name)
    assert path.startswith(str((settings.PRIVATE_ROOT / "evidence").resolve()))
    assert not path.startswith(str(settings.MEDIA_ROOT))


def test_a_private_file_has_no_url(storage):
    name = storage.save("a.txt", ContentFile(b"x"))
    with pytest.raises(ValueError, match="no URL"):
        storage.url(name)


def test_the_storage_follows_the_settings_at_each_use(storage, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "elsewhere"
    assert storage.location == str((tmp_path / "elsewhere" / "evidence").resolve())


def test_the_storage_deconstructs_to_its_folder_for_migrations():
    path, args, kwargs = PrivateStorage("appeal-photos").deconstruct()
    assert (path, args, kwargs) == ("core.private_files.PrivateStorage", ("appeal-photos",), {})


class _Field:
    """Just enough of a FieldFile for the response helper."""

    def __init__(self, storage, name):
        self.storage, self.name = storage, name

    def __bool__(self):
        return bool(self.name)

    def open(self, mode):
        return self.storage.open(self.name, mode)


def test_the_response_is_private_not_sniffed_and_an_attachment(storage):
    name = storage.save("minutes.pdf", ContentFile(b"%PDF-1.7"))
    response = private_file_response(_Field(storage, name))
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"%PDF-1.7"


def test_a_file_gone_from_storage_is_not_found_not_a_server_error(storage):
    with pytest.raises(Http404):
        private_file_response(_Field(storage, "missing.pdf"))
    with pytest.raises(Http404):
        private_file_response(_Field(storage, ""))
