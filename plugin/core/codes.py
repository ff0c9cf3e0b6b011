"""Grid code allocation by the workspace's code rule, the register of issued codes, re-parenting plans.

Pure Python (shapely, numpy); no qgis or Qt import.

The code rule (plugin.core.coderule.CodeRule, default ``village12+2+3``) says how many digits each
level appends to its parent's code and which codes are well formed; a code also has to extend its
parent's code (``code_fits``). This module decides *which* number a
new grid gets and keeps the promise of §7.5 that codes are unique:

* existing valid codes never change (unless the planner asks for re-coding);
* a code once issued is never issued again, even after it was retired (``CodeRegistry``);
* allocation only *plans* (``AllocationPlan``, a preview); ``apply_plan`` writes the codes into a
  copy of the arrays and records issued and retired codes in the registry;
* running allocation again on its own result plans nothing.

Numbering order within one parent (west→east, north→south, the practice of DB11 / DB6101/T 3185):
each grid is represented by ``shapely.point_on_surface`` (a point inside it). The grids to number
are cut into horizontal rows ("bands") of height *h* counted down from the parent's top edge
(its bounding box's max y; the grids' own top edge when there is no parent geometry):
``row = floor((top - y) / h)``; *h* is the median bounding-box height of the grids being numbered
(or ``band_height`` when given). Grids are numbered row by row from the north, and within a row
from the west: the sort key is ``(row, x, -y, fid)``, so the order is deterministic and does not
depend on the order of the input rows. Grids without a geometry come last, by fid.

New numbers under a parent continue after the highest number ever used under it (issued in the
registry or present in the data); only when that runs out are never-used lower numbers taken.
Not enough free numbers is a ``CodeExhaustedError`` naming the parent(s).
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np
import shapely

from . import schema
from .coderule import CodeRule
from .errors import PluginError
from .model import GridArray

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"
DEFAULT_RULE = "village12+2+3"

# Reasons of a plan entry: key -> (Chinese, English).
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("无编码，新分配", "no code; new code allocated"),
    "invalid": ("编码不符合编码规则，重新分配", "code does not follow the code rule; re-allocated"),
    "invalid_kept": (
        "编码不符合编码规则（未要求重新编码，保留）",
        "code does not follow the code rule (kept: re-coding not asked)",
    ),
    "duplicate": ("编码重复，重新分配", "duplicated code; re-allocated"),
    "retired_reused": ("编码已撤销，不得重复使用，重新分配", "code was retired and may not be reused; re-allocated"),
    "recode": ("按要求重新编码", "re-coded on request"),
    "village_code": ("按村/社区统计用区划代码赋码", "village/community statistical code assigned"),
    "parent_changed": ("上级编码变更，本级编码保留", "parent code changed; code kept"),
    "parent_recoded": ("上级编码变更，随之重新编码", "parent code changed; re-coded with it"),
    "no_parent": ("找不到所在的上级网格", "no parent grid contains this grid"),
    "parent_uncoded": (
        "上级网格尚无有效编码，请先为上级网格赋码",
        "the parent grid has no valid code yet; code the parent first",
    ),
    "no_village_code": (
        "一级网格编码应为村/社区统计用区划代码，未能按名称匹配",
        "a level 1 code is the village statistical code; no match by name",
    ),
}


class CodeError(PluginError, ValueError):
    """A code cannot be issued (already issued, malformed …)."""


class CodeExhaustedError(CodeError):
    """Not enough free sequence numbers under one or more parents."""

    def __init__(self, shortages: list[tuple[str, int, int, int]]):
        # (parent_code, level, needed, available)
        self.shortages = shortages
        parts_en = [
            f"parent {p} (level {lvl}): {need} new codes needed, {avail} free numbers left"
            for p, lvl, need, avail in shortages
        ]
        parts_zh = [
            f"上级网格 {p}（{lvl} 级）：需新编码 {need} 个，仅余 {avail} 个可用序号"
            for p, lvl, need, avail in shortages
        ]
        self.message_zh = "编码序号已用尽：" + "；".join(parts_zh)
        self.message_en = "Sequence numbers exhausted: " + "; ".join(parts_en)
        super().__init__(self.message_en)


# ---------------------------------------------------------------- the code rule


def resolve_rule(rule=None) -> CodeRule:
    """A CodeRule from a rule, its text, or None (the default rule)."""
    if rule is None or isinstance(rule, str):
        return CodeRule.parse(rule or DEFAULT_RULE)
    return rule


def sequence_numbers(rule: CodeRule, level: int) -> range:
    """The sequence numbers the rule allows a child at ``level`` (2, 3 or dedicated) to append."""
    lo, hi = rule.sequence_range(level)
    return range(lo, hi + 1)


def code_fits(rule: CodeRule, code: str | None, level: int, parent_code: str | None) -> bool:
    """``code`` follows the rule for ``level`` and, below level 1, extends ``parent_code``.

    Without a parent code only the form is checked.
    """
    if not rule.is_valid(code, level):
        return False
    if level == 1 or not parent_code:
        return True
    return len(parent_code) == rule.parent_width(level) and code.startswith(parent_code)


def parent_level(level: int) -> int | None:
    """The level of a grid's parent: 2→1, 3→2, dedicated→1, 1→None."""
    return {1: None, 2: 1, 3: 2, schema.LEVEL_DEDICATED: 1}[level]


