"""The grid change log: what changed between two states of a grid layer, and the 7-day filing deadline.

§7.5: when a village's layout changes, grids and codes are adjusted and filed with the level above
within 7 days; §7.6: a change needs a written application and approval (``approval_ref``) first.
Pure Python (shapely, numpy); no qgis or Qt import.

``detect_changes`` matches old and new grids by feature id first, then by geometry overlap
(STRtree, vectorised), and classifies:

* ``create``  — a new grid covering no old grid's area (or a gap);
* ``reshape`` — the same grid (same fid, or overlapping most of each other) with a geometry that
  changed by more than ``tolerance_m2`` (area of the symmetric difference); when its code also
  changed, the one record carries both codes;
* ``split``   — one old grid's area now lies in several new grids (each new grid ≥ ``major_share``
  of its area from the old one); one record per new grid;
* ``merge``   — several old grids now lie in one new grid (each old grid ≥ ``major_share`` of its
  area in the new one); one record per old grid;
* ``recode``  — same geometry (within ``tolerance_m2``), different code;
* ``retire``  — status set to 'retired', or the feature removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np
import shapely

from . import schema
from .codes import active_mask, valid_geometries
from .model import GridArray

FILING_DAYS = 7  # §7.5: filed within 7 days of the adjustment
KIND_ORDER = tuple(o.key for o in schema.CHANGE_KINDS)
CHANGE_LOG_FIELDS = schema.CHANGE_LOG.field_names


def _as_datetime(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _float(value) -> float | None:
    if value is None or value == "":
        return None
    value = float(value)
    return None if np.isnan(value) else value


@dataclass
class ChangeRecord:
    """One row of ``change_log`` (schema.CHANGE_LOG); ``before_fids``/``after_fids`` are not stored."""

    changed_at: datetime
    user: str
    change_kind: str  # a key of schema.CHANGE_KINDS
    layer: str
    old_code: str | None
    new_code: str | None
    area_before: float | None
    area_after: float | None
    reason: str = ""
    approval_ref: str = ""
    filed_at: datetime | None = None
    before_fids: tuple[int, ...] = field(default=(), compare=False)
    after_fids: tuple[int, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.change_kind not in KIND_ORDER:
            raise ValueError(f"unknown change kind {self.change_kind!r}; expected one of {KIND_ORDER}")

    def kind_label(self, language: str = "zh") -> str:
        return schema.option_label(schema.CHANGE_KINDS, self.change_kind, language)

    def to_row(self) -> dict:
        """The record as ``change_log`` values (datetimes as ISO text)."""
        return {
            "changed_at": self.changed_at.isoformat(timespec="seconds") if self.changed_at else None,
            "user": self.user,
            "change_kind": self.change_kind,
            "layer": self.layer,
            "old_code": self.old_code,
            "new_code": self.new_code,
            "area_before": self.area_before,
            "area_after": self.area_after,
            "reason": self.reason,
            "approval_ref": self.approval_ref,
            "filed_at": self.filed_at.isoformat(timespec="seconds") if self.filed_at else None,
        }

    @classmethod
    def from_row(cls, row: Mapping) -> ChangeRecord:
        return cls(
            changed_at=_as_datetime(row.get("changed_at")),
            user=row.get("user") or "",
            change_kind=row.get("change_kind"),
            layer=row.get("layer") or "",
            old_code=row.get("old_code") or None,
            new_code=row.get("new_code") or None,
            area_before=_float(row.get("area_before")),
            area_after=_float(row.get("area_after")),
            reason=row.get("reason") or "",
            approval_ref=row.get("approval_ref") or "",
            filed_at=_as_datetime(row.get("filed_at")),
        )


# ---------------------------------------------------------------- geometry comparison


def _overlay(func, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A vectorised overlay, repairing invalid inputs when GEOS refuses them."""
    try:
        return func(a, b)
    except shapely.errors.GEOSException:
        return func(valid_geometries(a), valid_geometries(b))


def _missing(geometries: np.ndarray) -> np.ndarray:
    if len(geometries) == 0:
        return np.zeros(0, dtype=bool)
    return shapely.is_missing(geometries) | shapely.is_empty(geometries)


