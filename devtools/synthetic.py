"""A deterministic synthetic city of grids, and planted defects, for tests and benchmarks.

:func:`generate_city` builds a county of N level 3 grids nested exactly in level 2 and level 1 grids, plus
dedicated grids (schools) inside some villages. Everything is cut from one jittered lattice whose edges are
"wiggled" by shared intermediate vertices, so neighbours share identical vertices and every parent is exactly
the union of its children: the data are a valid coverage at each level, without floating-point noise.
Coordinates are CGCS2000 3-degree Gauss-Kruger with the zone prefix (x ≈ 36 500 000 m, y ≈ 3 600 000 m).

:func:`plant_defects` copies such a city (or any workspace with the same layers) and plants chosen defects
(overlap, gap, notch, contains …), each far from the others, returning for each what an exact audit must
report: ``(rule_id, layer, frozenset(codes))`` keys and the areas the findings must measure.

Plain Python, numpy and shapely; no qgis or Qt import.
"""

from __future__ import annotations

import copy
import math
import pickle
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import shapely
import shapely.ops
from shapely import affinity

from plugin.core import capabilities, schema
from plugin.core.coderule import CodeRule
from plugin.core.model import GridArray, WorkspaceData

ORIGIN = (36_500_000.0, 3_600_000.0)
CRS = "EPSG:4524"
L1, L2, L3, LD = (schema.GRID_LAYER_BY_LEVEL[k].name for k in (1, 2, 3, 0))
DETAILS = ("simple", "realistic")
REALISTIC_WIGGLE = 39  # intermediate vertices per lattice edge at realistic detail: ~180 vertices a grid
# the county codes of a city of several counties (Ankang's ten), and the city's own code and name
COUNTY_CODES = ("610902", "610921", "610922", "610923", "610924", "610925", "610926", "610927", "610929", "610981")
CITY_CODE, CITY_NAME = "6109", "安康市"
VILLAGES_PER_TOWN = 15
MAX_TOWNS = 999  # 3 digits of township in the 12-digit village code


# ====================================================================== the city


