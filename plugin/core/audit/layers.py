"""Preparing grid layers for the audit, and the checks of each grid's own geometry.

Retired grids (``status == "retired"``) are left out of every rule. Grids whose geometry is null, empty,
not polygonal or invalid are reported here and left out of the topology rules: a gap, overlap or nesting
test on them would only echo the geometry error, so gaps next to an invalid grid are not reported until it
is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely

from ..model import GridArray
from . import _geom
from ._collect import LEVEL_EN, LEVEL_ZH, Collector, fmt_area, fmt_len, grid_en, grid_zh
from .tolerances import Tolerances

RETIRED = "retired"


@dataclass
class LayerState:
    """A grid layer's active features, and which of them the topology rules can use."""

    layer: str
    level: int
    grids: GridArray  # active features only
    usable: np.ndarray  # bool per active feature: valid (multi)polygon
    bad_geoms: np.ndarray  # invalid polygons left out of topology (their envelopes mute nearby gaps)
    retired_codes: frozenset
    rows: np.ndarray | None = None  # row of each active feature in the layer as given (None: the same rows)

    @property
    def n_active(self) -> int:
        return len(self.grids)

    @property
    def idx(self) -> np.ndarray:
        return np.flatnonzero(self.usable)

    @property
    def geoms(self) -> np.ndarray:
        return self.grids.geometries[self.usable]

    @property
    def codes(self) -> np.ndarray:
        return self.grids.codes[self.usable]

    @property
    def parent_codes(self) -> np.ndarray:
        return self.grids.parent_codes[self.usable]

    @property
    def fids(self) -> np.ndarray:
        return self.grids.fids[self.usable]

    @cached_property
    def areas(self) -> np.ndarray:
        """The area of each usable grid (computed once for every rule that needs it)."""
        return shapely.area(self.geoms)


def active_subset(grids: GridArray) -> tuple[GridArray, frozenset]:
    active, retired_codes, _rows = _active(grids)
    return active, retired_codes


def _active(grids: GridArray) -> tuple[GridArray, frozenset, np.ndarray]:
    status = grids.attribute("status", "active")
    if len(grids) == 0:
        return grids, frozenset(), np.zeros(0, dtype=np.int64)
    values, inverse = np.unique(np.asarray(status, dtype=object).astype(str), return_inverse=True)
    retired = np.array([v.strip().lower() == RETIRED for v in values], dtype=bool)[inverse]
    retired_codes = frozenset(c for c in grids.codes[retired] if c)
    return (grids.subset(~retired) if retired.any() else grids), retired_codes, np.flatnonzero(~retired)


