"""Working days in mainland China: statutory holidays and the weekends worked in exchange (调休).

Time rules of the platform count in working days: the 公示 of a recruitment step lasts at least five
working days, a resident's request must be answered within N working days. China moves working days
every year (the State Council publishes the next year's plan each November), so the calendar comes
from `chinesecalendar`, a package that tracks those notices and is updated when they appear. For a
year it does not know yet, a day is a working day when it is Monday to Friday; `is_known_year` lets a
page say that a date was computed on that fallback.
"""

from __future__ import annotations

import datetime
from functools import cache

import chinese_calendar

# A working-day count is at most this many: a deadline of a year of working days is already absurd,
# and the bound keeps a typing error in a setting from looping for ever.
MAX_WORKDAYS = 400


@cache
def is_known_year(year: int) -> bool:
    """Whether the holiday plan of `year` is in the calendar package (otherwise weekends only)."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: datetime.date) -> bool:
    """A working day: by the State Council's plan where known, else Monday to Friday."""
    if is_known_year(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_workdays(start: datetime.date, count: int) -> datetime.date:
    """The date `count` working days after `start` (the day itself not counted).

    Five working days of public notice starting on a Friday before the National Day holiday end on
    the Friday after it, not on the Thursday. `count` 0 gives `start` itself, or the next working
    day when `start` is not one, so "within 0 working days" on a holiday means the next working day.
    """
    if not 0 <= count <= MAX_WORKDAYS:
        raise ValueError(f"working days out of range: {count}")
    day = start
    if count == 0:
        while not is_workday(day):
            day += datetime.timedelta(days=1)
        return day
    while count:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    days = (end - start).days
    return sum(is_workday(start + datetime.timedelta(days=i)) for i in range(1, days + 1))


def add_work_hours(start: datetime.datetime, hours: int) -> datetime.datetime:
    """A deadline `hours` clock hours ahead, skipping whole non-working days.

    Hour limits (a leaking pipe: 24 hours) run around the clock on working days; time that falls on
    a holiday or a rest weekend does not count, as in the 接诉即办 practice of counting working time.
    """
    if not 0 <= hours <= MAX_WORKDAYS * 24:
        raise ValueError(f"working hours out of range: {hours}")
    moment, left = start, datetime.timedelta(hours=hours)
    while True:
        if not is_workday(moment.date()):
            moment = datetime.datetime.combine(
                moment.date() + datetime.timedelta(days=1), datetime.time(), moment.tzinfo
            )
            continue
        midnight = datetime.datetime.combine(moment.date() + datetime.timedelta(days=1), datetime.time(), moment.tzinfo)
        if moment + left <= midnight:
            return moment + left
        left -= midnight - moment
        moment = midnight
