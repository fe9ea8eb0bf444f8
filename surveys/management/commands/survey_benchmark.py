"""Build a survey with many responses and measure the results page and the streamed exports.

    manage.py survey_benchmark --responses 100000

Prints the time and query count of the results computation, and the time, size and peak memory
(resident set, as reported by the OS) of the CSV and XLSX exports of raw responses.
"""

import resource
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page

from surveys import exports
from surveys.factories import GENERAL_QUESTIONS, add_responses, q, survey_page
from surveys.models import Response, SurveyPage
from surveys.results import compute_results

BATCH = 5000
QUESTIONS = [
    *GENERAL_QUESTIONS,
    q("satisfaction", "满意度", dimensions=[{"label": d, "weight": 1} for d in ("服务态度", "办事效率", "环境卫生")]),
]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Seed a survey with many responses (bulk) and measure results and exports."

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=int, default=100_000)
        parser.add_argument("--survey", type=int, help="Measure an existing survey instead of building one.")
        parser.add_argument("--skip-xlsx", action="store_true")

    def handle(self, *args, **options):
        if options["survey"]:
            page = SurveyPage.objects.get(pk=options["survey"]).specific
        else:
            page = self._build(options["responses"])
        responses = Response.objects.filter(survey=page)
        self.stdout.write(f"survey {page.pk}: {responses.count()} responses; peak RSS so far {_peak_mb():.0f} MB")

        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            compute_results(page, responses)
        self.stdout.write(f"results: {time.perf_counter() - started:.2f} s, {len(queries)} queries")

        for fmt in ("csv", "xlsx"):
            if fmt == "xlsx" and options["skip_xlsx"]:
                continue
            before = _peak_mb()
            started = time.perf_counter()
            response = exports.respond(page, responses, "responses", fmt)
            size = sum(len(chunk) for chunk in response.streaming_content)
            self.stdout.write(
                f"{fmt} export: {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s; "
                f"peak RSS {_peak_mb():.0f} MB (before: {before:.0f} MB)"
            )

    def _build(self, count: int) -> SurveyPage:
        started = time.perf_counter()
        page = build_benchmark_survey(Page.objects.filter(depth=2).first().specific, count)
        self.stdout.write(f"built {count} responses in {time.perf_counter() - started:.1f} s")
        return page


def build_benchmark_survey(parent, count: int) -> SurveyPage:
    """An anonymous survey below `parent` with `count` responses, created in bulk batches."""
    page = survey_page(parent, questions=QUESTIONS, title=f"性能测试问卷（{count}份）", mode=SurveyPage.Mode.ANONYMOUS)
    add_benchmark_responses(page, count)
    return page


def add_benchmark_responses(page: SurveyPage, count: int, start: int = 0) -> None:
    """`count` more responses to a benchmark survey, numbered from `start` (their text differs)."""
    ids = [qid for qid, _b, _v, _s in page.question_list()]
    ages, acts = ["30岁以下", "30–59岁", "60岁及以上"], ["健康讲座", "文艺演出", "志愿服务", "亲子活动"]
    levels = ["satisfied", "basically_satisfied", "dissatisfied", "unknown"]
    for offset in range(start, start + count, BATCH):
        add_responses(
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
