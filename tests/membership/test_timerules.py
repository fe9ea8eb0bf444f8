"""Calendar arithmetic of the time rules, against dates counted by hand on the 2026 holiday plan.

2026 plan (State Council): Spring Festival off 15–23 February, worked Saturday 14 and Saturday 28
February; Mid-autumn off Saturday 26 and Sunday 27 September; National Day off 1–7 October, worked
Saturday 10 October. 2027's plan is not published: weekends only.
"""

import datetime as dt

import pytest

from membership.timerules import add_months, add_years, age_on, fallback_years, notice_end

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 15), 1, D(2026, 2, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # February is shorter: its last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 1), 12, D(2027, 12, 1)),
    ],
)
def test_months_end_on_the_same_day_or_the_last_day_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_a_year_after_29_february_is_28_february():
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)


def test_an_applicant_is_18_on_the_eighteenth_birthday_not_the_day_before():
    born = D(2008, 3, 10)
    assert age_on(born, D(2026, 3, 9)) == 17
    assert age_on(born, D(2026, 3, 10)) == 18


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Mon 28 Sep: 28, 29, 30 Sep, then the holiday, then 8, 9 Oct.
        (D(2026, 9, 28), D(2026, 10, 9)),
        # Tue 29 Sep: 29, 30 Sep, 8, 9 Oct and Saturday 10 Oct, worked in exchange.
        (D(2026, 9, 29), D(2026, 10, 10)),
        # Put up on a holiday (3 Oct): counting starts on 8 Oct: 8, 9, 10 (Sat), 12, 13.
        (D(2026, 10, 3), D(2026, 10, 13)),
        # Put up on the Mid-autumn Saturday 26 Sep: 28, 29, 30 Sep, 8, 9 Oct.
        (D(2026, 9, 26), D(2026, 10, 9)),
        # Thu 12 Feb: 12, 13, Saturday 14 (worked), then Spring Festival to the 23rd, then 24, 25.
        (D(2026, 2, 12), D(2026, 2, 25)),
        # An ordinary week: Mon 9 Nov to Fri 13 Nov.
        (D(2026, 11, 9), D(2026, 11, 13)),
        # Fri 20 Nov: 20, 23, 24, 25, 26.
        (D(2026, 11, 20), D(2026, 11, 26)),
    ],
)
def test_public_notice_of_five_working_days_counts_holidays_and_worked_weekends(start, expected):
    assert notice_end(start, 5) == expected


def test_a_year_the_calendar_does_not_know_counts_weekdays_and_says_so():
    # Mon 4 Oct 2027 would be a holiday under any plan, but 2027 is unknown: Monday to Friday.
    assert notice_end(D(2027, 10, 4), 5) == D(2027, 10, 8)
    assert fallback_years(D(2026, 10, 9), D(2027, 10, 8), None) == [2027]
    assert fallback_years(D(2026, 10, 9)) == []


def test_a_notice_lasts_at_least_one_working_day():
    with pytest.raises(ValueError):
        notice_end(D(2026, 11, 9), 0)