# ---------------------------------------------------------------- the register of issued codes


REGISTRY_FIELDS = ("code", "layer", "level", "parent_code", "status", "issued_on", "retired_on", "note")


@dataclass
class CodeEntry:
    code: str
    layer: str = ""
    level: int | None = None
    parent_code: str | None = None
    status: str = STATUS_ACTIVE
    issued_on: date | None = None
    retired_on: date | None = None
    note: str = ""

    @property
    def retired(self) -> bool:
        return self.status == STATUS_RETIRED


def _as_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class CodeRegistry:
    """Every code ever issued in a workspace, with its status and dates.

    A code in the registry, active or retired, is never issued again. Stored later as a table with
    the columns ``REGISTRY_FIELDS`` (``to_rows`` / ``from_rows``; dates as ISO text).
    """

    def __init__(self, entries: Iterable[CodeEntry] = ()):
        self._entries: dict[str, CodeEntry] = {}
        for entry in entries:
            self._entries[entry.code] = entry

    def __contains__(self, code) -> bool:
        return code in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries.values())

    def get(self, code: str) -> CodeEntry | None:
        return self._entries.get(code)

    def codes(self) -> set[str]:
        return set(self._entries)

    def is_retired(self, code: str) -> bool:
        entry = self._entries.get(code)
        return entry is not None and entry.retired

    def issue(
        self,
        code: str,
        *,
        layer: str = "",
        level: int | None = None,
        parent_code: str | None = None,
        on=None,
        note: str = "",
    ) -> CodeEntry:
        """Record a new code; a code already issued (even retired) is refused."""
        if not code:
            raise CodeError("an empty code cannot be issued")
        if code in self._entries:
            state = "retired" if self._entries[code].retired else "in use"
            raise CodeError(f"code {code} was issued before ({state}) and cannot be issued again")
        entry = CodeEntry(code, layer, level, parent_code, STATUS_ACTIVE, _as_date(on) or date.today(), None, note)
        self._entries[code] = entry
        return entry

    def retire(self, code: str, *, on=None, note: str = "", layer: str = "", level: int | None = None) -> CodeEntry:
        """Mark a code retired (adding it when it was never recorded); retiring twice keeps the first date."""
        entry = self._entries.get(code)
        when = _as_date(on) or date.today()
        if entry is None:
            entry = CodeEntry(code, layer, level, None, STATUS_RETIRED, None, when, note)
            self._entries[code] = entry
        elif not entry.retired:
            entry.status = STATUS_RETIRED
            entry.retired_on = when
            if note:
                entry.note = f"{entry.note}; {note}" if entry.note else note
        return entry

    def record_existing(self, grids: GridArray | Mapping[str, GridArray] | Iterable[GridArray], on=None) -> list[str]:
        """Add the codes found in the data that the registry does not know yet (status as in the data)."""
        added = []
        when = _as_date(on) or date.today()
        for grid in _grid_list(grids):
            active = active_mask(grid)
            for i, code in enumerate(grid.codes):
                if not code or code in self._entries:
                    continue
                self._entries[code] = CodeEntry(
                    code,
                    grid.layer,
                    grid.level,
                    grid.parent_codes[i],
                    STATUS_ACTIVE if active[i] else STATUS_RETIRED,
                    when if active[i] else None,
                    None if active[i] else when,
                )
                added.append(code)
        return added

    def sync(self, grids, on=None, retire_missing: bool = True) -> tuple[list[str], list[str]]:
        """Bring the registry up to date with the data: new codes recorded, codes of retired or removed grids retired.

        Returns (added, retired). ``grids`` must hold every grid layer when ``retire_missing`` is set.
        """
        added = self.record_existing(grids, on)
        in_use: set[str] = set()
        retired_in_data: set[str] = set()
        for grid in _grid_list(grids):
            active = active_mask(grid)
            for code, is_active in zip(grid.codes, active):
                if code:
                    (in_use if is_active else retired_in_data).add(code)
        retired = []
        for code, entry in self._entries.items():
            if entry.retired or code in in_use:
                continue
            if code in retired_in_data or retire_missing:
                self.retire(code, on=on, note="grid retired" if code in retired_in_data else "grid removed")
                retired.append(code)
        return added, retired

    def copy(self) -> CodeRegistry:
        return CodeRegistry(copy.deepcopy(list(self._entries.values())))

    def to_rows(self) -> list[dict]:
        rows = []
        for entry in sorted(self._entries.values(), key=lambda e: e.code):
            rows.append(
                {
                    "code": entry.code,
                    "layer": entry.layer,
                    "level": entry.level,
                    "parent_code": entry.parent_code,
                    "status": entry.status,
                    "issued_on": entry.issued_on.isoformat() if entry.issued_on else None,
                    "retired_on": entry.retired_on.isoformat() if entry.retired_on else None,
                    "note": entry.note,
                }
            )
        return rows

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping]) -> CodeRegistry:
        entries = []
        for row in rows:
            code = row.get("code")
            if not code:
                continue
            level = row.get("level")
            entries.append(
                CodeEntry(
                    code=str(code),
                    layer=row.get("layer") or "",
                    level=None if level in (None, "") else int(level),
                    parent_code=row.get("parent_code") or None,
                    status=row.get("status") or STATUS_ACTIVE,
                    issued_on=_as_date(row.get("issued_on")),
                    retired_on=_as_date(row.get("retired_on")),
                    note=row.get("note") or "",
                )
            )
        return cls(entries)


