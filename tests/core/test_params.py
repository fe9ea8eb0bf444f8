"""Numbers from request parameters: only ASCII digits are a number, and nothing a visitor sends is an error."""

import pytest

from core import params

NOT_NUMBERS = [None, "", " ", "abc", "1.5", "-3", "+3", "1e3", "²", "١٢", "１２", "0x10", ["1"]]


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_anything_but_ascii_digits_is_no_number(raw):
    assert params.whole_number(raw) is None
    assert params.object_id(raw) is None
    assert params.bounded(raw) == 0
    assert params.year(raw) is None


def test_ascii_digits_are_a_number_with_blanks_around_them_ignored():
    assert params.whole_number(" 42 ") == 42
    assert params.object_id("0") == 0
    assert params.object_id("9" * 18) == int("9" * 18)


def test_an_id_longer_than_a_bigint_holds_is_no_id():
    assert params.object_id("1" * 19) is None


def test_a_bounded_number_is_at_most_its_maximum_and_a_runaway_one_is_zero():
    assert params.bounded("7", maximum=3) == 3
    assert params.bounded("3", maximum=3) == 3
    assert params.bounded(str(2**35)) == params.MAX_INT
    assert params.bounded("1" * 13) == 0


@pytest.mark.parametrize(("raw", "expected"), [("2026", 2026), ("1900", 1900), ("1899", None), ("20260", None)])
def test_a_year_has_four_digits_from_1900(raw, expected):
    assert params.year(raw) == expected
