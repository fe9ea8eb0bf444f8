"""What kinds of job exist: each app registers its job functions under a name (`<app>.<what>`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import Storage

_KINDS: dict[str, Callable] = {}
# Per kind whose input is an uploaded file: the storage where the file waits for its job (whose `stored`
# parameter names it). Housekeeping deletes what waits there too long (jobs/housekeeping.py).
_UPLOADS: dict[str, Storage] = {}


class JobFailed(Exception):
    """The job cannot be done; `message` is shown to the user (translated, no technical detail)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class FileResult:
    """A file to download: bytes in `content`, or a temporary file at `path` (moved into storage, then deleted)."""

    filename: str
    content: bytes | None = None
    path: Path | None = None


@dataclass(frozen=True)
class LinkResult:
    """A page where the result can be seen."""

    url: str
    label: str = ""


def register(name: str, *, uploads: Storage | None = None):
    """Register `function(user, progress, **params)` as the job kind `name`. A kind that works on an uploaded
    file names the storage it waits in (`uploads`) and receives its name as the `stored` parameter."""

    def decorator(function: Callable) -> Callable:
        if _KINDS.get(name, function) is not function:
            raise ValueError(f"The job kind {name!r} is registered twice.")
        _KINDS[name] = function
        if uploads is not None:
            _UPLOADS[name] = uploads
        return function

    return decorator


def function_of(name: str) -> Callable:
    """The function registered as `name`; KeyError if there is none."""
    return _KINDS[name]


def kinds() -> list[str]:
    return sorted(_KINDS)


def upload_storages() -> dict[str, Storage]:
    """The kinds that work on uploaded files, with the storage where those files wait."""
    return dict(_UPLOADS)
