"""Attach households to level 3 grids and roll the totals up to level 2 and level 1.

Two sources give the same :class:`Attachment`:

* :func:`attach_households` — household points (one household each, or a household count per point),
  located in the level 3 grid that contains them;
* :func:`attach_table` — a plain table (CSV, spreadsheet) joined by grid code or by villager-group name.

Rules stated here, and nowhere else:

* A point belongs to the level 3 grid whose polygon *intersects* it (interior or boundary). A point that
  intersects several grids lies on their shared boundary (or in an overlap); it goes to the grid chosen
  by :class:`BoundaryRule` — by default the grid with the lowest code (plain string order, which for the
  equal-length digit codes of the coding rule is numeric order; grids without a code come last; ties by
  fid). Such points are listed as ``boundary_fids`` and reported as ``households.on_boundary`` (info).
* A point that intersects no active level 3 grid is unassigned, listed as ``outside_fids`` and reported
  as ``households.outside_grids`` (warning). A point without geometry is listed as ``missing_fids``.
* Retired grids (``status == "retired"``) and grids without geometry take no households.
* Per point: households = the count field (or 1 when no count field is mapped); persons = the persons
  field. The relocated and absent fields may be flags (bool, 是/否, yes/no, true/false, √) — a set flag
  counts all the point's households — or numbers (a count of households). relocated_households =
  relocated + absent, capped at the point's households. Missing, negative or non-integer numbers count
  as 0 and are tallied in ``invalid_values``.
* Level 3 totals roll up to level 2 by ``parent_code`` and level 2 to level 1 the same way. A grid whose
  parent code is not an active grid of the level above is listed in ``orphan_codes`` and its households
  are not rolled up.
* A table updates only the level 3 grids its rows name (:func:`keep_unnamed`); the others keep their
  stored counts, unless the planner chooses to replace all.
* Never a silent zeroing (:func:`replacement_refusal`): an attachment that attaches nothing, or that would
  lower the active level 3 grids' household total by more than a share (default 20 %), is refused unless
  the planner confirms a full replacement; the refusal says why (outside every grid, no geometry, rows
  matching no grid).

Vectorised: an STRtree of the points is queried with the grid polygons (each polygon prepared once),
so attaching 1,000,000 points to 100,000 grids takes a few seconds. No qgis or Qt import.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import shapely

from . import schema
from .findings import Finding, Rule, Severity
from .model import GridArray, PointArray

LAYER = schema.HOUSEHOLDS.name

RULE_OUTSIDE = "households.outside_grids"
RULE_ON_BOUNDARY = "households.on_boundary"
RULE_NO_GEOMETRY = "households.no_geometry"
RULE_UNMATCHED_ROW = "households.unmatched_row"
RULE_ORPHAN_GRID = "households.orphan_grid"
RULE_BAD_VALUES = "households.bad_values"

RULES: tuple[Rule, ...] = (
    Rule(
        RULE_OUTSIDE, Severity.WARNING, "7.1", "住户点不在任何三级网格内", "household point outside every level 3 grid"
    ),
    Rule(
        RULE_ON_BOUNDARY, Severity.INFO, "7.1", "住户点位于网格公共边界上", "household point on a shared grid boundary"
    ),
    Rule(RULE_NO_GEOMETRY, Severity.WARNING, "", "住户点缺少位置", "household point without geometry"),
    Rule(RULE_UNMATCHED_ROW, Severity.WARNING, "", "住户表行无法对应网格", "household table row matches no grid"),
    Rule(
        RULE_ORPHAN_GRID, Severity.WARNING, "7.3", "网格的上级编码不存在，户数无法汇总", "grid's parent code not found"
    ),
    Rule(RULE_BAD_VALUES, Severity.WARNING, "", "户数/人口字段存在无效值", "invalid household or person values"),
)


class BoundaryRule(str, Enum):
    """Which grid takes a point that intersects several level 3 grids."""

    LOWEST_CODE = "lowest_code"  # the candidate with the lowest code (None last, ties by fid)
    NEAREST_CENTROID = "nearest_centroid"  # the candidate whose centroid is nearest (ties: lowest code)


@dataclass(frozen=True)
class HouseholdMapping:
    """Which source fields hold what. ``None`` means the source has no such field.

    ``households``: a household count per point/row; when ``None`` each point/row is one household.
    ``grid_code``, ``group_name`` and ``village`` are used by :func:`attach_table` only: rows are joined
    by grid code when it is present, otherwise by villager-group name (matched against level 3 grid
    names), narrowed by ``village`` (a level 1 code or name) when the name repeats across villages.
    """

    households: str | None = None
    persons: str | None = "persons"
    relocated: str | None = "relocated"
    absent: str | None = "absent"
    grid_code: str | None = "grid_code"
    group_name: str | None = None
    village: str | None = None


@dataclass
class GridTotals:
    """Totals per grid of one layer, row i matching row i of the GridArray."""

    layer: str
    codes: np.ndarray  # object
    households: np.ndarray  # int64
    population: np.ndarray  # int64
    relocated_households: np.ndarray  # int64

    def as_dict(self) -> dict[str, dict[str, int]]:
        """``{code: {"households": …, "population": …, "relocated_households": …}}`` (coded grids only)."""
        out: dict[str, dict[str, int]] = {}
        for i, code in enumerate(self.codes):
            if code is None or code in out:
                continue
            out[code] = {
                "households": int(self.households[i]),
                "population": int(self.population[i]),
                "relocated_households": int(self.relocated_households[i]),
            }
        return out


@dataclass
class Attachment:
    """The result of attaching households (points or table rows) to grids."""

    source: str  # "points" or "table"
    rule: BoundaryRule
    grid_index: np.ndarray  # per point/row: row in level3, -1 when unassigned
    grid_codes: np.ndarray  # per point/row: level 3 code or None
    level3: GridTotals
    level2: GridTotals | None
    level1: GridTotals | None
    boundary_fids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    boundary_xy: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    boundary_candidates: list[tuple[str, ...]] = field(default_factory=list)
    outside_fids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    outside_xy: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    missing_fids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    unmatched_rows: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, key, reason)
    orphan_codes: list[tuple[str, str, str | None]] = field(default_factory=list)  # (layer, code, parent)
    invalid_values: dict[str, int] = field(default_factory=dict)
    population_known: bool = True

    @property
    def assigned(self) -> int:
        return int(np.count_nonzero(self.grid_index >= 0))

    def totals(self, level: int) -> GridTotals | None:
        return {3: self.level3, 2: self.level2, 1: self.level1}[level]


# ---------------------------------------------------------------- value parsing

_TRUE = {"1", "true", "t", "yes", "y", "是", "√", "✓", "✔", "对", "有"}
_FALSE = {"0", "false", "f", "no", "n", "否", "×", "✗", "无", "", "-"}


def _norm_text(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def _counts(values, n: int, default: int) -> tuple[np.ndarray, int]:
    """Non-negative integer counts; missing, negative or non-integer values → ``default`` (tallied)."""
    if values is None:
        return np.full(n, default, dtype=np.int64), 0
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        f = arr.astype(np.float64)
        bad = ~np.isfinite(f) | (f < 0) | (f != np.floor(f))
        out = np.where(bad, default, f).astype(np.int64)
        return out, int(np.count_nonzero(bad))
    out = np.empty(n, dtype=np.int64)
    bad = 0
    for i, v in enumerate(arr):
        c = _count_value(v)
        if c is None:
            out[i] = default
            bad += 1
        else:
            out[i] = c
    return out, bad


def _count_value(v) -> int | None:
    if v is None or isinstance(v, bool):
        return None if v is None else int(v)
    try:
        f = float(_norm_text(v)) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(f) or f < 0 or f != int(f):
        return None
    return int(f)


def _flag_or_count(values, households: np.ndarray) -> tuple[np.ndarray, int]:
    """Households flagged (bool / yes-no text → all the point's households) or counted (numbers)."""
    n = len(households)
    if values is None:
        return np.zeros(n, dtype=np.int64), 0
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return np.where(arr, households, 0).astype(np.int64), 0
    if arr.dtype.kind in "iuf":
        if arr.dtype.kind == "f":
            arr = np.where(np.isnan(arr), 0.0, arr)  # a blank flag or count means none
        counts, bad = _counts(arr, n, 0)
        return np.minimum(counts, households), bad
    out = np.zeros(n, dtype=np.int64)
    bad = 0
    for i, v in enumerate(arr):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            out[i] = households[i] if v else 0
            continue
        if isinstance(v, str):
            t = _norm_text(v)
            if t in _TRUE - {"1"}:
                out[i] = households[i]
                continue
            if t in _FALSE - {"0"}:
                continue
        c = _count_value(v)
        if c is None:
            bad += 1
        else:
            out[i] = min(c, households[i])
    return out, bad


def _measures(attrs, n: int, mapping: HouseholdMapping) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict, bool]:
    """Per-record households, persons and relocated+absent households."""

    def column(name):
        return None if name is None else attrs(name)

    invalid: dict[str, int] = {}
    hh_values = column(mapping.households)
    households, bad = _counts(hh_values, n, 0 if hh_values is not None else 1)
    if bad:
        invalid[mapping.households] = bad
    persons_values = column(mapping.persons)
    persons, bad = _counts(persons_values, n, 0)
    if bad:
        invalid[mapping.persons] = bad
    relocated, bad = _flag_or_count(column(mapping.relocated), households)
    if bad:
        invalid[mapping.relocated] = bad
    absent, bad = _flag_or_count(column(mapping.absent), households)
    if bad:
        invalid[mapping.absent] = bad
    moved = np.minimum(relocated + absent, households)
    return households, persons, moved, invalid, persons_values is not None


