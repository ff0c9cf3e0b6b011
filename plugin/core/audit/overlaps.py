"""Overlaps between grids of one layer: partial overlaps, one grid inside another, duplicates, slivers.

Vectorised: GEOS's coverage validator flags the polygons with an edge that breaks a valid coverage (it
matches shared edges, so it is fast on clean data); only flagged polygons are queried in an STRtree against
the whole layer, and the candidate pairs' intersections are computed in one call. Pairs that merely touch
give no area and drop out; pieces at or below the noise thresholds are never reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from . import _geom
from ._collect import LEVEL_EN, LEVEL_ZH, Collector, fmt_area, strip_note
from .layers import LayerState
from .tolerances import Tolerances


@dataclass
class OverlapPairs:
    """Overlapping pairs (indices into the layer's usable arrays) with their non-noise area."""

    i: np.ndarray
    j: np.ndarray
    area: np.ndarray
    validated: bool = True  # False when only part of the layer went through the coverage validator
    flagged: np.ndarray | None = None  # the grids the validator flagged (usable indices)

    @classmethod
    def none(cls, validated: bool = True) -> OverlapPairs:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z.copy(), np.zeros(0), validated, z.copy())

    @property
    def valid_coverage(self) -> bool:
        """The whole layer was validated and nothing flagged: a valid coverage (coverage_union_all applies)."""
        return self.validated and (self.flagged is None or len(self.flagged) == 0)

    def involved(self) -> np.ndarray:
        return np.unique(np.r_[self.i, self.j])


