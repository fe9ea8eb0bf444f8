"""P7: the assessment dashboard of a street with 200 branches (issue 15: < 0.5 s), rendered in process.

Part of `make bench` (bench/run.py); also `python -m bench.accountability` on the configured database.
The figures stand as a computed scheme leaves them (one score per branch and indicator, with evidence).
"""

from __future__ import annotations

import random
import statistics
import time

from django.db import transaction

BRANCHES = 200
COMMUNITIES = 10
TARGET_S = 0.5


@transaction.atomic
def build(branches: int = BRANCHES):
    from django.contrib.auth import get_user_model

    from accountability.models import Assessment, Indicator, IndicatorScheme, IndicatorScore
    from bench.common import enrol_totp
    from organizations import roles
    from organizations.models import Organization

    rng = random.Random(15)
    street = Organization.add_root(code=f"ab{time.time_ns() % 10**9}", name="考核基准街道党工委", kind="street")
    communities = [
        street.add_child(code=f"{street.code}-c{n}", name=f"基准第{n + 1}社区党委", kind="community")
        for n in range(COMMUNITIES)
    ]
    orgs = [
        communities[n % COMMUNITIES].add_child(code=f"{street.code}-b{n}", name=f"基准第{n + 1}党支部", kind="branch")
        for n in range(branches)
    ]
    scheme = IndicatorScheme.objects.create(organization=street, year=2026, title="基准年度考核", status="scoring")
    sources = [s for s, _label in Indicator.Source.choices]
    indicators = [
        Indicator.objects.create(scheme=scheme, name=label[:20], source=source, weight=10, target=90, sort_order=n)
        for n, (source, label) in enumerate(Indicator.Source.choices)
    ]
    assessments = Assessment.objects.bulk_create([Assessment(scheme=scheme, organization=o) for o in orgs])
    scores = []
    for assessment in assessments:
        for indicator in indicators:
            value = round(rng.uniform(55, 100), 1)
            evidence = [{"label": f"记录{k}", "url": f"/records/{k}/"} for k in range(5)]
            scores.append(
                IndicatorScore(
                    assessment=assessment,
                    indicator=indicator,
                    value=value,
                    score=indicator.score_for(value),
                    evidence=evidence,
                )
            )
    IndicatorScore.objects.bulk_create(scores, batch_size=2000)
    for assessment in assessments:
        assessment.total = round(rng.uniform(60, 98), 1)
    Assessment.objects.bulk_update(assessments, ["total"], batch_size=1000)
    user = get_user_model().objects.create(
        username=f"{street.code}@bench.example", email=f"{street.code}@bench.example"
    )
    roles.grant(user, street, roles.Role.ADMIN)
    enrol_totp(user)
    assert len(sources) == len(indicators)
    return scheme, user


def measure(scheme, user, runs: int = 15) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("accountability:scheme", args=[scheme.pk])
    client.get(url)  # warm: templates, permissions
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    median = statistics.median(times)
    return {
        "branches": scheme.assessments.count(),
        "median_s": median,
        "p95_s": sorted(times)[int(0.95 * (len(times) - 1))],
        "queries": len(queries.captured_queries),
        "targets": {"< 0.5 s": median < TARGET_S},
    }


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()
    scheme, user = build()
    print(measure(scheme, user))