# ---------------------------------------------------------------- the registry checked against the data


@dataclass(frozen=True)
class RegistryProblem:
    """One way the stored registry disagrees with the grids or the change log.

    ``kind``: ``missing`` (a grid holds a code the registry lacks), ``missing_logged`` (the change log
    names a code the registry lacks: a code was issued and its record lost, so it could be issued again),
    ``not_retired`` (the registry says active but no active grid holds the code), ``retired_in_use``
    (an active grid holds a code the registry has retired: a retired code was re-used).
    """

    kind: str
    code: str
    layer: str = ""
    level: int | None = None


def _held(grids) -> tuple[dict[str, GridArray], set[str]]:
    """code -> the grid layer holding it (any status), and the codes an active grid holds."""
    holder: dict[str, GridArray] = {}
    active_codes: set[str] = set()
    for grid in _grid_list(grids):
        active = active_mask(grid)
        for code, is_active in zip(grid.codes, active):
            if not code:
                continue
            holder.setdefault(code, grid)
            if is_active:
                active_codes.add(code)
    return holder, active_codes


def _logged_codes(change_log: Iterable[Mapping]) -> dict[str, str]:
    """code -> layer, for every code the change log names (old or new)."""
    out: dict[str, str] = {}
    for row in change_log:
        for key in ("old_code", "new_code"):
            code = row.get(key)
            if code and str(code).strip():
                out.setdefault(str(code).strip(), row.get("layer") or "")
    return out


def registry_problems(registry: CodeRegistry, grids, change_log: Iterable[Mapping] = ()) -> list[RegistryProblem]:
    """Where ``registry`` disagrees with ``grids`` (every grid layer) and ``change_log`` rows; sorted."""
    holder, active_codes = _held(grids)
    problems = []
    for code, grid in holder.items():
        entry = registry.get(code)
        if entry is None:
            problems.append(RegistryProblem("missing", code, grid.layer, grid.level))
        elif entry.retired and code in active_codes:
            problems.append(RegistryProblem("retired_in_use", code, grid.layer, grid.level))
    for code, layer in _logged_codes(change_log).items():
        if code not in holder and code not in registry:
            problems.append(RegistryProblem("missing_logged", code, layer))
    for entry in registry:
        if not entry.retired and entry.code not in active_codes:
            problems.append(RegistryProblem("not_retired", entry.code, entry.layer, entry.level))
    return sorted(problems, key=lambda p: (p.kind, p.code))