def _guillotine(x0: int, y0: int, w: int, h: int, target: float, rng: np.random.Generator, out: list) -> None:
    """Split the cell rectangle into pieces of about ``target`` cells by random straight cuts."""
    stack = [(x0, y0, w, h)]
    while stack:
        x, y, w, h = stack.pop()
        if w * h <= target * 1.5 or (w == 1 and h == 1):
            out.append((x, y, w, h))
            continue
        if w >= h:
            lo = max(1, w // 3)
            cut = int(rng.integers(lo, w - lo + 1)) if w - lo >= lo else w // 2
            stack += [(x, y, cut, h), (x + cut, y, w - cut, h)]
        else:
            lo = max(1, h // 3)
            cut = int(rng.integers(lo, h - lo + 1)) if h - lo >= lo else h // 2
            stack += [(x, y, w, cut), (x, y + cut, w, h - cut)]


def _split_sizes(total: int, parts: int, rng: np.random.Generator, spread: float = 0.25) -> np.ndarray:
    sizes = np.maximum(1, np.round(total / parts * (1 + rng.uniform(-spread, spread, parts)))).astype(int)
    return sizes


class _Lattice:
    """The jittered lattice with wiggled edges; builds block polygons from shared vertices."""

    def __init__(
        self, nx: int, ny: int, cell: float, wiggle: int, origin, rng: np.random.Generator, jagged: bool = False
    ):
        self.nx, self.ny, self.m = nx, ny, wiggle
        ii, jj = np.meshgrid(np.arange(nx + 1), np.arange(ny + 1), indexing="ij")
        jitter = rng.uniform(-0.2, 0.2, (nx + 1, ny + 1, 2)) * cell
        p = np.stack([ii * cell, jj * cell], axis=-1) + jitter  # local coordinates: origin added at the end
        m = wiggle
        t = (np.arange(1, m + 1) / (m + 1))[None, None, :, None]
        # horizontal edges (i, j) -> (i + 1, j), vertical edges (i, j) -> (i, j + 1)
        a, b = p[:-1, :, None, :], p[1:, :, None, :]
        eh = a + (b - a) * t
        eh[..., 1] += self._offsets(eh.shape[:3], cell, rng, jagged)
        a, b = p[:, :-1, None, :], p[:, 1:, None, :]
        ev = a + (b - a) * t
        ev[..., 0] += self._offsets(ev.shape[:3], cell, rng, jagged)
        self.points = p
        self.coords = np.concatenate([p.reshape(-1, 2), eh.reshape(-1, 2), ev.reshape(-1, 2)]) + np.asarray(origin)
        self.eh0 = (nx + 1) * (ny + 1)
        self.ev0 = self.eh0 + nx * (ny + 1) * m

    @staticmethod
    def _offsets(shape, cell: float, rng: np.random.Generator, jagged: bool) -> np.ndarray:
        """Sideways offsets of an edge's intermediate vertices. Simple: uniform ±6 % of a cell. Jagged (a
        digitised field boundary, ditch or lane): a wandering line (a random walk tied to the edge's ends)
        with per-vertex jitter, tapered to nothing at the corners so edges meeting there never cross."""
        if not jagged:
            return rng.uniform(-0.06, 0.06, shape) * cell
        m = shape[-1]
        t = np.arange(1, m + 1) / (m + 1)
        walk = np.cumsum(rng.normal(0.0, 1.0, (*shape[:-1], m + 1)), axis=-1)
        walk = walk[..., :-1] - walk[..., -1:] * t  # a bridge: back to zero at the far end
        walk /= np.maximum(np.abs(walk).max(axis=-1, keepdims=True), 1e-9)
        wobble = 0.7 * walk + 0.3 * rng.uniform(-1.0, 1.0, shape)
        return 0.04 * cell * np.sin(np.pi * t) * wobble

    def _pid(self, i, j):
        return i * (self.ny + 1) + j

    def _eh(self, i, j, k):
        return self.eh0 + (i * (self.ny + 1) + j) * self.m + k

    def _ev(self, i, j, k):
        return self.ev0 + (i * self.ny + j) * self.m + k

    def polygons(self, blocks: np.ndarray) -> np.ndarray:
        """Polygons of cell rectangles ``blocks`` (rows x0, y0, w, h), vectorised."""
        blocks = np.asarray(blocks, dtype=np.int64).reshape(-1, 4)
        x0, y0, w, h = blocks.T
        steps = 2 * (w + h)
        bid = np.repeat(np.arange(len(blocks)), steps)
        s = np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps)
        x0, y0, w, h = x0[bid], y0[bid], w[bid], h[bid]
        bottom = s < w
        right = ~bottom & (s < w + h)
        top = ~bottom & ~right & (s < 2 * w + h)
        left = ~(bottom | right | top)
        m = self.m
        ids = np.empty((len(s), 1 + m), dtype=np.int64)
        k = np.arange(m)[None, :]
        i = x0 + s
        ids[bottom, 0] = self._pid(i, y0)[bottom]
        ids[bottom, 1:] = self._eh(i[bottom, None], y0[bottom, None], k)
        j = y0 + (s - w)
        ids[right, 0] = self._pid(x0 + w, j)[right]
        ids[right, 1:] = self._ev((x0 + w)[right, None], j[right, None], k)
        i = x0 + w - 1 - (s - w - h)
        ids[top, 0] = self._pid(i + 1, y0 + h)[top]
        ids[top, 1:] = self._eh(i[top, None], (y0 + h)[top, None], m - 1 - k)
        j = y0 + h - 1 - (s - 2 * w - h)
        ids[left, 0] = self._pid(x0, j + 1)[left]
        ids[left, 1:] = self._ev(x0[left, None], j[left, None], m - 1 - k)
        rings = shapely.linearrings(self.coords[ids.ravel()], indices=np.repeat(bid, 1 + m))
        return shapely.polygons(rings)

    def inner_quads(self, cells: np.ndarray, scale: float, origin) -> np.ndarray:
        """Quadrilaterals of the cells' corners shrunk towards the cell centre: strictly inside the cells."""
        cells = np.asarray(cells, dtype=np.int64).reshape(-1, 2)
        i, j = cells.T
        corners = np.stack(
            [self.points[i, j], self.points[i + 1, j], self.points[i + 1, j + 1], self.points[i, j + 1]], axis=1
        )
        centre = corners.mean(axis=1, keepdims=True)
        quads = centre + (corners - centre) * scale + np.asarray(origin)
        return shapely.polygons(quads)


def generate_city(
    n_level3: int = 1000,
    seed: int = 0,
    *,
    cell: float = 150.0,
    wiggle: int | None = None,
    detail: str = "simple",
    per_village: int = 50,
    per_section: float = 5.0,
    dedicated_share: float = 0.1,
    county_code: str = "610902",
    county_name: str = "汉滨区",
    origin: tuple[float, float] = ORIGIN,
    counties: int = 1,
) -> WorkspaceData:
    """A city of exactly ``n_level3`` level 3 grids (about ``per_village`` per village, ``per_section`` per
    section), a county boundary that is the union of the villages, divisions with names, and dedicated grids
    (schools) in about ``dedicated_share`` of the villages. Same arguments, same city.

    ``detail``: "simple" (edges of ``wiggle`` + 1 segments, 2 by default: about 7 vertices a grid) or
    "realistic" (edges as jagged polylines of ``wiggle`` + 1 segments, 39 by default: about 180 vertices a
    grid, as digitised village and group boundaries). Every shared edge is the same polyline in both
    neighbours, so the city stays an exact coverage at either detail.

    ``counties``: with more than one, the villages are shared among that many counties (``COUNTY_CODES``) by
    columns of villages, west to east, so neighbouring counties share their borders exactly; each county numbers
    its own townships (at most 999 of 15 villages: about 750,000 level 3 grids a county). The workspace is then
    the whole city (county code ``CITY_CODE``: every code starts with it) and its boundary the union of all the
    villages. One county's township codes overflow past that size: a ValueError says to use more counties."""
    if n_level3 < 1:
        raise ValueError("n_level3 must be at least 1")
    if not 1 <= counties <= len(COUNTY_CODES):
        raise ValueError(f"counties must be between 1 and {len(COUNTY_CODES)}")
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {DETAILS}")
    jagged = detail == "realistic"
    if wiggle is None:
        wiggle = REALISTIC_WIGGLE if jagged else 2
    rng = np.random.default_rng(seed)
    rule = CodeRule.parse(None)
    cells_per_l3 = 1.25

    # villages on a lattice of columns and rows of cells
    nv = max(1, round(n_level3 / per_village))
    gx = max(1, round(math.sqrt(nv)))
    gy = max(1, math.ceil(nv / gx))
    side = math.sqrt(n_level3 * cells_per_l3 / (gx * gy))
    cw = _split_sizes(round(side * gx), gx, rng)
    rh = _split_sizes(round(side * gy), gy, rng)
    while cw.sum() * rh.sum() < n_level3:  # too few cells: grow the smallest column or row
        if cw.min() <= rh.min():
            cw[np.argmin(cw)] += 1
        else:
            rh[np.argmin(rh)] += 1
    target2 = per_section * cells_per_l3
    while True:
        layout = _layout(cw, rh, target2, n_level3, rng)
        if layout is not None:
            break
        # more cells than the dominoes that fit can absorb: shrink the largest column or row, or failing
        # that make the sections larger, and retry
        if cw.max() >= rh.max() and cw.max() > 1 and (cw.sum() - 1) * rh.sum() >= n_level3:
            cw[np.argmax(cw)] -= 1
        elif rh.max() > 1 and cw.sum() * (rh.sum() - 1) >= n_level3:
            rh[np.argmax(rh)] -= 1
        elif target2 < cw.sum() * rh.sum():
            target2 *= 1.5
        else:
            raise ValueError(f"cannot lay out {n_level3} level 3 grids")
    nx, ny, village_blocks, section_blocks, section_village, owner, chosen, used = layout
    singles = np.argwhere(~used)
    dom_blocks = np.c_[chosen[:, :2], np.where(chosen[:, 2] == 0, 2, 1), np.where(chosen[:, 2] == 0, 1, 2)]
    l3_blocks = np.concatenate([dom_blocks, np.c_[singles, np.ones((len(singles), 2), int)]])
    l3_section = owner[l3_blocks[:, 0], l3_blocks[:, 1]]
    order = np.lexsort((l3_blocks[:, 0], -(l3_blocks[:, 1] + l3_blocks[:, 3]), l3_section))
    l3_blocks, l3_section = l3_blocks[order], l3_section[order]

    # codes: county(6) + township(3) + village(3); sections + 2 digits; level 3 + 3 digits
    v_idx = np.arange(len(village_blocks))
    village_county = _village_counties(village_blocks, counties)
    county_codes = np.array([county_code] if counties == 1 else COUNTY_CODES[:counties], dtype=object)
    rank = _rank_within(village_county) - 1  # the village's number in its county, in village order
    town_no = rank // VILLAGES_PER_TOWN + 1
    if town_no.max() > MAX_TOWNS:
        raise ValueError(
            f"{n_level3} level 3 grids need {int(town_no.max())} townships in a county (at most {MAX_TOWNS}): "
            "use more counties"
        )
    village_no = rank % VILLAGES_PER_TOWN + 201
    town_codes = [f"{cc}{t:03d}" for cc, t in zip(county_codes[village_county], town_no)]
    village_codes = np.array([f"{tc}{vn:03d}" for tc, vn in zip(town_codes, village_no)], dtype=object)
    sec_seq = _rank_within(section_village)
    section_codes = np.array(
        [rule.make_code(village_codes[v], 2, int(s)) for v, s in zip(section_village, sec_seq)], dtype=object
    )
    l3_seq = _rank_within(l3_section)
    l3_codes = np.array([rule.make_code(section_codes[p], 3, int(s)) for p, s in zip(l3_section, l3_seq)], dtype=object)

    lattice = _Lattice(nx, ny, cell, wiggle, (0.0, 0.0), rng, jagged)
    lattice.coords += np.asarray(origin)
    geoms1 = lattice.polygons(village_blocks)
    geoms2 = lattice.polygons(section_blocks)
    geoms3 = lattice.polygons(l3_blocks)

    # dedicated grids: a school (and sometimes a hospital) in a cell of some villages
    n_ded_villages = round(len(village_blocks) * dedicated_share) if len(village_blocks) > 1 else 0
    ded_villages = np.sort(rng.choice(len(village_blocks), n_ded_villages, replace=False))
    ded_cells, ded_village, ded_type = [], [], []
    for v in ded_villages:
        x, y, w, h = village_blocks[v]
        n_here = 2 if (w * h >= 4 and rng.random() < 0.3) else 1
        picks = rng.choice(w * h, n_here, replace=False)
        for k, pick in enumerate(picks):
            ded_cells.append((x + pick % w, y + pick // w))
            ded_village.append(v)
            ded_type.append("school" if k == 0 else "hospital")
    ded_village = np.array(ded_village, dtype=np.int64)
    geoms_d = lattice.inner_quads(np.array(ded_cells).reshape(-1, 2), 0.5, origin)
    ded_seq = _rank_within(ded_village) + rule.dedicated_range[0] - 1
    ded_codes = np.array([rule.make_code(village_codes[v], 0, int(s)) for v, s in zip(ded_village, ded_seq)], object)

    town_names = {t: f"安宁{t}镇" for t in np.unique(town_no)}  # the same names in every county
    village_names = np.array([f"青山{n}村" for n in v_idx + 1], dtype=object)
    divisions = [
        {
            "code": village_codes[v],
            "name": village_names[v],
            "town_code": town_codes[v],
            "town_name": town_names[town_no[v]],
            "ur_code": "220",
        }
        for v in v_idx
    ]

    def grid_array(layer, level, geoms, codes, parents, names, extra=None):
        n = len(geoms)
        attributes = {
            "level": np.full(n, level, dtype=np.int64),
            "kind": np.full(n, "dedicated" if level == 0 else "comprehensive", dtype=object),
            "status": np.full(n, "active", dtype=object),
            "area_class": np.full(n, "rural", dtype=object),
        }
        attributes.update(extra or {})
        return GridArray.from_records(layer, level, geoms, codes, parents, names, attributes=attributes)

    households = rng.integers(30, 51, len(geoms3))
    grids = {
        L1: grid_array(L1, 1, geoms1, village_codes, np.array(town_codes, dtype=object), village_names),
        L2: grid_array(
            L2,
            2,
            geoms2,
            section_codes,
            village_codes[section_village],
            np.array([f"{village_names[v]}第{s}片区" for v, s in zip(section_village, sec_seq)], dtype=object),
        ),
        L3: grid_array(
            L3,
            3,
            geoms3,
            l3_codes,
            section_codes[l3_section],
            np.array([f"第{s}村民小组" for s in l3_seq], dtype=object),
            {
                "settlement_type": np.full(len(geoms3), "villager_group", dtype=object),
                "households": households,
                "population": households * 3,
            },
        ),
        LD: grid_array(
            LD,
            0,
            geoms_d,
            ded_codes,
            village_codes[ded_village] if len(ded_village) else np.empty(0, dtype=object),
            np.array(
                [f"{village_names[v]}{'学校' if t == 'school' else '卫生院'}" for v, t in zip(ded_village, ded_type)]
            ),
            {"dedicated_type": np.array(ded_type, dtype=object)},
        ),
    }
    if counties > 1:
        county_code, county_name = CITY_CODE, CITY_NAME
    info = schema.WorkspaceInfo(county_code=county_code, county_name=county_name, crs=CRS)
    county = capabilities.coverage_union(geoms1)
    return WorkspaceData(info=info, grids=grids, county_boundary=county, divisions=divisions)


def _village_counties(village_blocks: np.ndarray, counties: int) -> np.ndarray:
    """The county (0 … counties-1) of each village: contiguous columns of villages, west to east, about as
    many villages each."""
    if counties == 1:
        return np.zeros(len(village_blocks), dtype=np.int64)
    columns = np.unique(village_blocks[:, 0])
    if len(columns) < counties:
        raise ValueError(f"{len(columns)} columns of villages cannot make {counties} counties: make the city larger")
    column = np.searchsorted(columns, village_blocks[:, 0])
    return column * counties // len(columns)


# ====================================================================== a city in a file

_FILE_MAGIC = "community-grids synthetic city 1"
_WKB_CHUNK = 20_000  # geometries a record: reading never holds much more WKB than one record beside the grids


def save_city(data: WorkspaceData, path, extra=None) -> None:
    """Write ``data`` (its grids, county boundary, divisions, staff and info) and any picklable ``extra`` to
    ``path``, geometries as WKB in records of ``_WKB_CHUNK``, so that :func:`load_city` in another process reads
    exactly this city without regenerating it (the audit bench measures a process that only reads)."""
    with open(path, "wb") as f:
        header = {
            "magic": _FILE_MAGIC,
            "info": data.info,
            "divisions": data.divisions,
            "staff": data.staff,
            "county_boundary": None if data.county_boundary is None else shapely.to_wkb(data.county_boundary),
            "layers": list(data.grids),
            "extra": extra,
        }
        pickle.dump(header, f, protocol=pickle.HIGHEST_PROTOCOL)
        for grid in data.grids.values():
            fields = {k: getattr(grid, k) for k in ("layer", "level", "fids", "codes", "parent_codes", "names")}
            pickle.dump({**fields, "attributes": grid.attributes}, f, protocol=pickle.HIGHEST_PROTOCOL)
            geoms = np.asarray(grid.geometries, dtype=object)
            for start in range(0, len(geoms), _WKB_CHUNK):
                pickle.dump(shapely.to_wkb(geoms[start : start + _WKB_CHUNK]), f, protocol=pickle.HIGHEST_PROTOCOL)


def load_city(path) -> tuple[WorkspaceData, object]:
    """The city (and ``extra``) written by :func:`save_city`. Each record of WKB is turned into geometries and
    dropped before the next is read, so the process holds the grids and one record, not all the WKB."""
    with open(path, "rb") as f:
        header = pickle.load(f)
        if not isinstance(header, dict) or header.get("magic") != _FILE_MAGIC:
            raise ValueError(f"{path}: not a synthetic city written by save_city")
        grids = {}
        for name in header["layers"]:
            fields = pickle.load(f)
            geoms = np.empty(len(fields["fids"]), dtype=object)
            for start in range(0, len(geoms), _WKB_CHUNK):
                wkb = pickle.load(f)
                geoms[start : start + len(wkb)] = shapely.from_wkb(wkb)
                del wkb
            grids[name] = GridArray(geometries=geoms, **fields)
    county = header["county_boundary"]
    data = WorkspaceData(
        info=header["info"],
        grids=grids,
        county_boundary=None if county is None else shapely.from_wkb(county),
        divisions=header["divisions"],
        staff=header["staff"],
    )
    return data, header["extra"]


def _layout(cw: np.ndarray, rh: np.ndarray, target2: float, n_level3: int, rng: np.random.Generator):
    """Villages on a lattice of columns ``cw`` and rows ``rh`` of cells, sections by guillotine cuts, and the
    dominoes (pairs of cells in one section) that bring the level 3 count to ``n_level3``; None if impossible."""
    gx, gy = len(cw), len(rh)
    nx, ny = int(cw.sum()), int(rh.sum())
    xs, ys = np.concatenate([[0], np.cumsum(cw)]), np.concatenate([[0], np.cumsum(rh)])

    # villages numbered north to south, west to east; level 2 pieces by guillotine cuts
    village_blocks, section_blocks, section_village = [], [], []
    for r in range(gy - 1, -1, -1):
        for c in range(gx):
            v = len(village_blocks)
            village_blocks.append((xs[c], ys[r], cw[c], rh[r]))
            pieces: list = []
            _guillotine(int(xs[c]), int(ys[r]), int(cw[c]), int(rh[r]), target2, rng, pieces)
            pieces.sort(key=lambda p: (-(p[1] + p[3]), p[0]))  # north to south, west to east
            section_blocks += pieces
            section_village += [v] * len(pieces)
    village_blocks = np.array(village_blocks, dtype=np.int64)
    section_blocks = np.array(section_blocks, dtype=np.int64)
    section_village = np.array(section_village, dtype=np.int64)

    # level 3: single cells, with just enough dominoes (pairs of cells) to reach n_level3 exactly
    owner = np.empty((nx, ny), dtype=np.int64)
    for k, (x, y, w, h) in enumerate(section_blocks):
        owner[x : x + w, y : y + h] = k
    sx0, sy0, sw = section_blocks[owner, 0], section_blocks[owner, 1], section_blocks[owner, 2]
    ci, cj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    horizontal = (ci + 1 < nx) & ((ci - sx0) % 2 == 0) & (sw > 1)
    horizontal[:-1] &= owner[:-1] == owner[1:]
    vertical = (cj + 1 < ny) & ((cj - sy0) % 2 == 0) & (sw == 1)
    vertical[:, :-1] &= owner[:, :-1] == owner[:, 1:]
    cand_h = np.argwhere(horizontal)
    cand_v = np.argwhere(vertical)
    candidates = np.concatenate([np.c_[cand_h, np.zeros(len(cand_h), int)], np.c_[cand_v, np.ones(len(cand_v), int)]])
    n_dominoes = nx * ny - n_level3
    if n_dominoes > len(candidates):
        return None
    chosen = candidates[np.sort(rng.choice(len(candidates), n_dominoes, replace=False))]
    used = np.zeros((nx, ny), dtype=bool)
    used[chosen[:, 0], chosen[:, 1]] = True
    second = chosen[:, :2] + np.where(chosen[:, 2:3] == 0, [1, 0], [0, 1])
    used[second[:, 0], second[:, 1]] = True
    return nx, ny, village_blocks, section_blocks, section_village, owner, chosen, used


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """1-based rank of each row within its group, in row order (groups need not be sorted)."""
    groups = np.asarray(groups)
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1]
    run = np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = run + 1
    return rank


# ====================================================================== planted defects

DEFECT_KINDS = (
    "overlap",  # a level 3 grid grows into its sibling
    "gap",  # a bite out of a level 3 grid, inside its parent
    "notch",  # a bite on the parent's boundary, between two sections
    "notch_edge",  # a bite on the city's outer edge (opens onto the outside: QGIS's checker misses it)
    "contains",  # a new grid inside an existing one
    "duplicate",  # a copy of a grid under a new code
    "outside",  # a grid grows beyond its parent at the city edge
    "split",  # a grid merged with its neighbour in another section
    "mismatch",  # parent_code (and code) of another section of the village
    "unknown_parent",  # parent_code naming no grid
    "bowtie",  # invalid self-intersecting geometry
    "multipart",  # a grid made of two separate parts
    "hole",  # a grid with a hole filled by a new enclave grid
    "sliver_gap",  # a 0.1 m × 5 m strip removed along a shared boundary (0.5 m²: a sliver warning)
    "sliver_overlap",  # a 0.1 m × 5 m strip added along a shared boundary
    "strip_gap",  # a 0.1 m strip removed along a whole shared boundary of 50 m or more (an error)
    "strip_overlap",  # a 0.1 m strip added along a whole shared boundary
    "tiny",  # a 3.5 m half-disc cut out as its own grid
    "thin",  # a 0.6 m strip cut out as its own grid
    "duplicate_code",  # a grid given its sibling's code
    "malformed_code",  # a code with a letter
    "missing_code",  # no code
    "dedicated_overlap",  # two overlapping dedicated grids
    "dedicated_split",  # a dedicated grid across two villages
    "county_gap",  # county boundary grown beyond the villages
    "county_outside",  # county boundary shrunk under a village
    "section_overlap",  # a level 2 grid grows into its neighbour (level 3 unchanged)
    "section_gap",  # a bite out of a level 2 grid: a gap in its village, a level 3 grid now sticks out
    "village_overlap",  # a level 1 grid grows into its neighbour (levels 2 and 3 unchanged)
)

Key = tuple  # (rule_id, layer, frozenset(codes))

# kinds planted more than once in a large city; the county boundary and village kinds once (each is one
# finding per boundary or village layer, however many are planted)
REPEATABLE_KINDS = tuple(k for k in DEFECT_KINDS if not k.startswith(("county_", "village_")))


def defect_plan(n_level3: int, per_grids: int = 120) -> list[str]:
    """Kinds to plant for about one defect per ``per_grids`` level 3 grids: every kind once, then the
    repeatable kinds in turn."""
    count = max(len(DEFECT_KINDS), round(n_level3 / per_grids))
    plan = list(DEFECT_KINDS)
    while len(plan) < count:
        plan.append(REPEATABLE_KINDS[(len(plan) - len(DEFECT_KINDS)) % len(REPEATABLE_KINDS)])
    return plan


@dataclass
class PlantedDefect:
    kind: str
    description: str
    expected: frozenset  # of Key: what an exact audit reports for this defect
    areas: dict = field(default_factory=dict)  # Key -> the area (m²) that finding must measure


class _Editor:
    """Mutable copy of a city's grid layers."""

    def __init__(self, data: WorkspaceData):
        self.data = copy.copy(data)
        self.layers = {}
        for level in (1, 2, 3, 0):
            g = data.grid(level)
            name = g.layer
            self.layers[name] = {
                "level": g.level,
                "fids": list(g.fids),
                "codes": list(g.codes),
                "parents": list(g.parent_codes),
                "names": list(g.names),
                "geoms": list(g.geometries),
                "attrs": {k: list(v) for k, v in g.attributes.items()},
                "removed": set(),
            }
        # how many rows hold each code, kept up to date, so that a free code is found without a scan
        self.code_count = {name: Counter(lay["codes"]) for name, lay in self.layers.items()}
        self.max_fid = {name: max(lay["fids"], default=0) for name, lay in self.layers.items()}
        self.county = data.county_boundary

    def geom(self, layer, i):
        return self.layers[layer]["geoms"][i]

    def code(self, layer, i):
        return self.layers[layer]["codes"][i]

    def parent(self, layer, i):
        return self.layers[layer]["parents"][i]

    def set(self, layer, i, geom=None, code=None, parent=None):
        lay = self.layers[layer]
        if geom is not None:
            lay["geoms"][i] = geom
        if code is not None:
            count = self.code_count[layer]
            count[lay["codes"][i]] -= 1
            lay["codes"][i] = code if code != "<none>" else None
            count[lay["codes"][i]] += 1
        if parent is not None:
            lay["parents"][i] = parent

    def remove(self, layer, i):
        self.layers[layer]["removed"].add(i)

    def add(self, layer, geom, code, parent, name="") -> int:
        lay = self.layers[layer]
        self.max_fid[layer] += 1
        lay["fids"].append(self.max_fid[layer])
        lay["codes"].append(code)
        self.code_count[layer][code] += 1
        lay["parents"].append(parent)
        lay["names"].append(name)
        lay["geoms"].append(geom)
        for _k, values in lay["attrs"].items():
            values.append(values[0] if values else None)
        return len(lay["geoms"]) - 1

    def next_code(self, layer, parent_code, level) -> str:
        rule = CodeRule.parse(None)
        lo, hi = rule.sequence_range(level)
        used = self.code_count[layer]
        for seq in range(lo, hi + 1):
            code = rule.make_code(parent_code, level, seq)
            if used.get(code, 0) <= 0:
                return code
        raise ValueError(f"no free code under {parent_code}")

    def build(self) -> WorkspaceData:
        grids = {}
        for name, lay in self.layers.items():
            keep = [i for i in range(len(lay["geoms"])) if i not in lay["removed"]]
            grids[name] = GridArray.from_records(
                name,
                lay["level"],
                [lay["geoms"][i] for i in keep],
                [lay["codes"][i] for i in keep],
                [lay["parents"][i] for i in keep],
                [lay["names"][i] for i in keep],
                fids=[lay["fids"][i] for i in keep],
                attributes={k: [v[i] for i in keep] for k, v in lay["attrs"].items()},
            )
        out = copy.copy(self.data)
        out.grids = grids
        out.county_boundary = self.county
        return out


def _longest_line(geom):
    """The longest linestring in a (multi)line intersection result, or None."""
    if geom is None or geom.is_empty:
        return None
    merged = shapely.line_merge(geom) if geom.geom_type in ("MultiLineString", "LineString") else geom
    parts = [p for p in shapely.get_parts(merged) if p.geom_type == "LineString"]
    if not parts and merged.geom_type == "GeometryCollection":
        lines = [p for p in shapely.get_parts(merged) if p.geom_type in ("LineString", "MultiLineString")]
        return _longest_line(shapely.union_all(lines)) if lines else None
    return max(parts, key=lambda p: p.length) if parts else None


class _Planter:
    def __init__(self, data: WorkspaceData, seed: int):
        self.ed = _Editor(data)
        self.rng = np.random.default_rng(seed)
        self.reserved: list = []
        self._reserved_bounds = np.zeros((0, 4))
        g3, g2, g1 = data.grid(3), data.grid(2), data.grid(1)
        self.cell = float(np.sqrt(np.median(shapely.area(g3.geometries)))) if len(g3) else 100.0
        self.children: dict[str, list[int]] = {}
        for i, pc in enumerate(g3.parent_codes):
            self.children.setdefault(pc, []).append(i)
        self.sections_of: dict[str, list[int]] = {}
        for i, pc in enumerate(g2.parent_codes):
            self.sections_of.setdefault(pc, []).append(i)
        self.tree3 = shapely.STRtree(g3.geometries)
        self.tree2 = shapely.STRtree(g2.geometries)
        self.tree1 = shapely.STRtree(g1.geometries)
        self.county_line = shapely.boundary(data.county_boundary) if data.county_boundary is not None else None
        self._edge_hits: dict = {}

    # ---- reservations keep defects apart, so each is reported exactly as planned
    def free(self, *geoms) -> bool:
        if not self.reserved:
            return True
        rb = self._reserved_bounds
        for g in geoms:  # envelopes first: hundreds of reservations in a large city
            x0, y0, x1, y1 = shapely.bounds(g)
            near = np.flatnonzero((rb[:, 0] <= x1) & (rb[:, 2] >= x0) & (rb[:, 1] <= y1) & (rb[:, 3] >= y0))
            if any(shapely.intersects(g, self.reserved[k]) for k in near):
                return False
        return True

    def reserve(self, *geoms) -> None:
        new = [shapely.buffer(g, 0.5 * self.cell) for g in geoms]
        self.reserved += new
        self._reserved_bounds = np.vstack([self._reserved_bounds, shapely.bounds(np.array(new, dtype=object))])

    def order(self, n):
        return self.rng.permutation(n)

    # ---- candidates
    def sibling_pairs(self, min_len=20.0):
        """(P index, a, b, shared line) for level 3 siblings, parents in random order."""
        g2 = self.ed.layers[L2]
        for p in self.order(len(g2["geoms"])):
            if not self.free(g2["geoms"][p]):
                continue
            kids = self.children.get(g2["codes"][p], [])
            pairs = [(a, b) for x, a in enumerate(kids) for b in kids[x + 1 :]]
            for t in self.rng.permutation(len(pairs)) if pairs else []:
                a, b = pairs[t]
                line = _longest_line(shapely.intersection(self.ed.geom(L3, a).boundary, self.ed.geom(L3, b).boundary))
                if line is not None and line.length >= min_len:
                    yield p, a, b, line

    def cross_pairs(self, min_len=20.0):
        """(a, c, line) for level 3 grids sharing a boundary across two different sections."""
        g3 = self.ed.layers[L3]
        for a in self.order(len(g3["geoms"])):
            ga = g3["geoms"][a]
            for c in self.tree3.query(ga, predicate="touches"):
                if g3["parents"][c] == g3["parents"][a]:
                    continue
                line = _longest_line(shapely.intersection(ga.boundary, g3["geoms"][c].boundary))
                if line is not None and line.length >= min_len:
                    yield a, c, line
                    break

    def edge_grids(self, layer, tree, min_len=40.0):
        """(i, line) for grids of ``layer`` with a stretch of the city's outer edge."""
        if self.county_line is None:
            return
        lay = self.ed.layers[layer]
        if layer not in self._edge_hits:  # the city's edge does not move: the query once per layer
            self._edge_hits[layer] = tree.query(self.county_line, predicate="intersects")
        hits = self._edge_hits[layer]
        for i in self.rng.permutation(hits):
            line = _longest_line(shapely.intersection(lay["geoms"][i].boundary, self.county_line))
            if line is not None and line.length >= min_len:
                yield i, line

    def section_of(self, i):
        """(L2 index, code) of level 3 grid i's parent."""
        pc = self.ed.parent(L3, i)
        g2 = self.ed.layers[L2]
        return (g2["codes"].index(pc) if self.ed.code_count[L2].get(pc, 0) > 0 else None), pc

    def sections_of_pair(self, a, c):
        """section_of for both grids of a cross pair, or None when either names no section (a planted
        unknown parent: a large city meets one)."""
        (pa, pcode), (pc, qcode) = self.section_of(a), self.section_of(c)
        return None if pa is None or pc is None else (pa, pcode, pc, qcode)

    def key(self, rule, layer, *codes):
        return (rule, layer, frozenset(c for c in codes if c))


def _disc(point, radius):
    return shapely.buffer(point, radius, quad_segs=8)


def plant_defects(
    data: WorkspaceData, kinds=DEFECT_KINDS, seed: int = 0, *, skip_unplaced: bool = False
) -> tuple[WorkspaceData, list]:
    """A copy of ``data`` with one defect of each kind in ``kinds`` planted (a kind listed twice is planted
    twice), each far from the others, and the list of :class:`PlantedDefect` saying what an exact audit must
    report. Kinds that find no place raise ValueError, or are left out with ``skip_unplaced``."""
    pl = _Planter(data, seed)
    planted = []
    for kind in kinds:
        fn = _PLANTERS[kind]
        result = fn(pl)
        if result is None and skip_unplaced:
            continue
        if result is None:
            raise ValueError(f"no room to plant a {kind!r} defect in this city")
        description, expected, areas = result
        planted.append(PlantedDefect(kind, description, frozenset(expected), dict(areas)))
    return pl.ed.build(), planted


def _plant_overlap(pl: _Planter):
    for p, a, b, line in pl.sibling_pairs():
        ga, gb = pl.ed.geom(L3, a), pl.ed.geom(L3, b)
        pt = line.interpolate(0.5, normalized=True)
        r = min(0.15 * pl.cell, 0.45 * shapely.distance(pt, shapely.union(ga, gb).boundary))
        if r < 5:
            continue
        grown = shapely.union(ga, shapely.intersection(gb, _disc(pt, r)))
        if grown.geom_type != "Polygon" or not grown.is_valid:
            continue
        pl.ed.set(L3, a, geom=grown)
        pl.reserve(pl.ed.layers[L2]["geoms"][p])
        ca, cb = pl.ed.code(L3, a), pl.ed.code(L3, b)
        key = pl.key("overlap", L3, ca, cb)
        return f"{ca} grows {r:.1f} m into {cb}", [key], {key: grown.area - ga.area}
    return None


def _bite(pl: _Planter, pairs):
    for item in pairs:
        _p, a, b, line = item
        ga, gb = pl.ed.geom(L3, a), pl.ed.geom(L3, b)
        pt = line.interpolate(0.5, normalized=True)
        r = min(0.15 * pl.cell, 0.45 * shapely.distance(pt, shapely.union(ga, gb).boundary))
        if r < 5:
            continue
        bitten = shapely.difference(ga, _disc(pt, r))
        if bitten.geom_type != "Polygon" or not bitten.is_valid:
            continue
        return item, r, bitten
    return None


def _plant_gap(pl: _Planter):
    found = _bite(pl, pl.sibling_pairs())
    if found is None:
        return None
    (p, a, _b, _line), r, bitten = found
    before = pl.ed.geom(L3, a).area
    pl.ed.set(L3, a, geom=bitten)
    pl.reserve(pl.ed.layers[L2]["geoms"][p])
    pcode = pl.ed.layers[L2]["codes"][p]
    key = pl.key("gap", L2, pcode)
    return f"bite of r={r:.1f} m out of {pl.ed.code(L3, a)}", [key], {key: before - bitten.area}


def _plant_notch(pl: _Planter):
    for a, c, line in pl.cross_pairs():
        if (pair := pl.sections_of_pair(a, c)) is None:
            continue
        pa, pcode, pc, _ = pair
        g2 = pl.ed.layers[L2]["geoms"]
        if not pl.free(g2[pa], g2[pc]):
            continue
        ga, gc = pl.ed.geom(L3, a), pl.ed.geom(L3, c)
        pt = line.interpolate(0.5, normalized=True)
        r = min(0.15 * pl.cell, 0.45 * shapely.distance(pt, shapely.union(ga, gc).boundary))
        if r < 5:
            continue
        bitten = shapely.difference(ga, _disc(pt, r))
        if bitten.geom_type != "Polygon" or not bitten.is_valid:
            continue
        pl.ed.set(L3, a, geom=bitten)
        pl.reserve(g2[pa], g2[pc])
        return (
            f"notch of r={r:.1f} m in {pl.ed.code(L3, a)} on the boundary of {pcode}",
            [pl.key("gap", L2, pcode)],
            {pl.key("gap", L2, pcode): ga.area - bitten.area},
        )
    return None


def _edge_disc(pl: _Planter, layer, tree, cap):
    """(i, point, radius) on the city's outer edge, clear of the grid's neighbours."""
    lay = pl.ed.layers[layer]
    for i, line in pl.edge_grids(layer, tree):
        if layer == L3 and ((section := _section_geom(pl, i)) is None or not pl.free(section)):
            continue
        pt = line.interpolate(0.5, normalized=True)
        near = [j for j in tree.query(_disc(pt, 3 * cap)) if j != i]
        d = min((shapely.distance(pt, lay["geoms"][j]) for j in near), default=3 * cap)
        # stay on the stretch of edge: clear of where the grid's boundary leaves the county boundary
        ends = shapely.distance(pt, shapely.difference(lay["geoms"][i].boundary, shapely.buffer(line, 1e-3)))
        r = min(cap, 0.45 * d, 0.45 * ends if ends > 0 else cap)
        if r >= 5 and pl.free(_disc(pt, r)):
            yield i, pt, r


def _plant_notch_edge(pl: _Planter):
    for a, pt, r in _edge_disc(pl, L3, pl.tree3, 0.15 * pl.cell):
        before = pl.ed.geom(L3, a).area
        bitten = shapely.difference(pl.ed.geom(L3, a), _disc(pt, r))
        if bitten.geom_type != "Polygon" or not bitten.is_valid:
            continue
        pa, pcode = pl.section_of(a)
        pl.ed.set(L3, a, geom=bitten)
        pl.reserve(pl.ed.layers[L2]["geoms"][pa])
        key = pl.key("gap", L2, pcode)
        return f"notch on the city edge in {pl.ed.code(L3, a)}", [key], {key: before - bitten.area}
    return None


def _plant_outside(pl: _Planter):
    for a, pt, r in _edge_disc(pl, L3, pl.tree3, 0.15 * pl.cell):
        bump = shapely.difference(_disc(pt, r), pl.ed.county)
        before = pl.ed.geom(L3, a).area
        grown = shapely.union(pl.ed.geom(L3, a), bump)
        if grown.geom_type != "Polygon" or not grown.is_valid:
            continue
        pa, pcode = pl.section_of(a)
        pl.ed.set(L3, a, geom=grown)
        pl.reserve(pl.ed.layers[L2]["geoms"][pa], grown)
        ca = pl.ed.code(L3, a)
        key = pl.key("parent.outside", L3, ca, pcode)
        return f"{ca} bulges beyond the city edge", [key], {key: grown.area - before}
    return None


def _inner_square(pl: _Planter, geom, side_max=20.0):
    circle = capabilities.maximum_inscribed_circle(geom)
    centre = shapely.get_point(circle, 0)
    radius = circle.length
    side = min(side_max, radius)
    if side < 10:
        return None
    x, y = centre.x, centre.y
    return shapely.box(x - side / 2, y - side / 2, x + side / 2, y + side / 2)


def _free_grids(pl: _Planter, layer=L3):
    lay = pl.ed.layers[layer]
    for i in pl.order(len(lay["geoms"])):
        if i in lay["removed"] or not pl.free(lay["geoms"][i]):
            continue
        if layer == L3 and pl.section_of(i)[0] is None:  # names a planted missing parent
            continue
        yield i


def _section_geom(pl, i):
    """The geometry of level 3 grid i's section (None when it names a planted missing parent)."""
    pa, _ = pl.section_of(i)
    return None if pa is None else pl.ed.layers[L2]["geoms"][pa]


def _plant_contains(pl: _Planter):
    for a in _free_grids(pl):
        sq = _inner_square(pl, pl.ed.geom(L3, a))
        if sq is None:
            continue
        pcode = pl.ed.parent(L3, a)
        code = pl.ed.next_code(L3, pcode, 3)
        pl.ed.add(L3, sq, code, pcode, "嵌套网格")
        pl.reserve(_section_geom(pl, a))
        ca = pl.ed.code(L3, a)
        key = pl.key("overlap.contains", L3, ca, code)
        return f"{code} inside {ca}", [key], {key: sq.area}
    return None


def _plant_duplicate(pl: _Planter):
    for a in _free_grids(pl):
        pcode = pl.ed.parent(L3, a)
        code = pl.ed.next_code(L3, pcode, 3)
        n = pl.ed.add(L3, pl.ed.geom(L3, a), code, pcode, "重复网格")
        pl.reserve(_section_geom(pl, a))
        ca = pl.ed.code(L3, a)
        key = pl.key("overlap.duplicate", L3, ca, code)
        return f"{code} duplicates {ca}", [key], {key: pl.ed.geom(L3, n).area}
    return None


def _plant_split(pl: _Planter):
    for a, c, _line in pl.cross_pairs():
        if (pair := pl.sections_of_pair(a, c)) is None:
            continue
        pa, pcode, pc, qcode = pair
        g2 = pl.ed.layers[L2]["geoms"]
        if not pl.free(g2[pa], g2[pc]):
            continue
        merged = shapely.union(pl.ed.geom(L3, a), pl.ed.geom(L3, c))
        if merged.geom_type != "Polygon":
            continue
        pl.ed.set(L3, a, geom=merged)
        pl.ed.remove(L3, c)
        pl.reserve(g2[pa], g2[pc])
        ca = pl.ed.code(L3, a)
        return f"{ca} merged with its neighbour in {qcode}", [pl.key("parent.split", L3, ca, pcode, qcode)], {}
    return None


def _plant_mismatch(pl: _Planter):
    g2 = pl.ed.layers[L2]
    for a in _free_grids(pl):
        pa, pcode = pl.section_of(a)
        village = g2["parents"][pa]
        others = [s for s in pl.sections_of.get(village, []) if s != pa and pl.free(g2["geoms"][s])]
        if not others:
            continue
        s = others[0]
        rcode = g2["codes"][s]
        code = pl.ed.next_code(L3, rcode, 3)
        pl.ed.set(L3, a, code=code, parent=rcode)
        pl.reserve(g2["geoms"][pa], g2["geoms"][s])
        return (
            f"{code} lies in {pcode} but names {rcode}",
            [pl.key("parent.mismatch", L3, code, rcode, pcode)],
            {},
        )
    return None


def _plant_unknown_parent(pl: _Planter):
    g2 = pl.ed.layers[L2]
    for a in _free_grids(pl):
        pa, _pcode = pl.section_of(a)
        ghost = g2["parents"][pa] + "88"
        if ghost in g2["codes"]:
            continue
        code = pl.ed.next_code(L3, ghost, 3)  # ghost + "001" unless another grid of the village has it
        pl.ed.set(L3, a, code=code, parent=ghost)
        pl.reserve(g2["geoms"][pa])
        return f"{code} names the missing parent {ghost}", [pl.key("parent.unknown", L3, code, ghost)], {}
    return None


def _plant_bowtie(pl: _Planter):
    for a in _free_grids(pl):
        ring = np.asarray(pl.ed.geom(L3, a).exterior.coords)[:-1]
        k = len(ring)
        p0, p1, p2, p3 = ring[0], ring[k // 4], ring[k // 2], ring[3 * k // 4]
        bow = shapely.Polygon([p0, p2, p1, p3])
        if bow.is_valid:
            continue
        pl.ed.set(L3, a, geom=bow)
        pl.reserve(_section_geom(pl, a))
        ca = pl.ed.code(L3, a)
        return f"{ca} replaced by a bow-tie", [pl.key("geom.invalid", L3, ca)], {}
    return None


def _plant_multipart(pl: _Planter):
    g2 = pl.ed.layers[L2]
    for p in pl.order(len(g2["geoms"])):
        if not pl.free(g2["geoms"][p]):
            continue
        kids = pl.children.get(g2["codes"][p], [])
        for x, a in enumerate(kids):
            for c in kids[x + 1 :]:
                if shapely.disjoint(pl.ed.geom(L3, a), pl.ed.geom(L3, c)):
                    multi = shapely.MultiPolygon([pl.ed.geom(L3, a), pl.ed.geom(L3, c)])
                    pl.ed.set(L3, a, geom=multi)
                    pl.ed.remove(L3, c)
                    pl.reserve(g2["geoms"][p])
                    ca = pl.ed.code(L3, a)
                    return f"{ca} takes over a separate sibling", [pl.key("geom.multipart", L3, ca)], {}
    return None


def _plant_hole(pl: _Planter):
    for a in _free_grids(pl):
        ga = pl.ed.geom(L3, a)
        sq = _inner_square(pl, ga)
        if sq is None:
            continue
        pcode = pl.ed.parent(L3, a)
        code = pl.ed.next_code(L3, pcode, 3)
        pl.ed.set(L3, a, geom=shapely.difference(ga, sq))
        pl.ed.add(L3, sq, code, pcode, "飞地网格")
        pl.reserve(_section_geom(pl, a))
        ca = pl.ed.code(L3, a)
        return f"{ca} has a hole filled by {code}", [pl.key("geom.hole", L3, ca)], {}
    return None


def _strip(line, width):
    return shapely.buffer(line, width, cap_style="flat", join_style="mitre", mitre_limit=3.0)


def _plant_sliver(pl: _Planter, grow: bool, length: float | None = 5.0):
    """A 0.1 m strip along a shared boundary: ``length`` metres of it (0.5 m², below the sliver area: a
    sliver warning), or the whole boundary of at least 50 m when ``length`` is None (5 m² and more: a gap or
    overlap error labelled strip-shaped)."""
    for p, a, b, line in pl.sibling_pairs(min_len=50.0):
        ga, gb = pl.ed.geom(L3, a), pl.ed.geom(L3, b)
        if length is not None:
            mid = line.length / 2.0
            line = shapely.ops.substring(line, mid - length / 2.0, mid + length / 2.0)
        strip = _strip(line, 0.1)
        new = shapely.union(ga, shapely.intersection(gb, strip)) if grow else shapely.difference(ga, strip)
        if new.geom_type != "Polygon" or not new.is_valid:
            continue
        pl.ed.set(L3, a, geom=new)
        pl.reserve(pl.ed.layers[L2]["geoms"][p])
        ca, cb = pl.ed.code(L3, a), pl.ed.code(L3, b)
        pcode = pl.ed.layers[L2]["codes"][p]
        what = "sliver" if length is not None else "strip"
        if grow:
            rule = "overlap.sliver" if length is not None else "overlap"
            return f"0.1 m {what} of {ca} over {cb}", [pl.key(rule, L3, ca, cb)], {}
        rule = "gap.sliver" if length is not None else "gap"
        return f"0.1 m {what} gap between {ca} and {cb}", [pl.key(rule, L2, pcode)], {}
    return None


def _plant_tiny(pl: _Planter):
    for p, a, b, line in pl.sibling_pairs():
        ga, gb = pl.ed.geom(L3, a), pl.ed.geom(L3, b)
        pt = line.interpolate(0.5, normalized=True)
        if 0.45 * shapely.distance(pt, shapely.union(ga, gb).boundary) < 3.5:
            continue
        disc = _disc(pt, 3.5)
        piece, rest = shapely.intersection(ga, disc), shapely.difference(ga, disc)
        if rest.geom_type != "Polygon" or piece.geom_type != "Polygon":
            continue
        pcode = pl.ed.layers[L2]["codes"][p]
        code = pl.ed.next_code(L3, pcode, 3)
        pl.ed.set(L3, a, geom=rest)
        pl.ed.add(L3, piece, code, pcode, "微小网格")
        pl.reserve(pl.ed.layers[L2]["geoms"][p])
        return f"{code}: a {piece.area:.1f} m² grid", [pl.key("grid.tiny", L3, code)], {}
    return None


def _plant_thin(pl: _Planter):
    for p, a, _b, line in pl.sibling_pairs(min_len=130.0):
        ga = pl.ed.geom(L3, a)
        strip = shapely.intersection(ga, _strip(line, 0.6))
        rest = shapely.difference(ga, strip)
        if strip.geom_type != "Polygon" or rest.geom_type != "Polygon" or strip.area < 60:
            continue
        pcode = pl.ed.layers[L2]["codes"][p]
        code = pl.ed.next_code(L3, pcode, 3)
        pl.ed.set(L3, a, geom=rest)
        pl.ed.add(L3, strip, code, pcode, "狭长网格")
        pl.reserve(pl.ed.layers[L2]["geoms"][p])
        return f"{code}: a 0.6 m wide strip grid", [pl.key("grid.thin", L3, code)], {}
    return None


def _plant_code(pl: _Planter, how: str):
    for p, a, b, _line in pl.sibling_pairs():
        ca, cb = pl.ed.code(L3, a), pl.ed.code(L3, b)
        pl.reserve(pl.ed.layers[L2]["geoms"][p])
        if how == "duplicate":
            pl.ed.set(L3, a, code=cb)
            return f"{ca} recoded as its sibling {cb}", [pl.key("code.duplicate", L3, cb)], {}
        if how == "malformed":
            bad = ca[:-1] + "X"
            pl.ed.set(L3, a, code=bad)
            return f"{ca} recoded {bad}", [pl.key("code.malformed", L3, bad)], {}
        pl.ed.set(L3, a, code="<none>")
        return f"{ca} loses its code", [pl.key("code.missing", L3)], {}
    return None


def _clear_of_dedicated(pl: _Planter, geom) -> bool:
    lay = pl.ed.layers[LD]
    return not any(shapely.intersects(geom, g) for i, g in enumerate(lay["geoms"]) if i not in lay["removed"])


def _plant_dedicated_overlap(pl: _Planter):
    g1, g2 = pl.ed.layers[L1], pl.ed.layers[L2]
    for v in pl.order(len(g1["geoms"])):
        vcode = g1["codes"][v]
        for s in pl.sections_of.get(vcode, []):
            for cell in pl.children.get(g2["codes"][s], []):
                sq = _inner_square(pl, pl.ed.geom(L3, cell), side_max=30.0)
                if sq is None:
                    continue
                shifted = affinity.translate(sq, 0.4 * np.sqrt(sq.area), 0.0)
                both = shapely.union(sq, shifted)
                if not _clear_of_dedicated(pl, both) or not pl.free(both):
                    continue
                first = pl.ed.next_code(LD, vcode, 0)
                pl.ed.add(LD, sq, first, vcode, "学校")
                second = pl.ed.next_code(LD, vcode, 0)
                pl.ed.add(LD, shifted, second, vcode, "医院")
                pl.reserve(both)
                return f"dedicated {first} and {second} overlap", [pl.key("overlap.dedicated", LD, first, second)], {}
    return None


def _plant_dedicated_split(pl: _Planter):
    g1 = pl.ed.layers[L1]
    for v in pl.order(len(g1["geoms"])):
        gv = g1["geoms"][v]
        for w in pl.tree1.query(gv, predicate="touches"):
            line = _longest_line(shapely.intersection(gv.boundary, g1["geoms"][w].boundary))
            if line is None or line.length < 60:
                continue
            pt = line.interpolate(0.5, normalized=True)
            sq = shapely.box(pt.x - 15, pt.y - 15, pt.x + 15, pt.y + 15)
            if len(pl.tree1.query(sq, predicate="intersects")) != 2 or not _clear_of_dedicated(pl, sq):
                continue
            if not pl.free(sq):
                continue
            vcode, wcode = g1["codes"][v], g1["codes"][w]
            code = pl.ed.next_code(LD, vcode, 0)
            pl.ed.add(LD, sq, code, vcode, "跨村园区")
            pl.reserve(sq)
            return f"dedicated {code} across {vcode} and {wcode}", [pl.key("parent.split", LD, code, vcode, wcode)], {}
    return None


def _plant_county(pl: _Planter, grow: bool):
    for v, pt, r in _edge_disc(pl, L1, pl.tree1, 20.0):
        disc = _disc(pt, r)
        before = pl.ed.county.area
        pl.ed.county = shapely.union(pl.ed.county, disc) if grow else shapely.difference(pl.ed.county, disc)
        pl.reserve(disc)
        vcode = pl.ed.code(L1, v)
        change = abs(pl.ed.county.area - before)
        if grow:
            key = pl.key("county.gap", L1)
            return f"county boundary bulges beyond {vcode}", [key], {key: change}
        key = pl.key("county.outside", L1, vcode)
        return f"county boundary cuts into {vcode}", [key], {key: change}
    return None


def _grow_into_neighbour(pl: _Planter, layer, tree, rule):
    """Grid i of ``layer`` grows by a half-disc into a neighbour j of the same layer."""
    lay = pl.ed.layers[layer]
    villages = layer == L1  # villages are large: only the grown part and its surroundings are reserved
    for i in pl.order(len(lay["geoms"])):
        gi = lay["geoms"][i]
        if not villages and not pl.free(gi):
            continue
        for j in tree.query(gi, predicate="touches"):
            gj = lay["geoms"][j]
            if not villages and (not pl.free(gj) or lay["parents"][i] != lay["parents"][j]):
                continue  # sections of one village, so the grown part stays inside it
            line = _longest_line(shapely.intersection(gi.boundary, gj.boundary))
            if line is None or line.length < 40:
                continue
            pt = line.interpolate(0.5, normalized=True)
            r = min(0.15 * pl.cell, 0.45 * shapely.distance(pt, shapely.union(gi, gj).boundary))
            if r < 5:
                continue
            grown = shapely.union(gi, shapely.intersection(gj, _disc(pt, r)))
            if grown.geom_type != "Polygon" or (villages and not pl.free(_disc(pt, r))):
                continue
            pl.ed.set(layer, i, geom=grown)
            pl.reserve(*((_disc(pt, r),) if villages else (gi, gj)))
            key = pl.key(rule, layer, lay["codes"][i], lay["codes"][j])
            return f"{lay['codes'][i]} grows into {lay['codes'][j]}", [key], {key: grown.area - gi.area}
    return None


def _plant_section_gap(pl: _Planter):
    """A bite out of section a where its level 3 grid c meets grid d of the neighbouring section."""
    g2 = pl.ed.layers[L2]
    for a, d, line in pl.cross_pairs(min_len=40.0):
        if (pair := pl.sections_of_pair(a, d)) is None:
            continue
        sa, scode, sd, _ = pair
        if g2["parents"][sa] != g2["parents"][sd] or not pl.free(g2["geoms"][sa], g2["geoms"][sd]):
            continue  # keep it inside one village
        ga, gd = pl.ed.geom(L3, a), pl.ed.geom(L3, d)
        pt = line.interpolate(0.5, normalized=True)
        r = min(0.15 * pl.cell, 0.45 * shapely.distance(pt, shapely.union(ga, gd).boundary))
        if r < 5:
            continue
        bitten = shapely.difference(g2["geoms"][sa], _disc(pt, r))
        if bitten.geom_type != "Polygon":
            continue
        lost = g2["geoms"][sa].area - bitten.area
        pl.ed.set(L2, sa, geom=bitten)
        pl.reserve(g2["geoms"][sa], g2["geoms"][sd])
        village = g2["parents"][sa]
        gap = pl.key("gap", L1, village)
        outside = pl.key("parent.outside", L3, pl.ed.code(L3, a), scode)
        return f"bite out of section {scode}", [gap, outside], {gap: lost, outside: lost}
    return None


_PLANTERS = {
    "overlap": _plant_overlap,
    "gap": _plant_gap,
    "notch": _plant_notch,
    "notch_edge": _plant_notch_edge,
    "contains": _plant_contains,
    "duplicate": _plant_duplicate,
    "outside": _plant_outside,
    "split": _plant_split,
    "mismatch": _plant_mismatch,
    "unknown_parent": _plant_unknown_parent,
    "bowtie": _plant_bowtie,
    "multipart": _plant_multipart,
    "hole": _plant_hole,
    "sliver_gap": lambda pl: _plant_sliver(pl, grow=False),
    "sliver_overlap": lambda pl: _plant_sliver(pl, grow=True),
    "strip_gap": lambda pl: _plant_sliver(pl, grow=False, length=None),
    "strip_overlap": lambda pl: _plant_sliver(pl, grow=True, length=None),
    "tiny": _plant_tiny,
    "thin": _plant_thin,
    "duplicate_code": lambda pl: _plant_code(pl, "duplicate"),
    "malformed_code": lambda pl: _plant_code(pl, "malformed"),
    "missing_code": lambda pl: _plant_code(pl, "missing"),
    "dedicated_overlap": _plant_dedicated_overlap,
    "dedicated_split": _plant_dedicated_split,
    "county_gap": lambda pl: _plant_county(pl, grow=True),
    "county_outside": lambda pl: _plant_county(pl, grow=False),
    "section_overlap": lambda pl: _grow_into_neighbour(pl, L2, pl.tree2, "overlap"),
    "section_gap": _plant_section_gap,
    "village_overlap": lambda pl: _grow_into_neighbour(pl, L1, pl.tree1, "overlap"),
}
