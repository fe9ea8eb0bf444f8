"""Roster import and export (CSV and XLSX).

An import validates every row first. A file with any bad row imports nothing and
reports every bad row; a good file is applied in one transaction, keyed on
(branch, member number), so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from openpyxl import Workbook, load_workbook

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.lib import cell_text, decode_csv, normalise_header, parse_date
from organizations.models import Grid, Organization, RosterEntry

# (field, Chinese header, English header); import accepts either language.
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
CHOICE_FIELDS = {
    "gender": RosterEntry.Gender,
    "member_type": RosterEntry.MemberType,
    "status": RosterEntry.Status,
}
_ZH_LABELS = {
    "gender": {"男": "M", "女": "F"},
    "member_type": {"正式党员": "full", "预备党员": "probationary", "正式": "full", "预备": "probationary"},
    "status": {"正常": "normal", "流动": "mobile", "流动党员": "mobile", "停止党籍": "suspended", "出党": "left"},
}
FIELD_LABELS = {
    "member_no": gettext_lazy("Member number"),
    "name": gettext_lazy("Name"),
    "gender": gettext_lazy("Gender"),
    "member_type": gettext_lazy("Member type"),
    "joined_on": gettext_lazy("Date joined"),
    "grid": gettext_lazy("Grid"),
    "status": gettext_lazy("Status"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
}


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class RosterImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.line}: {e.message}" for e in errors))


def _header_map() -> dict[str, str]:
    mapping = {}
    for name, zh, en in COLUMNS:
        for label in (name, zh, en):
            mapping[normalise_header(label)] = name
    return mapping


def read_table(data: bytes, filename: str) -> list[list[object]]:
    """All rows of the file's first sheet, as lists of cell values."""
    if filename.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise RosterImportError([RowError(0, _("The file is not a readable XLSX workbook."))]) from None
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
        return rows
    if filename.lower().endswith(".csv"):
        return list(csv.reader(io.StringIO(decode_csv(data))))
    raise RosterImportError([RowError(0, _("Only .csv and .xlsx files can be imported."))])


def _map_header(header: list[object]) -> list[str | None]:
    known = _header_map()
    columns = [known.get(normalise_header(cell)) for cell in header]
    missing = REQUIRED - set(columns)
    if missing:
        names = "、".join(str(FIELD_LABELS[name]) for name, _zh, _en in COLUMNS if name in missing)
        raise RosterImportError([RowError(1, _("Missing required columns: %(columns)s.") % {"columns": names})])
    return columns


def _choice(field_name: str, text: str) -> str | None:
    choices = CHOICE_FIELDS[field_name]
    lookup = {**_ZH_LABELS[field_name]}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        with translation.override("en"):
            lookup[str(label).lower()] = value
        lookup[str(label).lower()] = value
    return lookup.get(text.lower()) or lookup.get(text)


class _RowValidator:
    """Validates one row into model field values, collecting readable errors."""

    def __init__(self, branch: Organization):
        self.branch = branch
        community_ids = branch.get_ancestors().values_list("pk", flat=True)
        self.grids = {grid.name: grid for grid in Grid.objects.filter(community_id__in=list(community_ids))}

    def validate(self, raw: dict[str, object]) -> tuple[dict, list[str]]:
        values, problems = {}, []
        for name in ("member_no", "name", "email", "phone"):
            values[name] = cell_text(raw.get(name))
        for name in REQUIRED:
            if not cell_text(raw.get(name)):
                problems.append(_("%(field)s is required.") % {"field": FIELD_LABELS[name]})
        for name in CHOICE_FIELDS:
            text = cell_text(raw.get(name))
            if not text:
                values[name] = RosterEntry.Status.NORMAL if name == "status" else None
                continue
            values[name] = _choice(name, text)
            if values[name] is None:
                problems.append(
                    _("%(field)s: “%(value)s” is not a valid choice.") % {"field": FIELD_LABELS[name], "value": text}
                )
        problems += self._check_rest(raw, values)
        return values, problems

    def _check_rest(self, raw: dict, values: dict) -> list[str]:
        problems = []
        if cell_text(raw.get("joined_on")):
            values["joined_on"] = parse_date(raw.get("joined_on"))
            if values["joined_on"] is None:
                problems.append(
                    _("Date joined: “%(value)s” is not a date (use 2021-07-01).")
                    % {"value": cell_text(raw.get("joined_on"))}
                )
        if len(values["member_no"]) > 32 or len(values["name"]) > 64:
            problems.append(_("Member number or name is too long."))
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                problems.append(_("Email: “%(value)s” is not a valid address.") % {"value": values["email"]})
        grid_name = cell_text(raw.get("grid"))
        values["grid"] = self.grids.get(grid_name) if grid_name else None
        if grid_name and values["grid"] is None:
            problems.append(_("Grid: “%(value)s” is not a grid of this branch's community.") % {"value": grid_name})
        return problems