def rebuild_registry_from(registry: CodeRegistry, grids, change_log: Iterable[Mapping] = (), on=None) -> CodeRegistry:
    """A copy of ``registry`` made to agree with ``grids`` and ``change_log`` as far as it can be.

    Codes the grids hold are recorded; codes only the change log names are recorded as retired (they
    were issued once, so they must never be issued again); active entries no active grid holds are
    retired. Nothing is removed and a retired code is never made active again: a grid holding a retired
    code (``retired_in_use``) must get a new code instead, so that problem stays.
    """
    rebuilt = registry.copy()
    rebuilt.sync(grids, on=on)
    holder, _ = _held(grids)
    for code, layer in _logged_codes(change_log).items():
        if code not in holder and code not in rebuilt:
            rebuilt.retire(code, on=on, note="rebuilt from the change log", layer=layer)
    return rebuilt


def _grid_list(grids) -> list[GridArray]:
    if isinstance(grids, GridArray):
        return [grids]
    if isinstance(grids, Mapping):
        return list(grids.values())
    return list(grids)


def active_mask(grid: GridArray) -> np.ndarray:
    """True for rows whose status is not 'retired' (a missing status counts as active)."""
    status = grid.attribute("status", None)
    return np.asarray([s != STATUS_RETIRED for s in status], dtype=bool)


def _issued_codes(registry) -> set[str]:
    return registry.codes() if isinstance(registry, CodeRegistry) else set(registry)


def _is_retired(registry, code: str) -> bool:
    return isinstance(registry, CodeRegistry) and registry.is_retired(code)


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class CodeAssignment:
    """One line of a plan. ``new_code`` None: the grid could not be coded (see ``reason``)."""

    fid: int
    layer: str
    old_code: str | None
    new_code: str | None
    reason: str  # a key of REASONS
    parent_code: str | None = None
    detail: str = ""

    def reason_label(self, language: str = "zh") -> str:
        zh, en = REASONS.get(self.reason, (self.reason, self.reason))
        text = zh if language == "zh" else en
        return (
            f"{text}（{self.detail}）"
            if self.detail and language == "zh"
            else (f"{text} ({self.detail})" if self.detail else text)
        )

    def as_tuple(self) -> tuple:
        return (self.fid, self.layer, self.old_code, self.new_code, self.reason)


@dataclass
class AllocationPlan:
    """A preview: codes to write (``assignments``), grids left without a code (``unresolved``) and
    invalid codes left as they are because re-coding was not asked (``kept_invalid``)."""

    assignments: list[CodeAssignment] = field(default_factory=list)
    unresolved: list[CodeAssignment] = field(default_factory=list)
    kept_invalid: list[CodeAssignment] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.assignments)

    def __iter__(self):
        return iter(self.assignments)

    @property
    def is_empty(self) -> bool:
        return not self.assignments

    def rows(self) -> list[tuple]:
        """(fid, layer, old_code, new_code, reason) for every assignment."""
        return [a.as_tuple() for a in self.assignments]

    def new_codes(self) -> dict[tuple[str, int], str]:
        return {(a.layer, a.fid): a.new_code for a in self.assignments}

    def extend(self, other: AllocationPlan) -> None:
        self.assignments.extend(other.assignments)
        self.unresolved.extend(other.unresolved)
        self.kept_invalid.extend(other.kept_invalid)


# ---------------------------------------------------------------- geometry helpers


