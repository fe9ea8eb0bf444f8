"""What the benchmarks share: the load generator, percentiles, sessions and a small async HTTP client."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

WRK = "wrk"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def wrk(url: str, *, seconds: int = 8, connections: int = 16, cookie: str = "") -> dict:
    """Requests per second and latency percentiles of one URL under wrk, on loopback."""
    command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Language: zh-CN"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    if not re.search(r"^\s+99%", output, re.MULTILINE):
        raise RuntimeError(f"wrk measured nothing on {url}:\n{output}")
    latencies = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _milliseconds(latencies["50"]),
        "p99_ms": _milliseconds(latencies["99"]),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
    }


def session_cookies(users) -> dict[int, str]:
    """Signed-in sessions for many users at once, stored as a login would store them (user id → cookie)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django.utils.module_loading import import_string

    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # The backend a password login records (rules' object-permission backend cannot load users).
    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(b), "get_user"))
    keys, rows = {}, []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys[user.pk] = key
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def enrol_totp(user) -> None:
    """Production asks staff for TOTP before any page (accounts/middleware.py): the bench's staff have enrolled."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import is_mfa_enabled

    if not is_mfa_enabled(user):
        TOTP.activate(user, generate_totp_secret())


# A CSRF secret the bench sends as both the cookie and the form field (Django accepts the unmasked secret).
CSRF = "benchcsrfsecret0123456789abcdefg"


@dataclass
class Reply:
    status: int
    seconds: float
    body: bytes


async def request(url: str, *, method: str = "GET", body: bytes = b"", headers: dict | None = None) -> Reply:
    """One HTTP/1.1 request on its own connection (what a phone's first request looks like)."""
    parts = urlsplit(url)
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    lines = [f"{method} {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    writer.write("\r\n".join(lines).encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status = int(raw.split(b" ", 2)[1]) if raw else 0
    return Reply(status, time.perf_counter() - started, raw.partition(b"\r\n\r\n")[2])


def form_post_headers(session: str) -> dict:
    return {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept-Language": "zh-CN",
    }