def find_overlaps(
    state: LayerState, tol: Tolerances, pool: _geom.Pool, out: Collector, certified: np.ndarray | None = None
) -> OverlapPairs:
    """Report the overlaps of a layer. ``certified`` (per usable grid) marks grids known to overlap nothing
    (parents exactly covered by children that overlap nothing): only the others, with every grid whose
    envelope meets theirs, go through the coverage validator."""
    geoms = state.geoms
    n = len(geoms)
    if n < 2:
        return OverlapPairs.none()
    tree = shapely.STRtree(geoms)
    if certified is None:
        flagged = np.flatnonzero(_geom.coverage_flags(geoms, pool))
    else:
        doubtful = np.flatnonzero(~certified)
        if len(doubtful) == 0:
            return OverlapPairs.none(validated=False)
        run = np.unique(tree.query(geoms[doubtful])[1])
        # flags of the halo grids may be spurious (their own neighbours are missing): that only adds candidates
        flagged = run[_geom.coverage_flags(geoms[run], pool)]
    if len(flagged) == 0:
        return OverlapPairs.none(validated=certified is None)
    # a certified grid overlaps no certified grid: every overlap has a doubtful side, flagged with the other
    # (both were in the validator's run), so only the flagged doubtful grids need querying
    ask = flagged if certified is None else flagged[~certified[flagged]]
    qi, qj = tree.query(geoms[ask], predicate="intersects")
    qi = ask[qi]
    keep = qi != qj
    lo, hi = np.minimum(qi[keep], qj[keep]), np.maximum(qi[keep], qj[keep])
    key = np.unique(lo * n + hi)
    lo, hi = key // n, key % n
    if len(lo) == 0:
        return OverlapPairs(lo, hi, np.zeros(0), certified is None, flagged)
    inter = pool.chunked(_geom.intersection, geoms[lo], geoms[hi], min_size=2000)
    area = shapely.area(inter)
    hit = area > tol.noise_area
    lo, hi, inter, area = lo[hit], hi[hit], inter[hit], area[hit]
    # drop pieces that are noise; keep sliver and real parts apart
    parts, index, cls, part_area = _geom.split_pieces(inter, tol)
    real_area = np.bincount(index[cls == _geom.REAL], weights=part_area[cls == _geom.REAL], minlength=len(lo))
    sliver_area = np.bincount(index[cls == _geom.SLIVER], weights=part_area[cls == _geom.SLIVER], minlength=len(lo))
    real_geom = _geom.merge_by(parts[cls == _geom.REAL], index[cls == _geom.REAL], len(lo))
    # a real overlap all of whose parts are thinner than the sliver width is strip-shaped (still an error)
    real = cls == _geom.REAL
    wide = ~_geom.strip_shaped(parts[real], tol)
    strip = (real_area > 0) & (np.bincount(index[real][wide], minlength=len(lo)) == 0)
    strip_zh, strip_en = strip_note(tol)
    sliver_geom = _geom.merge_by(parts[cls == _geom.SLIVER], index[cls == _geom.SLIVER], len(lo))
    # one grid inside the other: exactly (covers), or up to noise and the snap-rounding of the overlay
    areas = state.areas

    def inside(a, b):  # per pair: geoms[a] lies in geoms[b]
        slack = tol.noise_area + shapely.length(geoms[a]) * _geom.GRID_SIZE + 1e-9 * areas[a]
        return shapely.covers(geoms[b], geoms[a]) | (areas[a] - area <= slack)

    lo_in_hi, hi_in_lo = inside(lo, hi), inside(hi, lo)
    codes, fids, level = state.codes, state.fids, state.level
    dedicated = level == 0
    lz, le = LEVEL_ZH.get(level, "网格"), LEVEL_EN.get(level, "grid")
    reported = np.zeros(len(lo), dtype=bool)
    for k in range(len(lo)):
        a, b = lo[k], hi[k]
        total = real_area[k] + sliver_area[k]
        if total <= 0:
            continue
        reported[k] = True
        ca, cb = codes[a], codes[b]
        za, zb = _label(ca, fids[a]), _label(cb, fids[b])
        ea, eb = _label_en(ca, fids[a]), _label_en(cb, fids[b])
        a_in_b, b_in_a = lo_in_hi[k], hi_in_lo[k]
        if a_in_b and b_in_a:
            rule = "overlap.dedicated" if dedicated else "overlap.duplicate"
            out.add(
                rule,
                state.layer,
                [ca, cb],
                [fids[a], fids[b]],
                inter[k],
                area[k],
                "m2",
                f"{lz} {za} 与 {zb} 的几何图形重复（{fmt_area(area[k])} 平方米）。",
                f"{le.capitalize()}s {ea} and {eb} have the same geometry ({fmt_area(area[k])} m²).",
                kind="duplicate",
            )
        elif a_in_b or b_in_a:
            inner, outer = (a, b) if a_in_b else (b, a)
            rule = "overlap.dedicated" if dedicated else "overlap.contains"
            out.add(
                rule,
                state.layer,
                [codes[outer], codes[inner]],
                [fids[outer], fids[inner]],
                inter[k],
                area[k],
                "m2",
                f"{lz} {_label(codes[inner], fids[inner])} 完全位于 {_label(codes[outer], fids[outer])} 之内"
                f"（重叠 {fmt_area(area[k])} 平方米）。",
                f"{le.capitalize()} {_label_en(codes[inner], fids[inner])} lies entirely inside "
                f"{_label_en(codes[outer], fids[outer])} ({fmt_area(area[k])} m² overlap).",
                kind="contains",
            )
        else:
            if real_area[k] > 0:
                rule = "overlap.dedicated" if dedicated else "overlap"
                sz, se = (strip_zh, strip_en) if strip[k] else ("", "")
                out.add(
                    rule,
                    state.layer,
                    [ca, cb],
                    [fids[a], fids[b]],
                    real_geom[k],
                    real_area[k],
                    "m2",
                    f"{lz} {za} 与 {zb} 相互重叠 {fmt_area(real_area[k])} 平方米{sz}。",
                    f"{le.capitalize()}s {ea} and {eb} overlap by {fmt_area(real_area[k])} m²{se}.",
                    kind="overlap",
                    shape="strip" if strip[k] else "area",
                )
            if sliver_area[k] > 0:
                out.add(
                    "overlap.sliver",
                    state.layer,
                    [ca, cb],
                    [fids[a], fids[b]],
                    sliver_geom[k],
                    sliver_area[k],
                    "m2",
                    f"{lz} {za} 与 {zb} 之间有狭长重叠碎片，面积 {fmt_area(sliver_area[k])} 平方米，请沿共用边界修正。",
                    f"{le.capitalize()}s {ea} and {eb} overlap in a sliver of {fmt_area(sliver_area[k])} m²; "
                    "align their shared boundary.",
                )
    return OverlapPairs(lo[reported], hi[reported], area[reported], certified is None, flagged)


def _label(code, fid) -> str:
    return code if code else f"（无编码，要素 {fid}）"


def _label_en(code, fid) -> str:
    return code if code else f"(no code, feature {fid})"
