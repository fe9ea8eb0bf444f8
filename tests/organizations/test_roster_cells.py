"""Roster file cells read as values (framework-free helpers, tested on their own)."""

import datetime as dt

import pytest

from organizations.roster_cells import cell_text, decode_csv, normalise_header, parse_date

JULY_FIRST = dt.date(2021, 7, 1)


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2021, 7, 1),
        dt.datetime(2021, 7, 1, 0, 0),
        "2021-07-01",
        "2021-7-1",
        "2021/7/1",
        "2021/07/01",
        "2021.7.1",
        "2021年7月1日",
        "2021年07月01日",
        "2021年7月1",
        "  2021-07-01  ",
        "２０２１年７月１日",
    ],
)
def test_parse_date_reads_date_cells_and_common_chinese_and_iso_texts(value):
    assert parse_date(value) == JULY_FIRST


def test_parse_date_turns_a_datetime_cell_into_a_plain_date():
    parsed = parse_date(dt.datetime(2021, 7, 1, 15, 30))
    assert parsed == JULY_FIRST
    assert type(parsed) is dt.date


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "2021-02-30", "2021-13-01", "07/01/2021", "1/7/2021", "2021-07", "昨天", "2021-07-01x", 44378],
)
def test_parse_date_answers_none_for_what_is_not_a_date(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("编号", "编号"),
        (" 姓名 ", "姓名"),
        ("姓　名", "姓名"),  # full-width space
        ("*姓名", "姓名"),
        ("姓名＊", "姓名"),
        ("入党日期：", "入党日期"),
        ("Member Number", "membernumber"),
        ("MEMBER number", "membernumber"),
        ("Date joined:", "datejoined"),
        ("性别（男/女）", "性别"),
        ("入党日期(必填)", "入党日期"),
        ("Date joined (YYYY-MM-DD)", "datejoined"),
        ("member_no", "member_no"),
        (None, ""),
        (123, "123"),
    ],
)
def test_normalise_header_ignores_case_spaces_marks_and_notes_in_brackets(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  王建国 ", "王建国"),
        (12, "12"),
        (12.0, "12"),
        (13800138000.0, "13800138000"),
        (1.5, "1.5"),
        (dt.date(2021, 7, 1), "2021-07-01"),
    ],
)
def test_cell_text_trims_and_drops_the_point_zero_excel_gives_whole_numbers(value, expected):
    assert cell_text(value) == expected


def test_decode_csv_reads_utf8_with_and_without_bom():
    text = "编号,姓名\r\nM001,王建国\r\n"
    assert decode_csv(text.encode("utf-8")) == text
    assert decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_decode_csv_reads_gb18030_as_excel_in_china_saves_it():
    text = "编号,姓名,性别\r\nM001,王建国,男\r\nM002,䶮,女\r\n"  # 䶮 is outside GB2312 and GBK
    assert decode_csv(text.encode("gb18030")) == text


def test_decode_csv_raises_on_bytes_that_are_neither_utf8_nor_gb18030():
    with pytest.raises(UnicodeDecodeError):
        decode_csv(b"\xff\xfe\x00a")
