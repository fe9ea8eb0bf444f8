"""Roster import and export (CSV and XLSX).

An import validates every row first. A file with any bad row imports nothing and
reports every bad row; a good file is applied in one transaction, keyed on
(branch, member number), so importing the same file twice changes nothing.
Optional columns missing from the file leave those fields of existing entries alone.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from openpyxl import Workbook, load_workbook

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import cache as page_cache
from core.spreadsheets import safe_xlsx_cell
from organizations.models import Grid, Organization, RosterEntry
from organizations.roster_cells import cell_text, decode_csv, normalise_header, parse_date

# (field, Chinese header, English header); import accepts either language, export writes the active one.
COLUMNS = [
    ("member_no", "编号", "Member number"),
    ("name", "姓名", "Name"),
    ("gender", "性别", "Gender"),
    ("member_type", "党员类型", "Member type"),
    ("joined_on", "入党日期", "Date joined"),
    ("grid", "网格", "Grid"),
    ("status", "状态", "Status"),
    ("email", "邮箱", "Email"),
    ("phone", "手机", "Phone"),
]
REQUIRED = {"member_no", "name", "gender", "member_type", "joined_on"}
TEXT_FIELDS = ("member_no", "name", "email", "phone")
CHOICE_FIELDS = {
    "gender": RosterEntry.Gender,
    "member_type": RosterEntry.MemberType,
    "status": RosterEntry.Status,
}
# Chinese labels accepted on import; the first label of each value is the one exported.
_ZH_LABELS = {
    "gender": {"男": "M", "女": "F"},
    "member_type": {"正式党员": "full", "预备党员": "probationary", "正式": "full", "预备": "probationary"},
    "status": {
        "正常": "normal",
        "流动": "mobile",
        "流动党员": "mobile",
        "停止党籍": "suspended",
        "出党": "left",
        "转出": "transferred",
    },
}


# What a bad file can cost (issue 13, M6): a roster has hundreds of rows, not millions.
MAX_ROWS = 5_000
MAX_COLUMNS = 30
# An XLSX is a zip: refuse one that would expand beyond this before any part is parsed.
MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
# Errors reported, characters of a cell quoted in one, and characters of one message.
MAX_REPORTED_ERRORS = 50
MAX_QUOTED_CHARS = 40
MAX_MESSAGE_CHARS = 300
PROGRESS_EVERY = 250


def quoted(value: object) -> str:
    """A cell as quoted in an error message: its first characters only."""
    text = cell_text(value)
    return text if len(text) <= MAX_QUOTED_CHARS else text[:MAX_QUOTED_CHARS] + "…"


@dataclass
class RowError:
    line: int  # 0 when the problem is the file as a whole
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class RosterImportError(Exception):
    """The file's problems: the first MAX_REPORTED_ERRORS of them in `errors`, how many in all in `total`."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        self.errors = [
            RowError(error.line, error.message[:MAX_MESSAGE_CHARS]) for error in errors[:MAX_REPORTED_ERRORS]
        ]
        self.total = max(total or 0, len(errors))
        self.more = self.total - len(self.errors)
        super().__init__("; ".join(f"{e.line}: {e.message}" for e in self.errors))


def _in_chinese() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).lower().startswith("zh")


def column_label(field: str) -> str:
    """The column header for `field` in the active language (also how messages name the column)."""
    for name, zh, en in COLUMNS:
        if name == field:
            return zh if _in_chinese() else en
    raise KeyError(field)


def choice_label(field: str, value: str) -> str:
    """The label written on export for a choice value, in the active language; import reads it back."""
    if _in_chinese():
        return next(label for label, choice in _ZH_LABELS[field].items() if choice == value)
    with translation.override("en"):
        return str(CHOICE_FIELDS[field](value).label)


def _header_map() -> dict[str, str]:
    mapping = {}
    for name, zh, en in COLUMNS:
        for label in (name, zh, en):
            mapping[normalise_header(label)] = name
    return mapping


def _choice_lookup(field: str) -> dict[str, str]:
    """Every accepted spelling of each choice (value, English, Chinese, active language), lower-cased."""
    lookup = dict(_ZH_LABELS[field])
    for value, label in CHOICE_FIELDS[field].choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
        with translation.override("en"):
            lookup[str(label).lower()] = value
    return lookup