def prepare_layer(grids: GridArray, pool: _geom.Pool, out: Collector) -> LayerState:
    """Check each active grid's geometry (null, type, validity, parts) and return the layer's state."""
    grids, retired_codes, rows = _active(grids)
    layer, level = grids.layer, grids.level
    geoms = np.asarray(grids.geometries, dtype=object)
    n = len(geoms)
    lz, le = LEVEL_ZH.get(level, "网格"), LEVEL_EN.get(level, "grid")
    missing = shapely.is_missing(geoms) if n else np.zeros(0, dtype=bool)
    empty = missing | (shapely.is_empty(geoms) if n else np.zeros(0, dtype=bool))
    type_id = shapely.get_type_id(geoms) if n else np.zeros(0, dtype=int)
    polygonal = ~empty & ((type_id == _geom.POLYGON) | (type_id == _geom.MULTIPOLYGON))
    valid = np.zeros(n, dtype=bool)
    finite = np.ones(n, dtype=bool)  # NaN or infinite coordinates break GEOS's predicates: never usable
    if polygonal.any():
        rows = np.flatnonzero(polygonal)
        valid[rows] = pool.chunked(shapely.is_valid, geoms[rows])
        # GEOS finds a non-finite coordinate invalid before anything else: only the invalid few are looked at
        doubt = rows[~valid[rows]]
        if len(doubt):
            coords, index = shapely.get_coordinates(geoms[doubt], return_index=True)
            finite[doubt[np.unique(index[~np.isfinite(coords).all(axis=1)])]] = False
            valid &= finite
    codes, fids = grids.codes, grids.fids
    for i in np.flatnonzero(~finite):
        out.add(
            "geom.invalid",
            layer,
            [codes[i]],
            [fids[i]],
            None,
            None,
            "",
            f"{lz} {grid_zh(codes[i], fids[i])} 的坐标不是有限数值（NaN 或无穷大）；修复前不参与拓扑检查。",
            f"{le.capitalize()} {grid_en(codes[i], fids[i])} has coordinates that are not finite numbers (NaN or "
            "infinite); it is left out of the topology checks until fixed.",
            reason="non-finite coordinates",
        )

    for i in np.flatnonzero(empty):
        what_zh = "为空（NULL）" if missing[i] else "为空几何"
        what_en = "null" if missing[i] else "empty"
        out.add(
            "geom.null",
            layer,
            [codes[i]],
            [fids[i]],
            None,
            None,
            "",
            f"{lz} {grid_zh(codes[i], fids[i])} 的几何图形{what_zh}，无法参与拓扑检查。",
            f"The geometry of {le} {grid_en(codes[i], fids[i])} is {what_en}; it is left out of the topology checks.",
            key=f"fid:{fids[i]}",
        )
    for i in np.flatnonzero(~empty & ~polygonal):
        gtype = shapely.get_type_id(geoms[i])
        name = geoms[i].geom_type
        out.add(
            "geom.type",
            layer,
            [codes[i]],
            [fids[i]],
            geoms[i],
            None,
            "",
            f"{lz} {grid_zh(codes[i], fids[i])} 的几何类型为 {name}，网格应为面（Polygon）。",
            f"{le.capitalize()} {grid_en(codes[i], fids[i])} has a {name} geometry; grids must be polygons.",
            type_id=int(gtype),
        )
    invalid = np.flatnonzero(polygonal & ~valid & finite)
    if len(invalid):
        reasons = shapely.is_valid_reason(geoms[invalid])
        for i, reason in zip(invalid, reasons):
            loc = _geom.parse_location(reason)
            where_zh = f"（位置 X={loc[0]:.3f}，Y={loc[1]:.3f}）" if loc else ""
            where_en = f" at X={loc[0]:.3f}, Y={loc[1]:.3f}" if loc else ""
            out.add(
                "geom.invalid",
                layer,
                [codes[i]],
                [fids[i]],
                geoms[i],
                None,
                "",
                f"{lz} {grid_zh(codes[i], fids[i])} 的几何图形无效：{reason}{where_zh}；修复前不参与拓扑检查。",
                f"The geometry of {le} {grid_en(codes[i], fids[i])} is invalid: {reason}{where_en}; "
                "it is left out of the topology checks until fixed.",
                location=loc,
                reason=reason,
            )
    multi = np.flatnonzero(valid & (type_id == _geom.MULTIPOLYGON))
    if len(multi):
        nparts = shapely.get_num_geometries(geoms[multi])
        for i, k in zip(multi[nparts > 1], nparts[nparts > 1]):
            out.add(
                "geom.multipart",
                layer,
                [codes[i]],
                [fids[i]],
                geoms[i],
                int(k),
                "parts",
                f"{lz} {grid_zh(codes[i], fids[i])} 由 {k} 个互不相连的部分组成，网格应为一个连续区域。",
                f"{le.capitalize()} {grid_en(codes[i], fids[i])} consists of {k} separate parts; "
                "a grid should be one contiguous area.",
            )
    return LayerState(layer, level, grids, valid, geoms[polygonal & ~valid & finite], retired_codes, rows)


def check_sizes(state: LayerState, tol: Tolerances, out: Collector) -> None:
    """Tiny grids (area below ``tiny_grid_area``) and thin grids (narrower than ``thin_grid_width``)."""
    geoms = state.geoms
    if len(geoms) == 0:
        return
    codes, fids, level = state.codes, state.fids, state.level
    lz, le = LEVEL_ZH.get(level, "网格"), LEVEL_EN.get(level, "grid")
    area = state.areas
    tiny = area < tol.tiny_grid_area
    for i in np.flatnonzero(tiny):
        out.add(
            "grid.tiny",
            state.layer,
            [codes[i]],
            [fids[i]],
            geoms[i],
            area[i],
            "m2",
            f"{lz} {grid_zh(codes[i], fids[i])} 面积仅 {fmt_area(area[i])} 平方米，小于 {fmt_area(tol.tiny_grid_area)} 平方米。",
            f"{le.capitalize()} {grid_en(codes[i], fids[i])} covers only {fmt_area(area[i])} m², "
            f"less than {fmt_area(tol.tiny_grid_area)} m².",
        )
    # A shape with no disc of diameter w inside has 2·area/perimeter below about w: test only those.
    perimeter = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        candidates = np.flatnonzero(~tiny & (2 * area < 2 * tol.thin_grid_width * perimeter))
    if len(candidates) == 0:
        return
    thin = candidates[_geom.thinner_than(geoms[candidates], tol.thin_grid_width)]
    w = fmt_len(tol.thin_grid_width)
    for i in thin:
        out.add(
            "grid.thin",
            state.layer,
            [codes[i]],
            [fids[i]],
            geoms[i],
            area[i],
            "m2",
            f"{lz} {grid_zh(codes[i], fids[i])} 处处窄于 {w} 米（面积 {fmt_area(area[i])} 平方米），疑为编辑留下的狭长碎片。",
            f"{le.capitalize()} {grid_en(codes[i], fids[i])} is nowhere wider than {w} m "
            f"({fmt_area(area[i])} m²): probably a strip left over from editing.",
        )
