"""WeasyPrint in a child process. Imports no Django: the fork server preloads only this."""

from __future__ import annotations

import resource
from pathlib import Path
from urllib.parse import urlparse

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class StaticOnlyFetcher(URLFetcher):
    """Only the given static files and inline data: no network, no other local files."""

    def __init__(self, files: dict[str, str]):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.files = files

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = urlparse(url).path
        if path in self.files:
            return super().fetch(Path(self.files[path]).as_uri(), headers)
        raise ValueError(f"Refused to fetch {url!r} for a report.")


def write_pdf(html: str, connection, files: dict[str, str]) -> None:
    """Send ("ok", pdf bytes, peak memory in MB) or ("error", description) to the parent."""
    try:
        pdf = HTML(string=html, base_url="/", url_fetcher=StaticOnlyFetcher(files)).write_pdf()
        connection.send(("ok", pdf, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    except Exception as error:  # reported to the parent, which raises ReportError
        connection.send(("error", repr(error), 0.0))
    finally:
        connection.close()
