"""Comparing two grid packages, and the city's checks when county packages are merged.

Pure Python (shapely, numpy); no qgis or Qt import. Geometries must be in one projected CRS in
metres (areas in m²): reproject packages stored in EPSG:4490 before comparing them.

``diff_packages`` matches grids layer by layer:

1. by code — a code held by exactly one active grid on each side: ``unchanged`` when the geometries
   differ by at most ``tolerance_m2`` (area of the symmetric difference), else ``reshaped``
   (with area before/after and the symmetric difference as the changed geometry);
2. a code active before and held only by retired grids after: ``retired``;
3. by geometry (STRtree) among the grids left: the same geometry → ``recoded`` (or ``unchanged``
   when a duplicated code is the same); the same code overlapping → ``reshaped``;
4. what is left: ``removed`` (before only) and ``added`` (after only).

``check_merged_counties`` runs the city's checks over several county packages: codes used in
more than one county, level 1 grids of different counties overlapping, and gaps between them along
the borders where the counties' boundaries meet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import schema
from .changes import _overlay, geometry_unchanged
from .codes import active_mask, valid_geometries
from .findings import Finding, Rule, Severity
from .model import GridArray

DIFF_KINDS: dict[str, tuple[str, str]] = {
    "added": ("新增", "added"),
    "removed": ("删除", "removed"),
    "retired": ("撤销", "retired"),
    "recoded": ("重新编码", "re-coded"),
    "reshaped": ("调整边界", "reshaped"),
    "unchanged": ("未变", "unchanged"),
}


@dataclass
class DiffItem:
    kind: str  # a key of DIFF_KINDS
    layer: str
    old_code: str | None
    new_code: str | None
    before_fid: int | None
    after_fid: int | None
    area_before: float | None
    area_after: float | None
    changed_area: float = 0.0  # area of the symmetric difference (reshaped)
    changed_geometry: object | None = None  # the symmetric difference (reshaped)

    def to_json(self, with_geometry: bool = True) -> dict:
        out = {
            "kind": self.kind,
            "layer": self.layer,
            "old_code": self.old_code,
            "new_code": self.new_code,
            "before_fid": self.before_fid,
            "after_fid": self.after_fid,
            "area_before": None if self.area_before is None else round(self.area_before, 3),
            "area_after": None if self.area_after is None else round(self.area_after, 3),
            "changed_area": round(self.changed_area, 3),
        }
        if with_geometry:
            geom = self.changed_geometry
            out["changed_geometry_wkt"] = None if geom is None else shapely.to_wkt(geom, rounding_precision=3)
        return out


@dataclass
class PackageDiff:
    """Changed grids (``items``; unchanged ones only when asked) and counts per layer and kind."""

    items: list[DiffItem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, kind: str, layer: str | None = None) -> int:
        if layer is not None:
            return self.counts.get(layer, {}).get(kind, 0)
        return sum(c.get(kind, 0) for c in self.counts.values())

    def totals(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in DIFF_KINDS}

    def by_kind(self, kind: str) -> list[DiffItem]:
        return [item for item in self.items if item.kind == kind]

    @property
    def has_changes(self) -> bool:
        return any(n for kind, n in self.totals().items() if kind != "unchanged")

    def to_json(self, with_geometry: bool = True) -> dict:
        return {
            "counts": {layer: dict(kinds) for layer, kinds in self.counts.items()},
            "totals": self.totals(),
            "items": [item.to_json(with_geometry) for item in self.items],
        }

    def to_json_text(self, with_geometry: bool = True) -> str:
        return json.dumps(self.to_json(with_geometry), ensure_ascii=False, indent=1)

    def summary_text(self, language: str = "zh") -> str:
        zh = language == "zh"
        lines = []
        for layer in self.counts:
            layer_def = schema.LAYER_BY_NAME.get(layer)
            title = (layer_def.title_zh if zh else layer_def.title_en) if layer_def else layer
            parts = [f"{DIFF_KINDS[k][0 if zh else 1]} {self.counts[layer].get(k, 0)}" for k in DIFF_KINDS]
            lines.append(f"{title}：" + "，".join(parts) if zh else f"{title}: " + ", ".join(parts))
        totals = self.totals()
        changed = sum(n for k, n in totals.items() if k != "unchanged")
        if zh:
            lines.append(f"合计变动 {changed} 个网格，未变 {totals['unchanged']} 个。")
        else:
            lines.append(f"In all {changed} grids changed, {totals['unchanged']} unchanged.")
        return "\n".join(lines)


def _code_index(codes: np.ndarray, rows: np.ndarray) -> tuple[dict[str, int], set[str]]:
    """code → row for codes held by exactly one of ``rows``; and the set of duplicated codes."""
    single: dict[str, int] = {}
    dup: set[str] = set()
    for r, c in zip(rows.tolist(), codes[rows].tolist()):
        if not c:
            continue
        if c in single:
            dup.add(c)
        else:
            single[c] = r
    for c in dup:
        del single[c]
    return single, dup


def diff_layers(
    before: GridArray, after: GridArray, tolerance_m2: float = 0.01, keep_unchanged: bool = False
) -> tuple[list[DiffItem], dict[str, int]]:
    """Items and counts for one layer (see the module docstring)."""
    layer = after.layer or before.layer
    bg, ag = before.geometries, after.geometries
    b_area = np.nan_to_num(shapely.area(bg), nan=0.0) if len(before) else np.zeros(0)
    a_area = np.nan_to_num(shapely.area(ag), nan=0.0) if len(after) else np.zeros(0)
    b_act, a_act = active_mask(before), active_mask(after)
    b_open, a_open = b_act.copy(), a_act.copy()
    items: list[DiffItem] = []
    counts = dict.fromkeys(DIFF_KINDS, 0)

    def item(kind, i=None, j=None, changed_area=0.0, changed=None):
        counts[kind] += 1
        if kind == "unchanged" and not keep_unchanged:
            return
        items.append(
            DiffItem(
                kind,
                layer,
                None if i is None else before.codes[i],
                None if j is None else after.codes[j],
                None if i is None else int(before.fids[i]),
                None if j is None else int(after.fids[j]),
                None if i is None else float(b_area[i]),
                None if j is None else float(a_area[j]),
                float(changed_area),
                changed,
            )
        )

    def pairs_same_or_reshaped(bi: np.ndarray, aj: np.ndarray) -> None:
        if len(bi) == 0:
            return
        same = geometry_unchanged(bg[bi], ag[aj], tolerance_m2)
        for i, j in zip(bi[same], aj[same]):
            item("unchanged" if before.codes[i] == after.codes[j] else "recoded", i, j)
        ri, rj = bi[~same], aj[~same]
        if len(ri):
            sym = _overlay(shapely.symmetric_difference, bg[ri], ag[rj])
            sym_area = np.nan_to_num(shapely.area(sym), nan=0.0)
            for k, (i, j) in enumerate(zip(ri, rj)):
                item("reshaped", i, j, sym_area[k], sym[k])
        b_open[bi] = False
        a_open[aj] = False

    # 1. by code
    b_single, _ = _code_index(before.codes, np.flatnonzero(b_act))
    a_single, _ = _code_index(after.codes, np.flatnonzero(a_act))
    common = [c for c in b_single if c in a_single]
    bi = np.fromiter((b_single[c] for c in common), dtype=np.int64, count=len(common))
    aj = np.fromiter((a_single[c] for c in common), dtype=np.int64, count=len(common))
    pairs_same_or_reshaped(bi, aj)

    # 2. retired: active before, only retired after
    a_active_codes = {c for c in after.codes[a_act].tolist() if c}
    a_retired = {}
    for j in np.flatnonzero(~a_act).tolist():
        c = after.codes[j]
        if c and c not in a_active_codes:
            a_retired.setdefault(c, j)
    for i in np.flatnonzero(b_open).tolist():
        c = before.codes[i]
        if c in a_retired:
            item("retired", i, a_retired[c])
            b_open[i] = False

    # 3. by geometry among the rest
    ob, oa = np.flatnonzero(b_open), np.flatnonzero(a_open)
    ob = ob[~shapely.is_missing(bg[ob])] if len(ob) else ob
    oa = oa[~shapely.is_missing(ag[oa])] if len(oa) else oa
    if len(ob) and len(oa):
        tree = shapely.STRtree(ag[oa])
        qi, qj = tree.query(bg[ob], predicate="intersects")
        ci, cj = ob[qi], oa[qj]
        if len(ci):
            same = geometry_unchanged(bg[ci], ag[cj], tolerance_m2)
            mi, mj = [], []
            for i, j in zip(ci[same].tolist(), cj[same].tolist()):
                if b_open[i] and a_open[j]:
                    b_open[i] = a_open[j] = False
                    mi.append(i)
                    mj.append(j)
            for i, j in zip(mi, mj):
                item("unchanged" if before.codes[i] == after.codes[j] else "recoded", i, j)
            # the same (duplicated) code, overlapping: reshaped
            rest = np.asarray(
                [
                    b_open[i] and a_open[j] and before.codes[i] and before.codes[i] == after.codes[j]
                    for i, j in zip(ci, cj)
                ],
                dtype=bool,
            )
            if rest.any():
                ri, rj = ci[rest], cj[rest]
                inter = shapely.area(_overlay(shapely.intersection, bg[ri], ag[rj]))
                ri2, rj2 = [], []
                for k in np.argsort(-inter, kind="stable"):
                    i, j = int(ri[k]), int(rj[k])
                    if inter[k] > 0 and b_open[i] and a_open[j]:
                        b_open[i] = a_open[j] = False
                        ri2.append(i)
                        rj2.append(j)
                if ri2:
                    ri2, rj2 = np.asarray(ri2), np.asarray(rj2)
                    sym = _overlay(shapely.symmetric_difference, bg[ri2], ag[rj2])
                    for k, (i, j) in enumerate(zip(ri2, rj2)):
                        item("reshaped", i, j, float(shapely.area(sym[k])), sym[k])

    # 4. the rest
    for i in np.flatnonzero(b_open).tolist():
        item("removed", i, None)
    for j in np.flatnonzero(a_open).tolist():
        item("added", None, j)
    return items, counts


def diff_packages(
    before: Mapping[str, GridArray],
    after: Mapping[str, GridArray],
    tolerance_m2: float = 0.01,
    *,
    keep_unchanged: bool = False,
) -> PackageDiff:
    """Compare two packages (grid layer name → GridArray, same metric CRS)."""
    result = PackageDiff()
    names = [layer.name for layer in schema.GRID_LAYERS if layer.name in before or layer.name in after]
    for name in (*before, *after):
        if name not in names:
            names.append(name)
    for name in names:
        b = before.get(name)
        a = after.get(name)
        level = (b if b is not None else a).level
        b = b if b is not None else GridArray.empty(name, level)
        a = a if a is not None else GridArray.empty(name, level)
        items, counts = diff_layers(b, a, tolerance_m2, keep_unchanged)
        result.items.extend(items)
        result.counts[name] = counts
    return result


# ---------------------------------------------------------------- city merge checks

CITY_RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("city.duplicate_code", Severity.ERROR, "7.5", "编码在多个县重复", "code used in more than one county"),
        Rule(
            "city.border_overlap",
            Severity.ERROR,
            "7.1",
            "县界两侧一级网格重叠",
            "level 1 grids overlap across a county border",
        ),
        Rule(
            "city.border_gap",
            Severity.ERROR,
            "7.1",
            "县界两侧一级网格间有缝隙",
            "gap between level 1 grids along a county border",
        ),
        Rule(
            "city.code_outside_county",
            Severity.WARNING,
            "7.5",
            "一级网格编码不属于本县",
            "level 1 code does not belong to the county",
        ),
    )
}

_LEVEL1 = schema.GRID_LEVEL1.name


def _county_grids(value) -> tuple[dict[str, GridArray], object | None]:
    """(grids by layer, boundary) from a WorkspaceData or a plain dict of GridArrays."""
    if hasattr(value, "grids"):
        return dict(value.grids), getattr(value, "county_boundary", None)
    return dict(value), None


def _polygonal(geometry):
    """The polygonal part of an overlay result (drops the lines and points of touching edges)."""
    if geometry is None or shapely.is_empty(geometry):
        return geometry
    parts = shapely.get_parts(geometry)
    polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    if len(polys) == 0:
        return shapely.MultiPolygon()
    return shapely.union_all(polys) if len(polys) > 1 else polys[0]


def _finding(rule_id, layer, codes, fids, geometry, measure, unit, zh, en, extra) -> Finding:
    rule = CITY_RULES[rule_id]
    location = None
    if geometry is not None and not shapely.is_empty(geometry):
        p = shapely.point_on_surface(geometry)
        location = (float(p.x), float(p.y))
    return Finding(
        rule_id,
        rule.severity,
        layer,
        tuple(codes),
        tuple(int(f) for f in fids),
        geometry,
        measure,
        unit,
        zh,
        en,
        location,
        extra=extra,
    )


def check_merged_counties(
    counties: Mapping[str, object],
    boundaries: Mapping[str, object] | None = None,
    *,
    min_area_m2: float = 1.0,
    border_tolerance_m: float = 1.0,
) -> list[Finding]:
    """The city's checks over county packages (``county code → WorkspaceData or {layer: GridArray}``).

    * ``city.duplicate_code``: one code held by active grids of two or more counties (all layers);
    * ``city.code_outside_county``: a level 1 code whose first 6 digits are not the county's;
    * ``city.border_overlap``: level 1 grids of different counties sharing more than ``min_area_m2``;
    * ``city.border_gap``: parts of the union of the county boundaries covered by no level 1 grid of
      any county, larger than ``min_area_m2``, that lie within ``border_tolerance_m`` of two or more
      county boundaries (so gaps inside one county, the county audit's business, are not reported).
      Only counties with a boundary (``boundaries`` or the WorkspaceData's) and level 1 grids take part.

    Fids in findings are those of each county's own layer; ``extra["counties"]`` names the counties.
    """
    data = {county: _county_grids(value) for county, value in counties.items()}
    bounds = {c: b for c, (_, b) in data.items() if b is not None}
    bounds.update({c: b for c, b in (boundaries or {}).items() if b is not None})
    findings: list[Finding] = []
    findings += _duplicate_codes(data)
    findings += _foreign_codes(data)

    # all active level 1 grids of the city
    county_of, geoms, codes, fids = [], [], [], []
    for county, (grids, _) in data.items():
        g = grids.get(_LEVEL1)
        if g is None or len(g) == 0:
            continue
        keep = active_mask(g) & ~shapely.is_missing(g.geometries) & ~shapely.is_empty(g.geometries)
        county_of += [county] * int(keep.sum())
        geoms.append(g.geometries[keep])
        codes.append(g.codes[keep])
        fids.append(g.fids[keep])
    if not geoms:
        return findings
    county_of = np.asarray(county_of, dtype=object)
    geoms = valid_geometries(np.concatenate(geoms))
    codes = np.concatenate(codes)
    fids = np.concatenate(fids)
    tree = shapely.STRtree(geoms)
    findings += _border_overlaps(tree, geoms, codes, fids, county_of, min_area_m2)
    findings += _border_gaps(tree, geoms, codes, fids, county_of, bounds, min_area_m2, border_tolerance_m)
    return findings


def _duplicate_codes(data) -> list[Finding]:
    holders: dict[str, list[tuple[str, str, int, object]]] = {}
    for county, (grids, _) in data.items():
        for name, g in grids.items():
            act = active_mask(g)
            for k in np.flatnonzero(act).tolist():
                c = g.codes[k]
                if c:
                    holders.setdefault(c, []).append((county, name, int(g.fids[k]), g.geometries[k]))
    out = []
    for code in sorted(holders):
        rows = holders[code]
        counties = sorted({r[0] for r in rows})
        if len(counties) < 2:
            continue
        geoms = [r[3] for r in rows if r[3] is not None]
        geometry = _polygonal(shapely.union_all(valid_geometries(np.asarray(geoms, dtype=object)))) if geoms else None
        where_zh = "、".join(
            f"{r[0]}（{schema.LAYER_BY_NAME[r[1]].title_zh if r[1] in schema.LAYER_BY_NAME else r[1]} 要素 {r[2]}）"
            for r in rows
        )
        where_en = ", ".join(f"{r[0]} ({r[1]} fid {r[2]})" for r in rows)
        out.append(
            _finding(
                "city.duplicate_code",
                rows[0][1],
                (code,),
                [r[2] for r in rows],
                geometry,
                float(len(rows)),
                "grids",
                f"网格编码 {code} 在 {len(counties)} 个县重复使用：{where_zh}。",
                f"Grid code {code} is used in {len(counties)} counties: {where_en}.",
                {"counties": counties, "holders": [(r[0], r[1], r[2]) for r in rows]},
            )
        )
    return out


def _foreign_codes(data) -> list[Finding]:
    out = []
    for county, (grids, _) in data.items():
        prefix = str(county)[:6]
        g = grids.get(_LEVEL1)
        if g is None or len(prefix) < 6 or not prefix.isdigit():
            continue
        act = active_mask(g)
        for k in np.flatnonzero(act).tolist():
            c = g.codes[k]
            if c and not str(c).startswith(prefix):
                out.append(
                    _finding(
                        "city.code_outside_county",
                        _LEVEL1,
                        (c,),
                        [int(g.fids[k])],
                        g.geometries[k],
                        None,
                        "",
                        f"县 {county} 的一级网格编码 {c} 不以本县代码 {prefix} 开头。",
                        f"Level 1 code {c} of county {county} does not start with the county code {prefix}.",
                        {"counties": [county]},
                    )
                )
    return out


def _border_overlaps(tree, geoms, codes, fids, county_of, min_area_m2) -> list[Finding]:
    qi, qj = tree.query(geoms, predicate="intersects")
    keep = (qi < qj) & (county_of[qi] != county_of[qj])
    qi, qj = qi[keep], qj[keep]
    if len(qi) == 0:
        return []
    inter = _overlay(shapely.intersection, geoms[qi], geoms[qj])
    areas = shapely.area(inter)
    out = []
    for k in np.flatnonzero(areas > min_area_m2).tolist():
        i, j = int(qi[k]), int(qj[k])
        a = float(areas[k])
        ci, cj = county_of[i], county_of[j]
        out.append(
            _finding(
                "city.border_overlap",
                _LEVEL1,
                (codes[i], codes[j]),
                (fids[i], fids[j]),
                _polygonal(inter[k]),
                a,
                "m2",
                f"县 {ci} 的一级网格 {codes[i]} 与县 {cj} 的一级网格 {codes[j]} 重叠 {a:.1f} 平方米。",
                f"Level 1 grid {codes[i]} of county {ci} overlaps level 1 grid {codes[j]} of county {cj} by {a:.1f} m².",
                {"counties": [ci, cj]},
            )
        )
    return out


def _border_gaps(tree, geoms, codes, fids, county_of, bounds, min_area_m2, tolerance_m) -> list[Finding]:
    with_grids = set(county_of.tolist())
    names = sorted(c for c in bounds if c in with_grids)
    if len(names) < 2:
        return []
    outlines = valid_geometries(np.asarray([bounds[c] for c in names], dtype=object))
    # only counties touching another one matter
    touching = shapely.STRtree(outlines)
    ti, tj = touching.query(outlines, predicate="dwithin", distance=tolerance_m)
    pairs = {(int(a), int(b)) for a, b in zip(ti, tj) if a < b}
    if not pairs:
        return []
    involved = sorted({k for p in pairs for k in p})
    region = shapely.union_all(outlines[involved])
    cover = shapely.union_all(geoms[tree.query(region)])
    gap = _overlay(shapely.difference, np.asarray([region], dtype=object), np.asarray([cover], dtype=object))[0]
    parts = shapely.get_parts(_polygonal(gap))
    if len(parts) == 0:
        return []
    parts = parts[shapely.area(parts) > min_area_m2]
    if len(parts) == 0:
        return []
    pi, oi = touching.query(parts, predicate="dwithin", distance=tolerance_m)
    near: dict[int, set[int]] = {}
    for p, o in zip(pi.tolist(), oi.tolist()):
        near.setdefault(p, set()).add(o)
    out = []
    for p in sorted(near):
        if len(near[p]) < 2:
            continue
        part = parts[p]
        counties = [names[o] for o in sorted(near[p])]
        if not any((names.index(a), names.index(b)) in pairs for a in counties for b in counties if a < b):
            continue
        neighbours = tree.query(part, predicate="dwithin", distance=tolerance_m)
        neighbours = neighbours[np.lexsort((codes[neighbours].astype(str), county_of[neighbours].astype(str)))]
        area = float(shapely.area(part))
        nb_codes = [codes[n] for n in neighbours if codes[n]]
        listing = "、".join(nb_codes) if nb_codes else "无"
        out.append(
            _finding(
                "city.border_gap",
                _LEVEL1,
                nb_codes,
                [fids[n] for n in neighbours],
                part,
                area,
                "m2",
                f"县 {'、'.join(counties)} 交界处有 {area:.1f} 平方米未被任何一级网格覆盖（相邻网格：{listing}）。",
                f"{area:.1f} m² along the border of counties {', '.join(counties)} lies in no level 1 grid "
                f"(neighbouring grids: {', '.join(nb_codes) if nb_codes else 'none'}).",
                {"counties": counties},
            )
        )
    return out