def parse_roster(data: bytes, filename: str, branch: Organization) -> list[dict]:
    """Validated rows of a roster file; raises RosterImportError listing every bad row."""
    table = read_table(data, filename)
    if not table:
        raise RosterImportError([RowError(0, _("The file is empty."))])
    columns = _map_header(table[0])
    validator, rows, errors, seen = _RowValidator(branch), [], [], {}
    for line, cells in enumerate(table[1:], start=2):
        raw = {name: value for name, value in zip(columns, cells) if name}
        if not any(cell_text(value) for value in raw.values()):
            continue
        values, problems = validator.validate(raw)
        number = values["member_no"]
        if number and number in seen:
            problems.append(
                _("Member number %(no)s also appears on line %(line)s.") % {"no": number, "line": seen[number]}
            )
        seen.setdefault(number, line)
        errors += [RowError(line, problem) for problem in problems]
        rows.append(values)
    if errors:
        raise RosterImportError(errors)
    if not rows:
        raise RosterImportError([RowError(0, _("The file has no member rows."))])
    return rows


_COMPARED = ["name", "gender", "member_type", "joined_on", "grid_id", "status", "email", "phone"]


def _verified_users(emails: list[str]) -> dict[str, object]:
    addresses = EmailAddress.objects.filter(email__in=emails, verified=True).select_related("user")
    return {address.email.lower(): address.user for address in addresses}


@transaction.atomic
def apply_roster(rows: list[dict], branch: Organization) -> ImportResult:
    existing = {entry.member_no: entry for entry in RosterEntry.objects.select_for_update().filter(branch=branch)}
    users = _verified_users([row["email"] for row in rows if row["email"]])
    linked = set(RosterEntry.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    result, to_create, to_update = ImportResult(), [], []
    for row in rows:
        values = {**row, "grid_id": row["grid"].pk if row["grid"] else None}
        del values["grid"]
        entry = existing.get(row["member_no"])
        if entry is None:
            entry = RosterEntry(branch=branch, **values)
            to_create.append(entry)
        elif any(getattr(entry, name) != values[name] for name in _COMPARED):
            for name in _COMPARED:
                setattr(entry, name, values[name])
            to_update.append(entry)
        else:
            result.unchanged += 1
        user = users.get(row["email"].lower()) if row["email"] else None
        if user and entry.user_id is None and user.pk not in linked:
            entry.user = user
            linked.add(user.pk)
            if entry.pk and entry not in to_update:
                to_update.append(entry)
                result.unchanged -= 1
    RosterEntry.objects.bulk_create(to_create)
    RosterEntry.objects.bulk_update(to_update, _COMPARED + ["user"])
    result.created, result.updated = len(to_create), len(to_update)
    return result


def import_roster(data: bytes, filename: str, branch: Organization) -> ImportResult:
    return apply_roster(parse_roster(data, filename, branch), branch)


def _export_row(entry: RosterEntry) -> list[object]:
    return [
        entry.member_no,
        entry.name,
        entry.get_gender_display(),
        entry.get_member_type_display(),
        entry.joined_on,
        entry.grid.name if entry.grid else "",
        entry.get_status_display(),
        entry.email,
        entry.phone,
    ]


def export_roster_xlsx(branch: Organization, stream) -> None:
    """Write the branch roster as XLSX to `stream`, with headers in the active language."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=branch.code[:31])
    sheet.append([str(FIELD_LABELS[name]) for name, _zh, _en in COLUMNS])
    entries = RosterEntry.objects.filter(branch=branch).select_related("grid").order_by("member_no")
    for entry in entries.iterator(chunk_size=2000):
        sheet.append(_export_row(entry))
    workbook.save(stream)
