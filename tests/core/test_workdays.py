"""Working days follow the State Council's holiday plan, adjusted weekends included, and fall back to weekends."""

import datetime

import pytest

from core.workdays import add_work_hours, add_workdays, is_known_year, is_workday, workdays_between

D = datetime.date


def test_the_national_day_holiday_is_not_a_working_day_and_the_adjusted_saturday_is():
    assert not is_workday(D(2026, 10, 5))  # a Monday inside the 2026 National Day holiday
    assert is_workday(D(2026, 10, 10))  # a Saturday worked in exchange
    assert is_workday(D(2026, 9, 20))  # a Sunday worked in exchange
    assert not is_workday(D(2026, 9, 19))  # an ordinary Saturday


def test_working_days_after_a_day_skip_the_holiday_and_count_the_adjusted_weekend():
    # Wednesday 30 September 2026; 1–7 October are holidays; Thursday 8, Friday 9, Saturday 10 are worked.
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_workdays(D(2026, 9, 18), 1) == D(2026, 9, 20)  # Friday → the Sunday worked in exchange
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert workdays_between(D(2026, 10, 10), D(2026, 9, 30)) == 0


def test_zero_working_days_from_a_holiday_is_the_next_working_day():
    assert add_workdays(D(2026, 10, 2), 0) == D(2026, 10, 8)
    assert add_workdays(D(2026, 10, 9), 0) == D(2026, 10, 9)


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday():
    assert is_known_year(2026) and not is_known_year(2099)
    assert add_workdays(D(2099, 1, 2), 1) == D(2099, 1, 5)  # Friday → Monday
    assert not is_workday(D(2099, 1, 3))


def test_working_hours_run_round_the_clock_on_working_days_and_stop_over_holidays():
    start = datetime.datetime(2026, 9, 30, 20, 0)
    assert add_work_hours(start, 2) == datetime.datetime(2026, 9, 30, 22, 0)
    # 4 hours left on 30 September, then 1–7 October do not count: 20 more hours on 8 October.
    assert add_work_hours(start, 24) == datetime.datetime(2026, 10, 8, 20, 0)


def test_a_count_out_of_range_is_refused_rather_than_looping():
    with pytest.raises(ValueError):
        add_workdays(D(2026, 1, 5), -1)
    with pytest.raises(ValueError):
        add_workdays(D(2026, 1, 5), 10**6)
