"""What kinds of job exist: each app registers its job functions under a name (`<app>.<what>`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_KINDS: dict[str, Callable] = {}


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


def register(name: str):
    """Register `function(user, progress, **params)` as the job kind `name`."""

    def decorator(function: Callable) -> Callable:
        if _KINDS.get(name, function) is not function:
            raise ValueError(f"The job kind {name!r} is registered twice.")
        _KINDS[name] = function
        return function

    return decorator


def function_of(name: str) -> Callable:
    """The function registered as `name`; KeyError if there is none."""
    return _KINDS[name]


def kinds() -> list[str]:
    return sorted(_KINDS)
