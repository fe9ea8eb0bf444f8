"""P2: the survey results page with 100,000 responses, and the CSV export of 250,000 responses.

The results page is timed over HTTP through the production servers with the cache cleared before
each request (the cached page is faster still). The export runs in a fresh process that streams the
CSV to nowhere and reports its own peak resident memory: Django, Wagtail and the export together.
Targets: results under 1 s, export under 256 MB.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import time

from django.core.cache import cache

from bench.common import percentile, request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def results_page(url: str, session: str, runs: int = 5) -> dict:
    cold, warm = [], []
    for _ in range(runs):
        cache.clear()
        reply = asyncio.run(request(url, headers={"Cookie": f"sessionid={session}"}))
        assert reply.status == 200, reply.status
        cold.append(reply.seconds)
        warm.append(asyncio.run(request(url, headers={"Cookie": f"sessionid={session}"})).seconds)
    median = percentile(cold, 0.5)
    return {
        "cold_median_s": round(median, 3),
        "cold_max_s": round(max(cold), 3),
        "cached_median_s": round(percentile(warm, 0.5), 3),
        "targets": {"results < 1 s": median < 1.0},
    }


def export_memory(survey_id: int) -> dict:
    """Run `_export` in a fresh interpreter with the same environment and read its report."""
    command = [sys.executable, "-c", f"import bench.results_export as m; m._export({survey_id})"]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout  # noqa: S603
    figures = json.loads(output.strip().splitlines()[-1])
    figures["targets"] = {"export peak < 256 MB": figures["peak_mb"] < 256}
    return figures


def _peak_mb() -> float:
    """This process's own peak resident memory. Not ru_maxrss: Linux carries that over an exec, so a
    child started from the (large) bench process would report the parent's size."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export(survey_id: int) -> None:
    import django

    django.setup()
    from surveys import exports
    from surveys.models import Response, SurveyPage

    page = SurveyPage.objects.get(pk=survey_id)
    responses = Response.objects.filter(survey=page)
    before = _peak_mb()
    started = time.perf_counter()
    size = sum(len(chunk) for chunk in exports.respond(page, responses, "responses", "csv").streaming_content)
    peak = _peak_mb()
    print(json.dumps({"responses": responses.count(), "mb_written": round(size / 1e6, 1),
                      "seconds": round(time.perf_counter() - started, 1), "peak_mb": round(peak, 1),
                      "before_export_mb": round(before, 1)}))  # fmt: skip
