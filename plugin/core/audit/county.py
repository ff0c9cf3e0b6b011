"""Level 1 grids against the county boundary: parts outside it, and parts of the county no village covers."""

from __future__ import annotations

import numpy as np
import shapely

from .. import capabilities, schema
from . import _geom
from ._collect import Collector, fmt_area
from .layers import LayerState
from .overlaps import OverlapPairs
from .tolerances import Tolerances


def prepare_county(county, out: Collector, n_grids: int | None = None):
    """The county boundary as a valid (multi)polygon, or None (reported once, naming the ``n_grids`` level 1
    grids it concerns) when there is none."""
    if county is None or shapely.is_missing(county) or shapely.is_empty(county):
        n_zh = f"（{n_grids} 个一级网格）" if n_grids is not None else ""
        n_en = f" ({n_grids} level 1 grids)" if n_grids is not None else ""
        out.add(
            "county.missing",
            schema.COUNTY_BOUNDARY.name,
            [],
            [],
            None,
            n_grids,
            "grids" if n_grids is not None else "",
            f"工作空间没有县界，未检查一级网格{n_zh}与县界的关系（县界内缝隙、超出县界）。",
            f"The workspace has no county boundary: gaps between level 1 grids{n_en} and parts beyond the county "
            "were not checked.",
        )
        return None
    if shapely.get_type_id(county) not in (_geom.POLYGON, _geom.MULTIPOLYGON, 7):
        out.add(
            "county.invalid",
            schema.COUNTY_BOUNDARY.name,
            [],
            [],
            county,
            None,
            "",
            f"县界的几何类型为 {county.geom_type}，应为面；未检查县界覆盖。",
            f"The county boundary is a {county.geom_type}, not a polygon; county coverage was not checked.",
        )
        return None
    if not shapely.is_valid(county) or shapely.get_type_id(county) == 7:
        reason = shapely.is_valid_reason(county)
        repaired = shapely.make_valid(county)
        parts, _ = _geom.polygon_parts(np.array([repaired], dtype=object))
        repaired = shapely.union_all(parts) if len(parts) else None
        out.add(
            "county.invalid",
            schema.COUNTY_BOUNDARY.name,
            [],
            [],
            county,
            None,
            "",
            f"县界几何图形无效：{reason}；已按修复后的县界检查。",
            f"The county boundary is invalid: {reason}; it was checked as repaired.",
            location=_geom.parse_location(reason),
        )
        return repaired
    return county


def check_county(county, level1: LayerState, overlaps: OverlapPairs, tol: Tolerances, out: Collector) -> None:
    geoms, codes, fids = level1.geoms, level1.codes, level1.fids
    if county is None:
        return
    # prepared as a private copy: the caller's geometry is neither changed nor shared with this thread
    private = shapely.from_wkb(shapely.to_wkb(county))
    shapely.prepare(private)
    covered = shapely.covers(private, geoms) if len(geoms) else np.zeros(0, dtype=bool)
    inside = level1.areas.copy()

    out_idx = np.flatnonzero(~covered)
    if len(out_idx):
        beyond = _geom.difference(geoms[out_idx], county)
        inside[out_idx] -= shapely.area(beyond)
        parts, index, cls, parea = _geom.split_pieces(beyond, tol)
        for kind in (_geom.REAL, _geom.SLIVER):
            sel = cls == kind
            merged = _geom.merge_by(parts[sel], index[sel], len(out_idx))
            total = np.bincount(index[sel], weights=parea[sel], minlength=len(out_idx))
            for t in np.flatnonzero(total > 0):
                i = out_idx[t]
                code = codes[i] or f"（无编码，要素 {fids[i]}）"
                code_en = codes[i] or f"(no code, feature {fids[i]})"
                if kind == _geom.REAL:
                    out.add(
                        "county.outside",
                        level1.layer,
                        [codes[i]],
                        [fids[i]],
                        merged[t],
                        total[t],
                        "m2",
                        f"一级网格 {code} 有 {fmt_area(total[t])} 平方米位于县界之外。",
                        f"Level 1 grid {code_en} has {fmt_area(total[t])} m² beyond the county boundary.",
                    )
                else:
                    out.add(
                        "county.sliver",
                        level1.layer,
                        [codes[i]],
                        [fids[i]],
                        merged[t],
                        total[t],
                        "m2",
                        f"一级网格 {code} 沿县界以狭长碎片超出县界，面积 {fmt_area(total[t])} 平方米。",
                        f"Level 1 grid {code_en} extends beyond the county boundary in a sliver of "
                        f"{fmt_area(total[t])} m².",
                        kind="outside",
                    )

    deficit = shapely.area(county) - inside.sum()
    if deficit <= 0.5 * tol.noise_area and len(overlaps.i) == 0 and overlaps.valid_coverage:
        return
    if len(geoms) == 0:
        union = None
    elif overlaps.valid_coverage:
        union = _coverage_union(geoms)
    elif overlaps.validated:
        # the grids the validator did not flag form a valid coverage: union them exactly, then add the others
        odd = np.zeros(len(geoms), dtype=bool)
        odd[overlaps.flagged] = True
        union = _geom.union_all(np.r_[[_coverage_union(geoms[~odd])], geoms[odd]])
    else:
        union = _geom.union_all(geoms)
    if union is None:
        gap = county
    else:
        gap = _geom.difference(np.array([county], dtype=object), np.array([union], dtype=object))[0]
    parts, _, cls, parea = _geom.split_pieces(np.array([gap], dtype=object), tol)
    if len(parts) and len(level1.bad_geoms):
        tree = shapely.STRtree(shapely.envelope(level1.bad_geoms))
        muted = np.zeros(len(parts), dtype=bool)
        muted[np.unique(tree.query(parts, predicate="intersects")[0])] = True
        parts, cls, parea = parts[~muted], cls[~muted], parea[~muted]
    for q in np.argsort(-parea, kind="stable"):
        a = fmt_area(parea[q])
        if cls[q] == _geom.REAL:
            out.add(
                "county.gap",
                level1.layer,
                [],
                [],
                parts[q],
                parea[q],
                "m2",
                f"县界内有 {a} 平方米未被任何一级网格覆盖。",
                f"{a} m² inside the county boundary is not covered by any level 1 grid.",
            )
        else:
            out.add(
                "county.sliver",
                level1.layer,
                [],
                [],
                parts[q],
                parea[q],
                "m2",
                f"县界内一级网格之间有 {a} 平方米的狭长缝隙碎片。",
                f"A sliver gap of {a} m² between level 1 grids inside the county boundary.",
                kind="gap",
            )


