"""Roster import (services and `manage.py import_members`) and XLSX export.

Files are built in each test, as an editor would save them from Excel or WPS.
Messages are checked in English (`--language en`) unless the test is about the language.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from openpyxl import Workbook, load_workbook

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from accounts.factories import UserFactory
from organizations.factories import GridFactory, OrganizationFactory, RosterEntryFactory
from organizations.models import Organization, RosterEntry
from organizations.roster_import import ImportResult, RosterImportError, export_roster_xlsx, import_roster, parse_roster
from tests.concurrency import run_concurrently

HEADER_ZH = ["编号", "姓名", "性别", "党员类型", "入党日期", "网格", "状态", "邮箱", "手机"]
HEADER_EN = ["Member number", "Name", "Gender", "Member type", "Date joined", "Grid", "Status", "Email", "Phone"]
ROWS = [
    ["M001", "王建国", "男", "正式党员", "2001-07-01", "第一网格", "正常", "wang@example.cn", "13800138000"],
    ["M002", "李秀英", "女", "预备党员", "2021/7/1", "", "流动", "", ""],
    ["M003", "张伟", "男", "正式党员", "1999年10月1日", "第一网格", "停止党籍", "", "010-62345678"],
]
FIELDS = ["member_no", "name", "gender", "member_type", "joined_on", "grid__name", "status", "email", "phone", "user"]


@pytest.fixture(autouse=True)
def _english():
    """Service calls answer in the active language; these tests read English unless they say otherwise."""
    with translation.override("en"):
        yield


def write_csv(path: Path, rows: list[list[object]], header=HEADER_ZH, encoding="utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def write_xlsx(path: Path, rows: list[list[object]], header=HEADER_ZH) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    workbook.save(path)
    return path


def run_import(path: Path, branch: str = "branch-a", language: str | None = "en") -> tuple[str, str]:
    """Run the command; returns (stdout, stderr). Raises CommandError with stderr attached as `.stderr`."""
    out, err = io.StringIO(), io.StringIO()
    args = [str(path), "--branch", branch] + (["--language", language] if language else [])
    try:
        call_command("import_members", *args, stdout=out, stderr=err)
    except CommandError as error:
        error.stderr = err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


def failed_import(path: Path, **kwargs) -> tuple[str, str]:
    """Run an import that must fail; returns (the CommandError message, stderr)."""
    with pytest.raises(CommandError) as caught:
        run_import(path, **kwargs)
    return str(caught.value), caught.value.stderr


def problem_lines(stderr: str) -> dict[int, str]:
    """Line number -> the problems reported for it, joined."""
    lines: dict[int, str] = {}
    for line, message in re.findall(r"^Line (\d+): (.*)$", stderr, flags=re.MULTILINE):
        lines[int(line)] = lines.get(int(line), "") + message
    return lines


def roster(branch: Organization) -> list[tuple]:
    return list(RosterEntry.objects.filter(branch=branch).order_by("member_no").values_list("pk", *FIELDS))


def import_bytes(data: bytes, filename: str, branch: Organization):
    return import_roster(data, filename, branch)


def errors_of(data: bytes, filename: str, branch: Organization) -> list[tuple[int, str]]:
    with pytest.raises(RosterImportError) as caught:
        parse_roster(data, filename, branch)
    return [(error.line, error.message) for error in caught.value.errors]


# --- A good file ---------------------------------------------------------------------------


def test_good_chinese_csv_imports_every_row_with_its_values(tmp_path, branch_a, tree):
    out, err = run_import(write_csv(tmp_path / "roster.csv", ROWS))
    assert "3 added, 0 updated, 0 unchanged" in out and err == ""
    wang, li, zhang = RosterEntry.objects.filter(branch=branch_a).order_by("member_no")
    assert (wang.name, wang.gender, wang.member_type, wang.status) == ("王建国", "M", "full", "normal")
    assert wang.joined_on == dt.date(2001, 7, 1) and wang.grid == tree["grid"]
    assert (wang.email, wang.phone) == ("wang@example.cn", "13800138000")
    assert (li.gender, li.member_type, li.status, li.grid) == ("F", "probationary", "mobile", None)
    assert li.joined_on == dt.date(2021, 7, 1)
    assert (zhang.status, zhang.joined_on, zhang.phone) == ("suspended", dt.date(1999, 10, 1), "010-62345678")


def test_same_good_file_imported_twice_gives_the_same_roster(tmp_path, branch_a):
    path = write_xlsx(tmp_path / "roster.xlsx", ROWS)
    out, _err = run_import(path)
    assert "3 added" in out
    first = roster(branch_a)
    out, _err = run_import(path)
    assert "0 added, 0 updated, 3 unchanged" in out
    assert roster(branch_a) == first


def test_same_file_through_the_service_reports_zero_created_zero_updated_all_unchanged(branch_a):
    data = "\n".join(",".join(row) for row in [HEADER_ZH, *ROWS]).encode()
    first = import_bytes(data, "roster.csv", branch_a)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    second = import_bytes(data, "roster.csv", branch_a)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)


def test_changed_row_updates_the_entry_keyed_on_branch_and_member_number(tmp_path, branch_a, branch_b):
    other_branch_entry = RosterEntryFactory(branch=branch_b, member_no="M002", name="别的支部的李秀英")
    run_import(write_csv(tmp_path / "first.csv", ROWS))
    li = RosterEntry.objects.get(branch=branch_a, member_no="M002")
    changed = [row[:] for row in ROWS]
    changed[1][1], changed[1][3], changed[1][6] = "李秀英（改）", "正式党员", "正常"
    out, _err = run_import(write_csv(tmp_path / "second.csv", changed))
    assert "0 added, 1 updated, 2 unchanged" in out
    assert RosterEntry.objects.filter(branch=branch_a).count() == 3
    li.refresh_from_db()
    assert (li.name, li.member_type, li.status) == ("李秀英（改）", "full", "normal")
    other_branch_entry.refresh_from_db()
    assert other_branch_entry.name == "别的支部的李秀英"


def test_entries_not_in_the_file_are_kept(tmp_path, branch_a):
    kept = RosterEntryFactory(branch=branch_a, member_no="M900")
    run_import(write_csv(tmp_path / "roster.csv", ROWS))
    assert RosterEntry.objects.filter(pk=kept.pk).exists()


def test_optional_columns_missing_from_the_file_leave_existing_values_alone(tmp_path, branch_a, tree):
    run_import(write_csv(tmp_path / "full.csv", ROWS))
    before = roster(branch_a)
    required_only = [row[:5] for row in ROWS]
    out, _err = run_import(write_csv(tmp_path / "short.csv", required_only, header=HEADER_ZH[:5]))
    assert "0 updated, 3 unchanged" in out
    assert roster(branch_a) == before


def test_a_new_entry_from_a_file_without_a_status_column_is_normal(tmp_path, branch_a):
    run_import(write_csv(tmp_path / "short.csv", [ROWS[1][:5]], header=HEADER_ZH[:5]))
    assert RosterEntry.objects.get(branch=branch_a, member_no="M002").status == RosterEntry.Status.NORMAL


def test_blank_rows_are_skipped(tmp_path, branch_a):
    rows = [ROWS[0], [""] * 9, [], ROWS[1]]
    out, _err = run_import(write_csv(tmp_path / "roster.csv", rows))
    assert "2 added" in out


# --- Headers, labels and dates -------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        HEADER_ZH,
        HEADER_EN,
        ["member_no", "name", "gender", "member_type", "joined_on", "grid", "status", "email", "phone"],
        ["编号*", " 姓名 ", "性别（男/女）", "党员类型", "入党日期(必填)", "网格", "状态", "邮箱", "手机"],
        ["MEMBER NUMBER", "name", "GENDER", "member type", "Date Joined", "grid", "STATUS", "email", "phone"],
    ],
    ids=["chinese", "english", "field-names", "annotated-chinese", "english-any-case"],
)
def test_chinese_and_english_headers_both_work(tmp_path, branch_a, header):
    run_import(write_csv(tmp_path / "roster.csv", ROWS, header=header))
    assert RosterEntry.objects.filter(branch=branch_a).count() == 3
    assert RosterEntry.objects.get(branch=branch_a, member_no="M001").grid.name == "第一网格"


def test_columns_may_come_in_any_order_and_unknown_columns_are_ignored(tmp_path, branch_a):
    header = ["备注", "姓名", "入党日期", "编号", "党员类型", "性别"]
    rows = [["老党员", "王建国", "2001-07-01", "M001", "正式党员", "男"]]
    run_import(write_csv(tmp_path / "roster.csv", rows, header=header))
    entry = RosterEntry.objects.get(branch=branch_a, member_no="M001")
    assert (entry.name, entry.gender, entry.joined_on) == ("王建国", "M", dt.date(2001, 7, 1))


@pytest.mark.parametrize(
    ("gender", "member_type", "status", "expected"),
    [
        ("男", "正式党员", "正常", ("M", "full", "normal")),
        ("女", "预备党员", "流动", ("F", "probationary", "mobile")),
        ("男", "正式", "停止党籍", ("M", "full", "suspended")),
        ("女", "预备", "出党", ("F", "probationary", "left")),
        ("女", "正式党员", "流动党员", ("F", "full", "mobile")),
        ("Male", "Full member", "Normal", ("M", "full", "normal")),
        ("female", "probationary member", "MOBILE", ("F", "probationary", "mobile")),
        ("Female", "Full member", "Membership suspended", ("F", "full", "suspended")),
        ("M", "full", "Left the Party", ("M", "full", "left")),
        ("F", "probationary", "", ("F", "probationary", "normal")),
    ],
)
def test_chinese_and_english_labels_work(tmp_path, branch_a, gender, member_type, status, expected):
    row = ["M001", "王建国", gender, member_type, "2001-07-01", "", status, "", ""]
    run_import(write_csv(tmp_path / "roster.csv", [row]))
    entry = RosterEntry.objects.get(branch=branch_a, member_no="M001")
    assert (entry.gender, entry.member_type, entry.status) == expected


def test_dates_as_excel_date_cells_and_as_text_are_read(tmp_path, branch_a):
    dates = [dt.date(2021, 7, 1), dt.datetime(2021, 7, 1), "2021-07-01", "2021/7/1", "2021年7月1日", "2021.7.1"]
    rows = [[f"M{i}", f"党员{i}", "女", "正式党员", date] for i, date in enumerate(dates)]
    run_import(write_xlsx(tmp_path / "roster.xlsx", rows, header=HEADER_ZH[:5]))
    joined = set(RosterEntry.objects.filter(branch=branch_a).values_list("joined_on", flat=True))
    assert joined == {dt.date(2021, 7, 1)}


def test_xlsx_number_cells_for_member_numbers_and_phones_lose_the_point_zero(tmp_path, branch_a):
    row = [1024.0, "王建国", "男", "正式党员", dt.date(2001, 7, 1), None, None, None, 13800138000]
    run_import(write_xlsx(tmp_path / "roster.xlsx", [row]))
    entry = RosterEntry.objects.get(branch=branch_a)
    assert (entry.member_no, entry.phone) == ("1024", "13800138000")


def test_gb18030_csv_as_saved_by_excel_in_china_imports(tmp_path, branch_a):
    rows = [*ROWS, ["M004", "王䶮", "女", "正式党员", "2010-07-01", "", "正常", "", ""]]
    path = write_csv(tmp_path / "roster.csv", rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    run_import(path)
    assert RosterEntry.objects.get(branch=branch_a, member_no="M004").name == "王䶮"
    assert RosterEntry.objects.get(branch=branch_a, member_no="M001").grid.name == "第一网格"


# --- Bad files import nothing ----------------------------------------------------------------


def test_file_with_one_bad_row_imports_nothing_and_names_the_row(tmp_path, branch_a, member_a):
    before = roster(branch_a)
    rows = [row[:] for row in ROWS]
    rows[1][2] = "未知"
    message, stderr = failed_import(write_csv(tmp_path / "roster.csv", rows))
    assert message == "Nothing was imported: the file has 1 problem(s)."
    assert problem_lines(stderr) == {3: "Gender: “未知” is not a valid choice."}
    assert roster(branch_a) == before


def test_file_with_several_bad_rows_imports_nothing_and_reports_every_row(tmp_path, branch_a, member_a):
    count = RosterEntry.objects.count()
    rows = [
        ROWS[0],  # line 2: good
        ["M002", "", "女", "预备党员", "2021-07-01", "", "", "", ""],  # line 3: no name
        ["M003", "张伟", "男", "正式党员", "2021-02-30", "", "", "", ""],  # line 4: no such day
        ROWS[2][:1] + ["赵六", "男", "正式党员", "2001-07-01", "第九网格", "", "", ""],  # line 5: dup M003, grid
        ["M005", "钱七", "男", "党员", "昨天", "", "开除", "not-an-email", ""],  # line 6: four problems
    ]
    message, stderr = failed_import(write_xlsx(tmp_path / "roster.xlsx", rows))
    problems = problem_lines(stderr)
    assert sorted(problems) == [3, 4, 5, 6]
    assert "Name is required." in problems[3]
    assert "Date joined: “2021-02-30” is not a date" in problems[4]
    assert "Member number M003 also appears on line 4." in problems[5]
    assert "Grid: “第九网格” is not a grid of this branch's community." in problems[5]
    assert "Member type: “党员” is not a valid choice." in problems[6]
    assert "Date joined: “昨天” is not a date" in problems[6]
    assert "Status: “开除” is not a valid choice." in problems[6]
    assert "Email: “not-an-email” is not a valid address." in problems[6]
    assert message == "Nothing was imported: the file has 8 problem(s)."
    assert RosterEntry.objects.count() == count


def test_service_raises_with_every_bad_row_and_stores_nothing(branch_a):
    data = "\n".join(
        [",".join(HEADER_ZH), ",".join(ROWS[0]), "M002,李秀英,X,预备党员,2021-07-01,,,,", "M003,,男,正式党员,,,,,"]
    ).encode()
    errors = errors_of(data, "roster.csv", branch_a)
    assert [line for line, _message in errors] == [3, 4, 4]
    with pytest.raises(RosterImportError):
        import_roster(data, "roster.csv", branch_a)
    assert not RosterEntry.objects.exists()


def test_a_bad_row_in_an_update_leaves_the_existing_roster_untouched(tmp_path, branch_a):
    run_import(write_csv(tmp_path / "first.csv", ROWS))
    before = roster(branch_a)
    rows = [row[:] for row in ROWS]
    rows[0][1] = "王建国（改）"
    rows[2][4] = "不知道"
    failed_import(write_csv(tmp_path / "second.csv", rows))
    assert roster(branch_a) == before


def test_missing_required_columns_are_named(tmp_path, branch_a):
    header = ["编号", "姓名", "网格"]
    message, stderr = failed_import(write_csv(tmp_path / "roster.csv", [["M001", "王建国", ""]], header=header))
    assert "Line 1: Missing required columns: Gender、Member type、Date joined." in stderr
    assert message == "Nothing was imported: the file has 1 problem(s)."
    assert not RosterEntry.objects.exists()


def test_missing_required_columns_are_named_as_chinese_headers_in_chinese(branch_a):
    data = "编号,姓名\nM001,王建国\n".encode()
    with translation.override("zh-hans"):
        errors = errors_of(data, "roster.csv", branch_a)
    assert len(errors) == 1 and errors[0][0] == 1
    assert "性别、党员类型、入党日期" in errors[0][1]


def test_duplicate_member_numbers_within_the_file_are_reported_with_both_lines(tmp_path, branch_a):
    rows = [ROWS[0], ROWS[1], ["M001", "王建国二", "男", "正式党员", "2001-07-01", "", "", "", ""]]
    message, stderr = failed_import(write_csv(tmp_path / "roster.csv", rows))
    assert problem_lines(stderr) == {4: "Member number M001 also appears on line 2."}
    assert not RosterEntry.objects.exists()


def test_grid_must_belong_to_the_branch_community(tmp_path, branch_a, tree):
    elsewhere = OrganizationFactory(parent=tree["street"], code="guangming", kind=Organization.Kind.COMMUNITY)
    GridFactory(community=elsewhere, name="光明网格", code="guangming-g1")
    rows = [ROWS[0], ["M002", "李秀英", "女", "预备党员", "2021-07-01", "光明网格", "", "", ""]]
    message, stderr = failed_import(write_csv(tmp_path / "roster.csv", rows))
    assert problem_lines(stderr) == {3: "Grid: “光明网格” is not a grid of this branch's community."}


def test_too_long_values_are_reported_not_stored(tmp_path, branch_a):
    row = ["M" * 33, "王" * 65, "男", "正式党员", "2001-07-01", "", "", "", "1" * 21]
    message, stderr = failed_import(write_csv(tmp_path / "roster.csv", [row]))
    problems = problem_lines(stderr)[2]
    assert "Member number is longer than 32 characters." in problems
    assert "Name is longer than 64 characters." in problems
    assert "Phone is longer than 20 characters." in problems
    assert not RosterEntry.objects.exists()


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("roster.csv", b"", "The file is empty."),
        ("roster.csv", b"\n\n,,,\n", "The file is empty."),
        ("roster.csv", "编号,姓名,性别,党员类型,入党日期\n".encode(), "The file has no member rows."),
        ("roster.xls", b"\xd0\xcf\x11\xe0 old excel", "Only .csv and .xlsx files can be imported."),
        ("roster.txt", "编号,姓名\n".encode(), "Only .csv and .xlsx files can be imported."),
        ("roster.xlsx", b"not a zip file", "The file is not a readable XLSX workbook."),
        ("roster.csv", b"\xff\xfe\x00M\x00\x01", "The file is not CSV text in UTF-8 or GB18030."),
    ],
    ids=["empty", "blank-lines", "header-only", "xls", "txt", "fake-xlsx", "undecodable-csv"],
)
def test_files_that_cannot_be_read_as_a_roster_are_reported(tmp_path, branch_a, filename, content, expected):
    path = tmp_path / filename
    path.write_bytes(content)
    message, stderr = failed_import(path)
    assert stderr.strip() == expected
    assert message == "Nothing was imported: the file has 1 problem(s)."
    assert not RosterEntry.objects.exists()


def test_empty_xlsx_workbook_is_reported_as_empty(tmp_path, branch_a):
    Workbook().save(tmp_path / "roster.xlsx")
    _message, stderr = failed_import(tmp_path / "roster.xlsx")
    assert stderr.strip() == "The file is empty."


def test_unknown_branch_code_is_a_command_error(tmp_path, tree):
    path = write_csv(tmp_path / "roster.csv", ROWS)
    with pytest.raises(CommandError, match="No branch has the code “nowhere”."):
        run_import(path, branch="nowhere")
    with pytest.raises(CommandError, match="No branch has the code “heping”."):
        run_import(path, branch="heping")  # a community, not a branch
    assert not RosterEntry.objects.exists()


def test_unreadable_path_is_a_command_error(tmp_path, branch_a):
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "missing.csv")


def test_unknown_language_is_refused(tmp_path, branch_a):
    with pytest.raises(CommandError, match="invalid choice"):
        run_import(write_csv(tmp_path / "roster.csv", ROWS), language="fr")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_file_store_each_member_once():
    # No page tree here: a transactional test's flush has removed Wagtail's root page.
    branch = OrganizationFactory(code="solo")
    data = "\n".join(",".join(row[:5]) for row in [HEADER_ZH, *ROWS]).encode()

    def work(index: int):
        return import_roster(data, "roster.csv", Organization.objects.get(pk=branch.pk))

    results = run_concurrently(work, 4)
    assert all(isinstance(result, ImportResult) for result in results), results
    assert sorted(result.created for result in results) == [0, 0, 0, 3]
    assert RosterEntry.objects.filter(branch=branch).count() == 3


# --- Language of the messages -----------------------------------------------------------------


def has_no_english(text: str) -> bool:
    return re.search(r"[A-Za-z]", text) is None


def test_command_messages_are_chinese_by_default_and_english_with_language_en(tmp_path, branch_a):
    rows = [row[:] for row in ROWS]
    rows[1][2] = "未知"
    path = write_csv(tmp_path / "roster.csv", rows)

    for language in (None, "zh-hans"):
        message, stderr = failed_import(path, language=language)
        assert "1" in message and has_no_english(message)
        assert stderr.startswith("第 3 行") and "性别" in stderr and "未知" in stderr
        assert has_no_english(stderr)

    message, stderr = failed_import(path, language="en")
    assert message == "Nothing was imported: the file has 1 problem(s)."
    assert stderr.strip() == "Line 3: Gender: “未知” is not a valid choice."
    assert not RosterEntry.objects.exists()


def test_command_reports_success_in_chinese_by_default(tmp_path, branch_a):
    out, _err = run_import(write_csv(tmp_path / "roster.csv", ROWS), language=None)
    assert "第一党支部" in out and "3" in out and has_no_english(out)


def test_messages_name_columns_as_the_headers_of_the_active_language(tmp_path, branch_a):
    path = write_csv(tmp_path / "roster.csv", [["M001", "", "男", "正式党员", "2001-07-01", "", "", "", ""]])
    _message, stderr = failed_import(path, language=None)
    assert "姓名" in stderr
    _message, stderr = failed_import(path, language="en")
    assert "Line 2: Name is required." in stderr


def test_command_leaves_the_callers_language_alone(tmp_path, branch_a):
    with translation.override("en"):
        run_import(write_csv(tmp_path / "roster.csv", ROWS), language="zh-hans")
        assert translation.get_language() == "en"


# --- Linking users ------------------------------------------------------------------------------


def test_import_links_a_row_email_to_the_user_with_that_verified_address(tmp_path, branch_a):
    wang = UserFactory(email="wang@example.cn")
    run_import(write_csv(tmp_path / "roster.csv", ROWS))
    assert RosterEntry.objects.get(branch=branch_a, member_no="M001").user == wang


def test_import_links_users_whatever_the_case_of_the_email(tmp_path, branch_a):
    wang = UserFactory(email="wang@example.cn")
    rows = [row[:] for row in ROWS]
    rows[0][7] = "Wang@Example.CN"
    run_import(write_csv(tmp_path / "roster.csv", rows))
    assert RosterEntry.objects.get(branch=branch_a, member_no="M001").user == wang


def test_import_does_not_link_an_unverified_email(tmp_path, branch_a):
    UserFactory(email="wang@example.cn", verified=False)
    EmailAddress.objects.create(user=UserFactory(), email="other@example.cn", verified=False)
    run_import(write_csv(tmp_path / "roster.csv", ROWS))
    assert RosterEntry.objects.get(branch=branch_a, member_no="M001").user is None


def test_import_links_an_existing_entry_once_the_user_has_verified(tmp_path, branch_a):
    path = write_csv(tmp_path / "roster.csv", ROWS)
    run_import(path)
    wang = UserFactory(email="wang@example.cn")
    RosterEntry.objects.filter(user=wang).update(user=None)  # the confirmation signal may already link
    out, _err = run_import(path)
    assert "0 added, 1 updated, 2 unchanged" in out
    assert RosterEntry.objects.get(branch=branch_a, member_no="M001").user == wang
    out, _err = run_import(path)
    assert "0 added, 0 updated, 3 unchanged" in out


def test_import_does_not_link_a_user_already_on_another_entry(tmp_path, branch_a, branch_b):
    wang = UserFactory(email="wang@example.cn")
    RosterEntryFactory(branch=branch_b, user=wang)
    run_import(write_csv(tmp_path / "roster.csv", ROWS))
    assert RosterEntry.objects.get(branch=branch_a, member_no="M001").user is None


# --- Export -----------------------------------------------------------------------------------------


def export(branch: Organization) -> bytes:
    stream = io.BytesIO()
    export_roster_xlsx(branch, stream)
    return stream.getvalue()


def sheet_rows(data: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def filled_roster(branch_a, tree):
    RosterEntryFactory(
        branch=branch_a,
        member_no="0012",
        name="王建国",
        gender="M",
        member_type="probationary",
        grid=tree["grid"],
        status="mobile",
        email="wang@example.cn",
        phone="13800138000",
        joined_on=dt.date(2021, 7, 1),
    )
    RosterEntryFactory(branch=branch_a, member_no="0013", name="=HYPERLINK(1)", status="suspended")
    RosterEntryFactory(branch=branch_a, member_no="0014", name="李秀英", status="left")
    return roster(branch_a)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_exported_roster_reimports_with_no_change(branch_a, filled_roster, language):
    with translation.override(language):
        data = export(branch_a)
        result = import_roster(data, "roster.xlsx", branch_a)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert roster(branch_a) == filled_roster


def test_exported_roster_imports_into_an_empty_branch_as_the_same_roster(branch_a, branch_b, filled_roster):
    data = export(branch_a)
    result = import_roster(data, "roster.xlsx", branch_b)
    assert result.created == 3
    without_pk = [row[1:] for row in filled_roster]
    assert [row[1:] for row in roster(branch_b)] == without_pk


def test_export_headers_and_labels_follow_the_active_language(branch_a, filled_roster):
    with translation.override("zh-hans"):
        header, first, *_rest = sheet_rows(export(branch_a))
    assert list(header) == HEADER_ZH
    assert list(first) == [
        "0012",
        "王建国",
        "男",
        "预备党员",
        dt.datetime(2021, 7, 1),
        "第一网格",
        "流动",
        "wang@example.cn",
        "13800138000",
    ]
    with translation.override("en"):
        header, first, *_rest = sheet_rows(export(branch_a))
    assert list(header) == HEADER_EN
    assert first[2:4] == ("Male", "Probationary member") and first[6] == "Mobile"


def test_export_keeps_text_that_looks_like_a_formula_as_text(branch_a, filled_roster):
    names = [row[1] for row in sheet_rows(export(branch_a))[1:]]
    assert "=HYPERLINK(1)" in names


def test_export_contains_only_that_branch(branch_a, branch_b, filled_roster):
    RosterEntryFactory(branch=branch_b, member_no="B001", name="乙支部党员")
    numbers = [row[0] for row in sheet_rows(export(branch_a))[1:]]
    assert numbers == ["0012", "0013", "0014"]
