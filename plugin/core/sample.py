"""The embedded sample workspace: Hanbin district (汉滨区, 610902) of Ankang, with planted defects.

:func:`build_sample` returns a complete :class:`~plugin.core.model.WorkspaceData` in EPSG:4524
(CGCS2000 3-degree Gauss-Kruger zone 36) built on the real county boundary and the real 529 village
and community codes of Hanbin's 28 townships, plus the list of defects planted into it, so that
tests (and demonstrations) can check that the audit finds exactly those.

How the geometry is made exact: a jittered Voronoi mesh (about 70,000 cells, dense in the city and
in town seats) is cut by the county boundary (the border cells are re-noded and polygonized with it,
so that the mesh is a perfect coverage of the county), and every grid is the coverage union of mesh
cells. The cells are partitioned hierarchically (townships → villages → sections → groups) on a
domain-warped plane (organic borders): capacity-constrained power diagrams tuned to target areas,
growth from seeds for the city and the town centres, then every part made edge-connected. Children
therefore partition their parents with bit-identical shared vertices; planted defects change only
the planted grids.

The township layout is plausible, not surveyed: seats are approximate, the city (the four 街道)
lies around Ankang's old city (109.03°E, 32.69°N), urban communities (ur_code 1xx) cluster around
the city and the town seats.

Pure Python: numpy, shapely ≥ 2.1 (GEOS ≥ 3.12) and pyproj (through :mod:`.reference`).
No qgis or Qt import.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import affinity, ops

from . import capabilities, reference, schema
from .model import GridArray, PointArray, WorkspaceData

SAMPLE_COUNTY_CODE = "610902"
SAMPLE_CRS = "EPSG:4524"
DEFAULT_SEED = 20261124
CITY_CENTRE_LONLAT = (109.027, 32.688)  # Ankang's old city, south bank of the Han river

# Approximate township seats (longitude, latitude): a plausible layout for a sample, not surveyed.
TOWN_SEATS = {
    "610902001": (109.030, 32.686),  # 老城街道
    "610902002": (109.004, 32.683),  # 新城街道
    "610902003": (109.022, 32.708),  # 江北街道
    "610902004": (109.068, 32.662),  # 建民街道
    "610902100": (109.160, 32.600),  # 关庙镇
    "610902101": (109.140, 32.735),  # 张滩镇
    "610902102": (108.930, 32.620),  # 瀛湖镇
    "610902104": (109.115, 32.675),  # 五里镇
    "610902107": (108.840, 32.735),  # 恒口镇
    "610902109": (108.760, 32.850),  # 吉河镇
    "610902110": (108.690, 32.660),  # 流水镇
    "610902111": (108.760, 32.575),  # 大竹园镇
    "610902112": (108.950, 32.830),  # 洪山镇
    "610902114": (109.080, 32.850),  # 茨沟镇
    "610902115": (108.930, 32.950),  # 大河镇
    "610902116": (108.850, 32.530),  # 沈坝镇
    "610902117": (108.930, 32.470),  # 双龙镇
    "610902118": (108.800, 33.180),  # 叶坪镇
    "610902119": (108.990, 32.410),  # 中原镇
    "610902120": (109.250, 32.620),  # 县河镇
    "610902121": (109.020, 32.500),  # 紫荆镇
    "610902122": (109.060, 32.560),  # 早阳镇
    "610902123": (109.170, 32.800),  # 关家镇
    "610902124": (108.620, 32.770),  # 石梯镇
    "610902125": (109.210, 32.690),  # 坝河镇
    "610902128": (108.880, 33.060),  # 牛蹄镇
    "610902130": (109.050, 32.950),  # 晏坝镇
    "610902132": (108.740, 33.040),  # 谭坝镇
}

CELLS_PER_GROUP = 9  # mesh cells planned per level 3 grid
MIN_CELLS_PER_GROUP = 4
RURAL_GROUP_AREA = 0.95e6  # m² per rural villager group (plan)

# Village classes: (section count range, groups per section range, target area range in km²)
_CLASS_PLAN = {
    "core": ((3, 4), (4, 6), (0.35, 0.9)),  # ur 111, main urban area
    "urban": ((3, 3), (3, 5), (0.8, 2.0)),  # ur 112, urban fringe (and unknown class in a 街道)
    "town": ((2, 3), (3, 4), (0.8, 2.2)),  # ur 121/122/123, town seats
    "rural": ((2, 4), (2, 4), (5.0, 15.0)),  # ur 2xx (and unknown elsewhere)
}


# ---------------------------------------------------------------- public results


@dataclass(frozen=True)
class PlantedDefect:
    """One defect planted into the sample on purpose.

    ``kind`` is a stable identifier (see :data:`PLANTED_KINDS`), ``layer`` the layer name (a grid
    layer or ``staff``), ``codes`` the grid codes involved (as they stand in the data), ``fids`` the
    feature ids in that layer, ``location`` a point (x, y) in the workspace CRS where useful, and
    ``measure`` an area in m², a household count … where useful.
    """

    kind: str
    layer: str
    codes: tuple[str, ...]
    description: str
    fids: tuple[int, ...] = ()
    location: tuple[float, float] | None = None
    measure: float | None = None


PLANTED_KINDS = {
    "overlap": "two level 3 grids overlap: a neighbour's boundary pushed across",
    "sliver_overlap": "a sub-metre sliver overlap between two level 3 grids",
    "gap": "a gap between level 3 grids inside their level 2 grid",
    "notch_gap": "a gap at the edge of a level 2 grid: its level 3 grids fall short of its boundary",
    "invalid_geometry": "a self-intersecting (bow-tie) level 3 polygon",
    "wrong_parent": "a level 3 grid whose parent_code names a level 2 grid it does not lie in",
    "duplicate_code": "two level 3 grids with the same code",
    "malformed_code": "a level 3 code that does not follow the code rule",
    "dedicated_crosses_level1": "a dedicated grid that crosses a village/community boundary",
    "small_rural_group": "a rural villager-group grid under 20 households (§7.3.3 c)",
    "large_rural_group": "a rural villager-group grid over 50 households without the 30 % relocation reason",
    "large_urban_grid": "an urban street/compound grid over 100 households (§7.3.3 j)",
    "small_relocation_site": "a relocation site under 40 households with its own grid (§7.3.3 f)",
    "missing_grid_head": "a grid without a grid head (§8.1)",
    "missing_grid_admin": "a village/community without a grid administrator (§8.1)",
    "bad_phone": "a staff phone number that is not a valid mobile or landline number",
}


SPECIAL_KINDS = {
    "allowed_large_group": "a villager group over 50 households with > 30 % relocated or absent (§7.3.3 b)",
    "relocation_site_own_grid": "a relocation site over 40 households with its own grid (§7.3.3 g)",
}


@dataclass
class SampleResult:
    data: WorkspaceData
    planted: list[PlantedDefect]
    # Legitimate exceptions the audit must NOT report as errors (large groups with > 30 % relocated or
    # absent households, relocation sites over 40 households with their own grid).
    special: list[PlantedDefect] = field(default_factory=list)
    seed: int = DEFAULT_SEED
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- small helpers

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1 ≤ n ≤ 99)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + ("" if ones == 0 else _DIGITS[ones])


def _rng(seed: int, stage: int) -> np.random.Generator:
    """An independent random stream per stage, so that changing one stage does not shift others."""
    return np.random.default_rng([int(seed), int(stage)])


def _village_class(ur_code: str, town_name: str) -> str:
    if ur_code == "111":
        return "core"
    if ur_code == "112":
        return "urban"
    if ur_code.startswith("1"):
        return "town"
    if ur_code.startswith("2"):
        return "rural"
    return "urban" if town_name.endswith("街道") else "rural"


def _reading_order(x: np.ndarray, y: np.ndarray, band: float) -> np.ndarray:
    """Indices in reading order: north→south in bands of ``band`` metres, west→east within a band."""
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    row = np.floor((np.max(y) - y) / max(band, 1e-9))
    return np.lexsort((x, row))


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component ids (the smallest member index) of an undirected graph."""
    comp = np.arange(n)
    if len(a) == 0:
        return comp
    while True:
        m = np.minimum(comp[a], comp[b])
        new = comp.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        new = new[new]
        new = new[new]
        if np.array_equal(new, comp):
            return comp
        comp = new


# ---------------------------------------------------------------- the mesh