_BAND_VERTICES = 1 << 19  # vertices a band of the county's union (bounds GEOS's working memory)


def _coverage_union(geoms: np.ndarray):
    """The union of polygons of a valid coverage, in vertical bands of about ``_BAND_VERTICES`` vertices
    (west to east by their centres), then the bands' unions (a coverage too) in one: the same union, but
    GEOS never holds the edges of the whole layer at once."""
    geoms = np.asarray(geoms, dtype=object)
    size = shapely.get_num_coordinates(geoms)
    bands = int(size.sum() // _BAND_VERTICES) + 1
    if bands < 2 or len(geoms) < 2 * bands:
        return capabilities.coverage_union(geoms, grid_size=_geom.GRID_SIZE)
    bounds = shapely.bounds(geoms)
    order = np.argsort((bounds[:, 0] + bounds[:, 2]) / 2.0, kind="stable")
    cut = np.searchsorted(np.cumsum(size[order]), np.arange(1, bands) * (size.sum() / bands))
    parts = [capabilities.coverage_union(geoms[rows], grid_size=_geom.GRID_SIZE) for rows in np.split(order, cut)]
    return capabilities.coverage_union(np.array([p for p in parts if not p.is_empty], dtype=object), _geom.GRID_SIZE)


def check_far_outside(county, states, out: Collector) -> None:
    """Grids of any level whose extent lies far outside the county (non-finite ones are geom.invalid).

    "Far": the grid's bounding box does not reach the county's bounding box grown by the county's own size
    on every side — a place no drawing or rounding error explains (a wrong CRS, a coordinate typed 1e15).
    Such grids are reported once here; without a county boundary nothing is checked."""
    if county is None:
        return
    xmin, ymin, xmax, ymax = shapely.bounds(county)
    margin = max(xmax - xmin, ymax - ymin)
    box = (xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    for state in states:
        grids = state.grids
        geoms = grids.geometries
        if not len(geoms):
            continue
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        present &= np.isin(shapely.get_type_id(geoms), (_geom.POLYGON, _geom.MULTIPOLYGON))  # others: geom.type
        if not present.any():
            continue
        bounds = np.full((len(geoms), 4), np.nan)
        with np.errstate(invalid="ignore"):
            bounds[present] = shapely.bounds(geoms[present])
            finite = np.isfinite(bounds).all(axis=1)
            away = (bounds[:, 2] < box[0]) | (bounds[:, 0] > box[2]) | (bounds[:, 3] < box[1]) | (bounds[:, 1] > box[3])
        for i in np.flatnonzero(present & away & finite):  # non-finite ones are geom.invalid findings
            code, fid = grids.codes[i], int(grids.fids[i])
            code_zh = code or f"（无编码，要素 {fid}）"
            code_en = code or f"(no code, feature {fid})"
            cx, cy = (bounds[i, 0] + bounds[i, 2]) / 2, (bounds[i, 1] + bounds[i, 3]) / 2
            distance = float(np.hypot(max(xmin - cx, 0, cx - xmax), max(ymin - cy, 0, cy - ymax)))
            where_zh = f"位于 ({cx:.6g}, {cy:.6g})，距县界约 {distance:.3g} 米"
            where_en = f"lies at ({cx:.6g}, {cy:.6g}), about {distance:.3g} m from the county"
            out.add(
                "county.far_outside",
                state.layer,
                [code],
                [fid],
                None,
                distance,
                "m",
                f"网格 {code_zh}{where_zh}，远在县界之外：请检查坐标和坐标系。",
                f"Grid {code_en} {where_en}, far outside the county: check its coordinates and CRS.",
            )
