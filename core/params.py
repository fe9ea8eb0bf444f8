"""Whole numbers from request parameters (query strings and form fields).

A parameter is text from anyone: "abc", "1.5", "-3", a number longer than any column holds, or digits
that are not ASCII. `str.isdigit()` accepts "²" and "١", which `int()` refuses, and `int()` accepts
"+1", " 1" and "١"; so a parameter is a number here only when it is ASCII digits (blanks around them
ignored), and nothing a visitor sends becomes a server error. Each helper says what stands for "not a number".
"""

from __future__ import annotations

MAX_INT = 2**31 - 1  # the largest value of an integer column: bigger numbers from a form mean nothing
ID_DIGITS = 18  # any 18-digit number fits a bigint key; a longer one is no row's key and overflows the query


def whole_number(raw: object, *, max_digits: int = ID_DIGITS) -> int | None:
    """A non-negative whole number of at most `max_digits` ASCII digits; None for anything else."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > max_digits:
        return None
    return int(text)


def object_id(raw: object) -> int | None:
    """A primary key (of a grid, an invitation, a post…); None when the parameter cannot be one."""
    return whole_number(raw)


def bounded(raw: object, *, maximum: int = MAX_INT) -> int:
    """A count or step from a form, at most `maximum`; 0 for anything that is not a number."""
    number = whole_number(raw, max_digits=12)
    return 0 if number is None else min(number, maximum)


def year(raw: object) -> int | None:
    """A year of four digits from 1900; None for anything else."""
    number = whole_number(raw, max_digits=4)
    return number if number is not None and number >= 1900 else None
