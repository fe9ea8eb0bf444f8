"""Roster file cells read as values: dates in Chinese or ISO forms, headers, trimmed text, CSV encodings."""

from __future__ import annotations

import datetime as dt
import re

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]


def parse_date(value: object) -> dt.date | None:
    """A date from a spreadsheet cell: a date object, or text in a common Chinese or ISO form."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def normalise_header(value: object) -> str:
    """Header cells compared without case, spaces, marks such as * or ：, or notes in brackets ("性别（男/女）")."""
    text = str(value or "").strip().lower()
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    return re.sub(r"[\s（）()：:*＊]", "", text)


def cell_text(value: object) -> str:
    """A cell as trimmed text; whole floats from Excel lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_csv(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), else GB18030, which Excel in China writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")