def geometry_unchanged(a: np.ndarray, b: np.ndarray, tolerance_m2: float = 0.01) -> np.ndarray:
    """Pairwise: True where ``a[i]`` and ``b[i]`` differ by at most ``tolerance_m2`` (symmetric
    difference area). Identical geometries, also with vertices reordered or moved by float noise,
    are recognised without overlay (``normalize`` + ``equals_exact``)."""
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    out = np.zeros(len(a), dtype=bool)
    if len(a) == 0:
        return out
    ma, mb = _missing(a), _missing(b)
    out[ma & mb] = True
    both = np.flatnonzero(~ma & ~mb)
    if len(both) == 0:
        return out
    exact = shapely.equals_exact(a[both], b[both], tolerance=0.0)
    out[both[exact]] = True
    rest = both[~exact]
    if len(rest):
        # the same vertices in another order or with float noise: after normalising, every vertex
        # within d of its twin, d small enough that the area between them stays below the tolerance
        ra, rb = shapely.normalize(a[rest]), shapely.normalize(b[rest])
        perimeter = np.maximum(shapely.length(ra), shapely.length(rb))
        d = np.where(perimeter > 0, tolerance_m2 / (2.0 * np.maximum(perimeter, 1e-12)), 0.0)
        near = shapely.equals_exact(ra, rb, tolerance=d)
        out[rest[near]] = True
        rest = rest[~near]
    if len(rest):
        out[rest] = shapely.area(_overlay(shapely.symmetric_difference, a[rest], b[rest])) <= tolerance_m2
    return out


