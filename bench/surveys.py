"""The benchmark survey (P2's data), and a quick measure of its results and exports on their own.

`build(parent, count)` adds an anonymous survey with `count` responses below `parent`, created in
bulk batches; `add_responses` grows it (`make bench` takes it to 100,000 and then 250,000).

    .venv/bin/python -m bench.surveys --responses 100000 [--survey ID] [--skip-xlsx]

builds one in the database of the dev settings (or measures survey ID) and prints the time and
query count of the results computation, and the time, size and peak memory (resident set, as
reported by the OS) of the CSV and XLSX exports of raw responses. Django is imported inside the
functions so that this module loads before `main` sets Django up.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

BATCH = 5000


def _questions() -> list:
    from surveys.factories import GENERAL_QUESTIONS, q

    dimensions = [{"label": d, "weight": 1} for d in ("服务态度", "办事效率", "环境卫生")]
    return [*GENERAL_QUESTIONS, q("satisfaction", "满意度", dimensions=dimensions)]


def build(parent, count: int):
    """An anonymous survey below `parent` with `count` responses."""
    from surveys.factories import survey_page
    from surveys.models import SurveyPage

    page = survey_page(
        parent, questions=_questions(), title=f"性能测试问卷（{count}份）", mode=SurveyPage.Mode.ANONYMOUS
    )
    add_responses(page, count)
    return page


def add_responses(page, count: int, start: int = 0) -> None:
    """`count` more responses to a benchmark survey, numbered from `start` (their text differs)."""
    from surveys import factories

    ids = [qid for qid, _b, _v, _s in page.question_list()]
    ages, acts = ["30岁以下", "30–59岁", "60岁及以上"], ["健康讲座", "文艺演出", "志愿服务", "亲子活动"]
    levels = ["satisfied", "basically_satisfied", "dissatisfied", "unknown"]
    for offset in range(start, start + count, BATCH):
        factories.add_responses(
            page,
            [
                {
                    ids[0]: ages[i % 3],
                    ids[1]: [acts[i % 4], acts[(i + 1) % 4]],
                    ids[2]: str(1 + i % 5),
                    ids[3]: f"text:第{i}条建议：希望社区多组织活动。",
                    ids[4]: {"服务态度": levels[i % 4], "办事效率": levels[(i + 1) % 4], "环境卫生": levels[i % 3]},
                }
                for i in range(offset, min(start + count, offset + BATCH))
            ],
        )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(page, skip_xlsx: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys import exports
    from surveys.models import Response
    from surveys.results import compute_results

    responses = Response.objects.filter(survey=page)
    print(f"survey {page.pk}: {responses.count()} responses; peak RSS so far {_peak_mb():.0f} MB")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        compute_results(page, responses)
    print(f"results: {time.perf_counter() - started:.2f} s, {len(queries)} queries")
    for fmt in ("csv", "xlsx"):
        if fmt == "xlsx" and skip_xlsx:
            continue
        before = _peak_mb()
        started = time.perf_counter()
        response = exports.respond(page, responses, "responses", fmt)
        size = sum(len(chunk) for chunk in response.streaming_content)
        print(
            f"{fmt} export: {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s; "
            f"peak RSS {_peak_mb():.0f} MB (before: {before:.0f} MB)"
        )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.surveys", description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--survey", type=int, help="Measure an existing survey instead of building one.")
    parser.add_argument("--skip-xlsx", action="store_true")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from wagtail.models import Page

    from surveys.models import SurveyPage

    if options.survey:
        page = SurveyPage.objects.get(pk=options.survey).specific
    else:
        started = time.perf_counter()
        page = build(Page.objects.filter(depth=2).first().specific, options.responses)
        print(f"built {options.responses} responses in {time.perf_counter() - started:.1f} s")
    measure(page, options.skip_xlsx)


if __name__ == "__main__":
    main(sys.argv[1:])