def read_table(data: bytes, filename: str) -> list[list[object]]:
    """All rows of the file's first sheet, as lists of cell values."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        _refuse_zip_bomb(data)
        try:
            # Read-only mode streams the sheet; at most MAX_COLUMNS cells of MAX_ROWS + 1 rows are kept.
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                rows = _capped(workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True))
            finally:
                workbook.close()
        except RosterImportError:
            raise
        except Exception:
            raise RosterImportError([RowError(0, _("The file is not a readable XLSX workbook."))]) from None
        return rows
    if name.endswith(".csv"):
        try:
            return _capped(csv.reader(io.StringIO(decode_csv(data))))
        except (UnicodeDecodeError, csv.Error):
            raise RosterImportError([RowError(0, _("The file is not CSV text in UTF-8 or GB18030."))]) from None
    raise RosterImportError([RowError(0, _("Only .csv and .xlsx files can be imported."))])


def _capped(rows) -> list[list[object]]:
    """The header and at most MAX_ROWS rows, each cut to MAX_COLUMNS cells; more rows is an error."""
    table = [list(row)[:MAX_COLUMNS] for row in itertools.islice(rows, MAX_ROWS + 2)]
    if len(table) > MAX_ROWS + 1:
        raise RosterImportError(
            [RowError(0, _("The file has more than %(max)s rows: split it into smaller files.") % {"max": MAX_ROWS})]
        )
    return table


def _refuse_zip_bomb(data: bytes) -> None:
    """Refuse an XLSX whose parts would expand beyond MAX_XLSX_UNCOMPRESSED_BYTES (a "zip bomb").

    The sizes come from the zip's directory; reading never goes past them (zipfile stops at the declared
    size and fails the CRC check if the data goes on).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise RosterImportError([RowError(0, _("The file is not a readable XLSX workbook."))]) from None
    if expanded > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise RosterImportError(
            [RowError(0, _("The workbook expands to more than %(max)s MB: it cannot be imported.") % {"max": 50})]
        )


def _map_header(header: list[object]) -> list[str | None]:
    known = _header_map()
    columns = [known.get(normalise_header(cell)) for cell in header]
    missing = REQUIRED - set(columns)
    if missing:
        names = "、".join(column_label(name) for name, _zh, _en in COLUMNS if name in missing)
        raise RosterImportError([RowError(1, _("Missing required columns: %(columns)s.") % {"columns": names})])
    return columns


class _RowValidator:
    """Validates one row into model field values, collecting readable errors.

    Only the fields whose columns are in the file get a value, so absent columns change nothing.
    """

    def __init__(self, branch: Organization, present: set[str]):
        self.present = present
        ancestor_ids = list(branch.get_ancestors().values_list("pk", flat=True))
        self.grids = {grid.name: grid for grid in Grid.objects.filter(community_id__in=ancestor_ids)}
        self.choices = {name: _choice_lookup(name) for name in CHOICE_FIELDS}
        self.max_lengths = {name: RosterEntry._meta.get_field(name).max_length for name in TEXT_FIELDS}

    def validate(self, raw: dict[str, object]) -> tuple[dict, list[str]]:
        values: dict = {}
        problems = [
            _("%(field)s is required.") % {"field": column_label(name)}
            for name, _zh, _en in COLUMNS
            if name in REQUIRED and not cell_text(raw.get(name))
        ]
        for name in TEXT_FIELDS:
            if name in self.present:
                values[name] = cell_text(raw.get(name))
                if len(values[name]) > self.max_lengths[name]:
                    problems.append(
                        _("%(field)s is longer than %(max)s characters.")
                        % {"field": column_label(name), "max": self.max_lengths[name]}
                    )
        for name in CHOICE_FIELDS:
            if name in self.present:
                problems += self._choice(name, cell_text(raw.get(name)), values)
        if cell_text(raw.get("joined_on")):
            values["joined_on"] = parse_date(raw.get("joined_on"))
            if values["joined_on"] is None:
                problems.append(
                    _("Date joined: “%(value)s” is not a date (use 2021-07-01).")
                    % {"value": quoted(raw.get("joined_on"))}
                )
        if values.get("email"):
            try:
                validate_email(values["email"])
            except ValidationError:
                problems.append(_("Email: “%(value)s” is not a valid address.") % {"value": quoted(values["email"])})
        if "grid" in self.present:
            problems += self._grid(cell_text(raw.get("grid")), values)
        return values, problems

    def _choice(self, name: str, text: str, values: dict) -> list[str]:
        if not text:
            values[name] = RosterEntry.Status.NORMAL if name == "status" else None
            return []
        values[name] = self.choices[name].get(text.lower())
        if values[name] is None:
            return [
                _("%(field)s: “%(value)s” is not a valid choice.")
                % {"field": column_label(name), "value": quoted(text)}
            ]
        return []

    def _grid(self, name: str, values: dict) -> list[str]:
        values["grid_id"] = self.grids[name].pk if name in self.grids else None
        if name and values["grid_id"] is None:
            return [_("Grid: “%(value)s” is not a grid of this branch's community.") % {"value": quoted(name)}]
        return []