def _representative_points(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, x, y); NaN coordinates where there is no geometry."""
    n = len(geometries)
    has = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries)) if n else np.zeros(0, bool)
    points = np.full(n, None, dtype=object)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if has.any():
        pts = shapely.point_on_surface(valid_geometries(geometries[has]))
        points[has] = pts
        x[has] = shapely.get_x(pts)
        y[has] = shapely.get_y(pts)
    return points, x, y


def valid_geometries(geometries: np.ndarray) -> np.ndarray:
    bad = ~shapely.is_valid(geometries)
    if bad.any():
        geometries = geometries.copy()
        geometries[bad] = shapely.make_valid(geometries[bad])
    return geometries


def find_parents(children: GridArray, parents: GridArray) -> np.ndarray:
    """Index into ``parents`` of each child's parent, -1 when none.

    The parent is the active parent containing the child's point on surface; where that is not a
    single grid (overlapping parents, a child outside every parent) the parent sharing the largest
    area with the child. Children without geometry fall back to their ``parent_code`` attribute.
    """
    n = len(children)
    result = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(parents) == 0:
        return result
    p_active = np.flatnonzero(active_mask(parents) & ~shapely.is_missing(parents.geometries))
    if len(p_active):
        p_geoms = valid_geometries(parents.geometries[p_active])
        tree = shapely.STRtree(p_geoms)
        points, _, _ = _representative_points(children.geometries)
        has_point = np.flatnonzero(points != None)  # noqa: E711
        if len(has_point):
            ci, pi = tree.query(points[has_point], predicate="intersects")
            counts = np.bincount(ci, minlength=len(has_point))
            single = np.flatnonzero(counts == 1)
            first = np.full(len(has_point), -1, dtype=np.int64)
            first[ci[::-1]] = pi[::-1]
            result[has_point[single]] = p_active[first[single]]
            unclear = has_point[counts != 1]
            if len(unclear):
                c_geoms = valid_geometries(children.geometries[unclear])
                ci2, pi2 = tree.query(c_geoms, predicate="intersects")
                if len(ci2):
                    areas = shapely.area(shapely.intersection(c_geoms[ci2], p_geoms[pi2]))
                    order = np.lexsort((pi2, -areas, ci2))  # per child: largest area first
                    ci2, pi2, areas = ci2[order], pi2[order], areas[order]
                    _, first_rows = np.unique(ci2, return_index=True)
                    for row in first_rows:
                        if areas[row] > 0:
                            result[unclear[ci2[row]]] = p_active[pi2[row]]
    # no geometry (or no overlap): the parent_code attribute
    by_code = {}
    for j in p_active:
        code = parents.codes[j]
        if code and code not in by_code:
            by_code[code] = j
    for i in np.flatnonzero(result < 0):
        pc = children.parent_codes[i]
        if pc in by_code:
            result[i] = by_code[pc]
    return result


def numbering_order(
    geometries: np.ndarray, fids: np.ndarray, top: float | None = None, band_height: float | None = None
) -> np.ndarray:
    """Indexes of ``geometries`` in numbering order: rows from north to south, west to east within a row.

    See the module docstring for the exact rule.
    """
    n = len(geometries)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    _, x, y = _representative_points(geometries)
    has = ~np.isnan(x)
    if band_height is None or band_height <= 0:
        heights = np.full(n, np.nan)
        if has.any():
            b = shapely.bounds(geometries[has])
            heights[has] = b[:, 3] - b[:, 1]
        positive = heights[has & (heights > 0)] if has.any() else np.zeros(0)
        band_height = float(np.median(positive)) if len(positive) else 1.0
    if top is None or not math.isfinite(top):
        top = float(np.nanmax(shapely.bounds(geometries[has])[:, 3])) if has.any() else 0.0
    rows = np.where(has, np.floor((top - np.where(has, y, 0.0)) / band_height), np.inf)
    xs = np.where(has, x, np.inf)
    ys = np.where(has, -y, np.inf)
    return np.lexsort((np.asarray(fids), ys, xs, rows))


# ---------------------------------------------------------------- allocation


class _Numbering:
    """The numbers already used under each parent (registry, data, and this plan)."""

    def __init__(self, rule, codes: Iterable[str]):
        self.rule = rule
        self._codes = [c for c in codes if c]
        self._used: dict[tuple[str, int], set[int]] = {}
        self._widths_indexed: set[int] = set()

    def _index(self, width: int) -> None:
        if width in self._widths_indexed:
            return
        self._widths_indexed.add(width)
        for code in self._codes:
            if len(code) > width and code[-width:].isdigit():
                self._used.setdefault((code[:-width], width), set()).add(int(code[-width:]))

    def add(self, code: str) -> None:
        self._codes.append(code)
        for width in self._widths_indexed:
            if len(code) > width and code[-width:].isdigit():
                self._used.setdefault((code[:-width], width), set()).add(int(code[-width:]))

    def free(self, parent_code: str, level: int) -> list[int]:
        width = self.rule.suffix_width(level)
        self._index(width)
        used = self._used.get((parent_code, width), set())
        allowed = sequence_numbers(self.rule, level)
        top = max((u for u in used if u in allowed), default=None)
        free = [n for n in allowed if n not in used]
        if top is None:
            return free
        return [n for n in free if n > top] + [n for n in free if n < top]

    def code(self, parent_code: str, level: int, number: int) -> str:
        return f"{parent_code}{number:0{self.rule.suffix_width(level)}d}"


def allocate_codes(
    grids: GridArray,
    parents: GridArray | None,
    rule,
    registry: set[str] | CodeRegistry,
    *,
    recode_invalid: bool = False,
    duplicates: str = "keep_largest",
    recode_fids: Iterable[int] = (),
    village_codes: Mapping[str, str] | None = None,
    band_height: float | None = None,
    other_codes: Iterable[str] = (),
) -> AllocationPlan:
    """Plan codes for the grids of one layer that have none (or an invalid one, when asked).

    ``parents``: the parent layer (level 1 for level 2 and dedicated grids, level 2 for level 3);
    each grid's parent is found spatially (``find_parents``). ``registry``: every code ever issued
    (a CodeRegistry, or a plain set of codes). ``duplicates``: "keep_largest" (the largest grid
    keeps a code shared by several active grids, the others get new codes — the usual result of a
    split in QGIS) or "recode_all". ``recode_fids``: grids to re-code on the planner's request.
    ``village_codes``: name → 12-digit village code, used to code level 1 grids by name.
    ``other_codes``: codes in use elsewhere (other layers) that the registry may not know yet.
    Raises CodeExhaustedError when a parent has too few free numbers.
    """
    if duplicates not in ("keep_largest", "recode_all"):
        raise ValueError("duplicates must be 'keep_largest' or 'recode_all'")
    rule = resolve_rule(rule)
    level = grids.level
    plan = AllocationPlan()
    n = len(grids)
    if n == 0:
        return plan
    active = active_mask(grids)
    recode_fids = set(int(f) for f in recode_fids)

    # the parent of each grid, and its code
    parent_index = np.full(n, -1, dtype=np.int64)
    parent_code = np.full(n, None, dtype=object)
    if level != 1:
        if parents is not None:
            parent_index = find_parents(grids, parents)
            has = parent_index >= 0
            parent_code[has] = parents.codes[parent_index[has]]
        else:
            parent_code[:] = grids.parent_codes
    parent_valid: dict[str, bool] = {}

    def parent_ok(code) -> bool:
        """The parent's own code follows the rule (checked on its form only)."""
        if not code:
            return False
        if code not in parent_valid:
            parent_valid[code] = bool(rule.is_valid(code, parent_level(level)))
        return parent_valid[code]

    areas = np.nan_to_num(shapely.area(grids.geometries), nan=0.0)

    # which grids keep their code
    needs: list[tuple[int, str, str]] = []  # (row, reason, detail)
    valid_holders: dict[str, list[int]] = defaultdict(list)
    for i in range(n):
        if not active[i]:
            continue
        code = grids.codes[i]
        fid = int(grids.fids[i])
        if not code:
            needs.append((i, "missing", ""))
            continue
        if fid in recode_fids:
            needs.append((i, "recode", ""))
            continue
        if level != 1 and _is_retired(registry, code):  # a level 1 code is the village's own statistical code
            needs.append((i, "retired_reused", code))
            continue
        check_parent = parent_code[i] if level != 1 else None
        if level != 1 and not check_parent:
            check_parent = grids.parent_codes[i]
        if not code_fits(rule, code, level, check_parent):
            if recode_invalid:
                needs.append((i, "invalid", ""))
            else:
                plan.kept_invalid.append(CodeAssignment(fid, grids.layer, code, None, "invalid_kept", parent_code[i]))
            continue
        valid_holders[code].append(i)
    for code, rows in valid_holders.items():
        if len(rows) < 2:
            continue
        rows = sorted(rows, key=lambda r: (-areas[r], int(grids.fids[r])))
        losers = rows[1:] if duplicates == "keep_largest" else rows
        for r in losers:
            detail = f"fid {int(grids.fids[rows[0]])} keeps {code}" if duplicates == "keep_largest" else code
            needs.append((r, "duplicate", detail))

    if not needs:
        return plan

    if level == 1:
        return _allocate_level1(grids, rule, registry, needs, plan, village_codes, other_codes)

    numbering = _Numbering(rule, [*_issued_codes(registry), *(c for c in grids.codes if c), *other_codes])
    groups: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for i, reason, detail in needs:
        pc = parent_code[i]
        fid = int(grids.fids[i])
        if not pc:
            why = "no_parent" if parents is None or parent_index[i] < 0 else "parent_uncoded"
            plan.unresolved.append(CodeAssignment(fid, grids.layer, grids.codes[i], None, why, None, detail))
        elif not parent_ok(pc):
            plan.unresolved.append(CodeAssignment(fid, grids.layer, grids.codes[i], None, "parent_uncoded", pc, detail))
        else:
            groups[pc].append((i, reason, detail))

    shortages = []
    planned: list[CodeAssignment] = []
    for pc in sorted(groups):
        members = groups[pc]
        rows = np.asarray([m[0] for m in members], dtype=np.int64)
        top = None
        if parents is not None:
            p_rows = parent_index[rows]
            p_rows = p_rows[p_rows >= 0]
            if len(p_rows) and parents.geometries[p_rows[0]] is not None:
                top = float(shapely.bounds(parents.geometries[p_rows[0]])[3])
        order = numbering_order(grids.geometries[rows], grids.fids[rows], top, band_height)
        free = numbering.free(pc, level)
        if len(free) < len(members):
            shortages.append((pc, level, len(members), len(free)))
            continue
        for k, pos in enumerate(order):
            i, reason, detail = members[pos]
            new_code = numbering.code(pc, level, free[k])
            numbering.add(new_code)
            planned.append(
                CodeAssignment(int(grids.fids[i]), grids.layer, grids.codes[i], new_code, reason, pc, detail)
            )
    if shortages:
        raise CodeExhaustedError(shortages)
    plan.assignments.extend(planned)
    return plan


