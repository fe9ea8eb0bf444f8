"""A hostile roster file costs little: errors are capped, cells are quoted short, bombs are refused (issue 13, M6)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from django.core.files.uploadedfile import SimpleUploadedFile

from organizations import roster_import
from organizations.models import RosterEntry
from organizations.roster_import import RosterImportError, import_roster

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/roster/import/"
HEADER = ["编号", "姓名", "性别", "党员类型", "入党日期", "网格", "状态", "邮箱", "手机"]


def amplifying_xlsx(rows: int = 300, cell_chars: int = 2_000) -> bytes:
    """Every bad cell of every row points at one long shared string, so the file stays a few KB."""
    strings = ["坏" * cell_chars, *HEADER]
    sst = "".join(f"<si><t>{text}</t></si>" for text in strings)
    letters = "ABCDEFGHI"
    header = "".join(f'<c r="{letters[i]}1" t="s"><v>{i + 1}</v></c>' for i in range(len(HEADER)))
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>M{n}</t></is></c>'
        + "".join(f'<c r="{letter}{n}" t="s"><v>0</v></c>' for letter in letters[1:8])
        + "</row>"
        for n in range(2, rows + 2)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData><row r="1">{header}</row>{body}'
        "</sheetData></worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return buffer.getvalue()


def test_a_small_file_full_of_long_bad_cells_gives_a_small_error_page(client, editor_a, branch_a):
    data = amplifying_xlsx()
    assert len(data) < 30_000  # the crafted file is small…
    client.force_login(editor_a)
    upload = SimpleUploadedFile("roster.xlsx", data)
    response = client.post(IMPORT_URL, {"branch": branch_a.pk, "file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert len(page) < 200_000  # …and so is the answer (it was 40 MB)
    assert page.count("<tr><td>") <= roster_import.MAX_REPORTED_ERRORS
    assert "坏" * (roster_import.MAX_QUOTED_CHARS + 1) not in page
    assert "另有" in page  # "And N more problems, not shown"
    assert not RosterEntry.objects.filter(branch=branch_a).exists()


def test_the_service_reports_the_first_errors_and_how_many_there_are(branch_a):
    with pytest.raises(RosterImportError) as raised:
        import_roster(amplifying_xlsx(rows=200, cell_chars=500), "roster.xlsx", branch_a)
    error = raised.value
    assert len(error.errors) == roster_import.MAX_REPORTED_ERRORS
    assert error.total > 200 and error.more == error.total - roster_import.MAX_REPORTED_ERRORS
    assert all(len(problem.message) <= roster_import.MAX_MESSAGE_CHARS for problem in error.errors)


def test_an_xlsx_that_expands_into_a_bomb_is_refused_before_parsing(branch_a, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"A" * (roster_import.MAX_XLSX_UNCOMPRESSED_BYTES + 1))
    assert len(buffer.getvalue()) < 200_000

    def never(*args, **kwargs):
        raise AssertionError("the workbook must not be opened")

    monkeypatch.setattr(roster_import, "load_workbook", never)
    with pytest.raises(RosterImportError) as raised:
        import_roster(buffer.getvalue(), "roster.xlsx", branch_a)
    assert raised.value.errors[0].line == 0 and "50" in raised.value.errors[0].message


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_too_many_rows_is_refused(branch_a, monkeypatch, kind):
    monkeypatch.setattr(roster_import, "MAX_ROWS", 10)
    rows = [[f"M{n}", "王", "男", "正式党员", "2001-07-01", "", "", "", ""] for n in range(11)]
    if kind == "csv":
        data = "\n".join(",".join(row) for row in [HEADER, *rows]).encode()
    else:
        workbook = Workbook()
        for row in [HEADER, *rows]:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    with pytest.raises(RosterImportError) as raised:
        import_roster(data, f"roster.{kind}", branch_a)
    assert "10" in raised.value.errors[0].message
    assert not RosterEntry.objects.filter(branch=branch_a).exists()


def test_extra_columns_beyond_the_cap_are_not_read(branch_a):
    header = HEADER + [f"备注{n}" for n in range(200)]
    row = ["M1", "王建国", "男", "正式党员", "2001-07-01", "", "正常", "", ""] + ["x" * 1000] * 200
    data = "\n".join(",".join(cells) for cells in (header, row)).encode()
    table = roster_import.read_table(data, "roster.csv")
    assert all(len(cells) <= roster_import.MAX_COLUMNS for cells in table)
    assert import_roster(data, "roster.csv", branch_a).created == 1
