"""The shared spreadsheet-cell helper: text that a spreadsheet would run as a formula is kept as text."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheets import safe_cell, safe_row, safe_xlsx_row

FORMULAS = [
    "=1+1",
    "+SUM(A1:A2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example/","点击")',
    "=cmd|' /C calc'!A0",
    # Look-alikes and leading blanks (issue 13): full-width, small and minus signs; spaces of any width.
    "＝1+1",
    "＋SUM(A1:A2)",
    "－2+3",
    "＠SUM(1+1)",
    "﹦1+1",
    "−2+3",
    " =1",
    "\u3000＝cmd|' /C calc'!A0",
    "\u00a0=1",
    "\u200b=1",
    "\n=1",
]
HARMLESS = ["王建国", "13800138000", "a=b", "'=1", "", "   ", "共治 - 议事", "１２３", "（一）"]


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cell_starting_a_formula_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [*HARMLESS, 42, -3, 2.5, None, dt.date(2026, 7, 1)])
def test_csv_cell_that_starts_no_formula_is_unchanged(value):
    assert safe_cell(value) == value


def test_negative_numbers_stay_numbers():
    # Only text is neutralised: a number cell is never a formula.
    assert safe_row([-1, -2.5, "-1"]) == [-1, -2.5, "'-1"]


def test_csv_written_with_safe_rows_reads_back_with_every_formula_quoted():
    buffer = io.StringIO()
    csv.writer(buffer).writerows([safe_row(FORMULAS), safe_row(HARMLESS)])
    formulas, harmless = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert all(cell.startswith("'") for cell in formulas)
    assert harmless == HARMLESS


def test_xlsx_text_is_a_string_cell_and_formula_like_text_has_the_quote_prefix():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    sheet.append(safe_xlsx_row(sheet, [*FORMULAS, "王建国", 7, dt.date(2026, 7, 1)]))
    stream = io.BytesIO()
    workbook.save(stream)
    cells = list(load_workbook(io.BytesIO(stream.getvalue())).active.iter_rows())[0]
    for cell, text in zip(cells, FORMULAS, strict=False):
        # The text reads back unchanged (XML turns a carriage return into a line feed), as a string,
        # marked the way Excel marks a typed apostrophe.
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text.replace("\r", "\n"), "s", True)
    name, number, date = cells[len(FORMULAS) :]
    assert (name.value, name.data_type, name.quotePrefix) == ("王建国", "s", False)
    assert (number.value, number.data_type) == (7, "n")
    assert date.value == dt.datetime(2026, 7, 1)
