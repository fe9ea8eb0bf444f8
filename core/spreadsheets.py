"""Spreadsheet cells that no spreadsheet program runs as a formula, shared by every CSV and XLSX export.

Text from users (names, survey answers, roster cells) reaches exports. Excel, WPS and LibreOffice treat a
cell that starts with = + - @ (or a tab or carriage return before one) as a formula, which can run
commands or leak data (OWASP "CSV injection"). Programs also trim leading blanks and some read
full-width or small signs (＝＋－＠, ﹦﹢﹣﹫) as the ASCII ones, so the first character after any
leading whitespace is compared after NFKC normalisation. Such text is marked as text the way the programs
themselves do when a user types a leading apostrophe: in CSV the apostrophe is written; in XLSX the cell
is stored as a string with the "quote prefix" style, so the text reads and re-imports unchanged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\u2212")  # U+2212 MINUS SIGN is not folded by NFKC
# Whitespace (str.isspace: spaces of every width, tab, CR, LF…) and invisible characters before a sign.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def looks_like_formula(value: object) -> bool:
    if not isinstance(value, str):
        return False
    if value[:1] in ("\t", "\r", "\n"):
        return True
    rest = value.lstrip()
    while rest and (rest[0] in _INVISIBLE or rest[0].isspace()):
        rest = rest[1:]
    return bool(rest) and unicodedata.normalize("NFKC", rest[0]).startswith(FORMULA_TRIGGERS)


def safe_cell(value: object) -> object:
    """A CSV cell value: text that would start a formula gets a leading apostrophe; anything else is unchanged."""
    if looks_like_formula(value):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in values]


def safe_xlsx_cell(sheet, value: object) -> object:
    """An XLSX cell value for a write-only sheet: text is always a string cell, never a formula.

    openpyxl stores any text starting with "=" as a formula, so text becomes an explicit string cell;
    text a program would read as a formula when the cell is edited also gets the quote prefix.
    """
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    if looks_like_formula(value):
        cell.quotePrefix = True
    return cell


def safe_xlsx_row(sheet, values: Iterable[object]) -> list[object]:
    return [safe_xlsx_cell(sheet, value) for value in values]
