"""Residents' requests at scale: the public board and a grid worker's lists with many requests.

    DATABASE_URL=postgres://… .venv/bin/python -m bench.appeals --requests 100000

adds a street with two communities and six grids (once), requests over a year spread across the grids
(in batches) until it holds `--requests`, then prints the first and the median time and the query count of each page
over five requests (the board's figures are cached for five minutes after the first), rendered in process by Django's test client (no server: the view and template cost).
Django is imported inside the functions so that this module loads before `main` sets Django up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

BATCH = 10_000
# Codes of its own: the ballots bench (P3) has a "bench-street" with "bench-community" and "bench-branch-…".
STREET = "benchreq-street"
PREFIX = "benchreq-c"


def _world():
    from django.contrib.auth import get_user_model

    from appeals.factories import default_categories, make_duty
    from organizations.models import Grid, Organization

    street = Organization.objects.filter(code=STREET).first()
    if street is None:
        street = Organization.add_root(code=STREET, name="性能测试街道", kind=Organization.Kind.STREET)
        for c in (1, 2):
            community = street.add_child(code=f"{PREFIX}{c}", name=f"性能测试社区{c}", kind=Organization.Kind.COMMUNITY)
            community.add_child(code=f"{PREFIX}{c}-b1", name=f"性能测试社区{c}第一支部", kind=Organization.Kind.BRANCH)
            for g in (1, 2, 3):
                Grid.objects.create(community=community, name=f"社区{c}网格{g}", code=f"{PREFIX}{c}-g{g}")
    User = get_user_model()
    worker, _ = User.objects.get_or_create(
        email="bench-grid-worker@example.com", defaults={"username": "bench-grid-worker@example.com"}
    )
    reporters = []
    for i in range(50):
        user, _ = User.objects.get_or_create(
            email=f"bench-resident-{i}@example.com", defaults={"username": f"bench-resident-{i}@example.com"}
        )
        reporters.append(user)
    grids = list(Grid.objects.filter(code__startswith=PREFIX).order_by("code"))
    for grid in grids:
        branch = Organization.objects.get(code=f"{grid.community.code}-b1")
        make_duty(grid, worker=worker if grid.code == f"{PREFIX}1-g1" else None, branch=branch)
    return grids, reporters, default_categories(), worker


def _measure(client, url: str) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return times[0] * 1000, statistics.median(times) * 1000, queries


PAGES = [
    (False, "/appeals/board/"),
    (False, f"/appeals/board/{PREFIX}1/"),
    (False, f"/appeals/board/grid/{PREFIX}1-g1/"),
    (True, "/appeals/handle/?tab=here"),
    (True, "/appeals/handle/?tab=overdue"),
    (True, "/appeals/handle/?tab=closed&page=50"),
]
TARGET_MS = 500


def grow(total: int) -> int:
    """Requests in the bench street until it holds `total` of them (bulk, in batches); returns the count."""
    from django.db import connection

    from appeals.factories import make_appeals
    from appeals.models import Appeal

    grids, reporters, categories, _worker = _world()
    present = Appeal.objects.filter(grid__in=grids).count()
    for offset in range(present, total, BATCH):
        make_appeals(grids, reporters, categories, min(BATCH, total - offset))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics after the bulk load, as autovacuum would give
            cursor.execute("ANALYZE")
    return Appeal.objects.filter(grid__in=grids).count()


def measure() -> dict[str, tuple[float, float, int]]:
    """First and median milliseconds and the queries of each page, the page cache emptied first."""
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.test import Client

    anonymous, handler = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    handler.force_login(get_user_model().objects.get(email="bench-grid-worker@example.com"))
    caches["pages"].clear()
    return {url: _measure(handler if signed_in else anonymous, url) for signed_in, url in PAGES}


def compare(small: dict | None, large: dict, requests: int) -> dict:
    """P8 for `make bench`: the same pages with few and with many requests (`small` is None when a reused
    database already held more than the few: then constancy was not measured, and the target says so)."""
    return {
        "requests": requests,
        "pages": {url: {"small": small[url] if small else None, "large": large[url]} for url in large},
        "targets": {
            "queries constant": small is not None and all(small[url][2] == large[url][2] for url in large),
            f"median < {TARGET_MS} ms": all(large[url][1] < TARGET_MS for url in large),
        },
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000, help="requests the bench street should hold")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    count = grow(args.requests)
    print(f"{count} requests in the bench street ({time.perf_counter() - started:.0f} s)")
    print(f"{'page':45} {'first':>8}  {'median':>8}  queries (of the last)")
    for url, (first, median, queries) in measure().items():
        print(f"{url:45} {first:6.0f} ms  {median:6.0f} ms  {queries:3d}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
