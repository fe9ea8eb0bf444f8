"""`make lighthouse`: Lighthouse (mobile preset) on every public page type of the seeded demo, served by
the production topology (nginx in front of uvicorn workers, production settings, DEBUG off).

Not part of `make test` or CI: the performance score depends on the machine's load at the moment of the
run (the other three categories do not). Prints one table, with the load average before and after each
page and the metrics behind the performance score, and writes every report to bench/run/lighthouse/.

Environment: LIGHTHOUSE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gongzhi_lighthouse,
dropped and re-created unless --reuse), LIGHTHOUSE_REDIS_URL (default redis://127.0.0.1:6379/12,
flushed), LIGHTHOUSE_PORT (8200), CHROME_PATH (default /usr/bin/chromium), LIGHTHOUSE_RUNS (1: with
more, the median run by performance score is kept per page), LIGHTHOUSE_ONLY (measure only the page
types whose name contains it). `--reuse` measures again on the database of the previous run.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "run" / "lighthouse"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# The metrics behind the performance score (mobile preset: simulated slow 4G and a 4x slower CPU).
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


def _environment() -> None:
    os.environ.pop("DATABASE_CONN_MAX_AGE", None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=os.environ.get("LIGHTHOUSE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_lighthouse"),
        REDIS_URL=os.environ.get("LIGHTHOUSE_REDIS_URL", "redis://127.0.0.1:6379/12"),
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        WORKERS=os.environ.get("LIGHTHOUSE_WORKERS", "2"),
        PORT=os.environ.get("LIGHTHOUSE_PORT", "8200"),
        RUN_DIR=str(ROOT / "bench" / "run" / "lighthouse-topology"),
    )
    os.environ.setdefault("CHROME_PATH", "/usr/bin/chromium")


def _build() -> None:
    """A fresh database with the demo, and the static files the workers serve."""
    from django.core.management import call_command

    from bench.run import Step, _reset_services

    with Step("reset the database, migrate, collectstatic"):
        _reset_services(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
    with Step("seed_demo"):
        call_command("seed_demo", verbosity=0)


def page_types() -> list[tuple[str, str]]:
    """(page type, path) for one live page of every public page type, and the public views beside them."""
    from wagtail.models import Page, PageViewRestriction

    restricted = PageViewRestriction.objects.values_list("page__path", flat=True)
    found: dict[str, str] = {}
    for page in Page.objects.live().public().exclude(depth=1).specific().order_by("depth", "path").iterator():
        name = type(page).__name__
        if name in found or any(page.path.startswith(path) for path in restricted):
            continue
        found[name] = page.url
    # The open consultation: the demo's longest page (150 posts, the opinion map).
    open_consultation = Page.objects.live().filter(slug="elevator-heping-3").first()
    if open_consultation is not None:
        found["ConsultationPage (open, 150 posts)"] = open_consultation.url
    views = {
        "Consultations": "/consultations/",
        "Surveys": "/surveys/",
        "Search results": "/search/?q=%E5%85%9A%E5%91%98",  # 党员
        "Sign in": "/accounts/login/",
        "Sign up": "/accounts/signup/",
        "Service status": "/status/",
    }
    return [*found.items(), *views.items()]


def lighthouse_options() -> list[str]:
    """As residents read the site: in Chinese (Chromium would otherwise ask for en-US)."""
    return ['--extra-headers={"Accept-Language": "zh-CN,zh;q=0.9"}']


def _loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def audit(url: str, name: str) -> dict:
    """One Lighthouse run (mobile preset); the scores, the metrics and what kept a category under 100."""
    report = OUT / f"{name.replace(' ', '_')}.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--max-wait-for-load=60000",
        *lighthouse_options(),
    ]
    before = _loadavg()
    subprocess.run(command, check=True, timeout=300)  # noqa: S603  (our own command, the URL is ours)
    data = json.loads(report.read_text())
    row = {
        "scores": {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES},
        "metrics": {short: data["audits"][key]["displayValue"] for key, short in METRICS.items()},
        "load": (before, _loadavg()),
        # Lighthouse's own measure of the machine's speed at the time (higher is faster); under load it drops.
        "benchmark_index": round(data["environment"]["benchmarkIndex"]),
        "failing": sorted(
            {
                ref["id"]
                for c in CATEGORIES
                for ref in data["categories"][c]["auditRefs"]
                if ref["weight"]
                and (data["audits"][ref["id"]]["score"] or 0) < 0.9
                and data["audits"][ref["id"]]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
            }
        ),
    }
    return row


def _best_of(url: str, name: str, runs: int) -> dict:
    results = [audit(url, name) for _ in range(runs)]
    median = statistics.median_low([r["scores"]["performance"] for r in results])
    return next(r for r in results if r["scores"]["performance"] == median)


def main(argv: list[str]) -> int:
    _environment()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.run import Step, _prodctl

    if "--reuse" not in argv:
        _build()
    OUT.mkdir(parents=True, exist_ok=True)
    only = os.environ.get("LIGHTHOUSE_ONLY", "")
    targets = [(name, path) for name, path in page_types() if only in name]
    topology = _prodctl().Topology()
    rows = {}
    with Step(f"start the production topology ({topology.workers} workers behind nginx)"):
        topology.start()
    try:
        for name, path in targets:
            # One visit first: Lighthouse measures a warm site (page cache, connections), as people meet it.
            urllib.request.urlopen(topology.url + path, timeout=60).read()  # noqa: S310  (our own server)
            with Step(f"Lighthouse: {name} ({path})"):
                rows[name] = {
                    "path": path,
                    **_best_of(topology.url + path, name, int(os.environ.get("LIGHTHOUSE_RUNS", "1"))),
                }
    finally:
        topology.stop()
    (OUT / "summary.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    print(f"\n{'Page type':<24}{'Perf':>5}{'A11y':>5}{'BP':>5}{'SEO':>5}  Metrics (load before → after)")
    for name, row in rows.items():
        s = row["scores"]
        metrics = " ".join(f"{k} {v}" for k, v in row["metrics"].items())
        print(
            f"{name:<24}{s['performance']:>5}{s['accessibility']:>5}{s['best-practices']:>5}{s['seo']:>5}  "
            f"{metrics} (load {row['load'][0]} → {row['load'][1]}, benchmarkIndex {row['benchmark_index']})"
        )
        if row["failing"]:
            print(f"{'':<24}under 0.9: {', '.join(row['failing'])}")
    below = [name for name, row in rows.items() if min(row["scores"].values()) < 95]
    print(f"\nCategories under 95 on: {', '.join(below) or 'none'}. Reports: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
