"""Exports of raw responses and aggregates, CSV (streamed) and XLSX (openpyxl write-only, from a temp file).

Memory stays bounded: answers are read with a database cursor in chunks and written row by row.
Anonymous and invitation surveys export only mixed responses (surveys/mixing.py), with no identifying
column, the date of their mixed batch only, in the random order of response keys; a filtered export
with fewer than three responses has no rows, and the organisation and grid of responses in cells too
small to show (see `surveys.satisfaction.small_cells`) are left blank.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from openpyxl import Workbook

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.satisfaction import CODES, label_of
from core.spreadsheets import safe_row, safe_xlsx_row
from surveys.models import Answer, SurveyPage
from surveys.results import compute_results
from surveys.satisfaction import MIN_RESPONSES, small_cells

CHUNK = 2000


def _columns(page: SurveyPage) -> tuple[list[str], dict[tuple[str, str], int], dict[str, tuple]]:
    """Header cells, where each (question, column key) goes, and how each question's answer rows are
    read and joined into cells (from its block: matrix rows and ranked items get a column each)."""
    headers, position, readers = [], {}, {}
    for number, (qid, block, value, _section) in enumerate(page.question_list(), start=1):
        label = f"{number}. {value.get('label', '')}"
        readers[qid] = (block.export_reader(value), block.export_join)
        for key in block.export_columns(value):
            position[(qid, key)] = len(headers)
            headers.append(f"{label} [{key}]" if key else label)
    return headers, position, readers


def response_rows(page: SurveyPage, responses, *, narrowed: bool = False) -> Iterator[list]:
    """The header row, then one row per response, reading answers in chunks."""
    identified = page.mode == SurveyPage.Mode.IDENTIFIED
    hidden_cells = set()
    if not identified:
        if narrowed and responses.count() < MIN_RESPONSES:
            responses = responses.none()  # a filtered group under three: no rows at all
        elif not narrowed:
            hidden_cells = small_cells(responses)
    headers, position, readers = _columns(page)
    fixed = [pgettext("survey export", "No."), pgettext("survey export", "Date")]
    fixed += [pgettext("survey export", "Organisation"), pgettext("survey export", "Grid")]
    if identified:
        fixed += [pgettext("survey export", "Email"), pgettext("survey export", "Name")]
    yield fixed + headers
    fields = ["response_id", "response__submitted_on", "response__organization__name", "response__grid__name"]
    if identified:
        fields += ["response__user__email", "response__user__display_name"]
    fields += ["response__organization_id", "response__grid_id"]
    fields += ["question", "row", "choice", "number", "text", "date"]
    order = ["response__submitted_on", "response_id"] if identified else ["response_id"]
    answers = (
        Answer.objects.filter(survey_id=page.pk, response__in=responses.values("pk"))
        .order_by(*order, "question", "row", "choice")
        .values_list(*fields)
    )
    current, cells, number = None, None, 0
    width = len(fixed)
    for values in answers.iterator(chunk_size=CHUNK):
        head, cell, (question, row, choice, num, text, date) = (
            values[:width],
            values[width : width + 2],
            values[width + 2 :],
        )
        if head[0] != current:
            if cells is not None:
                yield cells
            number += 1
            current = head[0]
            where = ["", ""] if tuple(cell) in hidden_cells else [head[2] or "", head[3] or ""]
            cells = [number, head[1].isoformat(), *where] + list(head[4:]) + [""] * len(headers)
        reader = readers.get(question)
        if reader is None:
            continue
        read, join = reader
        key, shown = read(row, choice, num, text, date)
        index = position.get((question, key))
        if index is None:
            continue
        slot = width + index
        cells[slot] = join(cells[slot], shown)
    if cells is not None:
        yield cells


def aggregate_rows(page: SurveyPage, responses) -> Iterator[list]:
    """Per question: each option's count and share; satisfaction: 满意率 and level shares per dimension."""
    results = compute_results(page, responses)
    yield [_("Question"), _("Row"), _("Answer"), _("Count"), _("Share")]
    yield [_("Responses"), "", "", results.total, ""]
    hidden = results.hidden

    def cell(value):
        return "" if hidden or value is None else value

    for q in results.questions:
        label = f"{q.number}. {q.label}"
        blank = hidden or q.hidden
        for option, count, share in q.rows:
            yield [label, "", option, "" if blank else count, "" if blank or share is None else round(share, 4)]
        for line in q.matrix:
            for column, (count, share) in zip(q.columns, line["cells"], strict=False):
                yield [
                    label,
                    line["row"],
                    column,
                    "" if blank else count,
                    "" if blank or share is None else round(share, 4),
                ]
        for key, value in q.stats.items():
            yield [label, "", key, "" if blank or value is None else str(value), ""]
    summary = results.satisfaction
    if summary is not None:
        yield []
        yield [
            _("Dimension"),
            _("Satisfaction rate"),
            *(label_of(code) for code in CODES),
            _("Blank"),
            _("Valid answers"),
        ]
        for d in [*summary.dimensions, None]:
            counts = d.counts if d else summary.overall
            yield [
                d.label if d else _("Overall"),
                cell(round(counts.rate, 4) if counts.rate is not None else None),
                *(cell(getattr(counts, code)) for code in CODES),
                cell(counts.blank),
                cell(counts.valid),
            ]
        if summary.weighted_score is not None:
            yield [_("Weighted score"), cell(round(summary.weighted_score, 2))]


class _Echo:
    def write(self, value):
        return value


def _filename(page: SurveyPage, what: str, ext: str) -> str:
    return f"survey-{page.pk}-{what}-{timezone.localdate().isoformat()}.{ext}"


def stream_csv(rows: Iterator[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def generate():
        yield "\ufeff"  # Excel opens UTF-8 CSV correctly only with a byte-order mark
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_xlsx(rows: Iterator[list], title: str, target) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append(safe_xlsx_row(sheet, row))
    workbook.save(target)


def xlsx_response(rows: Iterator[list], title: str, filename: str) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
    write_xlsx(rows, title, spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def write_file(rows: Iterator[list], fmt: str, title: str, target) -> None:
    """Write the rows to a file (a path), CSV or XLSX, one row at a time: memory stays flat."""
    if fmt == "csv":
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:  # Excel needs the byte-order mark
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow(safe_row(row))
    else:
        write_xlsx(rows, title, target)


def filename(page: SurveyPage, what: str, fmt: str) -> str:
    return _filename(page, what, fmt)


def respond(page: SurveyPage, responses, what: str, fmt: str, *, narrowed: bool = False):
    if what == "responses":
        rows = response_rows(page, responses, narrowed=narrowed)
    else:
        rows = aggregate_rows(page, responses)
    if fmt == "csv":
        return stream_csv(rows, _filename(page, what, "csv"))
    title = _("Responses") if what == "responses" else _("Aggregates")
    return xlsx_response(rows, title, _filename(page, what, "xlsx"))