def overlap_pairs(before: np.ndarray, after: np.ndarray, tolerance_m2: float = 0.01):
    """(i, j, area) for every pair of ``before[i]``, ``after[j]`` sharing more than ``tolerance_m2``."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if len(before) == 0 or len(after) == 0:
        return empty
    b_ok = np.flatnonzero(~_missing(before))
    a_ok = np.flatnonzero(~_missing(after))
    if len(b_ok) == 0 or len(a_ok) == 0:
        return empty
    tree = shapely.STRtree(after[a_ok])
    bi, aj = tree.query(before[b_ok], predicate="intersects")
    if len(bi) == 0:
        return empty
    i, j = b_ok[bi], a_ok[aj]
    areas = shapely.area(_overlay(shapely.intersection, before[i], after[j]))
    keep = areas > tolerance_m2
    return i[keep], j[keep], areas[keep]


# ---------------------------------------------------------------- detection


def detect_changes(
    before: GridArray,
    after: GridArray,
    tolerance_m2: float = 0.01,
    *,
    changed_at: datetime | None = None,
    user: str = "",
    reason: str = "",
    approval_ref: str = "",
    major_share: float = 0.5,
) -> list[ChangeRecord]:
    """The changes that turn ``before`` into ``after`` (two states of one grid layer, metric CRS).

    Rows whose status is 'retired' in ``before`` are ignored; a grid retired in ``after`` (or
    missing from it) gives a ``retire`` record. Records are sorted by kind, then codes.
    """
    when = changed_at or datetime.now().replace(microsecond=0)
    layer = after.layer or before.layer
    b_geoms, a_geoms = before.geometries, after.geometries
    b_area = np.nan_to_num(shapely.area(b_geoms), nan=0.0) if len(before) else np.zeros(0)
    a_area = np.nan_to_num(shapely.area(a_geoms), nan=0.0) if len(after) else np.zeros(0)
    b_active = active_mask(before)
    a_active = active_mask(after)
    b_open = b_active.copy()  # still to be explained
    a_open = a_active.copy()
    records: list[ChangeRecord] = []

    def code(codes, i):
        value = codes[i]
        return value or None

    def add(kind, bi=None, ai=None):
        records.append(
            ChangeRecord(
                changed_at=when,
                user=user,
                change_kind=kind,
                layer=layer,
                old_code=None if bi is None else code(before.codes, bi),
                new_code=None if ai is None else code(after.codes, ai),
                area_before=None if bi is None else float(b_area[bi]),
                area_after=None if ai is None else float(a_area[ai]),
                reason=reason,
                approval_ref=approval_ref,
                before_fids=() if bi is None else (int(before.fids[bi]),),
                after_fids=() if ai is None else (int(after.fids[ai]),),
            )
        )

    # 1. the same feature id on both sides
    _, fb, fa = np.intersect1d(before.fids, after.fids, assume_unique=False, return_indices=True)
    fid_pairs = {}
    if len(fb):
        live = b_active[fb]
        retired_now = live & ~a_active[fa]
        for bi, ai in zip(fb[retired_now], fa[retired_now]):
            add("retire", bi, ai)
            b_open[bi] = False
        both = live & a_active[fa]
        pb, pa = fb[both], fa[both]
        same = geometry_unchanged(b_geoms[pb], a_geoms[pa], tolerance_m2)
        for bi, ai in zip(pb[same], pa[same]):
            if code(before.codes, bi) != code(after.codes, ai):
                add("recode", bi, ai)
            b_open[bi] = False
            a_open[ai] = False
        fid_pairs = {int(bi): int(ai) for bi, ai in zip(pb[~same], pa[~same])}

    # 2. overlaps among what is left
    ob = np.flatnonzero(b_open)
    oa = np.flatnonzero(a_open)
    pi, pj, inter = overlap_pairs(b_geoms[ob], a_geoms[oa], tolerance_m2)
    pi, pj = ob[pi], oa[pj]
    with np.errstate(divide="ignore", invalid="ignore"):
        share_of_after = np.where(a_area[pj] > 0, inter / a_area[pj], 0.0)  # new grid's area from the old one
        share_of_before = np.where(b_area[pi] > 0, inter / b_area[pi], 0.0)  # old grid's area in the new one
    overlap = {(int(i), int(j)): float(x) for i, j, x in zip(pi, pj, inter)}

    children: dict[int, list[int]] = {}
    sources: dict[int, list[int]] = {}
    for i, j, sa, sb in zip(pi, pj, share_of_after, share_of_before):
        if sa >= major_share:
            children.setdefault(int(i), []).append(int(j))
        if sb >= major_share:
            sources.setdefault(int(j), []).append(int(i))
    split_b = {i for i, js in children.items() if len(js) >= 2}
    merge_a = {j for j, is_ in sources.items() if len(is_) >= 2}
    for i in sorted(split_b):
        for j in sorted(children[i]):
            add("split", i, j)
            a_open[j] = False
        b_open[i] = False
    for j in sorted(merge_a):
        for i in sorted(sources[j]):
            add("merge", i, j)
            b_open[i] = False
        a_open[j] = False

    # 3. one to one: the same fid first, then the best geometric match
    for bi, ai in sorted(fid_pairs.items()):
        if not (b_open[bi] and a_open[ai]):
            continue
        same_code = code(before.codes, bi) is not None and code(before.codes, bi) == code(after.codes, ai)
        if same_code or overlap.get((bi, ai), 0.0) > 0:
            add("reshape", bi, ai)
            b_open[bi] = a_open[ai] = False
    candidates = []
    for i, j, x, sa, sb in zip(pi, pj, inter, share_of_after, share_of_before):
        same_code = code(before.codes, i) is not None and code(before.codes, i) == code(after.codes, j)
        if same_code or (sa >= major_share and sb >= major_share):
            candidates.append((not same_code, -float(x), int(i), int(j)))
    matched_b, matched_a = [], []
    for _, _, i, j in sorted(candidates):
        if b_open[i] and a_open[j]:
            matched_b.append(i)
            matched_a.append(j)
            b_open[i] = a_open[j] = False
    if matched_b:
        mb, ma = np.asarray(matched_b), np.asarray(matched_a)
        same = geometry_unchanged(b_geoms[mb], a_geoms[ma], tolerance_m2)
        for i, j, unchanged in zip(matched_b, matched_a, same):
            if not unchanged:
                add("reshape", i, j)
            elif code(before.codes, i) != code(after.codes, j):
                add("recode", i, j)

    # 4. the rest: removed, created
    for i in np.flatnonzero(b_open):
        add("retire", int(i), None)
    for j in np.flatnonzero(a_open):
        add("create", None, int(j))

    rank = {k: n for n, k in enumerate(KIND_ORDER)}
    records.sort(key=lambda r: (rank[r.change_kind], r.old_code or "", r.new_code or "", r.before_fids, r.after_fids))
    return records


def detect_workspace_changes(
    before: Mapping[str, GridArray], after: Mapping[str, GridArray], tolerance_m2: float = 0.01, **options
) -> list[ChangeRecord]:
    """``detect_changes`` for every grid layer present on either side."""
    records = []
    for layer_def in schema.GRID_LAYERS:
        name, level = layer_def.name, layer_def.level
        if name not in before and name not in after:
            continue
        b = before.get(name) or GridArray.empty(name, level)
        a = after.get(name) or GridArray.empty(name, level)
        records.extend(detect_changes(b, a, tolerance_m2, **options))
    return records


# ---------------------------------------------------------------- filing (§7.5, §7.6)


@dataclass(frozen=True)
class FilingStatus:
    """Where a change stands against the 7-day filing deadline.

    ``deadline``: the change's calendar date + 7 days; filing on that day is in time.
    ``days_left``: calendar days from ``now`` to the deadline (0 = due today, negative = overdue).
    """

    filed: bool
    deadline: date
    days_left: int
    overdue: bool  # not filed and the deadline has passed
    filed_late: bool  # filed after the deadline
    needs_approval: bool  # no approval reference recorded (§7.6)

    def message(self, language: str = "zh") -> str:
        zh = language == "zh"
        if self.filed:
            if self.filed_late:
                return "已备案（逾期）" if zh else "filed (late)"
            return "已备案" if zh else "filed"
        if self.overdue:
            n = -self.days_left
            return f"逾期 {n} 天未备案" if zh else f"not filed, {n} day{'s' if n != 1 else ''} overdue"
        if self.days_left == 0:
            return "今日须备案" if zh else "filing due today"
        return (
            f"剩余 {self.days_left} 天备案"
            if zh
            else f"{self.days_left} day{'s' if self.days_left != 1 else ''} left to file"
        )


def filing_deadline(changed_at) -> date:
    return _as_datetime(changed_at).date() + timedelta(days=FILING_DAYS)


def filing_status(record: ChangeRecord, now: datetime | date | None = None) -> FilingStatus:
    """The record's filing status at ``now`` (default: now), counted in calendar days."""
    today = (_as_datetime(now) or datetime.now()).date()
    deadline = filing_deadline(record.changed_at)
    filed_at = _as_datetime(record.filed_at)
    filed = filed_at is not None
    days_left = (deadline - today).days
    return FilingStatus(
        filed=filed,
        deadline=deadline,
        days_left=days_left,
        overdue=not filed and days_left < 0,
        filed_late=filed and filed_at.date() > deadline,
        needs_approval=not record.approval_ref,
    )


