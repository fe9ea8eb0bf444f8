"""Deadlines come from the category (configured, not coded) and count China's working days."""

import datetime

import pytest

from appeals.models import Category, TimeUnit, due_after

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TZ)


def test_working_days_skip_the_national_day_holiday_and_count_the_adjusted_saturday():
    # Wed 30 Sep 2026 + 3 working days: 1–7 Oct are holidays; Thu 8, Fri 9 and Sat 10 Oct (worked) count.
    due = due_after(at(2026, 9, 30, 10, 0), 3, TimeUnit.WORKDAYS)
    assert due.date() == datetime.date(2026, 10, 10) and (due.hour, due.minute) == (23, 59)


def test_one_working_day_from_a_friday_before_an_adjusted_saturday_is_that_saturday():
    assert due_after(at(2026, 10, 9, 9, 0), 1, TimeUnit.WORKDAYS).date() == datetime.date(2026, 10, 10)


def test_one_working_day_from_an_ordinary_friday_is_monday():
    assert due_after(at(2026, 11, 6, 9, 0), 1, TimeUnit.WORKDAYS).date() == datetime.date(2026, 11, 9)


def test_working_hours_stop_over_the_holiday():
    # 20:00 on 30 Sep: 4 hours that day, 1–7 Oct do not count, the other 20 hours end at 20:00 on 8 Oct.
    due = due_after(at(2026, 9, 30, 20, 0), 24, TimeUnit.WORK_HOURS)
    assert due == at(2026, 10, 8, 20, 0)


def test_working_hours_over_the_spring_festival():
    # Fri 13 Feb 2026 22:00 + 4 hours: 2 that night; 14 Feb (Sat) is an adjusted working day.
    assert due_after(at(2026, 2, 13, 22, 0), 4, TimeUnit.WORK_HOURS) == at(2026, 2, 14, 2, 0)


@pytest.mark.django_db
def test_a_category_computes_both_deadlines_from_its_settings():
    category = Category.objects.create(
        name="楼道漏水",
        accept_within=2,
        accept_unit=TimeUnit.WORK_HOURS,
        finish_within=5,
        finish_unit=TimeUnit.WORKDAYS,
    )
    start = at(2026, 9, 30, 9, 0)
    assert category.accept_due(start) == at(2026, 9, 30, 11, 0)
    # 8, 9, 10 (Sat, worked), 12, 13 Oct.
    assert category.finish_due(start).date() == datetime.date(2026, 10, 13)
