"""P1: pages under load next to a trivial view on the same servers, and SQL queries per page.

Targets: ratio (page ÷ trivial view requests/s) ≥ 3 for anonymous content pages (served by nginx), ≥ 0.3
for the first page of the 5,000-post thread, ≥ 0.1 for other signed-in pages; queries per page constant in
data size and ≤ 15.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import cpu
from bench.common import request, wrk
from core import cache as page_cache

MAX_QUERIES = 15


@dataclass
class Target:
    """One page to load, who asks (None: anonymous), the ratio it must reach."""

    name: str
    url: str
    user: object | None
    min_ratio: float
    # What the page holds when it is measured, counted then (a `--reuse` run may hold more than a fresh one).
    size: Callable[[], str] | None = None

    def label(self) -> str:
        return f"{self.name}, {self.size()}" if self.size else self.name


def targets(data) -> list[Target]:
    home, policy, thread, survey = "/", data.policy_url, data.thread_url, data.survey_results_url
    return [
        # Issue 19: anonymous pages from nginx's own cache (core/edge.py), ≥ 3× the trivial Django view.
        Target("home page (anonymous)", home, None, 3.0),
        Target("policy page (anonymous)", policy, None, 3.0),
        Target("thread, first page (anonymous)", thread, None, 0.3, data.thread_size),
        Target("thread, first page (signed in)", thread, data.resident, 0.3, data.thread_size),
        Target("home page (signed in)", home, data.resident, 0.1),
        Target("survey results (editor)", survey, data.editor, 0.1, data.survey_size),
    ]


def grow_thread(consultation, total: int) -> None:
    """Top-level opinions by residents until the thread has `total` of them (bulk, like the demo's)."""
    from django.contrib.auth import get_user_model

    from consultation.models import Post

    present = Post.objects.filter(consultation=consultation, parent=None).count()
    authors = list(get_user_model().objects.filter(email__startswith="resident-").order_by("pk")[:500])
    now = timezone.now()
    Post.objects.bulk_create(
        [
            Post(
                consultation=consultation,
                author=authors[i % len(authors)],
                created_at=now - dt.timedelta(minutes=i),
                body=f"第{i}条意见：建议加装电梯时兼顾一楼住户的采光和通行，费用按楼层分摊。",
            )  # fmt: skip
            for i in range(present, total)
        ],
        batch_size=1000,
    )


def queries(data) -> dict[str, int]:
    return {t.name: count_queries(t.url, t.user) for t in targets(data)}


def count_queries(url: str, user) -> int:
    """Queries of a request with the page cache empty, in a process that has served the page before.

    The first request of a process also fills per-process caches (content types, the site's root
    paths) that a running server has long filled.
    """
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    if user is not None:
        client.force_login(user)
    client.get(url)
    cache.clear()
    page_cache.purge()  # the anonymous pages' own cache (a separate store, which `cache.clear` leaves)
    _warm_process_caches(client, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def _warm_process_caches(client, user) -> None:
    """Put back what a running server keeps in the cache whatever the page: the site's root paths,
    the visitor's session and permissions. Cached pages and results stay cleared."""
    from wagtail.models import Site

    from accounts.backends import CachedPermissionsBackend

    Site.get_site_root_paths()
    if user is not None:
        client.session.save()
        CachedPermissionsBackend().get_all_permissions(type(user).objects.get(pk=user.pk))


def _measured(url: str, seconds: int, cookie: str = "") -> dict:
    """wrk's figures for one URL, with the CPU each tier spent per request (bench/cpu.py)."""
    with cpu.Split() as split:
        figures = wrk(url, seconds=seconds, cookie=cookie)
    return {**figures, "cpu_ms": split.per_request_ms(figures["requests"])}


def measure(base_url: str, data, sessions: dict[int, str], seconds: int) -> dict:
    trivial = _measured(f"{base_url}/bench/trivial/", seconds)
    rows = []
    for target in targets(data):
        cookie = f"sessionid={sessions[target.user.pk]}" if target.user else ""
        # wrk counts a redirect as a success: make sure the page itself is what gets measured.
        check = asyncio.run(request(base_url + target.url, headers={"Cookie": cookie} if cookie else {}))
        if check.status != 200:
            raise RuntimeError(f"{target.url} answered {check.status}, not the page")
        figures = _measured(base_url + target.url, seconds, cookie)
        ratio = figures["rps"] / trivial["rps"]
        small, large = data.queries_small[target.name], data.queries_large[target.name]
        rows.append(
            {
                "page": target.label(),
                **figures,
                "ratio": round(ratio, 3),
                "queries_small": small,
                "queries_large": large,
                "targets": {
                    f"ratio ≥ {target.min_ratio}": ratio >= target.min_ratio,
                    f"queries constant, ≤ {MAX_QUERIES}": small == large <= MAX_QUERIES,
                    "no errors": figures["errors"] == 0,
                },
            }
        )
    return {"trivial": trivial, "pages": rows}