def _allocate_level1(grids, rule, registry, needs, plan, village_codes, other_codes) -> AllocationPlan:
    used = _issued_codes(registry) | {c for c in grids.codes if c} | set(other_codes)
    lookup = {}
    for name, code in (village_codes or {}).items():
        if name:
            lookup.setdefault(str(name).strip(), set()).add(code)
    for i, _reason, detail in needs:
        fid = int(grids.fids[i])
        name = grids.names[i]
        candidates = lookup.get(str(name).strip(), set()) if name else set()
        code = next(iter(candidates)) if len(candidates) == 1 else None
        if code and rule.is_valid(code, 1) and code not in used:
            used.add(code)
            plan.assignments.append(CodeAssignment(fid, grids.layer, grids.codes[i], code, "village_code", None, name))
        else:
            plan.unresolved.append(
                CodeAssignment(fid, grids.layer, grids.codes[i], None, "no_village_code", None, detail)
            )
    return plan


# ---------------------------------------------------------------- applying a plan


def apply_plan(plan: AllocationPlan, grids, registry: set[str] | CodeRegistry, *, on=None, note: str = ""):
    """Write a plan's codes into a copy of ``grids`` (a GridArray or a dict of them) and record them.

    New codes are issued in the registry; an old code that no active grid of its layer holds any
    more is retired (recorded as retired even if the registry never knew it). The registry is changed
    in place; the grids are returned as a new object of the same shape.
    """
    single = isinstance(grids, GridArray)
    layers = {grids.layer: grids} if single else dict(grids)
    by_layer: dict[str, list[CodeAssignment]] = defaultdict(list)
    for a in plan.assignments:
        by_layer[a.layer].append(a)
    out = {}
    for name, grid in layers.items():
        todo = by_layer.get(name)
        if not todo:
            out[name] = grid
            continue
        codes = grid.codes.copy()
        parent_codes = grid.parent_codes.copy()
        row_of = {int(f): i for i, f in enumerate(grid.fids)}
        for a in todo:
            i = row_of.get(a.fid)
            if i is None:
                raise CodeError(f"{name}: the plan names fid {a.fid}, which is not in the layer")
            codes[i] = a.new_code
            if a.parent_code is not None:
                parent_codes[i] = a.parent_code
        new_grid = replace(grid, codes=codes, parent_codes=parent_codes)
        active = active_mask(new_grid)
        still_used = {c for c, act in zip(codes, active) if c and act}
        for a in todo:
            if a.new_code and a.new_code != a.old_code:
                if isinstance(registry, CodeRegistry):
                    if a.new_code not in registry:
                        registry.issue(
                            a.new_code,
                            layer=name,
                            level=grid.level,
                            parent_code=a.parent_code,
                            on=on,
                            note=note or a.reason,
                        )
                else:
                    registry.add(a.new_code)
            if a.old_code and a.old_code != a.new_code and a.old_code not in still_used:
                if isinstance(registry, CodeRegistry):
                    registry.retire(a.old_code, on=on, note=note or a.reason, layer=name, level=grid.level)
                else:
                    registry.add(a.old_code)
        out[name] = new_grid
    return out[grids.layer] if single else out


