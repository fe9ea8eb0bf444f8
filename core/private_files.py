"""Personal files: stored outside MEDIA_ROOT and handed out only by a view that has checked a permission.

Request photos, dossier papers, minutes attachments and accountability evidence are personal data. Files
under MEDIA_ROOT are served to anyone who guesses the path (the development server, nginx's /media/), so
these live under PRIVATE_ROOT instead, each kind in its own folder, and have no URL of their own: the app's
view asks `has_perm` first, then answers with `private_file_response`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible


@deconstructible(path="core.private_files.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage under PRIVATE_ROOT/<folder>, read from the settings at each use (tests move it)."""

    def __init__(self, folder: str = ""):
        self.folder = folder
        super().__init__()

    def _root(self) -> Path:
        return Path(settings.PRIVATE_ROOT) / self.folder

    @property
    def base_location(self):
        return str(self._root())

    @property
    def location(self):
        return str(self._root().resolve())

    @property
    def base_url(self):
        return None  # no URL: only a checked view hands the file out

    def url(self, name):
        raise ValueError("A private file has no URL; link to the view that checks who may read it.")


def private_file_response(
    file: FieldFile,
    *,
    filename: str | None = None,
    as_attachment: bool = True,
    content_type: str | None = None,
) -> FileResponse:
    """The file's bytes for a reader the caller has already checked; 404 if the file is gone from storage.

    Never stored by a shared cache, never sniffed into another type (an uploaded "PDF" that is really HTML
    must not run as a page of this site)."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None  # the file is gone from storage: not found, not a server error
    name = filename or Path(file.name).name
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        filename=name,
        content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
