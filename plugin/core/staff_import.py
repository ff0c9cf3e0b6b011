"""Which rows of a staff register may be imported into the workspace's staff table, and why not the others.

:func:`staffing.read_staff_table` reads and normalises a CSV or XLSX register and lists the problems of
each row; :func:`plan_staff_import` decides, row by row:

* a row is **rejected** when it has any problem other than a missing contact phone: no name, an unknown
  role, an invalid phone or supervision phone, no grid code, a grid code that no grid has, a retired grid,
  a long code stored as a spreadsheet number, an unreadable yes/no value;
* a row without a contact phone is imported, with a note (§11.4 wants one, but a name and a post matter
  more than the number);
* a row that repeats a person already in the register (append mode) or earlier in the file — the same
  name, grid code and role — is skipped with a note;
* problems of the file itself (unreadable, no header, a required column missing) reject the whole file.

The rows returned are ready to write: the staff fields of :mod:`schema` only, phones normalised, empty
optional text as ``None``. No qgis or Qt import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import schema
from .findings import Severity
from .staffing import (
    RULE_FILE,
    RULE_NO_PHONE,
    RULE_UNKNOWN_GRID,
    StaffProblem,
    normalize_phone,
    parse_bool,
    parse_role,
)
from .staffing import _code_text as code_text  # the register's own code normalisation
from .staffing import _name_text as name_text

RULE_DUPLICATE = "staff.duplicate"
FIELDS = schema.STAFF.field_names
_ACCEPTED_RULES = {RULE_NO_PHONE}  # problems that do not stop a row


@dataclass
class StaffImportPlan:
    rows: list[dict] = field(default_factory=list)  # valid rows, staff fields only
    rows_numbers: list[int] = field(default_factory=list)  # spreadsheet row number of each valid row
    rejected: list[StaffProblem] = field(default_factory=list)  # problems that rejected a row
    notes: list[StaffProblem] = field(default_factory=list)  # imported or skipped with a note
    file_problems: list[StaffProblem] = field(default_factory=list)
    rejected_rows: list[int] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """False when the file itself could not be read as a register."""
        return not self.file_problems

    @property
    def problems(self) -> list[StaffProblem]:
        """Everything to report, file problems first, then by row."""
        by_row = sorted(self.rejected + self.notes, key=lambda p: p.row or 0)
        return self.file_problems + by_row


def _label(row: dict) -> tuple[str, str]:
    number = row.get("_row")
    name = name_text(row.get("name"))
    code = code_text(row.get("grid_code")) or "—"
    return (
        f"第 {number} 行（{name or '（无姓名）'}，网格 {code}）",
        f"row {number} ({name or '(no name)'}, grid {code})",
    )


def _key(row: dict) -> tuple[str, str, str]:
    role = parse_role(row.get("role")) or ""
    return name_text(row.get("name")), code_text(row.get("grid_code")), role


def staff_record(row: dict) -> dict:
    """A register row as the values of the staff table (normalised; empty optional text → None)."""
    out: dict = {}
    for name in FIELDS:
        value = row.get(name)
        if name == "name":
            value = name_text(value)
        elif name == "grid_code":
            value = code_text(value)
        elif name == "role":
            value = parse_role(value) or value
        elif name in ("phone", "supervision_phone"):
            phone = normalize_phone(value, allow_service=name == "supervision_phone")
            value = phone.normalized
        elif name == "safety_officer":
            value = bool(parse_bool(value))
        elif isinstance(value, str):
            value = value.strip()
        out[name] = None if value == "" else value
    return out


def plan_staff_import(
    rows: list[dict],
    problems: list[StaffProblem],
    active_codes,
    retired_codes=(),
    existing: list[dict] | None = None,
) -> StaffImportPlan:
    """Split read rows into rows to write and rows rejected, with every reason, row by row.

    ``active_codes`` / ``retired_codes``: the codes of the workspace's active / retired grids (any level);
    ``existing``: the rows already in the staff table when appending (for duplicates), else ``None``.
    """
    plan = StaffImportPlan()
    plan.file_problems = [p for p in problems if p.row is None]
    if any(p.rule_id == RULE_FILE and p.severity is Severity.ERROR for p in plan.file_problems):
        plan.rejected_rows = [int(r["_row"]) for r in rows if r.get("_row") is not None]
        return plan
    active = {code_text(c) for c in active_codes if code_text(c)}
    retired = {code_text(c) for c in retired_codes if code_text(c)} - active
    by_row: dict[int, list[StaffProblem]] = {}
    for p in problems:
        if p.row is not None:
            by_row.setdefault(int(p.row), []).append(p)
    seen = {_key(r) for r in existing or [] if name_text(r.get("name"))}
    for row in rows:
        number = int(row.get("_row", 0))
        own = by_row.get(number, [])
        stopping = [p for p in own if p.rule_id not in _ACCEPTED_RULES]
        code = code_text(row.get("grid_code"))
        if code and code not in active:
            zh, en = _label(row)
            if code in retired:
                stopping.append(
                    StaffProblem(
                        number,
                        "grid_code",
                        RULE_UNKNOWN_GRID,
                        Severity.ERROR,
                        f"{zh}所属网格 {code} 已撤销，请调整到在用网格。",
                        f"{en}: grid {code} is retired; move this person to an active grid.",
                    )
                )
            else:
                stopping.append(
                    StaffProblem(
                        number,
                        "grid_code",
                        RULE_UNKNOWN_GRID,
                        Severity.ERROR,
                        f"{zh}网格编码 {code} 不存在。",
                        f"{en}: no grid has the code {code}.",
                    )
                )
        if stopping:
            plan.rejected.extend(stopping)
            plan.notes.extend(p for p in own if p.rule_id in _ACCEPTED_RULES)
            plan.rejected_rows.append(number)
            continue
        key = _key(row)
        if key in seen:
            zh, en = _label(row)
            plan.notes.append(
                StaffProblem(
                    number,
                    "name",
                    RULE_DUPLICATE,
                    Severity.INFO,
                    f"{zh}与名册中已有的同一网格、同一岗位人员重复，已跳过。",
                    f"{en}: the same person, grid and role is already in the register; skipped.",
                )
            )
            plan.skipped_rows.append(number)
            continue
        seen.add(key)
        plan.notes.extend(own)
        plan.rows.append(staff_record(row))
        plan.rows_numbers.append(number)
    return plan