_LEVEL_ORDER = (1, 2, 3, schema.LEVEL_DEDICATED)


def allocate_workspace(
    grids: Mapping[str, GridArray], rule, registry: set[str] | CodeRegistry, **options
) -> AllocationPlan:
    """Plan codes for every grid layer, parents first (1, 2, 3, dedicated), so that children of newly
    coded parents are coded in the same plan. The registry is not changed (a scratch copy is used).

    ``options`` are those of ``allocate_codes``, except ``recode_fids``: a dict layer name → fids.
    """
    rule = resolve_rule(rule)
    scratch = registry.copy() if isinstance(registry, CodeRegistry) else set(registry)
    work = dict(grids)
    by_level = {g.level: name for name, g in work.items()}
    plan = AllocationPlan()
    all_codes = {c for g in work.values() for c in g.codes if c}
    recode_fids = options.pop("recode_fids", {}) or {}
    for level in _LEVEL_ORDER:
        name = by_level.get(level)
        if name is None:
            continue
        plevel = parent_level(level)
        parents = work.get(by_level.get(plevel)) if plevel is not None else None
        layer_plan = allocate_codes(
            work[name], parents, rule, scratch, other_codes=all_codes, recode_fids=recode_fids.get(name, ()), **options
        )
        work[name] = apply_plan(layer_plan, work[name], scratch)
        all_codes.update(a.new_code for a in layer_plan.assignments if a.new_code)
        plan.extend(layer_plan)
    return plan


