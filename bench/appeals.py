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
# `make bench` measures two streets alike but for their size (LARGE, SMALL): a reused database holds both,
# so every run compares the same pages on few and on many requests.
LARGE, SMALL = "benchreq", "benchreqs"


def _world(street_code: str = LARGE):
    from django.contrib.auth import get_user_model

    from appeals.factories import default_categories, make_duty
    from organizations.models import Grid, Organization

    prefix = f"{street_code}-c"
    street = Organization.objects.filter(code=f"{street_code}-street").first()
    if street is None:
        name = "性能测试街道" if street_code == LARGE else f"性能测试街道（{street_code}）"
        street = Organization.add_root(code=f"{street_code}-street", name=name, kind=Organization.Kind.STREET)
        for c in (1, 2):
            community = street.add_child(code=f"{prefix}{c}", name=f"{name}社区{c}", kind=Organization.Kind.COMMUNITY)
            community.add_child(code=f"{prefix}{c}-b1", name=f"{name}社区{c}第一支部", kind=Organization.Kind.BRANCH)
            for g in (1, 2, 3):
                Grid.objects.create(community=community, name=f"社区{c}网格{g}", code=f"{prefix}{c}-g{g}")
    User = get_user_model()
    email = _worker_email(street_code)
    worker, _ = User.objects.get_or_create(email=email, defaults={"username": email})
    reporters = []
    for i in range(50):
        user, _ = User.objects.get_or_create(
            email=f"bench-resident-{i}@example.com", defaults={"username": f"bench-resident-{i}@example.com"}
        )
        reporters.append(user)
    grids = list(Grid.objects.filter(code__startswith=prefix).order_by("code"))
    for grid in grids:
        branch = Organization.objects.get(code=f"{grid.community.code}-b1")
        make_duty(grid, worker=worker if grid.code == f"{prefix}1-g1" else None, branch=branch)
    return grids, reporters, default_categories(), worker


def _worker_email(street_code: str) -> str:
    return "bench-grid-worker@example.com" if street_code == LARGE else f"bench-grid-worker-{street_code}@example.com"


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


def pages(street_code: str = LARGE) -> list[tuple[str, bool, str]]:
    """(name, signed in, URL) of the pages measured in a street: named alike in both streets."""
    prefix = f"{street_code}-c"
    return [
        ("board", False, "/appeals/board/"),
        ("community board", False, f"/appeals/board/{prefix}1/"),
        ("grid board", False, f"/appeals/board/grid/{prefix}1-g1/"),
        ("here", True, "/appeals/handle/?tab=here"),
        ("overdue", True, "/appeals/handle/?tab=overdue"),
        ("closed, page 50", True, "/appeals/handle/?tab=closed&page=50"),
    ]


TARGET_MS = 500


def grow(total: int, street_code: str = LARGE) -> int:
    """Requests in the bench street until it holds `total` of them (bulk, in batches); returns the count."""
    from django.db import connection

    from appeals.factories import make_appeals
    from appeals.models import Appeal

    grids, reporters, categories, _worker = _world(street_code)
    present = Appeal.objects.filter(grid__in=grids).count()
    for offset in range(present, total, BATCH):
        make_appeals(grids, reporters, categories, min(BATCH, total - offset))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics after the bulk load, as autovacuum would give
            cursor.execute("ANALYZE")
    return Appeal.objects.filter(grid__in=grids).count()


def measure(street_code: str = LARGE) -> dict[str, tuple[float, float, int]]:
    """First and median milliseconds and the queries of each page (by name), the page cache emptied first.

    The board's street-wide page shows every street: it is the same page in both streets' runs."""
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.test import Client

    anonymous, handler = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    handler.force_login(get_user_model().objects.get(email=_worker_email(street_code)))
    caches["pages"].clear()
    return {name: _measure(handler if signed_in else anonymous, url) for name, signed_in, url in pages(street_code)}


def compare(small: dict, large: dict, requests: int, small_requests: int) -> dict:
    """P8 for `make bench`: the same pages in the street with few requests and in the one with many."""
    return {
        "requests": requests,
        "small_requests": small_requests,
        "pages": {name: {"small": small[name], "large": large[name]} for name in large},
        "targets": {
            "queries constant": all(small[name][2] == large[name][2] for name in large),
            f"median < {TARGET_MS} ms": all(large[name][1] < TARGET_MS for name in large),
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
    for url, (first, median, queries) in measure().items():  # by page name
        print(f"{url:45} {first:6.0f} ms  {median:6.0f} ms  {queries:3d}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
