"""Residents' requests at scale: the public board and a grid worker's lists with many requests.

    DATABASE_URL=postgres://… .venv/bin/python -m bench.appeals --requests 100000

adds a street with two communities and six grids (once), `--requests` requests over a year spread
across the grids (in batches), then prints the first and the median time and the query count of each page
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
STREET = "bench-street"


def _world():
    from django.contrib.auth import get_user_model

    from appeals.factories import default_categories, make_duty
    from organizations.models import Grid, Organization

    street = Organization.objects.filter(code=STREET).first()
    if street is None:
        street = Organization.add_root(code=STREET, name="性能测试街道", kind=Organization.Kind.STREET)
        for c in (1, 2):
            community = street.add_child(code=f"bench-c{c}", name=f"性能测试社区{c}", kind=Organization.Kind.COMMUNITY)
            community.add_child(code=f"bench-c{c}-b1", name=f"性能测试社区{c}第一支部", kind=Organization.Kind.BRANCH)
            for g in (1, 2, 3):
                Grid.objects.create(community=community, name=f"社区{c}网格{g}", code=f"bench-c{c}-g{g}")
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
    grids = list(Grid.objects.filter(code__startswith="bench-c").order_by("code"))
    for grid in grids:
        branch = Organization.objects.get(code=f"{grid.community.code}-b1")
        make_duty(grid, worker=worker if grid.code == "bench-c1-g1" else None, branch=branch)
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000, help="requests to add (0: measure only)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from appeals.factories import make_appeals
    from appeals.models import Appeal

    settings.ALLOWED_HOSTS = ["*"]
    grids, reporters, categories, worker = _world()
    started = time.perf_counter()
    for offset in range(0, args.requests, BATCH):
        make_appeals(grids, reporters, categories, min(BATCH, args.requests - offset))
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics after the bulk load, as autovacuum would give
            cursor.execute("ANALYZE")
    print(f"added {args.requests} requests in {time.perf_counter() - started:.0f} s; {Appeal.objects.count()} in all")
    anonymous, handler = Client(), Client()
    handler.force_login(worker)
    pages = [
        (anonymous, "/appeals/board/"),
        (anonymous, "/appeals/board/bench-c1/"),
        (anonymous, "/appeals/board/grid/bench-c1-g1/"),
        (handler, "/appeals/handle/?tab=here"),
        (handler, "/appeals/handle/?tab=overdue"),
        (handler, "/appeals/handle/?tab=closed&page=50"),
    ]
    from django.core.cache import caches

    caches["pages"].clear()
    print(f"{'page':45} {'first':>8}  {'median':>8}  queries (of the last)")
    for client, url in pages:
        first, median, queries = _measure(client, url)
        print(f"{url:45} {first:6.0f} ms  {median:6.0f} ms  {queries:3d}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