class _Mesh:
    """A polygon coverage of the county: cells, centroids, areas and edge adjacency."""

    def __init__(self, county, spacing_fn, rng: np.random.Generator, block: float = 640.0):
        minx, miny, maxx, maxy = county.bounds
        nx = math.ceil((maxx - minx) / block) + 1
        ny = math.ceil((maxy - miny) / block) + 1
        bx, by = np.meshgrid(minx - block / 2 + np.arange(nx) * block, miny - block / 2 + np.arange(ny) * block)
        bx, by = bx.ravel(), by.ravel()
        shapely.prepare(county)
        keep = shapely.intersects(county, shapely.box(bx, by, bx + block, by + block))
        bx, by = bx[keep], by[keep]
        spacing = spacing_fn(bx + block / 2, by + block / 2)
        m = np.clip(np.round(block / spacing), 1, 64).astype(int)
        parts = []
        for mv in np.unique(m):
            sel = np.flatnonzero(m == mv)
            s = block / mv
            ii, jj = np.meshgrid(np.arange(mv), np.arange(mv))
            px = (bx[sel][:, None] + (ii.ravel()[None, :] + 0.5) * s).ravel()
            py = (by[sel][:, None] + (jj.ravel()[None, :] + 0.5) * s).ravel()
            px = px + rng.uniform(-0.4, 0.4, px.size) * s
            py = py + rng.uniform(-0.4, 0.4, py.size) * s
            parts.append(np.column_stack([px, py]))
        points = np.concatenate(parts)
        envelope = shapely.box(minx - 5000, miny - 5000, maxx + 5000, maxy + 5000)
        cells = np.asarray(capabilities.voronoi_polygons(shapely.multipoints(points), extend_to=envelope))
        inside = shapely.contains(county, cells)
        border = shapely.intersects(county, cells) & ~inside
        # Re-node the border cells with the county boundary and polygonize: exact shared vertices.
        border_cells = cells[border]
        lines = shapely.union_all(np.append(shapely.boundary(border_cells), shapely.boundary(county)))
        faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
        probe = shapely.point_on_surface(faces)
        face_idx, _ = shapely.STRtree(border_cells).query(probe, predicate="within")
        keep_face = np.zeros(len(faces), dtype=bool)
        keep_face[face_idx] = True
        keep_face &= shapely.contains_xy(county, *shapely.get_coordinates(probe).T)
        faces = faces[keep_face]
        # Deterministic order of the border faces (polygonize order is an implementation detail).
        fc = shapely.get_coordinates(shapely.centroid(faces))
        faces = faces[np.lexsort((fc[:, 0], fc[:, 1]))]
        self.cells = np.concatenate([cells[inside], faces])
        self.on_border = np.concatenate([np.zeros(int(inside.sum()), bool), np.ones(len(faces), bool)])
        self.n = len(self.cells)
        c = shapely.get_coordinates(shapely.centroid(self.cells))
        self.x, self.y = c[:, 0], c[:, 1]
        self.area = shapely.area(self.cells)
        self.bounds = shapely.bounds(self.cells)
        self.spacing = spacing_fn(self.x, self.y)
        self._adjacency()
        self._loc = np.full(self.n, -1, dtype=np.int64)

    def _adjacency(self) -> None:
        rings, ring_poly = shapely.get_rings(self.cells, return_index=True)
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        same = ring_of[:-1] == ring_of[1:]
        p, q = coords[:-1][same], coords[1:][same]
        poly = ring_poly[ring_of[:-1][same]]
        # vertex ids (each segment's start vertex) and segment ids, for Euler characteristics
        vorder = np.lexsort((p[:, 1], p[:, 0]))
        vnew = np.ones(len(p), dtype=bool)
        vnew[1:] = np.any(p[vorder][1:] != p[vorder][:-1], axis=1)
        vid = np.empty(len(p), dtype=np.int64)
        vid[vorder] = np.cumsum(vnew) - 1
        swap = (p[:, 0] > q[:, 0]) | ((p[:, 0] == q[:, 0]) & (p[:, 1] > q[:, 1]))
        a = np.where(swap[:, None], q, p)
        b = np.where(swap[:, None], p, q)
        order = np.lexsort((b[:, 1], b[:, 0], a[:, 1], a[:, 0]))
        a, b, poly, vid = a[order], b[order], poly[order], vid[order]
        eq = np.all(a[1:] == a[:-1], axis=1) & np.all(b[1:] == b[:-1], axis=1)
        sid = np.concatenate([[0], np.cumsum(~eq)])
        by_cell = np.argsort(poly, kind="stable")
        self.seg_ptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(poly, minlength=self.n), out=self.seg_ptr[1:])
        self.seg_id, self.vert_id = sid[by_cell], vid[by_cell]
        self.n_seg, self.n_vert = int(sid[-1]) + 1, int(vid.max()) + 1
        i = np.flatnonzero(eq)
        ea, eb = poly[i], poly[i + 1]
        lo, hi = np.minimum(ea, eb), np.maximum(ea, eb)
        pairs = np.unique(np.column_stack([lo, hi]), axis=0)
        self.ea, self.eb = pairs[:, 0], pairs[:, 1]
        src = np.concatenate([self.ea, self.eb])
        dst = np.concatenate([self.eb, self.ea])
        order = np.argsort(src, kind="stable")
        self.nbr = dst[order]
        self.ptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=self.n), out=self.ptr[1:])

    def neighbours(self, i: int) -> np.ndarray:
        return self.nbr[self.ptr[i] : self.ptr[i + 1]]

    def local_edges(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Edges among ``cells`` as pairs of local indices (each once)."""
        loc = self._loc
        loc[cells] = np.arange(len(cells))
        starts, ends = self.ptr[cells], self.ptr[cells + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        rep = np.repeat(np.arange(len(cells)), lengths)
        offs = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths) + np.repeat(starts, lengths)
        other = loc[self.nbr[offs]]
        loc[cells] = -1
        keep = other > rep
        return rep[keep], other[keep]

    def holes(self, cells: np.ndarray, lab: np.ndarray, k: int) -> np.ndarray:
        """Holes per label (1 - Euler characteristic V - E + F of each edge-connected part)."""
        starts, ends = self.seg_ptr[cells], self.seg_ptr[cells + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        offs = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths) + np.repeat(starts, lengths)
        part = np.repeat(lab, lengths)
        edges = np.unique(part * self.n_seg + self.seg_id[offs])
        verts = np.unique(part * self.n_vert + self.vert_id[offs])
        e = np.bincount(edges // self.n_seg, minlength=k)
        v = np.bincount(verts // self.n_vert, minlength=k)
        f = np.bincount(lab, minlength=k)
        return 1 - (v - e + f)

    def on_edge(self, cells: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Which of ``cells`` lie on the boundary of their union (given its local edges a, b)."""
        local = np.bincount(a, minlength=len(cells)) + np.bincount(b, minlength=len(cells))
        return (local < self.ptr[cells + 1] - self.ptr[cells]) | self.on_border[cells]

    def union(self, cells: np.ndarray):
        return capabilities.coverage_union(self.cells[np.sort(cells)])


# ---------------------------------------------------------------- partitioning


def _warp(
    x: np.ndarray, y: np.ndarray, scale: float, rng: np.random.Generator, factor: np.ndarray | float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """A smooth random displacement (sum of sinusoids) of up to a third of ``scale``: organic borders.

    ``factor`` (0..1 per point) damps the displacement where the mesh is fine (the city), so that
    small regions next to large ones keep their place.
    """
    wx, wy = x.astype(float).copy(), y.astype(float).copy()
    for out in (wx, wy):
        for _ in range(3):
            theta = rng.uniform(0, 2 * math.pi)
            wavelength = scale * rng.uniform(1.1, 2.8)
            amp = scale * rng.uniform(0.06, 0.13)
            phase = rng.uniform(0, 2 * math.pi)
            out += factor * amp * np.sin(2 * math.pi / wavelength * (x * math.cos(theta) + y * math.sin(theta)) + phase)
    return wx, wy


def _kmeans_seeds(px, py, w, k, rng, iterations: int = 6) -> np.ndarray:
    n = len(px)
    first = rng.choice(n, p=w / w.sum())
    seeds = [first]
    d2 = (px - px[first]) ** 2 + (py - py[first]) ** 2
    for _ in range(1, k):
        p = w * d2
        total = p.sum()
        nxt = int(rng.choice(n, p=p / total)) if total > 0 else int(rng.integers(n))
        seeds.append(nxt)
        d2 = np.minimum(d2, (px - px[nxt]) ** 2 + (py - py[nxt]) ** 2)
    sx, sy = px[seeds].astype(float), py[seeds].astype(float)
    for _ in range(iterations):
        lab = np.argmin((px[:, None] - sx) ** 2 + (py[:, None] - sy) ** 2, axis=1)
        wt = np.bincount(lab, weights=w, minlength=k)
        ok = wt > 0
        sx[ok] = np.bincount(lab, weights=w * px, minlength=k)[ok] / wt[ok]
        sy[ok] = np.bincount(lab, weights=w * py, minlength=k)[ok] / wt[ok]
    return np.column_stack([sx, sy])


def _fix_connectivity(lab: np.ndarray, a: np.ndarray, b: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    """Make every label edge-connected: smaller pieces join a neighbouring label."""
    lab = lab.copy()
    n = len(lab)
    for _ in range(200):
        same = lab[a] == lab[b]
        comp = _components(n, a[same], b[same])
        comp_weight = np.bincount(comp, weights=weight, minlength=n)
        # the main component of every label: the heaviest (ties: smallest id)
        best = np.full(k, -1, dtype=np.int64)
        order = np.lexsort((comp, -comp_weight[comp], lab))
        labels, first = np.unique(lab[order], return_index=True)
        best[labels] = comp[order[first]]
        orphan = comp != best[lab]
        if not orphan.any():
            return lab
        # move orphans that touch a non-orphan cell of another label
        cand_a = np.concatenate([a, b])
        cand_b = np.concatenate([b, a])
        m = orphan[cand_a] & ~orphan[cand_b] & (lab[cand_a] != lab[cand_b])
        if not m.any():
            m = orphan[cand_a] & (lab[cand_a] != lab[cand_b])
        cells, first = np.unique(cand_a[m], return_index=True)
        lab[cells] = lab[cand_b[m][first]]
    return lab


def _open_enclaves(
    lab: np.ndarray, a: np.ndarray, b: np.ndarray, on_edge: np.ndarray, k: int, holes=None
) -> np.ndarray:
    """No part may enclose another (no holes): an enclosed group of cells gets a corridor of the
    enclosing part's cells out to a third part or the parent's edge (cutting a ring keeps it
    connected). ``on_edge`` marks the cells on the parent's boundary."""
    lab = lab.copy()
    n = len(lab)
    nbrs: list[list[int]] | None = None
    for _ in range(20):
        changed = False
        parts = range(k) if holes is None else np.flatnonzero(holes(lab) > 0).tolist()
        for part in parts:
            other = lab != part
            m = other[a] & other[b]
            comp = _components(n, a[m], b[m])
            reach = np.zeros(n, dtype=bool)
            reach[comp[other & on_edge]] = True
            enclosed = other & ~reach[comp]
            if not enclosed.any():
                continue
            if nbrs is None:
                nbrs = [[] for _ in range(n)]
                for p, q in zip(a.tolist(), b.tolist()):
                    nbrs[p].append(q)
                    nbrs[q].append(p)
            for c in np.unique(comp[enclosed]).tolist():
                hole = set(np.flatnonzero(comp == c).tolist())
                # breadth-first through the part's cells, from the hole to a cell that touches
                # something else (or the edge); its path becomes the hole's
                start = sorted(q for h in hole for q in nbrs[h] if lab[q] == part)
                prev = {q: None for q in start}
                queue = list(start)
                end = None
                while queue and end is None:
                    nxt = []
                    for cur in queue:
                        if on_edge[cur] or any(lab[q] != part and q not in hole for q in nbrs[cur]):
                            end = cur
                            break
                        for q in nbrs[cur]:
                            if lab[q] == part and q not in prev:
                                prev[q] = cur
                                nxt.append(q)
                    queue = nxt
                if end is None:
                    continue
                into = lab[next(q for q in nbrs[_first(prev, end)] if q in hole)]
                cur = end
                while cur is not None:
                    lab[cur] = into
                    cur = prev[cur]
                changed = True
        if not changed:
            break
    return lab


def _first(prev: dict, cell: int) -> int:
    while prev[cell] is not None:
        cell = prev[cell]
    return cell


def _tune(
    wx, wy, seeds, targets, meas, *, move: bool, tol: float, fixed: np.ndarray | None = None, iterations: int = 200
) -> np.ndarray:
    """Power-diagram labels (nearest seed by squared distance minus a weight) near the targets.

    The weights follow Rprop (sign-based steps that grow while the sign holds and halve when it
    flips): robust for targets that differ by two orders of magnitude (the semi-discrete optimal
    transport dual is concave). With ``move`` the seeds also drift towards their regions'
    centroids for the first iterations (compact, centroidal shapes).
    """
    k = len(targets)
    weights = np.zeros(k)
    step = np.full(k, 0.02 * targets.mean())
    prev = np.zeros(k)
    sx, sy = seeds[:, 0].copy(), seeds[:, 1].copy()
    dist = (wx[:, None] - sx) ** 2 + (wy[:, None] - sy) ** 2
    for it in range(iterations):
        lab = np.argmin(dist - weights, axis=1)
        got = np.bincount(lab, weights=meas, minlength=k)
        err = got / targets - 1.0
        if np.max(np.abs(err)) < tol and (not move or it >= 24):
            break
        sign = -np.sign(err)
        same = sign * prev
        step = np.where(same > 0, step * 1.3, np.where(same < 0, step * 0.5, step))
        prev = sign
        weights += sign * step
        if move and it < 24 and it % 3 == 2:
            ok = got > 0
            if fixed is not None:
                ok &= ~fixed
            cx = np.bincount(lab, weights=meas * wx, minlength=k)
            cy = np.bincount(lab, weights=meas * wy, minlength=k)
            sx[ok] = 0.5 * sx[ok] + 0.5 * cx[ok] / got[ok]
            sy[ok] = 0.5 * sy[ok] + 0.5 * cy[ok] / got[ok]
            dist = (wx[:, None] - sx) ** 2 + (wy[:, None] - sy) ** 2
    return np.argmin(dist - weights, axis=1)


def _flood(a, b, seed_cells, targets, meas, wx, wy, fill_rest: bool = True) -> np.ndarray:
    """Grow regions from fixed seed cells at one common speed (nearest warped distance first); a
    region stops when it reaches its target. Small regions stay compact around their seeds, large
    ones take the rest; every region is edge-connected and holds its seed."""
    import heapq

    n, k = len(wx), len(targets)
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for p, q in zip(a.tolist(), b.tolist()):
        nbrs[p].append(q)
        nbrs[q].append(p)
    lab = np.full(n, -1, dtype=np.int64)
    got = np.zeros(k)
    sx, sy = wx[seed_cells].tolist(), wy[seed_cells].tolist()
    wxl, wyl, ml, tl = wx.tolist(), wy.tolist(), meas.tolist(), targets.tolist()
    labl = [-1] * n
    gotl = [0.0] * k
    heap = [(0.0, r, int(c), r) for r, c in enumerate(seed_cells)]
    heapq.heapify(heap)
    counter = k
    while heap:
        _, _, c, r = heapq.heappop(heap)
        if labl[c] != -1 or gotl[r] >= tl[r]:
            continue
        labl[c] = r
        gotl[r] += ml[c]
        ox, oy = sx[r], sy[r]
        for q in nbrs[c]:
            if labl[q] == -1:
                counter += 1
                heapq.heappush(heap, (math.hypot(wxl[q] - ox, wyl[q] - oy), counter, q, r))
    lab[:] = labl
    got[:] = gotl
    # cells left when all their neighbours were full: to the least filled neighbouring region
    while fill_rest and (lab < 0).any():
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        m = (lab[src] < 0) & (lab[dst] >= 0)
        if not m.any():
            break
        fill = got[lab[dst[m]]] / targets[lab[dst[m]]]
        order = np.lexsort((fill, src[m]))
        cells, first = np.unique(src[m][order], return_index=True)
        lab[cells] = lab[dst[m][order][first]]
        got = np.bincount(lab[lab >= 0], weights=meas[lab >= 0], minlength=k)
    return lab


def _split(
    mesh: _Mesh,
    cells: np.ndarray,
    targets: np.ndarray,
    rng: np.random.Generator,
    *,
    by_count: bool,
    seeds_xy: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    flood: bool = False,
    n_dense: int = 0,
    min_cells: int = 1,
    tol: float = 0.08,
    attempts: int = 4,
) -> np.ndarray:
    """Split ``cells`` into ``len(targets)`` edge-connected parts, part i near ``targets[i]``.

    Measures are areas (``by_count`` False) or cell counts scaled to the mean cell area.
    Seeds: ``seeds_xy`` given (part i grows from seed i; with ``flood`` by common-speed growth,
    otherwise by a power diagram whose seeds drift to their centroids except where ``fixed``), or
    from k-means, mapped to the parts in reading order, the first ``n_dense`` parts taking the
    seeds in the densest part of the mesh (smallest cells). Returns local labels 0..k-1.
    """
    k = len(targets)
    n = len(cells)
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    a, b = mesh.local_edges(cells)
    on_edge = mesh.on_edge(cells, a, b)

    def holes(lab):
        return mesh.holes(cells, lab, k)

    area = mesh.area[cells]
    meas = np.full(n, area.mean()) if by_count else area
    targets = np.asarray(targets, float)
    targets = targets / targets.sum() * meas.sum()
    x, y = mesh.x[cells], mesh.y[cells]
    scale = math.sqrt(area.sum() / k)
    best, best_score = None, -1.0
    for _attempt in range(attempts):
        wx, wy = _warp(x, y, scale, rng, mesh.spacing[cells] / mesh.spacing[cells].max())
        still = None
        if seeds_xy is not None:
            near = np.argmin(np.hypot(x[:, None] - seeds_xy[:, 0], y[:, None] - seeds_xy[:, 1]), axis=0)
            if flood:
                lab = _fix_connectivity(_flood(a, b, near, targets, meas, wx, wy), a, b, area, k)
                return _fix_connectivity(_open_enclaves(lab, a, b, on_edge, k, holes), a, b, area, k)
            seeds = np.column_stack([wx[near], wy[near]])
            still = fixed
        else:
            w = np.ones(n) if by_count else area / area.mean()
            spacing = mesh.spacing[cells]
            dense_mask = spacing <= 0.5 * (spacing.min() + spacing.max())
            if n_dense > 0 and dense_mask.sum() >= 2 * n_dense:
                # Urban parts grow first from seeds in the dense (fine) cells, at one common speed
                # (compact, adjacent communities around the town centre); the finest seeds go to
                # the first parts (core communities before urban fringe and town seats).
                d_idx = np.flatnonzero(dense_mask)
                dense = _kmeans_seeds(wx[d_idx], wy[d_idx], w[d_idx], n_dense, rng)
                dist = np.hypot(wx[d_idx][:, None] - dense[:, 0], wy[d_idx][:, None] - dense[:, 1])
                near = np.empty(n_dense, dtype=np.int64)
                for i in range(n_dense):
                    j = int(np.argmin(dist[:, i]))
                    near[i] = d_idx[j]
                    dist[j, :] = np.inf
                rank = np.empty(n_dense, dtype=np.int64)
                rank[_reading_order(dense[:, 0], dense[:, 1], scale)] = np.arange(n_dense)
                near = near[np.lexsort((rank, np.round(spacing[near] / 10.0)))]
                lab = _flood(a, b, near, targets[:n_dense], meas, wx, wy, fill_rest=k == n_dense)
                rest = np.flatnonzero(lab < 0)
                if k > n_dense and len(rest) >= k - n_dense:
                    rs = _kmeans_seeds(wx[rest], wy[rest], w[rest], k - n_dense, rng)
                    rs = rs[_reading_order(rs[:, 0], rs[:, 1], scale)]
                    sub = _tune(wx[rest], wy[rest], rs, targets[n_dense:], meas[rest], move=True, tol=tol)
                    lab[rest] = n_dense + sub
                lab = _fix_connectivity(lab, a, b, area, k)
                lab = _fix_connectivity(_open_enclaves(lab, a, b, on_edge, k, holes), a, b, area, k)
                counts = np.bincount(lab, minlength=k)
                got = np.bincount(lab, weights=meas, minlength=k)
                score = min(counts.min() / max(min_cells, 1), 1.0) - np.max(np.abs(got / targets - 1.0)) * 0.1
                if best is None or score > best_score:
                    best, best_score = lab, score
                if counts.min() >= min_cells:
                    break
                continue
            seeds = _kmeans_seeds(wx, wy, w, k, rng)
            seeds = seeds[_reading_order(seeds[:, 0], seeds[:, 1], scale)]
        lab = _tune(wx, wy, seeds, targets, meas, move=True, tol=tol, fixed=still)
        lab = _fix_connectivity(lab, a, b, area, k)
        lab = _fix_connectivity(_open_enclaves(lab, a, b, on_edge, k, holes), a, b, area, k)
        counts = np.bincount(lab, minlength=k)
        got = np.bincount(lab, weights=meas, minlength=k)
        score = min(counts.min() / max(min_cells, 1), 1.0) - np.max(np.abs(got / targets - 1.0)) * 0.1
        if best is None or score > best_score:
            best, best_score = lab, score
        if counts.min() >= min_cells:
            break
    return best


# ---------------------------------------------------------------- name lists

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹易常武乔贺龚文"
    "柯饶鲁储成"
)
GIVEN_CHARS = (
    "建国军华明伟芳娟敏静丽强磊洋勇艳杰涛超秀英兰霞平刚桂珍辉鹏华红玉春梅文斌宇浩凯健俊峰海波亮东"
    "德成林荣志新晓燕婷雪琴云飞龙军兵福贵才发安康宏远学忠良义永庆祥瑞振兴家瑶思晨子涵欣怡诗雨佳琪"
)
STREET_WORDS = (
    "兴安",
    "巴山",
    "育才",
    "大桥",
    "金州",
    "香溪",
    "滨江",
    "汉江",
    "文昌",
    "鼓楼",
    "培新",
    "五星",
    "新安",
    "安运",
    "果园",
    "花园",
    "南环",
    "北环",
    "张岭",
    "白庙",
    "西坝",
    "黄沟",
    "枣园",
    "马坎",
    "长春",
    "友谊",
    "建设",
    "和平",
)
ESTATE_WORDS = (
    "金州",
    "汉江",
    "香溪",
    "瀛湖",
    "秦巴",
    "凤凰",
    "翠屏",
    "天宝",
    "南苑",
    "阳光",
    "锦绣",
    "幸福",
    "和谐",
    "丽景",
    "江南",
    "滨江",
    "书香",
    "康乐",
    "安澜",
    "紫阳",
    "兴安",
    "龙舟",
    "御景",
    "东方",
    "盛世",
    "恒大",
    "碧水",
    "望江",
)
STREET_SUFFIX = ("路东段", "路西段", "路中段", "街", "巷", "路北段", "路南段", "东街", "西街")
COMPOUND_SUFFIX = ("小区", "家属院", "花园小区", "苑", "新村", "院")
HIGH_RISE_SUFFIX = ("华府", "国际", "名苑", "雅居", "天地", "公馆", "花城", "御府")

DEDICATED_PLAN = (
    # (dedicated_type, name, township code, preferred village class, width m, height m)
    ("hospital", "安康市中心医院", "610902001", "core", 170, 120),
    ("school", "安康中学", "610902002", "core", 190, 140),
    ("office", "金州商务大厦", "610902002", "core", 70, 50),
    ("school", "安康学院", "610902003", "urban", 300, 220),
    ("station", "安康火车站", "610902003", "urban", 320, 110),
    ("park", "五里工业集中区", "610902104", "urban", 420, 300),
    ("market", "恒口镇农贸市场", "610902107", "town", 130, 100),
    ("scenic", "瀛湖游客服务中心景区", "610902102", "rural", 600, 450),
    ("factory", "关庙镇新型建材厂厂区", "610902100", "rural", 260, 180),
)
CROSSING_DEDICATED = ("factory", "建民富硒食品加工厂区", "610902004", None, 360, 260)

DUTIES = {
    "grid_head": "统筹本网格信息采集、矛盾纠纷排查化解、安全隐患巡查、政策宣传和便民服务，督促网格员履职",
    "grid_admin": "负责本村（社区）网格划分和编码维护、网格员管理考核、信息系统数据录入与上报",
    "safety_officer": "负责本单位安全生产和治安防范，落实隐患排查整改，配合属地网格开展工作",
}


def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    sur = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN_CHARS), n)
    g2 = rng.integers(0, len(GIVEN_CHARS), n)
    two = rng.random(n) < 0.3
    return [
        SURNAMES[s] + GIVEN_CHARS[a] + ("" if t else GIVEN_CHARS[b])
        for s, a, b, t in zip(sur.tolist(), g1.tolist(), g2.tolist(), two.tolist())
    ]