def unfiled(records: Iterable[ChangeRecord]) -> list[ChangeRecord]:
    """Records not filed yet, the most urgent (earliest change) first."""
    return sorted((r for r in records if r.filed_at is None), key=lambda r: _as_datetime(r.changed_at))


def overdue(records: Iterable[ChangeRecord], now=None) -> list[ChangeRecord]:
    """Unfiled records past their deadline at ``now``, the oldest first."""
    return [r for r in unfiled(records) if filing_status(r, now).overdue]


def due_within(records: Iterable[ChangeRecord], days: int, now=None) -> list[ChangeRecord]:
    """Unfiled records not yet overdue whose deadline is at most ``days`` away."""
    out = []
    for r in unfiled(records):
        status = filing_status(r, now)
        if not status.overdue and status.days_left <= days:
            out.append(r)
    return out


def mark_filed(records: Iterable[ChangeRecord], filed_at, approval_ref: str | None = None) -> list[ChangeRecord]:
    """Copies of unfiled ``records`` marked filed at ``filed_at`` (and the approval reference, when given);
    records already filed are returned unchanged."""
    when = _as_datetime(filed_at)
    out = []
    for r in records:
        if r.filed_at is not None:
            out.append(r)
            continue
        out.append(replace(r, filed_at=when, approval_ref=approval_ref if approval_ref is not None else r.approval_ref))
    return out
