"""A SENDFILE_BACKEND for Wagtail's document view behind nginx: Django checks, nginx sends.

Wagtail's document view (`/documents/<id>/<name>`) checks the collection's privacy, then hands the file to
this backend. The response carries only headers and `X-Accel-Redirect: <prefix><path under MEDIA_ROOT>`;
nginx serves the file from a location marked `internal` (site/deploy/nginx.conf), which no client can
request itself. Documents are therefore never reachable under /media/ (issue 13).

Enabled by DOCUMENTS_X_ACCEL_PREFIX (production settings); without it Wagtail streams the file itself.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse


class AcceleratedResponse(HttpResponse):
    """An empty body for nginx to fill: Wagtail sets Content-Length to the file's size afterwards, which
    would promise the ASGI server bytes this response does not have, so that header is left to nginx."""

    def __setitem__(self, header, value):
        if header.lower() == "content-length":
            return
        super().__setitem__(header, value)


def sendfile(request, filename, **kwargs) -> HttpResponse:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = Path(filename).resolve()
    if not path.is_relative_to(root):
        raise SuspiciousFileOperation("The document is outside MEDIA_ROOT.")
    response = AcceleratedResponse(content_type=kwargs.get("mimetype") or "application/octet-stream")
    response["X-Accel-Redirect"] = settings.DOCUMENTS_X_ACCEL_PREFIX + quote(path.relative_to(root).as_posix())
    return response