# ---------------------------------------------------------------- re-parenting


def plan_parent_change(
    children: Iterable[GridArray] | Mapping[str, GridArray],
    code_changes: Mapping[str, str],
    rule,
    registry: set[str] | CodeRegistry,
    *,
    recode: bool = False,
) -> AllocationPlan:
    """What happens to the children when parent codes change (``code_changes``: old → new).

    ``recode=False`` (the default): children keep their codes; the plan only moves their
    ``parent_code`` to the new parent (reason "parent_changed"). Their codes then no longer start
    with the parent's code, which the code audit will report until the planner re-codes.
    ``recode=True``: each child gets the new parent's code + its old sequence number when that code
    was never issued, else the next free number; this cascades to grandchildren (level 3 under a
    re-coded level 2). Applying such a plan retires the old codes in the registry.
    """
    rule = resolve_rule(rule)
    layers = sorted(_grid_list(children), key=lambda g: (_LEVEL_ORDER.index(g.level), g.layer))
    changes = {k: v for k, v in code_changes.items() if k and v and k != v}
    plan = AllocationPlan()
    taken = [*_issued_codes(registry), *(c for g in layers for c in g.codes if c)]
    numbering = _Numbering(rule, taken)
    issued = set(taken)
    for grid in layers:
        level = grid.level
        if level == 1:
            continue
        width = rule.suffix_width(level)
        active = active_mask(grid)
        moved: dict[str, list[int]] = defaultdict(list)
        for i in range(len(grid)):
            if not active[i]:
                continue
            code = grid.codes[i]
            old_parent = grid.parent_codes[i] or (code[:-width] if code and len(code) > width else None)
            if old_parent in changes:
                moved[changes[old_parent]].append(i)
        level_changes: dict[str, str] = {}
        for new_parent in sorted(moved):
            rows = moved[new_parent]
            if not recode:
                for i in rows:
                    plan.assignments.append(
                        CodeAssignment(
                            int(grid.fids[i]), grid.layer, grid.codes[i], grid.codes[i], "parent_changed", new_parent
                        )
                    )
                continue
            keep_number, renumber = [], []
            for i in rows:
                code = grid.codes[i]
                suffix = code[-width:] if code and len(code) > width else ""
                candidate = new_parent + suffix if suffix.isdigit() else None
                if candidate and candidate not in issued and code_fits(rule, candidate, level, new_parent):
                    keep_number.append((i, candidate))
                    issued.add(candidate)
                    numbering.add(candidate)
                else:
                    renumber.append(i)
            assigned = list(keep_number)
            if renumber:
                free = numbering.free(new_parent, level)
                if len(free) < len(renumber):
                    raise CodeExhaustedError([(new_parent, level, len(renumber), len(free))])
                idx = np.asarray(renumber, dtype=np.int64)
                order = numbering_order(grid.geometries[idx], grid.fids[idx])
                for k, pos in enumerate(order):
                    new_code = numbering.code(new_parent, level, free[k])
                    numbering.add(new_code)
                    issued.add(new_code)
                    assigned.append((renumber[pos], new_code))
            for i, new_code in sorted(assigned, key=lambda t: int(grid.fids[t[0]])):
                plan.assignments.append(
                    CodeAssignment(int(grid.fids[i]), grid.layer, grid.codes[i], new_code, "parent_recoded", new_parent)
                )
                if grid.codes[i]:
                    level_changes[grid.codes[i]] = new_code
        changes.update(level_changes)
    return plan