def parse_roster(
    data: bytes, filename: str, branch: Organization, progress: Callable[[int, int], None] | None = None
) -> list[dict]:
    """Validated rows of a roster file; raises RosterImportError listing every bad row.

    `progress(row, rows)` is told every PROGRESS_EVERY rows (the import job shows "row N of M")."""
    table = read_table(data, filename)
    if not any(cell_text(cell) for row in table for cell in row):
        raise RosterImportError([RowError(0, _("The file is empty."))])
    columns = _map_header(table[0])
    validator = _RowValidator(branch, {name for name in columns if name})
    rows, errors, seen, total = [], [], {}, 0
    for line, cells in enumerate(table[1:], start=2):
        if progress is not None and (line - 1) % PROGRESS_EVERY == 0:
            progress(line - 1, len(table) - 1)
        raw = {name: value for name, value in zip(columns, cells) if name}
        if not any(cell_text(value) for value in raw.values()):
            continue
        values, problems = validator.validate(raw)
        number = values["member_no"]
        if number and number in seen:
            problems.append(
                _("Member number %(no)s also appears on line %(line)s.") % {"no": quoted(number), "line": seen[number]}
            )
        seen.setdefault(number, line)
        total += len(problems)
        errors += [RowError(line, problem) for problem in problems[: MAX_REPORTED_ERRORS - len(errors)]]
        rows.append(values)
    if total:
        raise RosterImportError(errors, total)
    if not rows:
        raise RosterImportError([RowError(0, _("The file has no member rows."))])
    return rows


_UPDATABLE = ["name", "gender", "member_type", "joined_on", "grid_id", "status", "email", "phone"]


def _verified_users(emails: list[str]) -> dict[str, object]:
    addresses = (
        EmailAddress.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in={email.lower() for email in emails}, verified=True)
        .select_related("user")
    )
    return {address.email.lower(): address.user for address in addresses}


@transaction.atomic
def apply_roster(rows: list[dict], branch: Organization) -> ImportResult:
    """Create or update the branch's entries from validated rows, linking verified users by email."""
    # One import per branch at a time: a second waits here, then finds the first one's entries.
    Organization.objects.select_for_update().get(pk=branch.pk)
    existing = {entry.member_no: entry for entry in RosterEntry.objects.select_for_update().filter(branch=branch)}
    users = _verified_users([row["email"] for row in rows if row.get("email")])
    linked = set(RosterEntry.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    result, to_create, to_update = ImportResult(), [], []
    for row in rows:
        entry = existing.get(row["member_no"])
        if entry is None:
            entry = RosterEntry(branch=branch, **row)
            to_create.append(entry)
        elif any(getattr(entry, name) != row[name] for name in _UPDATABLE if name in row):
            for name in _UPDATABLE:
                if name in row:
                    setattr(entry, name, row[name])
            to_update.append(entry)
        user = users.get(row.get("email", "").lower())
        if user and entry.user_id is None and user.pk not in linked:
            entry.user = user
            linked.add(user.pk)
            if entry.pk and entry not in to_update:
                to_update.append(entry)
    RosterEntry.objects.bulk_create(to_create)
    RosterEntry.objects.bulk_update(to_update, _UPDATABLE + ["user"])
    if to_create or to_update:
        page_cache.forget_all_viewers()  # bulk writes send no signals (organizations/signals.py)
    result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = len(rows) - result.created - result.updated
    return result


def import_roster(data: bytes, filename: str, branch: Organization) -> ImportResult:
    return apply_roster(parse_roster(data, filename, branch), branch)


def error_report(error: RosterImportError) -> str:
    """The problems of a refused file as text, one per line with its line number (for the import job's page)."""
    lines = [_("Nothing was imported: the file has %(count)s problem(s).") % {"count": error.total}]
    for row in error.errors:
        lines.append(
            _("Line %(line)s: %(message)s") % {"line": row.line, "message": row.message} if row.line else row.message
        )
    if error.more:
        lines.append(
            ngettext(
                "And %(counter)s more problem, not shown: correct these first.",
                "And %(counter)s more problems, not shown: correct these first.",
                error.more,
            )
            % {"counter": error.more}
        )
    return "\n".join(lines)


def _export_row(sheet, entry: RosterEntry) -> list[object]:
    def text(value: str) -> object:
        return safe_xlsx_cell(sheet, value)

    return [
        text(entry.member_no),
        text(entry.name),
        text(choice_label("gender", entry.gender)),
        text(choice_label("member_type", entry.member_type)),
        entry.joined_on,
        text(entry.grid.name if entry.grid else ""),
        text(choice_label("status", entry.status)),
        text(entry.email),
        text(entry.phone),
    ]


def export_roster_xlsx(branch: Organization, stream) -> None:
    """Write the branch roster as XLSX to `stream`, with headers and labels in the active language."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=branch.code[:31])
    sheet.append([column_label(name) for name, _zh, _en in COLUMNS])
    entries = RosterEntry.objects.filter(branch=branch).select_related("grid").order_by("member_no")
    for entry in entries.iterator(chunk_size=2000):
        sheet.append(_export_row(sheet, entry))
    workbook.save(stream)
