"""Calendar arithmetic of the membership time rules: months, years and the public notice.

Framework-free so that each rule can be tested against hand-computed dates. Months follow the
usual reading of Party documents: "one month after 31 January" is the last day of February, "one
year after 29 February" is 28 February. Working days come from core.workdays (statutory holidays and
the weekends worked in exchange).
"""

from __future__ import annotations

import calendar
import datetime

from core.workdays import add_workdays, is_known_year


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when that month is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years of age on `day` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def notice_end(start: datetime.date, workdays: int) -> datetime.date:
    """The last day of a public notice of `workdays` working days that begins on `start`.

    The day the notice is put up counts when it is a working day (the notice runs for all of it);
    a notice put up on a holiday starts counting on the next working day. Five working days from
    Monday 2026-09-28 are the 28th, 29th and 30th, then (after the National Day holiday) 8 and 9
    October: the notice ends on Friday 9 October. From Tuesday the 29th it ends on Saturday 10
    October, a weekend worked in exchange for the holiday.
    """
    if workdays < 1:
        raise ValueError("a public notice lasts at least one working day")
    first = add_workdays(start, 0)
    return add_workdays(first, workdays - 1)


def fallback_years(*days: datetime.date | None) -> list[int]:
    """Years among `days` whose holiday plan is unknown (counted on weekends only): pages say so."""
    return sorted({day.year for day in days if day is not None and not is_known_year(day.year)})