def _mobiles(rng: np.random.Generator, n: int) -> list[str]:
    second = rng.integers(3, 10, n)
    rest = rng.integers(0, 10**9, n)
    return [f"1{s}{r:09d}" for s, r in zip(second.tolist(), rest.tolist())]


# ---------------------------------------------------------------- the builder


class _Builder:
    def __init__(self, seed: int):
        self.seed = seed
        self.planted_groups: dict[int, list[str]] = {}  # group index -> kinds planted or special
        self.timings: dict[str, float] = {}
        self._t = time.perf_counter()

    def _lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._t, 3)
        self._t = now

    # ------------------------------------------------ plan and mesh

    def plan(self) -> None:
        rng = _rng(self.seed, 1)
        self.divisions = reference.load_divisions(SAMPLE_COUNTY_CODE)
        self.county_name = reference.county_name(SAMPLE_COUNTY_CODE)
        wgs = reference.load_county_boundary_wgs84(SAMPLE_COUNTY_CODE)
        self.county_src = shapely.normalize(reference.transform_geometry(wgs, SAMPLE_CRS))
        self.county_area = self.county_src.area
        towns = sorted({d["town_code"] for d in self.divisions})
        self.towns = towns
        self.town_name = {d["town_code"]: d["town_name"] for d in self.divisions}
        self.nv = len(self.divisions)
        self.v_cls = [_village_class(d["ur_code"], d["town_name"]) for d in self.divisions]
        self.v_town = np.array([towns.index(d["town_code"]) for d in self.divisions])
        self.v_urban = np.array([c != "rural" for c in self.v_cls])
        area = np.array([rng.uniform(*_CLASS_PLAN[c][2]) * 1e6 for c in self.v_cls])
        rural = ~self.v_urban
        area[rural] *= (self.county_area - area[~rural].sum()) / area[rural].sum()
        self.v_target = area
        n3 = np.zeros(self.nv, dtype=np.int64)
        for v, c in enumerate(self.v_cls):
            if c == "rural":
                n3[v] = int(np.clip(round(area[v] / RURAL_GROUP_AREA), 4, 16))
            else:
                (s0, s1), (g0, g1), _ = _CLASS_PLAN[c]
                n3[v] = int(rng.integers(s0, s1 + 1)) * int(rng.integers(g0, g1 + 1))
        self.v_n3 = n3
        self.v_spacing = np.sqrt(area / (n3 * CELLS_PER_GROUP))
        # seats in the workspace CRS
        lon = np.array([TOWN_SEATS[t][0] for t in towns])
        lat = np.array([TOWN_SEATS[t][1] for t in towns])
        sx, sy = reference.transform_xy(lon, lat, SAMPLE_CRS)
        self.seats = np.column_stack([sx, sy])
        self.s_rural = float(np.median(self.v_spacing[rural]))
        self._lap("plan")

    def townships(self) -> None:
        """Township regions on a coarse planning mesh; then the urban centres the fine mesh densifies.

        The city (the 4 street offices, 街道) is carved first: a blob grown from the city centre.
        Inside it the old city, 新城 and 江北 grow from their seats at one common speed and 建民
        takes the rest. The 24 towns share the remainder as a capacity-constrained power diagram
        whose seeds drift from their seats (compact, organic shapes).
        """
        rng = _rng(self.seed, 11)
        coarse = _Mesh(self.county_src, lambda x, y: np.full(len(x), 600.0), rng)
        nt = len(self.towns)
        street = np.array([self.town_name[t].endswith("街道") for t in self.towns])
        town_target = np.bincount(self.v_town, weights=self.v_target, minlength=nt)
        town_target = town_target / town_target.sum() * coarse.area.sum()
        towns_idx = np.flatnonzero(~street)
        streets_idx = np.flatnonzero(street)
        all_cells = np.arange(coarse.n)
        a, b = coarse.local_edges(all_cells)
        cx, cy = reference.transform_xy([CITY_CENTRE_LONLAT[0]], [CITY_CENTRE_LONLAT[1]], SAMPLE_CRS)
        wx, wy = _warp(coarse.x, coarse.y, math.sqrt(town_target[street].sum()), rng)
        centre = np.argmin(np.hypot(coarse.x - cx[0], coarse.y - cy[0]))
        in_city = _flood(a, b, np.array([centre]), town_target[street].sum()[None], coarse.area, wx, wy, False) == 0
        coarse_town = np.full(coarse.n, -1, dtype=np.int64)
        rest = np.flatnonzero(~in_city)
        lab = _split(
            coarse,
            rest,
            town_target[towns_idx],
            rng,
            by_count=False,
            seeds_xy=self.seats[towns_idx],
            fixed=None,
            tol=0.04,
        )
        coarse_town[rest] = towns_idx[lab]
        city = np.flatnonzero(in_city)
        ca, cb = coarse.local_edges(city)
        small = streets_idx[np.argsort(town_target[streets_idx])[:-1]]  # all but the largest (建民)
        big = streets_idx[np.argmax(town_target[streets_idx])]
        wx, wy = _warp(coarse.x[city], coarse.y[city], math.sqrt(town_target[street].sum() / 4), rng, 0.5)
        seed_cells = np.argmin(
            np.hypot(coarse.x[city][:, None] - self.seats[small, 0], coarse.y[city][:, None] - self.seats[small, 1]),
            axis=0,
        )
        sub = _flood(ca, cb, seed_cells, town_target[small], coarse.area[city], wx, wy, False)
        sub = np.where(sub < 0, len(small), sub)
        sub = _fix_connectivity(sub, ca, cb, coarse.area[city], len(small) + 1)
        coarse_town[city] = np.append(small, big)[sub]
        self.town_geom = np.array([coarse.union(np.flatnonzero(coarse_town == t)) for t in range(nt)], dtype=object)
        # Urban centre: the point of the township nearest its seat that lies well inside it (so that
        # the dense part of the mesh falls in the township); one density bump per urban class there.
        centres = self.seats.copy()
        bumps = []
        for t in range(nt):
            own = np.flatnonzero(coarse_town == t)
            classes = [c for c in ("core", "urban", "town") if ((self.v_town == t) & (np.array(self.v_cls) == c)).any()]
            if not classes:
                continue
            urban = (self.v_town == t) & self.v_urban
            radius = math.sqrt(self.v_target[urban].sum() / math.pi)
            inside = shapely.distance(shapely.points(coarse.x[own], coarse.y[own]), self.town_geom[t].boundary)
            ok = inside >= min(0.8 * radius, 0.8 * inside.max())
            cand = own[ok]
            i = cand[np.argmin(np.hypot(coarse.x[cand] - self.seats[t, 0], coarse.y[cand] - self.seats[t, 1]))]
            centres[t] = (coarse.x[i], coarse.y[i])
            area_so_far = 0.0
            for c in classes:  # core first: the innermost and finest
                sel = (self.v_town == t) & (np.array(self.v_cls) == c)
                area_so_far += self.v_target[sel].sum()
                r = math.sqrt(area_so_far / math.pi) * 1.25 + 200.0
                bumps.append((centres[t, 0], centres[t, 1], r, float(np.median(self.v_spacing[sel]))))
        self.centres = centres
        self.bumps = bumps
        self._lap("townships")

    def spacing(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        s = np.full(len(x), self.s_rural)
        for bx, by, radius, sb in self.bumps:
            r = np.hypot(x - bx, y - by)
            f = np.clip((r - radius) / max(400.0, 0.5 * radius), 0.0, 1.0)
            s = np.minimum(s, sb + (self.s_rural - sb) * f)
        return s

    def make_mesh(self) -> None:
        self.mesh = _Mesh(self.county_src, self.spacing, _rng(self.seed, 2))
        self._lap("mesh")

    # ------------------------------------------------ hierarchy

    def partition(self) -> None:
        mesh = self.mesh
        rng = _rng(self.seed, 3)
        all_cells = np.arange(mesh.n)
        # township of a fine cell: the coarse township region holding its centroid
        tree = shapely.STRtree(self.town_geom)
        pts = shapely.points(mesh.x, mesh.y)
        pi, ti = tree.query(pts, predicate="within")
        lab = np.full(mesh.n, -1, dtype=np.int64)
        lab[pi] = ti
        missing = np.flatnonzero(lab < 0)
        if len(missing):
            lab[missing] = tree.query_nearest(pts[missing], return_distance=False, all_matches=False)[1]
        a, b = mesh.local_edges(all_cells)
        lab = _fix_connectivity(lab, a, b, mesh.area, len(self.towns))
        lab = _fix_connectivity(
            _open_enclaves(
                lab, a, b, mesh.on_border, len(self.towns), lambda lb: mesh.holes(all_cells, lb, len(self.towns))
            ),
            a,
            b,
            mesh.area,
            len(self.towns),
        )
        self.cell_town = lab
        self._lap("partition_towns")
        cell_village = np.full(mesh.n, -1, dtype=np.int64)
        for t in range(len(self.towns)):
            cells = np.flatnonzero(lab == t)
            vs = np.flatnonzero(self.v_town == t)
            # urban villages first (they get the densest seeds): core, urban fringe, town seat; then rural
            rank = {"core": 0, "urban": 1, "town": 2, "rural": 3}
            vs = np.array(sorted(vs.tolist(), key=lambda v: (rank[self.v_cls[v]], self.divisions[v]["code"])))
            sub = _split(
                mesh,
                cells,
                self.v_target[vs],
                rng,
                by_count=False,
                n_dense=int(self.v_urban[vs].sum()),
                min_cells=2 * MIN_CELLS_PER_GROUP,
                tol=0.1,
            )
            cell_village[cells] = vs[sub]
        self.cell_village = cell_village
        self._lap("partition_villages")
        # sections and groups
        cell_section = np.full(mesh.n, -1, dtype=np.int64)
        cell_group = np.full(mesh.n, -1, dtype=np.int64)
        sections = []  # (village, local index)
        groups = []  # section index
        order = np.argsort(cell_village, kind="stable")
        bounds = np.searchsorted(cell_village[order], np.arange(self.nv + 1))
        for v in range(self.nv):
            cells = order[bounds[v] : bounds[v + 1]]
            cls = self.v_cls[v]
            n3 = int(min(self.v_n3[v], max(2, len(cells) // MIN_CELLS_PER_GROUP)))
            (s0, s1), _, _ = _CLASS_PLAN[cls]
            n_sec = int(rng.integers(s0, s1 + 1)) if cls != "rural" else int(rng.integers(2, 5))
            n_sec = max(2, min(n_sec, n3 // 2 if n3 >= 4 else 2))
            per = np.full(n_sec, n3 // n_sec)
            per[: n3 % n_sec] += 1
            per = np.maximum(per, 1)
            rng.shuffle(per)
            sub = _split(mesh, cells, per.astype(float), rng, by_count=True, min_cells=MIN_CELLS_PER_GROUP, tol=0.12)
            for s in range(n_sec):
                scells = cells[sub == s]
                si = len(sections)
                sections.append((v, s))
                cell_section[scells] = si
                k = int(min(per[s], max(1, len(scells) // MIN_CELLS_PER_GROUP)))
                gsub = _split(mesh, scells, np.ones(k), rng, by_count=True, min_cells=MIN_CELLS_PER_GROUP, tol=0.15)
                for g in range(k):
                    cell_group[scells[gsub == g]] = len(groups)
                    groups.append(si)
        self.cell_section = cell_section
        self.cell_group = cell_group
        self.sec_village = np.array([v for v, _ in sections])
        self.grp_section = np.array(groups)
        self._lap("partition_sections_groups")

    # ------------------------------------------------ geometry, codes, names

    def geometry(self) -> None:
        mesh = self.mesh
        ng = len(self.grp_section)
        order = np.argsort(self.cell_group, kind="stable")
        bnd = np.searchsorted(self.cell_group[order], np.arange(ng + 1))
        self.grp_cells = [order[bnd[g] : bnd[g + 1]] for g in range(ng)]
        self.grp_geom = np.array([mesh.union(c) for c in self.grp_cells], dtype=object)
        ns = len(self.sec_village)
        self.sec_groups = [[] for _ in range(ns)]
        for g, s in enumerate(self.grp_section.tolist()):
            self.sec_groups[s].append(g)
        self.sec_geom = np.array(
            [capabilities.coverage_union(self.grp_geom[gs]) for gs in self.sec_groups], dtype=object
        )
        self.v_sections = [[] for _ in range(self.nv)]
        for s, v in enumerate(self.sec_village.tolist()):
            self.v_sections[v].append(s)
        self.v_geom = np.array([capabilities.coverage_union(self.sec_geom[ss]) for ss in self.v_sections], dtype=object)
        self.county = capabilities.coverage_union(self.v_geom)
        self._lap("geometry")

    def codes(self) -> None:
        """Codes and names: sections and groups numbered in reading order within their parent."""
        ns, ng = len(self.sec_village), len(self.grp_section)
        self.v_code = [d["code"] for d in self.divisions]
        self.sec_code = [None] * ns
        self.sec_name = [None] * ns
        self.grp_code = [None] * ng
        self.grp_name = [None] * ng
        self.grp_type = [None] * ng
        self.sec_order = [None] * self.nv
        rng = _rng(self.seed, 4)
        sc = shapely.get_coordinates(shapely.point_on_surface(self.sec_geom))
        gc = shapely.get_coordinates(shapely.point_on_surface(self.grp_geom))
        self.grp_xy = gc
        for v in range(self.nv):
            ss = np.array(self.v_sections[v])
            band = math.sqrt(self.v_geom[v].area / max(len(ss), 1))
            ss = ss[_reading_order(sc[ss, 0], sc[ss, 1], band)]
            self.v_sections[v] = ss.tolist()
            cls = self.v_cls[v]
            group_no = 0
            used_names: set[str] = set()
            for i, s in enumerate(ss.tolist()):
                self.sec_code[s] = f"{self.v_code[v]}{i + 1:02d}"
                self.sec_name[s] = f"{chinese_number(i + 1)}片区"
                gs = np.array(self.sec_groups[s])
                band = math.sqrt(self.sec_geom[s].area / max(len(gs), 1))
                gs = gs[_reading_order(gc[gs, 0], gc[gs, 1], band)]
                self.sec_groups[s] = gs.tolist()
                for j, g in enumerate(gs.tolist()):
                    self.grp_code[g] = f"{self.sec_code[s]}{j + 1:03d}"
                    group_no += 1
                    if cls == "rural":
                        self.grp_type[g] = "villager_group"
                        self.grp_name[g] = f"{chinese_number(min(group_no, 99))}组"
                        continue
                    u = rng.random()
                    if cls == "core":
                        kind = "street" if u < 0.35 else "compound" if u < 0.75 else "high_rise"
                    elif cls == "urban":
                        kind = "street" if u < 0.4 else "compound" if u < 0.85 else "high_rise"
                    else:
                        kind = "street" if u < 0.5 else "compound"
                    self.grp_type[g] = kind
                    for _ in range(20):
                        if kind == "street":
                            name = (
                                STREET_WORDS[rng.integers(len(STREET_WORDS))]
                                + STREET_SUFFIX[rng.integers(len(STREET_SUFFIX))]
                            )
                        elif kind == "compound":
                            name = (
                                ESTATE_WORDS[rng.integers(len(ESTATE_WORDS))]
                                + COMPOUND_SUFFIX[rng.integers(len(COMPOUND_SUFFIX))]
                            )
                        else:
                            first = int(rng.integers(1, 9))
                            name = (
                                ESTATE_WORDS[rng.integers(len(ESTATE_WORDS))]
                                + HIGH_RISE_SUFFIX[rng.integers(len(HIGH_RISE_SUFFIX))]
                                + f"{first}-{first + int(rng.integers(1, 4))}号楼"
                            )
                        if name not in used_names:
                            break
                    used_names.add(name)
                    self.grp_name[g] = name
        self._lap("codes")

    # ------------------------------------------------ households plan (counts), special grids

    def household_plan(self) -> None:
        rng = _rng(self.seed, 5)
        ng = len(self.grp_section)
        n = np.zeros(ng, dtype=np.int64)
        types = np.array(self.grp_type, dtype=object)
        for kind, lo, hi in (
            ("villager_group", 30, 50),
            ("street", 50, 80),
            ("compound", 50, 80),
            ("high_rise", 100, 200),
        ):
            sel = types == kind
            n[sel] = rng.integers(lo, hi + 1, int(sel.sum()))
        self.grp_households = n
        rural = types == "villager_group"
        self.grp_rel_frac = np.where(rural, rng.uniform(0.02, 0.11, ng), rng.uniform(0.0, 0.03, ng))
        self.grp_abs_frac = np.where(rural, rng.uniform(0.01, 0.08, ng), rng.uniform(0.01, 0.05, ng))
        self.grp_remarks = [None] * ng
        self.grp_village = self.sec_village[self.grp_section]
        self.planted: list[PlantedDefect] = []
        self.special: list[PlantedDefect] = []
        self.used_sections: set[int] = set()
        self.used_villages: set[int] = set()
        self._rng_plant = _rng(self.seed, 6)

    def _pick_section(self, rural: bool, min_groups: int = 3) -> int:
        """A random section (level 2) with enough groups, in a village not used for anything else."""
        rng = self._rng_plant
        cand = []
        for s, gs in enumerate(self.sec_groups):
            v = int(self.sec_village[s])
            if v in self.used_villages or len(gs) < min_groups:
                continue
            if rural != (self.v_cls[v] == "rural"):
                continue
            cand.append(s)
        s = int(cand[rng.integers(len(cand))])
        self.used_sections.add(s)
        self.used_villages.add(int(self.sec_village[s]))
        return s

    def special_grids(self) -> None:
        """Relocation sites and large groups with many relocated/absent households (legitimate)."""
        rng = self._rng_plant
        # relocation sites with their own grid: 3 legitimate (over 40 and, as resettlement compounds under
        # §7.3.3 j, at most 100 households), 2 planted (< 40)
        for i, households in enumerate((65, 82, 96, 26, 34)):
            s = self._pick_section(rural=True)
            g = self.sec_groups[s][-1]
            v = int(self.sec_village[s])
            self.grp_type[g] = "relocation_site"
            short = self.divisions[v]["name"].replace("村民委员会", "").replace("村委会", "").replace("居委会", "")
            self.grp_name[g] = f"{short}移民搬迁安置点" if i % 2 == 0 else f"{short}易地扶贫搬迁安置小区"
            self.grp_households[g] = households
            self.grp_rel_frac[g] = rng.uniform(0.85, 0.95)
            self.grp_abs_frac[g] = 0.02
            self.grp_remarks[g] = "易地扶贫搬迁安置点"
            rec = PlantedDefect(
                "relocation_site_own_grid" if households > 40 else "small_relocation_site",
                schema.GRID_LEVEL3.name,
                (self.grp_code[g],),
                f"搬迁安置点 {households} 户，单独划分网格"
                + ("（超过40户，可单独划分）" if households > 40 else "（不足40户，应归属所在村民小组网格）"),
                fids=(g + 1,),
                measure=float(households),
            )
            (self.special if households > 40 else self.planted).append(rec)
            self._planted_grid(rec, g)
        # two large groups, > 30 % relocated or absent (legitimate, §7.3.3 b)
        for households in (58, 64):
            s = self._pick_section(rural=True)
            g = self.sec_groups[s][0]
            self.grp_households[g] = households
            self.grp_rel_frac[g] = 0.24
            self.grp_abs_frac[g] = 0.14
            self.grp_remarks[g] = "搬迁户、空挂户占比超过30%"
            rec = PlantedDefect(
                "allowed_large_group",
                schema.GRID_LEVEL3.name,
                (self.grp_code[g],),
                f"村民小组 {households} 户，搬迁户和空挂户超过30%，可适当增加户数",
                fids=(g + 1,),
                measure=float(households),
            )
            self.special.append(rec)
            self._planted_grid(rec, g)

    def _planted_grid(self, rec: PlantedDefect, g: int) -> None:
        self.planted_groups.setdefault(g, []).append(rec.kind)

    # ------------------------------------------------ dedicated grids

    def dedicated(self) -> None:
        rng = _rng(self.seed, 7)
        self.ded_rows = []  # dict(type, name, village, geom)
        placed = []
        grp_tree = shapely.STRtree(self.grp_geom)
        v_tree = shapely.STRtree(self.v_geom)
        for dtype, name, town, cls, w, h in DEDICATED_PLAN:
            vs = [
                v
                for v in range(self.nv)
                if self.divisions[v]["town_code"] == town
                and self.v_cls[v] == cls
                and v not in self.used_villages
                and self.v_geom[v].area > 4 * w * h
            ]
            vs.sort(key=lambda v: self.divisions[v]["code"])
            geom, village = None, None
            for _ in range(400):
                v = vs[int(rng.integers(len(vs)))]
                cells = np.flatnonzero(self.cell_village == v)
                c = cells[int(rng.integers(len(cells)))]
                rect = affinity.rotate(
                    shapely.box(-w / 2, -h / 2, w / 2, h / 2), float(rng.uniform(-40, 40)), origin=(0, 0)
                )
                rect = affinity.translate(rect, self.mesh.x[c], self.mesh.y[c])
                if not self.v_geom[v].contains(rect) or any(rect.intersects(p) for p in placed):
                    continue
                if not self._leaves_room(rect, grp_tree):
                    continue
                geom, village = rect, v
                break
            if geom is None:
                raise RuntimeError(f"could not place dedicated grid {name}")
            placed.append(geom)
            self.used_villages.add(village)
            self.ded_rows.append({"type": dtype, "name": name, "village": village, "geom": geom})
        # the planted one: a factory area across the boundary of two villages in 建民
        dtype, name, town, _, w, h = CROSSING_DEDICATED
        t = self.towns.index(town)
        a, b = self.mesh.ea, self.mesh.eb
        cv = self.cell_village
        cross = (cv[a] != cv[b]) & (self.cell_town[a] == t) & (self.cell_town[b] == t)
        cross &= ~np.isin(cv[a], list(self.used_villages)) & ~np.isin(cv[b], list(self.used_villages))
        edges = np.flatnonzero(cross)
        geom = None
        for _ in range(400):
            e = edges[int(rng.integers(len(edges)))]
            va, vb = int(cv[a[e]]), int(cv[b[e]])
            px = 0.5 * (self.mesh.x[a[e]] + self.mesh.x[b[e]])
            py = 0.5 * (self.mesh.y[a[e]] + self.mesh.y[b[e]])
            rect = affinity.translate(
                affinity.rotate(shapely.box(-w / 2, -h / 2, w / 2, h / 2), float(rng.uniform(-30, 30)), origin=(0, 0)),
                px,
                py,
            )
            hits = v_tree.query(rect, predicate="intersects")
            if sorted(hits.tolist()) != sorted([va, vb]):
                continue
            share = shapely.area(shapely.intersection(rect, self.v_geom[[va, vb]])) / rect.area
            if share.min() < 0.25 or any(rect.intersects(p) for p in placed):
                continue
            if not self._leaves_room(rect, grp_tree):
                continue
            geom = rect
            break
        if geom is None:
            raise RuntimeError("could not place the crossing dedicated grid")
        home = (
            va
            if shapely.intersection(geom, self.v_geom[va]).area >= shapely.intersection(geom, self.v_geom[vb]).area
            else vb
        )
        other = vb if home == va else va
        self.used_villages.update((va, vb))
        self.ded_rows.append({"type": dtype, "name": name, "village": home, "geom": geom, "other": other})
        # codes: village code + 90..99 in reading order per village
        per_village: dict[int, int] = {}
        for row in self.ded_rows:
            k = per_village.get(row["village"], 0)
            per_village[row["village"]] = k + 1
            row["code"] = f"{self.v_code[row['village']]}{90 + k:02d}"
        row = self.ded_rows[-1]
        self.planted.append(
            PlantedDefect(
                "dedicated_crosses_level1",
                schema.GRID_DEDICATED.name,
                (row["code"], self.v_code[row["village"]], self.v_code[row["other"]]),
                f"专属网格“{row['name']}”跨越{self.divisions[row['village']]['name']}与"
                f"{self.divisions[row['other']]['name']}的边界",
                fids=(len(self.ded_rows),),
                measure=float(shapely.intersection(row["geom"], self.v_geom[row["other"]]).area),
            )
        )
        self._lap("dedicated")

    def _leaves_room(self, rect, grp_tree) -> bool:
        hits = grp_tree.query(rect, predicate="intersects")
        if len(hits) == 0:
            return False
        if any(int(h) in self.planted_groups for h in hits):
            return False
        left = shapely.area(shapely.difference(self.grp_geom[hits], rect)) / shapely.area(self.grp_geom[hits])
        return bool(left.min() > 0.45)

    # ------------------------------------------------ planted geometric and code defects

    def plant(self) -> None:
        mesh = self.mesh
        rng = self._rng_plant
        self.final_geom = self.grp_geom.copy()
        self.removed_cells: dict[int, list[int]] = {}
        self.pushed_cells: dict[int, list[int]] = {}
        self.grp_parent_code = [self.sec_code[s] for s in self.grp_section.tolist()]
        L3 = schema.GRID_LEVEL3.name

        def fid(g: int) -> int:
            return g + 1

        def plant_overlap(kind: str, ga: int, gb: int, ov, text: str) -> None:
            """Record an overlap ``ov`` of groups ``ga`` and ``gb`` planted as ``kind``."""
            self.planted.append(
                PlantedDefect(
                    kind,
                    L3,
                    (self.grp_code[ga], self.grp_code[gb]),
                    text,
                    fids=(fid(ga), fid(gb)),
                    location=tuple(shapely.get_coordinates(shapely.point_on_surface(ov))[0]),
                    measure=float(ov.area),
                )
            )
            self.planted_groups.setdefault(ga, []).append(kind)
            self.planted_groups.setdefault(gb, []).append(kind)

        def adjacent_pairs(s):
            gs = self.sec_groups[s]
            cells = np.concatenate([self.grp_cells[g] for g in gs])
            a, b = mesh.local_edges(cells)
            ga, gb = self.cell_group[cells[a]], self.cell_group[cells[b]]
            m = ga != gb
            return sorted({(int(min(p, q)), int(max(p, q))) for p, q in zip(ga[m], gb[m])})

        def connected_without(g, drop):
            cells = np.setdiff1d(self.grp_cells[g], drop)
            a, b = mesh.local_edges(cells)
            return len(cells) > 0 and np.unique(_components(len(cells), a, b)).size == 1

        # 1. overlap: group B takes a cell of its neighbour A (A unchanged)
        while True:
            s = self._pick_section(rural=True, min_groups=3)
            pairs = adjacent_pairs(s)
            ga, gb = pairs[int(rng.integers(len(pairs)))]
            ca = self.grp_cells[ga]
            border = [int(c) for c in ca if np.isin(mesh.neighbours(c), self.grp_cells[gb]).any()]
            if len(border) >= 2 and len(ca) >= 6:
                break
        push = border[:1]
        self.final_geom[gb] = mesh.union(np.concatenate([self.grp_cells[gb], push]))
        self.pushed_cells[gb] = push
        self.pushed_cells[ga] = push
        ov = shapely.intersection(self.final_geom[ga], self.final_geom[gb])
        plant_overlap(
            "overlap", ga, gb, ov, f"{self.grp_name[gb]}的边界越过{self.grp_name[ga]}，重叠约{ov.area:.0f}平方米"
        )

        def plant_missing_cell(kind: str, cell_fits, describe) -> None:
            """Remove one cell from a group of a random rural section: the first cell ``cell_fits``."""
            while True:
                s = self._pick_section(rural=True, min_groups=3)
                for g in self.sec_groups[s]:
                    for c in self.grp_cells[g].tolist():
                        if cell_fits(s, g, c) and len(self.grp_cells[g]) >= 6 and connected_without(g, [c]):
                            self._remove_cells(g, [c])
                            self.planted.append(
                                PlantedDefect(
                                    kind,
                                    L3,
                                    (self.grp_code[g], self.sec_code[s]),
                                    describe(s, g, c),
                                    fids=(fid(g),),
                                    location=(float(mesh.x[c]), float(mesh.y[c])),
                                    measure=float(mesh.area[c]),
                                )
                            )
                            return

        def inner_cell(s, g, c) -> bool:  # inside the section, bordering a sibling group
            nb = mesh.neighbours(c)
            inside = not mesh.on_border[c] and bool(np.all(self.cell_section[nb] == s))
            return inside and bool(np.any(self.cell_group[nb] != g)) and len(nb) >= 4

        def edge_cell(s, g, c) -> bool:  # on the section's boundary (not the county's)
            nb = mesh.neighbours(c)
            return not mesh.on_border[c] and not bool(np.all(self.cell_section[nb] == s))

        # 2. gap inside a level 2 grid: a cell of a group bordering a sibling, not on the section's edge
        plant_missing_cell(
            "gap",
            inner_cell,
            lambda s, g, c: (
                f"{self.sec_name[s]}（{self.sec_code[s]}）内{self.grp_name[g]}边界内缩，留下约{mesh.area[c]:.0f}平方米的空隙"
            ),
        )
        # 3. notch gap opening onto the level 2 boundary
        plant_missing_cell(
            "notch_gap",
            edge_cell,
            lambda s, g, c: (
                f"{self.grp_name[g]}未延伸到{self.sec_name[s]}（{self.sec_code[s]}）边界，缺口约{mesh.area[c]:.0f}平方米"
            ),
        )

        # 4. bow-tie: a crossing knot in an edge shared with a sibling
        for _ in range(50):
            s = self._pick_section(rural=True, min_groups=3)
            g = self.sec_groups[s][int(rng.integers(len(self.sec_groups[s])))]
            found = self._bowtie(g, [h for h in self.sec_groups[s] if h != g])
            if found is not None:
                break
        else:
            raise RuntimeError("could not plant the bow-tie")
        bowtie, cross = found
        self.final_geom[g] = bowtie
        self.planted.append(
            PlantedDefect(
                "invalid_geometry",
                L3,
                (self.grp_code[g],),
                f"{self.grp_name[g]}的边界自相交（蝴蝶结），自交点约在({cross[0]:.1f}, {cross[1]:.1f})",
                fids=(fid(g),),
                location=(float(cross[0]), float(cross[1])),
            )
        )
        self.planted_groups.setdefault(g, []).append("invalid_geometry")

        # 5. sliver overlap: J's shared edge with I moved 0.5 m into I along 40 % of it
        s = self._pick_section(rural=False, min_groups=3)
        pairs = adjacent_pairs(s)
        gi, gj = pairs[int(rng.integers(len(pairs)))]
        shared = shapely.get_parts(shapely.intersection(self.grp_geom[gi].boundary, self.grp_geom[gj].boundary))
        shared = shapely.line_merge(shapely.multilinestrings(shared[shapely.get_type_id(shared) == 1]))
        line = max(shapely.get_parts(shared), key=lambda ln: ln.length)
        part = ops.substring(line, 0.3, 0.7, normalized=True)
        sliver = shapely.intersection(self.grp_geom[gi], shapely.buffer(part, 0.5, cap_style="flat"))
        self.final_geom[gj] = shapely.union(self.grp_geom[gj], sliver)
        ov = shapely.intersection(self.final_geom[gi], self.final_geom[gj])
        text = f"{self.grp_name[gj]}与{self.grp_name[gi]}之间有宽约0.5米的狭长重叠（约{ov.area:.1f}平方米）"
        plant_overlap("sliver_overlap", gi, gj, ov, text)

        # 6. wrong parent code
        s = self._pick_section(rural=True, min_groups=2)
        v = int(self.sec_village[s])
        g = self.sec_groups[s][0]
        other = next(x for x in self.v_sections[v] if x != s)
        self.grp_parent_code[g] = self.sec_code[other]
        self.planted.append(
            PlantedDefect(
                "wrong_parent",
                L3,
                (self.grp_code[g], self.sec_code[other], self.sec_code[s]),
                f"{self.grp_name[g]}位于{self.sec_code[s]}，上级编码却填为{self.sec_code[other]}",
                fids=(fid(g),),
            )
        )
        self.planted_groups.setdefault(g, []).append("wrong_parent")

        # 7. duplicate code: the second group of a section repeats the first's code
        s = self._pick_section(rural=True, min_groups=2)
        g1, g2 = self.sec_groups[s][0], self.sec_groups[s][1]
        self.grp_code[g2] = self.grp_code[g1]
        self.planted.append(
            PlantedDefect(
                "duplicate_code",
                L3,
                (self.grp_code[g1],),
                f"{self.grp_name[g1]}与{self.grp_name[g2]}使用同一编码{self.grp_code[g1]}",
                fids=(fid(g1), fid(g2)),
            )
        )
        self.planted_groups.setdefault(g2, []).append("duplicate_code")
        self.planted_groups.setdefault(g1, []).append("duplicate_code")

        # 8. malformed code: a 2-digit sequence (16 characters instead of 17)
        s = self._pick_section(rural=True, min_groups=2)
        g = self.sec_groups[s][-1]
        j = self.sec_groups[s].index(g) + 1
        self.grp_code[g] = f"{self.sec_code[s]}{j:02d}"
        self.planted.append(
            PlantedDefect(
                "malformed_code",
                L3,
                (self.grp_code[g],),
                f"{self.grp_name[g]}的编码{self.grp_code[g]}只有16位（顺序码应为3位）",
                fids=(fid(g),),
            )
        )
        self.planted_groups.setdefault(g, []).append("malformed_code")

        # 9. household sizes
        for kind, rural, households, text in (
            ("small_rural_group", True, 14, "村民小组仅{n}户（不足20户，应与相邻小组合并）"),
            ("large_rural_group", True, 68, "村民小组{n}户，超过50户且搬迁户、空挂户不足30%"),
            ("large_urban_grid", False, 128, "城镇网格{n}户，超过100户"),
        ):
            s = self._pick_section(rural=rural, min_groups=2)
            gs = [h for h in self.sec_groups[s] if self.grp_type[h] in ("villager_group", "street", "compound")]
            g = gs[int(rng.integers(len(gs)))]
            self.grp_households[g] = households
            if kind == "large_rural_group":
                self.grp_rel_frac[g], self.grp_abs_frac[g] = 0.05, 0.04
            self.planted.append(
                PlantedDefect(
                    kind, L3, (self.grp_code[g],), text.format(n=households), fids=(fid(g),), measure=households
                )
            )
            self.planted_groups.setdefault(g, []).append(kind)
        self._lap("plant")

    def _bowtie(self, g: int, siblings: list[int]):
        """Group g's polygon with a crossing knot in its longest edges shared with a sibling, or None.

        The knot (4 vertices, 40–60 % along the edge, offset by a few % of its length) crosses itself
        once, at the edge's midpoint, which GEOS reports as the self-intersection.
        """
        poly = self.grp_geom[g]
        ring = np.asarray(poly.exterior.coords)
        sib = shapely.union_all(shapely.boundary(self.grp_geom[siblings]))
        seg_len = np.hypot(*(ring[1:] - ring[:-1]).T)
        mids = 0.5 * (ring[1:] + ring[:-1])
        on_sib = shapely.distance(shapely.points(mids), sib) < 1e-6
        room = shapely.union_all(np.append(self.grp_geom[siblings], poly))
        for i in np.argsort(-np.where(on_sib, seg_len, -1))[: int(on_sib.sum())].tolist():
            p, q = ring[i], ring[i + 1]
            d = q - p
            length = float(np.hypot(*d))
            nrm = np.array([-d[1], d[0]]) / length
            cross = p + 0.5 * d
            for frac in (0.12, 0.06, 0.03):
                delta = frac * length
                knot = [
                    p + 0.4 * d + delta * nrm,
                    p + 0.6 * d - delta * nrm,
                    p + 0.6 * d + delta * nrm,
                    p + 0.4 * d - delta * nrm,
                ]
                candidate = shapely.Polygon(
                    np.vstack([ring[: i + 1], knot, ring[i + 1 :]]), [r.coords for r in poly.interiors]
                )
                reason = shapely.is_valid_reason(candidate)
                if not reason.startswith("Self-intersection[") or not room.contains(
                    shapely.multipoints(knot).convex_hull
                ):
                    continue
                at = np.array([float(v) for v in reason[len("Self-intersection[") : -1].split()])
                if np.hypot(*(at - cross)) < 1e-3:
                    return candidate, cross
        return None

    def _remove_cells(self, g: int, cells: list[int]) -> None:
        keep = np.setdiff1d(self.grp_cells[g], cells)
        self.final_geom[g] = self.mesh.union(keep)
        self.removed_cells[g] = list(cells)
        self.planted_groups.setdefault(g, []).append("gap")

    # ------------------------------------------------ households

    def households(self) -> None:
        mesh = self.mesh
        rng = _rng(self.seed, 8)
        ng = len(self.grp_section)
        n = self.grp_households.copy()
        total = int(n.sum())
        # sampling regions: the final geometry, minus other grids overlapping it, minus dedicated grids
        region = self.final_geom.copy()
        tree = shapely.STRtree(shapely.make_valid(self.final_geom))
        affected = set(self.planted_groups)
        ded = [r["geom"] for r in self.ded_rows]
        for g in sorted(self.planted_groups):
            affected.update(int(h) for h in tree.query(shapely.make_valid(self.final_geom[g]), predicate="intersects"))
        for dg in ded:
            affected.update(int(h) for h in tree.query(dg, predicate="intersects"))
        for g in sorted(affected):
            own = shapely.make_valid(self.final_geom[g])
            others = [int(h) for h in tree.query(own, predicate="intersects") if int(h) != g]
            cut = [shapely.make_valid(self.final_geom[h]) for h in others] + ded
            region[g] = shapely.difference(own, shapely.union_all(cut)) if cut else own
        shapely.prepare(region)
        # the cells a grid's households are proposed in
        cells_of = []
        for g in range(ng):
            c = self.grp_cells[g]
            drop = self.removed_cells.get(g, []) + self.pushed_cells.get(g, [])
            if drop:
                c = np.setdiff1d(c, drop)
            cells_of.append(rng.permutation(c))
        ncell = np.array([len(c) for c in cells_of])
        start = np.concatenate([[0], np.cumsum(ncell)[:-1]])
        flat = np.concatenate(cells_of)
        grid = np.repeat(np.arange(ng), n)
        types = np.array(self.grp_type, dtype=object)
        rural_like = np.isin(types, ["villager_group", "relocation_site"])
        p_cluster = np.where(rural_like, 0.75, 0.35)[grid]
        n_settle = np.where(rural_like, np.minimum(2, ncell), np.maximum(1, ncell // 2))
        x = np.empty(total)
        y = np.empty(total)
        pending = np.arange(total)
        rounds = 0
        while len(pending):
            rounds += 1
            g = grid[pending]
            clustered = rng.random(len(pending)) < p_cluster[pending]
            span = np.where(clustered, n_settle[g], ncell[g])
            c = flat[start[g] + np.minimum((rng.random(len(pending)) * span).astype(np.int64), span - 1)]
            # a stubborn region: propose in its bounding box
            b = shapely.bounds(region[g]) if rounds > 60 else mesh.bounds[c]
            px = b[:, 0] + rng.random(len(pending)) * (b[:, 2] - b[:, 0])
            py = b[:, 1] + rng.random(len(pending)) * (b[:, 3] - b[:, 1])
            if rounds <= 60:
                tight = clustered & rural_like[g]
                sd = 0.22 * np.sqrt(mesh.area[c])
                px = np.where(tight, mesh.x[c] + rng.normal(0, 1, len(pending)) * sd, px)
                py = np.where(tight, mesh.y[c] + rng.normal(0, 1, len(pending)) * sd, py)
            ok = shapely.contains_xy(region[g], px, py)
            x[pending[ok]] = px[ok]
            y[pending[ok]] = py[ok]
            pending = pending[~ok]
            if rounds > 400:
                raise RuntimeError("household sampling did not converge")
        self.hh_rounds = rounds
        # order households by grid, then west→east for stable numbering
        order = np.lexsort((y, x, grid))
        x, y, grid = x[order], y[order], grid[order]
        persons_p = np.array([0.14, 0.24, 0.24, 0.19, 0.13, 0.06])
        persons = rng.choice(np.arange(1, 7), size=total, p=persons_p)
        # relocated / absent flags: exact counts per grid
        k_rel = np.round(self.grp_rel_frac * n).astype(np.int64)
        k_abs = np.round(self.grp_abs_frac * n).astype(np.int64)
        normal = np.array(
            [
                not ({"allowed_large_group"} & set(self.planted_groups.get(g, ())))
                and self.grp_type[g] != "relocation_site"
                for g in range(ng)
            ]
        )
        over = normal & (k_rel + k_abs >= 0.3 * n)
        k_abs[over] = np.maximum(0, np.ceil(0.3 * n[over]).astype(np.int64) - 1 - k_rel[over])
        gstart = np.concatenate([[0], np.cumsum(n)[:-1]])
        rank = np.empty(total, dtype=np.int64)
        key = np.lexsort((rng.random(total), grid))
        rank[key] = np.arange(total) - gstart[grid[key]]
        relocated = rank < k_rel[grid]
        absent = (rank >= k_rel[grid]) & (rank < (k_rel + k_abs)[grid])
        self.hh = {"x": x, "y": y, "grid": grid, "persons": persons, "relocated": relocated, "absent": absent}
        self.grp_population = np.bincount(grid, weights=persons, minlength=ng).astype(np.int64)
        self.grp_relocated = np.bincount(grid, weights=relocated | absent, minlength=ng).astype(np.int64)
        self._lap("households")

    # ------------------------------------------------ assembling

    def assemble(self) -> SampleResult:
        info = schema.WorkspaceInfo(
            county_code=SAMPLE_COUNTY_CODE,
            county_name=self.county_name,
            crs=SAMPLE_CRS,
            code_rule="village12+2+3",
            created="2026-11-24T00:00:00",
            updated="2026-11-24T00:00:00",
            extra={"sample": "hanbin", "sample_seed": str(self.seed)},
        )
        rng = _rng(self.seed, 9)
        ng, ns = len(self.grp_section), len(self.sec_village)
        town_dates = {t: f"2024-{int(rng.integers(3, 10)):02d}-{int(rng.integers(1, 29)):02d}" for t in self.towns}
        v_area_class = np.array(["rural" if c == "rural" else "urban" for c in self.v_cls], dtype=object)
        v_dates = [town_dates[d["town_code"]] for d in self.divisions]

        n_hh = self.grp_households
        s_hh = np.bincount(self.grp_section, weights=n_hh, minlength=ns).astype(np.int64)
        s_pop = np.bincount(self.grp_section, weights=self.grp_population, minlength=ns).astype(np.int64)
        s_rel = np.bincount(self.grp_section, weights=self.grp_relocated, minlength=ns).astype(np.int64)
        v_hh = np.bincount(self.sec_village, weights=s_hh, minlength=self.nv).astype(np.int64)
        v_pop = np.bincount(self.sec_village, weights=s_pop, minlength=self.nv).astype(np.int64)
        v_rel = np.bincount(self.sec_village, weights=s_rel, minlength=self.nv).astype(np.int64)

        def attrs(n, kind, dtype_, area_class, settlement, hh, pop, rel, dates, remarks):
            return {
                "kind": np.array([kind] * n, dtype=object),
                "dedicated_type": np.array(dtype_, dtype=object),
                "area_class": np.array(area_class, dtype=object),
                "settlement_type": np.array(settlement, dtype=object),
                "households": np.asarray(hh, dtype=np.int64),
                "population": np.asarray(pop, dtype=np.int64),
                "relocated_households": np.asarray(rel, dtype=np.int64),
                "status": np.array(["active"] * n, dtype=object),
                "valid_from": np.array(dates, dtype=object),
                "valid_to": np.array([None] * n, dtype=object),
                "remarks": np.array(remarks, dtype=object),
            }

        none = [None]
        level1 = GridArray.from_records(
            schema.GRID_LEVEL1.name,
            1,
            self.v_geom,
            self.v_code,
            [d["town_code"] for d in self.divisions],
            [d["name"] for d in self.divisions],
            attributes=attrs(
                self.nv,
                "comprehensive",
                none * self.nv,
                v_area_class,
                none * self.nv,
                v_hh,
                v_pop,
                v_rel,
                v_dates,
                none * self.nv,
            ),
        )
        # sections and groups in code order
        sec_rows = [s for v in range(self.nv) for s in self.v_sections[v]]
        grp_rows = [g for s in sec_rows for g in self.sec_groups[s]]
        self.grp_fid = np.empty(ng, dtype=np.int64)
        self.grp_fid[grp_rows] = np.arange(1, ng + 1)
        sv = self.sec_village[sec_rows]
        level2 = GridArray.from_records(
            schema.GRID_LEVEL2.name,
            2,
            self.sec_geom[sec_rows],
            [self.sec_code[s] for s in sec_rows],
            [self.v_code[v] for v in sv],
            [self.sec_name[s] for s in sec_rows],
            attributes=attrs(
                ns,
                "comprehensive",
                none * ns,
                v_area_class[sv],
                none * ns,
                s_hh[sec_rows],
                s_pop[sec_rows],
                s_rel[sec_rows],
                [v_dates[v] for v in sv],
                none * ns,
            ),
        )
        gv = self.grp_village[grp_rows]
        level3 = GridArray.from_records(
            schema.GRID_LEVEL3.name,
            3,
            self.final_geom[grp_rows],
            [self.grp_code[g] for g in grp_rows],
            [self.grp_parent_code[g] for g in grp_rows],
            [self.grp_name[g] for g in grp_rows],
            attributes=attrs(
                ng,
                "comprehensive",
                none * ng,
                v_area_class[gv],
                [self.grp_type[g] for g in grp_rows],
                n_hh[grp_rows],
                self.grp_population[grp_rows],
                self.grp_relocated[grp_rows],
                [v_dates[v] for v in gv],
                [self.grp_remarks[g] for g in grp_rows],
            ),
        )
        nd = len(self.ded_rows)
        dv = [r["village"] for r in self.ded_rows]
        dedicated = GridArray.from_records(
            schema.GRID_DEDICATED.name,
            schema.LEVEL_DEDICATED,
            [r["geom"] for r in self.ded_rows],
            [r["code"] for r in self.ded_rows],
            [self.v_code[v] for v in dv],
            [r["name"] for r in self.ded_rows],
            attributes=attrs(
                nd,
                "dedicated",
                [r["type"] for r in self.ded_rows],
                v_area_class[dv],
                none * nd,
                [0] * nd,
                [0] * nd,
                [0] * nd,
                [v_dates[v] for v in dv],
                none * nd,
            ),
        )
        # fix fids of planted records (level 3 fids follow code order)
        self.planted = [self._refid(p) for p in self.planted]
        self.special = [self._refid(p) for p in self.special]

        hh = self._household_array()
        staff = self._staff(level1, level2, level3, dedicated)
        divisions = [dict(d) for d in self.divisions]
        data = WorkspaceData(
            info=info,
            grids={
                level1.layer: level1,
                level2.layer: level2,
                level3.layer: level3,
                dedicated.layer: dedicated,
            },
            county_boundary=self.county,
            households=hh,
            staff=staff,
            divisions=divisions,
        )
        self._lap("assemble")
        stats = {
            "level1": len(level1),
            "level2": len(level2),
            "level3": len(level3),
            "dedicated": len(dedicated),
            "households": len(hh),
            "population": int(self.hh["persons"].sum()),
            "staff": len(staff),
            "mesh_cells": self.mesh.n,
        }
        return SampleResult(data, self.planted, self.special, self.seed, dict(self.timings), stats)

    def _refid(self, p: PlantedDefect) -> PlantedDefect:
        """Level 3 records were made with fid = internal group index + 1: map to the row's fid."""
        if p.layer != schema.GRID_LEVEL3.name or not p.fids:
            return p
        return PlantedDefect(
            p.kind,
            p.layer,
            p.codes,
            p.description,
            tuple(int(self.grp_fid[f - 1]) for f in p.fids),
            p.location,
            p.measure,
        )

    def _household_array(self) -> PointArray:
        h = self.hh
        total = len(h["x"])
        grid = h["grid"]
        codes = np.array(self.grp_code, dtype=object)[grid]
        v = self.grp_village[grid]
        # serial within village (households are sorted by grid, grids of a village are not contiguous)
        order = np.lexsort((np.arange(total), v))
        serial = np.empty(total, dtype=np.int64)
        vstart = np.searchsorted(v[order], np.arange(self.nv))
        serial[order] = np.arange(total) - vstart[v[order]] + 1
        gstart = np.concatenate([[0], np.cumsum(self.grp_households)[:-1]])
        door = np.arange(total) - gstart[grid] + 1
        vcodes = self.v_code
        vnames = [
            d["name"].replace("村民委员会", "村").replace("村委会", "村").replace("居委会", "") for d in self.divisions
        ]
        tnames = [d["town_name"] for d in self.divisions]
        gnames = self.grp_name
        vl, gl, sl, dl = v.tolist(), grid.tolist(), serial.tolist(), door.tolist()
        household_no = [f"{vcodes[a]}{b:05d}" for a, b in zip(vl, sl)]
        address = [f"安康市{self.county_name}{tnames[a]}{vnames[a]}{gnames[g]}{d}号" for a, g, d in zip(vl, gl, dl)]
        return PointArray(
            schema.HOUSEHOLDS.name,
            np.arange(1, total + 1, dtype=np.int64),
            shapely.points(h["x"], h["y"]),
            {
                "household_no": np.array(household_no, dtype=object),
                "address": np.array(address, dtype=object),
                "persons": h["persons"].astype(np.int64),
                "relocated": h["relocated"],
                "absent": h["absent"],
                "grid_code": codes,
            },
        )

    def _staff(self, level1, level2, level3, dedicated) -> list[dict]:
        rng = _rng(self.seed, 10)
        town_phone = {t: f"0915-{int(rng.integers(2000000, 8999999))}" for t in self.towns}
        rows = []

        def add(grid_code, role, position, town_code, duties, safety=False):
            rows.append(
                {
                    "name": None,
                    "phone": None,
                    "role": role,
                    "grid_code": grid_code,
                    "supervision_phone": town_phone[town_code],
                    "duties": duties,
                    "position": position,
                    "safety_officer": safety,
                    "photo_path": None,
                }
            )

        v_town = {d["code"]: d["town_code"] for d in self.divisions}
        missing_admin = None
        for i, code in enumerate(level1.codes.tolist()):
            urban = level1.attributes["area_class"][i] == "urban"
            add(code, "grid_head", "社区党委书记" if urban else "村党支部书记", v_town[code], DUTIES["grid_head"])
        # a village without grid administrator (planted): a rural one not used otherwise
        cand = [v for v in range(self.nv) if v not in self.used_villages and self.v_cls[v] == "rural"]
        missing_admin = cand[int(rng.integers(len(cand)))]
        self.used_villages.add(missing_admin)
        for i, code in enumerate(level1.codes.tolist()):
            if i == missing_admin:
                continue
            add(code, "grid_admin", "专职网格员", v_town[code], DUTIES["grid_admin"])
        for i, code in enumerate(level2.codes.tolist()):
            urban = level2.attributes["area_class"][i] == "urban"
            add(code, "grid_head", "社区两委委员" if urban else "村两委委员", v_town[code[:12]], DUTIES["grid_head"])
        positions = {
            "villager_group": "村民小组长",
            "street": "街巷长",
            "compound": "小区党支部书记",
            "high_rise": "楼栋长",
            "relocation_site": "安置点党支部书记",
        }
        # a level 3 grid without grid head (planted): an urban compound not used otherwise
        types = level3.attributes["settlement_type"]
        cand3 = [
            i
            for i in range(len(level3))
            if types[i] == "compound" and int(self.grp_village[self._grp_at_row(i)]) not in self.used_villages
        ]
        no_head = cand3[int(rng.integers(len(cand3)))]
        self.used_villages.add(int(self.grp_village[self._grp_at_row(no_head)]))
        for i, code in enumerate(level3.codes.tolist()):
            if i == no_head:
                continue
            add(code, "grid_head", positions[types[i]], v_town[level3.parent_codes[i][:12]], DUTIES["grid_head"])
        for code in dedicated.codes.tolist():
            add(code, "grid_head", "安全负责人", v_town[code[:12]], DUTIES["safety_officer"], safety=True)
        names = _person_names(rng, len(rows))
        phones = _mobiles(rng, len(rows))
        for row, name, phone in zip(rows, names, phones):
            row["name"], row["phone"] = name, phone
        # a bad phone number (planted): a level 2 head's number with a digit missing
        l2_heads = [j for j, r in enumerate(rows) if r["role"] == "grid_head" and len(r["grid_code"]) == 14]
        bad = l2_heads[int(rng.integers(len(l2_heads)))]
        rows[bad]["phone"] = rows[bad]["phone"][:-1]
        self.planted.append(
            PlantedDefect(
                "bad_phone",
                schema.STAFF.name,
                (rows[bad]["grid_code"],),
                f"网格长{rows[bad]['name']}的联系电话{rows[bad]['phone']}只有10位",
                fids=(bad + 1,),
            )
        )
        self.planted.append(
            PlantedDefect(
                "missing_grid_head",
                schema.GRID_LEVEL3.name,
                (level3.codes[no_head],),
                f"三级网格{level3.names[no_head]}（{level3.codes[no_head]}）没有网格长",
                fids=(int(level3.fids[no_head]),),
            )
        )
        self.planted.append(
            PlantedDefect(
                "missing_grid_admin",
                schema.GRID_LEVEL1.name,
                (self.v_code[missing_admin],),
                f"{self.divisions[missing_admin]['name']}没有网格管理员",
                fids=(int(level1.fids[missing_admin]),),
            )
        )
        return rows

    def _grp_at_row(self, row: int) -> int:
        if not hasattr(self, "_row_to_grp"):
            self._row_to_grp = np.argsort(self.grp_fid)
        return int(self._row_to_grp[row])


def build_sample(seed: int = DEFAULT_SEED) -> SampleResult:
    """Build the Hanbin sample workspace (deterministic for a given seed; about 10–20 s)."""
    b = _Builder(seed)
    b.plan()
    b.townships()
    b.make_mesh()
    b.partition()
    b.geometry()
    b.codes()
    b.household_plan()
    b.special_grids()
    b.dedicated()
    b.plant()
    b.households()
    result = b.assemble()
    result.timings["total"] = round(sum(v for k, v in result.timings.items()), 3)
    return result