# ---------------------------------------------------------------- grids


def _not_retired(grid: GridArray) -> np.ndarray:
    return np.array([s != "retired" for s in grid.attribute("status", None)], dtype=bool)


def _active_mask(grid: GridArray) -> np.ndarray:
    """Grids that can take points: not retired and with a geometry."""
    has_geom = ~(shapely.is_missing(grid.geometries) | shapely.is_empty(grid.geometries))
    return _not_retired(grid) & has_geom


def _code_rank(grid: GridArray) -> np.ndarray:
    """Rank of each grid in code order: codes ascending, None last, ties by fid."""
    n = len(grid)
    order = sorted(range(n), key=lambda i: (grid.codes[i] is None, str(grid.codes[i] or ""), int(grid.fids[i])))
    rank = np.empty(n, dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(n, dtype=np.int64)
    return rank


def _code_index(grid: GridArray, active: np.ndarray) -> dict[str, int]:
    """Code → row of the first active grid with that code."""
    index: dict[str, int] = {}
    for i in np.flatnonzero(active):
        code = grid.codes[i]
        if code is not None and code not in index:
            index[code] = int(i)
    return index


def _totals(grid: GridArray, idx: np.ndarray, households, persons, moved) -> GridTotals:
    n = len(grid)
    ok = idx >= 0

    def summed(values):
        return np.bincount(idx[ok], weights=values[ok], minlength=n).round().astype(np.int64)

    return GridTotals(grid.layer, grid.codes.copy(), summed(households), summed(persons), summed(moved))


def _roll_up(child: GridTotals, child_grid: GridArray, parent: GridArray | None, orphans: list) -> GridTotals | None:
    if parent is None:
        return None
    index = _code_index(parent, _not_retired(parent))  # no geometry needed to roll up
    child_active = _not_retired(child_grid)
    target = np.full(len(child_grid), -1, dtype=np.int64)
    for i, pc in enumerate(child_grid.parent_codes):
        if not child_active[i]:
            continue
        j = index.get(pc) if pc is not None else None
        if j is None:
            if child.households[i] or child.population[i]:
                orphans.append((child_grid.layer, child_grid.codes[i], pc))
        else:
            target[i] = j
    return _totals(parent, target, child.households, child.population, child.relocated_households)


def with_totals(grid: GridArray, totals: GridTotals) -> GridArray:
    """A copy of ``grid`` whose households, population and relocated_households hold ``totals``."""
    if len(totals.households) != len(grid):
        raise ValueError(f"{grid.layer}: totals have {len(totals.households)} rows, grid has {len(grid)}")
    attrs = dict(grid.attributes)
    attrs["households"] = totals.households.copy()
    attrs["population"] = totals.population.copy()
    attrs["relocated_households"] = totals.relocated_households.copy()
    return GridArray(
        grid.layer,
        grid.level,
        grid.fids,
        grid.codes,
        grid.parent_codes,
        grid.names,
        grid.geometries,
        attrs,
    )


# ---------------------------------------------------------------- attach points


def attach_households(
    points: PointArray,
    level3: GridArray,
    level2: GridArray | None = None,
    level1: GridArray | None = None,
    rule: BoundaryRule = BoundaryRule.LOWEST_CODE,
    mapping: HouseholdMapping | None = None,
) -> Attachment:
    """Assign each household point to the level 3 grid containing it and total the grids."""
    mapping = mapping or HouseholdMapping()
    rule = BoundaryRule(rule)
    n = len(points)
    geoms = np.asarray(points.points, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)

    active = _active_mask(level3)
    grid_rows = np.flatnonzero(active)
    tree = shapely.STRtree(np.where(missing, None, geoms))
    # Query with the polygons: each polygon is prepared once and tested against the points in its box.
    pairs = tree.query(level3.geometries[grid_rows], predicate="intersects")
    pair_grid = grid_rows[pairs[0]]
    pair_point = pairs[1]

    candidates = np.bincount(pair_point, minlength=n)
    if rule is BoundaryRule.NEAREST_CENTROID and np.any(candidates > 1):
        multi = candidates[pair_point] > 1
        dist = np.zeros(len(pair_point))
        xs = shapely.get_x(geoms[pair_point[multi]])
        ys = shapely.get_y(geoms[pair_point[multi]])
        cent = shapely.centroid(level3.geometries[pair_grid[multi]])
        dist[multi] = np.hypot(xs - shapely.get_x(cent), ys - shapely.get_y(cent))
        order = np.lexsort((_code_rank(level3)[pair_grid], dist, pair_point))
    else:
        rank = _code_rank(level3) if np.any(candidates > 1) else np.zeros(len(level3), dtype=np.int64)
        order = np.lexsort((rank[pair_grid], pair_point))
    sorted_points = pair_point[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_points[1:] != sorted_points[:-1]
    grid_index = np.full(n, -1, dtype=np.int64)
    grid_index[sorted_points[first]] = pair_grid[order][first]

    def attrs(name):
        return points.attributes.get(name)

    households, persons, moved, invalid, persons_known = _measures(attrs, n, mapping)
    l3 = _totals(level3, grid_index, households, persons, moved)
    orphans: list = []
    l2 = _roll_up(l3, level3, level2, orphans)
    l1 = _roll_up(l2, level2, level1, orphans) if l2 is not None else None

    boundary = np.flatnonzero(candidates > 1)
    boundary_candidates: list[tuple[str, ...]] = []
    if len(boundary):
        sorted_grids = pair_grid[order]
        starts = np.searchsorted(sorted_points, boundary, side="left")
        ends = np.searchsorted(sorted_points, boundary, side="right")
        for s, e in zip(starts, ends):
            boundary_candidates.append(tuple(str(level3.codes[g]) for g in sorted_grids[s:e]))
    outside = np.flatnonzero((grid_index < 0) & ~missing)
    fids = np.asarray(points.fids, dtype=np.int64)
    return Attachment(
        source="points",
        rule=rule,
        grid_index=grid_index,
        grid_codes=_codes_of(level3, grid_index),
        level3=l3,
        level2=l2,
        level1=l1,
        boundary_fids=fids[boundary],
        boundary_xy=_xy(geoms[boundary]),
        boundary_candidates=boundary_candidates,
        outside_fids=fids[outside],
        outside_xy=_xy(geoms[outside]),
        missing_fids=fids[missing],
        orphan_codes=orphans,
        invalid_values=invalid,
        population_known=persons_known,
    )


def _codes_of(level3: GridArray, grid_index: np.ndarray) -> np.ndarray:
    codes = np.full(len(grid_index), None, dtype=object)
    ok = grid_index >= 0
    codes[ok] = level3.codes[grid_index[ok]]
    return codes


def _xy(geoms: np.ndarray) -> np.ndarray:
    """Coordinates of points (a representative point for multipoints)."""
    if len(geoms) == 0:
        return np.empty((0, 2))
    reps = np.array(geoms, dtype=object)
    other = shapely.get_type_id(reps) != 0
    if np.any(other):
        reps[other] = shapely.point_on_surface(reps[other])
    return np.column_stack([shapely.get_x(reps), shapely.get_y(reps)])


# ---------------------------------------------------------------- attach a table


def _key(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(_norm_text(value).split())


def _village_of(level3: GridArray, level2: GridArray | None, level1: GridArray | None) -> list[str | None]:
    """The level 1 code of each level 3 grid, following parent codes (None when unknown)."""
    if level2 is None:
        return [None] * len(level3)
    l2_parent = {}
    for code, parent in zip(level2.codes, level2.parent_codes):
        if code is not None:
            l2_parent.setdefault(code, parent)
    return [l2_parent.get(pc) if pc is not None else None for pc in level3.parent_codes]


def attach_table(
    rows: list[dict],
    level3: GridArray,
    level2: GridArray | None = None,
    level1: GridArray | None = None,
    mapping: HouseholdMapping | None = None,
) -> Attachment:
    """Total household rows joined to level 3 grids by grid code or villager-group name.

    A row's number in reports is its ``_row`` value when present (spreadsheet row), else its 1-based index.
    """
    mapping = mapping or HouseholdMapping()
    n = len(rows)
    active = _not_retired(level3)
    by_code = {_key(c): i for c, i in _code_index(level3, active).items()}

    by_name: dict[str, list[int]] = {}
    for i in np.flatnonzero(active):
        if level3.names[i] is not None:
            by_name.setdefault(_key(level3.names[i]), []).append(int(i))
    villages = _village_of(level3, level2, level1)
    village_keys: dict[str, set[str]] = {}  # key of a level 1 code or name → level 1 codes
    if level1 is not None:
        for code, name in zip(level1.codes, level1.names):
            if code is None:
                continue
            village_keys.setdefault(_key(code), set()).add(code)
            if name is not None:
                village_keys.setdefault(_key(name), set()).add(code)

    grid_index = np.full(n, -1, dtype=np.int64)
    unmatched: list[tuple[int, str, str]] = []
    for r, row in enumerate(rows):
        number = int(row.get("_row", r + 1))
        code = _key(row.get(mapping.grid_code)) if mapping.grid_code else ""
        if code:
            i = by_code.get(code)
            if i is None:
                unmatched.append((number, str(row.get(mapping.grid_code)), "unknown_code"))
            else:
                grid_index[r] = i
            continue
        name = _key(row.get(mapping.group_name)) if mapping.group_name else ""
        if not name:
            unmatched.append((number, "", "no_key"))
            continue
        found = by_name.get(name, [])
        village = _key(row.get(mapping.village)) if mapping.village else ""
        if village and len(found) > 0:
            wanted = village_keys.get(village, set()) if level1 is not None else {str(row.get(mapping.village)).strip()}
            found = [i for i in found if villages[i] in wanted]
        label = str(row.get(mapping.group_name))
        if village:
            label = f"{row.get(mapping.village)} / {label}"
        if len(found) == 1:
            grid_index[r] = found[0]
        elif not found:
            unmatched.append((number, label, "unknown_name"))
        else:
            unmatched.append((number, label, "ambiguous_name"))

    def attrs(name):
        return np.array([row.get(name) for row in rows], dtype=object) if any(name in row for row in rows) else None

    households, persons, moved, invalid, persons_known = _measures(attrs, n, mapping)
    l3 = _totals(level3, grid_index, households, persons, moved)
    orphans: list = []
    l2 = _roll_up(l3, level3, level2, orphans)
    l1 = _roll_up(l2, level2, level1, orphans) if l2 is not None else None
    return Attachment(
        source="table",
        rule=BoundaryRule.LOWEST_CODE,
        grid_index=grid_index,
        grid_codes=_codes_of(level3, grid_index),
        level3=l3,
        level2=l2,
        level1=l1,
        unmatched_rows=unmatched,
        orphan_codes=orphans,
        invalid_values=invalid,
        population_known=persons_known,
    )


# ---------------------------------------------------------------- partial tables and refusals


def stored_totals(grid: GridArray) -> GridTotals:
    """The counts a grid layer holds now (missing or unreadable values as 0)."""

    def column(name):
        values = grid.attribute(name, None)
        out = np.zeros(len(grid), dtype=np.int64)
        for i, v in enumerate(values):
            c = _count_value(v)
            out[i] = c if c is not None else 0
        return out

    return GridTotals(
        grid.layer, grid.codes.copy(), column("households"), column("population"), column("relocated_households")
    )


def keep_unnamed(
    attachment: Attachment, level3: GridArray, level2: GridArray | None = None, level1: GridArray | None = None
) -> Attachment:
    """A table's attachment in which the level 3 grids no row names keep their stored counts.

    The rolled-up totals are recomputed from the merged level 3 counts. Points (a full register) and an
    attachment from no rows are returned unchanged.
    """
    if attachment.source != "table":
        return attachment
    named = np.zeros(len(level3), dtype=bool)
    named[attachment.grid_index[attachment.grid_index >= 0]] = True
    old = stored_totals(level3)
    new = attachment.level3

    def merged(a, b):
        return np.where(named, a, b).astype(np.int64)

    l3 = GridTotals(
        new.layer,
        new.codes,
        merged(new.households, old.households),
        merged(new.population, old.population),
        merged(new.relocated_households, old.relocated_households),
    )
    orphans: list = []
    l2 = _roll_up(l3, level3, level2, orphans)
    l1 = _roll_up(l2, level2, level1, orphans) if l2 is not None else None
    return Attachment(
        source=attachment.source,
        rule=attachment.rule,
        grid_index=attachment.grid_index,
        grid_codes=attachment.grid_codes,
        level3=l3,
        level2=l2,
        level1=l1,
        unmatched_rows=attachment.unmatched_rows,
        orphan_codes=orphans,
        invalid_values=attachment.invalid_values,
        population_known=attachment.population_known,
    )


DEFAULT_MAX_DROP = 0.2  # a share of the stored household total


@dataclass(frozen=True)
class Refusal:
    """Why an attachment would zero or sharply lower the counts. ``reason``: one of
    ``nothing_attached`` or ``total_drop``; ``cause``: ``outside`` (every point outside the grids),
    ``no_geometry``, ``no_rows`` (empty source), ``unmatched`` (table rows matching no grid) or ``""``."""

    reason: str
    cause: str
    old_total: int
    new_total: int
    records: int
    assigned: int
    outside: int
    missing: int
    unmatched: int

    @property
    def drop(self) -> float:
        return 1.0 - self.new_total / self.old_total if self.old_total > 0 else 0.0


def replacement_refusal(
    attachment: Attachment, level3: GridArray, max_drop: float = DEFAULT_MAX_DROP
) -> Refusal | None:
    """None when the attachment may be written; else why it would zero or sharply lower the counts.

    Refused: nothing attached while the grids hold households (or the source holds records), or the
    household total of the active level 3 grids dropping by more than ``max_drop`` (a share, 0–1).
    """
    active = _not_retired(level3)
    old_total = int(stored_totals(level3).households[active].sum())
    new_total = int(attachment.level3.households[active].sum())
    records = len(attachment.grid_index)
    assigned = attachment.assigned
    outside, missing = len(attachment.outside_fids), len(attachment.missing_fids)
    unmatched = len(attachment.unmatched_rows)
    if records and missing == records:
        cause = "no_geometry"
    elif unmatched:
        cause = "unmatched"
    elif outside:
        cause = "outside"
    elif missing:
        cause = "no_geometry"
    elif records == 0:
        cause = "no_rows"
    else:
        cause = ""
    facts = (old_total, new_total, records, assigned, outside, missing, unmatched)
    if assigned == 0 and (old_total > 0 or records > 0):
        return Refusal("nothing_attached", cause, *facts)
    if old_total > 0 and new_total < old_total * (1.0 - max_drop):
        return Refusal("total_drop", cause, *facts)
    return None


# ---------------------------------------------------------------- findings

_REASONS = {
    "unknown_code": ("网格编码不存在", "no grid has this code"),
    "no_key": ("缺少网格编码和村民小组名称", "neither a grid code nor a group name"),
    "unknown_name": ("没有同名的三级网格", "no level 3 grid has this name"),
    "ambiguous_name": (
        "多个三级网格同名，请填写村/社区或网格编码",
        "several level 3 grids have this name; add the village or a grid code",
    ),
}


def attachment_findings(attachment: Attachment, layer: str = LAYER) -> list[Finding]:
    """Findings for unassigned, ambiguous and unmatched households, orphan grids and bad values."""
    out: list[Finding] = []
    for fid, (x, y) in zip(attachment.outside_fids, attachment.outside_xy):
        out.append(
            Finding(
                RULE_OUTSIDE,
                Severity.WARNING,
                layer,
                (),
                (int(fid),),
                shapely.Point(x, y),
                None,
                "",
                f"住户点（编号 {int(fid)}）不在任何三级网格内，未计入户数。",
                f"Household point {int(fid)} lies outside every level 3 grid and is not counted.",
                location=(float(x), float(y)),
            )
        )
    for fid, (x, y), cands in zip(attachment.boundary_fids, attachment.boundary_xy, attachment.boundary_candidates):
        chosen = cands[0]
        rule_zh = "编码最小" if attachment.rule is BoundaryRule.LOWEST_CODE else "中心最近"
        rule_en = "lowest code" if attachment.rule is BoundaryRule.LOWEST_CODE else "nearest centroid"
        out.append(
            Finding(
                RULE_ON_BOUNDARY,
                Severity.INFO,
                layer,
                tuple(cands),
                (int(fid),),
                shapely.Point(x, y),
                float(len(cands)),
                "grids",
                f"住户点（编号 {int(fid)}）位于网格 {'、'.join(cands)} 的公共边界上（或重叠处），按{rule_zh}规则归入网格 {chosen}。",
                f"Household point {int(fid)} lies on the shared boundary (or overlap) of grids {', '.join(cands)}; "
                f"assigned to {chosen} ({rule_en} rule).",
                location=(float(x), float(y)),
            )
        )
    for fid in attachment.missing_fids:
        out.append(
            Finding(
                RULE_NO_GEOMETRY,
                Severity.WARNING,
                layer,
                (),
                (int(fid),),
                None,
                None,
                "",
                f"住户点（编号 {int(fid)}）没有位置，未计入户数。",
                f"Household point {int(fid)} has no geometry and is not counted.",
            )
        )
    for number, key, reason in attachment.unmatched_rows:
        zh, en = _REASONS[reason]
        out.append(
            Finding(
                RULE_UNMATCHED_ROW,
                Severity.WARNING,
                layer,
                (key,) if reason == "unknown_code" else (),
                (),
                None,
                float(number),
                "row",
                f"住户表第 {number} 行（{key or '空'}）无法对应网格：{zh}。",
                f"Household table row {number} ({key or 'blank'}) matches no grid: {en}.",
                extra={"row": number, "reason": reason},
            )
        )
    for grid_layer, code, parent in attachment.orphan_codes:
        out.append(
            Finding(
                RULE_ORPHAN_GRID,
                Severity.WARNING,
                grid_layer,
                (str(code),),
                (),
                None,
                None,
                "",
                f"网格 {code} 的上级编码 {parent or '（空）'} 不存在，其户数、人口未汇总到上级网格。",
                f"Grid {code}: parent code {parent or '(blank)'} not found; its households are not rolled up.",
            )
        )
    for name, count in attachment.invalid_values.items():
        out.append(
            Finding(
                RULE_BAD_VALUES,
                Severity.WARNING,
                layer,
                (),
                (),
                None,
                float(count),
                "records",
                f"字段 {name} 有 {count} 个缺失或无效值（负数、非整数或无法识别），按 0 计。",
                f"Field {name} has {count} missing or invalid values (negative, fractional or unreadable), counted as 0.",
            )
        )
    return out
