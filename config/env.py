"""Strict parsing of environment variables.

Every helper raises ImproperlyConfigured naming the variable, so a typo in a
deployment fails at start-up instead of silently falling back to a default.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _raw(name)
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"The environment variable {name} is required but not set.")
    return default


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate values with single commas.")
    return items


def env_url(name: str, default: str | None, *, schemes: set[str]) -> str | None:
    value = _raw(name) or default
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} has scheme {parsed.scheme!r}; expected one of: {allowed}.")
    if parsed.scheme not in {"sqlite"} and not parsed.hostname and not parsed.path:
        raise ImproperlyConfigured(f"{name}={value!r} names no host.")
    return value


def database_config(name: str, default: str) -> dict:
    import dj_database_url

    url = env_url(name, default, schemes={"sqlite", "postgres", "postgresql", "pgsql"})
    pool = env_int("DATABASE_POOL_SIZE", 0, minimum=0)
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {error}") from None
    if pool and config["ENGINE"] == "django.db.backends.postgresql":
        # A worker runs requests on HTTP_CONCURRENCY threads (config/http.py), by default as many as
        # DATABASE_POOL_SIZE, and every WebSocket consumer's queries on one more (asgiref's single thread
        # for thread-sensitive work): the pool holds one connection beyond the requests' so that a full
        # house of requests never makes a consumer wait out the pool's timeout.
        if config["CONN_MAX_AGE"]:
            raise ImproperlyConfigured("DATABASE_POOL_SIZE and DATABASE_CONN_MAX_AGE cannot both be set.")
        config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": pool + 1, "timeout": 10}
    return config


def default_cache_redis_url(redis_url: str | None) -> str | None:
    """The main Redis URL with the next database number (0 → 1, …, 15 → 0): the page cache's default home."""
    if not redis_url:
        return None
    parsed = urlparse(redis_url)
    if parsed.scheme == "unix":
        from urllib.parse import parse_qs, urlencode

        query = parse_qs(parsed.query)
        number = int((query.get("db") or ["0"])[0] or 0)
        query["db"] = [str((number + 1) % 16)]
        return redis_url.split("?", 1)[0] + "?" + urlencode(query, doseq=True)
    path = parsed.path.strip("/")
    number = int(path) if path.isdigit() else 0
    return parsed._replace(path=f"/{(number + 1) % 16}").geturl()


EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def env_email_backend(name: str, default: str) -> str:
    """An email backend: one of the short names above, or a dotted path to a backend class."""
    value = _raw(name) or default
    if value.lower() in EMAIL_BACKENDS:
        return EMAIL_BACKENDS[value.lower()]
    if "." not in value:
        raise ImproperlyConfigured(f"{name}={value!r}: use one of {', '.join(EMAIL_BACKENDS)} or a dotted path.")
    return value
