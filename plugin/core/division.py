"""Propose the level 3 division of a parent grid automatically (§7.3.3 a–k).

Given a parent polygon (a level 2 grid, or a village), its household points (one household each or a count
per point, with persons), optional lines the boundaries should follow (roads, rivers, ridges, walls),
optional existing villager-group polygons, relocation sites and locked grids, :func:`propose_division`
returns level 3 grids that partition the parent exactly and meet the size rules wherever the households
make that possible.

How (all rules stated here and nowhere else):

1. **Atoms.** The parent's boundary, the lines (clipped to the parent), the villager-group boundaries, the
   relocation-site and locked-grid boundaries are noded together and polygonized: the faces are the atoms.
   Faces inside a locked grid stay that grid; faces inside a standing-alone relocation site (``site_alone``
   = 40 households or more, §7.3.3 g; a smaller site belongs with its group, f) become that site's grid.
2. **How many grids.** The free households H of the parent give the number of grids k: the k with
   ``ceil(H/hi) ≤ k ≤ floor(H/lo)`` nearest to H / ((lo+hi)/2). When no k fits (H under lo, or between hi
   and 2·lo) the k whose grids fall least outside the range is taken and each grid says why.
3. **Recursive bisection.** A region to be cut into k = k1 + k2 grids (k1 = k // 2) is cut in two:
   first along the lines (a *line cut*): the atoms are swept along the region's long axis and the first
   split whose two sides are each connected and hold between k·lo and k·hi households is taken, the one
   nearest the balance k1 : k2; when none exists, a *straight cut* perpendicular to the long axis at the
   household quantile k1/k, placed half-way between two households (never through one).
4. **Exact geometry.** All the cuts, extended by 0.1 mm beyond their region (the overshoot is a dangle that
   polygonize drops), are noded with the lines and the parent boundary once, and polygonized: every final
   face lies in exactly one region; each grid is the coverage union of its faces, so the grids form a valid
   coverage whose union is the parent (up to the vertices GEOS adds where lines meet the boundary).
   A region left in several parts keeps its part with most households; the others join the neighbouring
   grid sharing the longest boundary with them.
5. **Households on a boundary.** A household point counts in the grid whose polygon contains it; a point
   on a shared boundary counts in the grid that comes first in the numbering order (north → south, west →
   east, :func:`plugin.core.codes.numbering_order`), i.e. the one that receives the lowest code when the
   proposal is accepted — the same grid :mod:`.households` (lowest code) then attaches it to.

Each grid carries its households, persons, its kind (proposed, relocation site, locked), the rule it meets
or why it cannot, and its Polsby–Popper compactness 4πA/P². Deterministic: the same input and ``seed`` give
the same proposal (the seed only breaks exact ties in the sweep). Bad input raises :class:`DivisionError`
with every problem in Chinese and English; nothing is produced. No qgis or Qt import.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import capabilities, schema, sizerules
from .codes import numbering_order

OVERSHOOT = 1e-4  # m: cuts are extended this far beyond their region (a dangle polygonize drops)
LINE_NEAR = 0.5  # m: a grid boundary within this distance of a line counts as "on the line"

STATUS_WITHIN = "within"
STATUS_UNDER = "under"
STATUS_OVER = "over"
STATUS_SITE = "relocation_site"
STATUS_LOCKED = "locked"

KIND_PROPOSED = "proposed"
KIND_SITE = "relocation_site"
KIND_LOCKED = "locked"


# ---------------------------------------------------------------- errors


@dataclass(frozen=True)
class DivisionProblem:
    key: str  # parent_invalid, parent_empty, no_households, households_outside, line_outside, …
    layer: str
    fids: tuple[int, ...]
    message_zh: str
    message_en: str


class DivisionError(ValueError):
    """Input that cannot be divided; ``problems`` says what and where. Nothing was produced."""

    def __init__(self, problems: list[DivisionProblem]):
        self.problems = problems
        super().__init__("; ".join(p.message_en for p in problems))

    @property
    def message_zh(self) -> str:
        return "；".join(p.message_zh for p in self.problems)


# ---------------------------------------------------------------- size targets


@dataclass(frozen=True)
class SizeTarget:
    """The thresholds the division aims at for one area class, read from the county's size rules."""

    area_class: str
    lo: int  # households per grid, lower bound (a / i)
    hi: int  # upper bound
    min_persons: int | None
    max_persons: int | None
    merge_below: int  # groups under this merge (c)
    site_alone: int  # a relocation site of this many households or more stands alone (g)
    site_max: int | None  # a relocation-site grid holds at most this many households (j)
    rule_id: str
    clause: str

    @property
    def target(self) -> float:
        return (self.lo + self.hi) / 2.0


def size_target(area_class: str, rules: Sequence[sizerules.SizeRule] | None = None) -> SizeTarget:
    """The range rule (villager groups) of ``area_class`` ("rural"/"urban") and the merge, relocation-site
    and site-maximum thresholds that go with it. Raises :class:`DivisionError` when no rule gives a range."""
    rules = [r for r in (sizerules.DEFAULT_RULES if rules is None else rules) if r.enabled]
    rng = next(
        (
            r
            for r in rules
            if r.kind == sizerules.KIND_RANGE
            and r.applies(area_class, "villager_group")
            and r.min_households is not None
            and r.max_households is not None
        ),
        None,
    )
    if area_class not in sizerules.AREA_KEYS or rng is None:
        raise DivisionError(
            [
                DivisionProblem(
                    "area_class",
                    "",
                    (),
                    f"无法确定上级网格的城乡类别（{area_class or '空'}）或其户数范围规则，不能自动划分",
                    f"the parent's area class ({area_class or 'empty'}) or its household range rule is unknown: "
                    "cannot divide",
                )
            ]
        )
    merge = next((r for r in rules if r.kind == sizerules.KIND_MERGE and r.applies(area_class, "villager_group")), None)
    site = next((r for r in rules if r.kind == sizerules.KIND_RELOCATION), None)
    site_max = next(
        (
            r.max_households
            for r in rules
            if r.kind == sizerules.KIND_RANGE and r.applies(area_class, "relocation_site") and r.max_households
        ),
        None,
    )
    return SizeTarget(
        area_class,
        int(rng.min_households),
        int(rng.max_households),
        rng.min_persons,
        rng.max_persons,
        int(merge.min_households) if merge is not None else int(rng.min_households),
        int(site.min_households) if site is not None else 40,
        site_max,
        rng.id,
        rng.clause,
    )


def grid_count(h: int, t: SizeTarget) -> tuple[int, bool]:
    """How many grids ``h`` households make, and whether that count lets every grid be in range."""
    if h <= 0:
        return 1, False
    k_lo, k_hi = math.ceil(h / t.hi), h // t.lo
    if k_lo <= k_hi:
        k = min(range(k_lo, k_hi + 1), key=lambda k: (abs(h / k - t.target), k))
        return k, True
    # none fits: the count whose grids fall least outside the range
    best = min(
        (max(1, k_hi), max(1, k_lo)),
        key=lambda k: (max(0.0, t.lo - h / k, h / k - t.hi), k),
    )
    return best, False


# ---------------------------------------------------------------- result


@dataclass
class Proposal:
    """The proposed grids of one parent, row i of every array describing the same grid."""

    parent_label: str
    target: SizeTarget
    geometries: np.ndarray  # shapely Polygons
    households: np.ndarray  # int64
    persons: np.ndarray  # int64
    kinds: np.ndarray  # object: proposed / relocation_site / locked
    status: np.ndarray  # object: within / under / over / relocation_site / locked
    reason_zh: np.ndarray  # object
    reason_en: np.ndarray  # object
    compactness: np.ndarray  # Polsby–Popper
    household_grid: np.ndarray  # per input point: row of its grid (-1: none)
    locked_index: np.ndarray  # per grid: index of the locked input (-1: not locked)
    feasible: bool  # the free households allow every proposed grid to be in range
    notes: list[DivisionProblem] = field(default_factory=list)  # warnings (lines clipped, small sites …)
    line_cuts: int = 0
    straight_cuts: int = 0

    def __len__(self) -> int:
        return len(self.geometries)


# ---------------------------------------------------------------- helpers


def _polsby_popper(geoms: np.ndarray) -> np.ndarray:
    perimeter = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        pp = np.where(perimeter > 0, 4.0 * math.pi * shapely.area(geoms) / perimeter**2, 0.0)
    return pp


def _polygonal(g) -> bool:
    return g is not None and not shapely.is_empty(g) and shapely.get_type_id(g) in (3, 6)


def _long_axis(geom) -> np.ndarray:
    """Unit vector along the longer side of the geometry's minimum rotated rectangle."""
    rect = shapely.oriented_envelope(geom)
    coords = shapely.get_coordinates(rect)
    if len(coords) < 4:
        return np.array([1.0, 0.0])
    e1, e2 = coords[1] - coords[0], coords[2] - coords[1]
    v = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    n = float(np.hypot(*v))
    if n == 0:
        return np.array([1.0, 0.0])
    v = v / n
    # a canonical direction, so that the same shape always gives the same axis
    if v[0] < -1e-12 or (abs(v[0]) <= 1e-12 and v[1] < 0):
        v = -v
    return v


def _adjacency(geoms: np.ndarray, tol: float = 1e-6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) of polygons sharing a boundary of positive length, with that length."""
    if len(geoms) < 2:
        e = np.zeros(0, dtype=np.int64)
        return e, e.copy(), np.zeros(0)
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    if len(i) == 0:
        return i, j, np.zeros(0)
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[i]), shapely.boundary(geoms[j])))
    real = shared > tol
    return i[real], j[real], shared[real]


def _connected(members: np.ndarray, nbrs: list[set]) -> bool:
    """The atoms in ``members`` (indexes) form one edge-connected group."""
    if len(members) <= 1:
        return True
    inside = set(members.tolist())
    start = int(members[0])
    seen = {start}
    stack = [start]
    while stack:
        a = stack.pop()
        for b in nbrs[a]:
            if b in inside and b not in seen:
                seen.add(b)
                stack.append(b)
    return len(seen) == len(inside)


def _half_planes(origin: np.ndarray, axis: np.ndarray, reach: float):
    """The two half-planes (as big rectangles) on either side of the line through ``origin`` perpendicular
    to ``axis``: (projection < origin, projection > origin), and the cut line itself."""
    perp = np.array([-axis[1], axis[0]])
    a, b = origin + perp * reach, origin - perp * reach
    low = shapely.Polygon([a, b, b - axis * reach, a - axis * reach])
    high = shapely.Polygon([a, b, b + axis * reach, a + axis * reach])
    return low, high, shapely.LineString([a, b])


# ---------------------------------------------------------------- the divider


class _Divider:
    def __init__(self, xy, weights, target: SizeTarget, reach: float, seed: int):
        self.xy = xy
        self.w = weights
        self.t = target
        self.reach = reach
        self.rng = np.random.default_rng(seed)
        self.cuts: list = []
        self.line_cuts = 0
        self.straight_cuts = 0
        self.line_normals: list[np.ndarray] = []

    def follow(self, lines: list) -> None:
        """The directions across the lines (one per 5° of bearing), swept by the line cuts."""
        seen = set()
        for g in lines:
            c = shapely.get_coordinates(g)
            if len(c) < 2:
                continue
            v = c[-1] - c[0]
            n = float(np.hypot(*v))
            if n == 0:
                continue
            bearing = round(math.degrees(math.atan2(v[1], v[0])) / 5.0) % 36
            if bearing in seen:
                continue
            seen.add(bearing)
            self.line_normals.append(np.array([-v[1], v[0]]) / n)

    def divide(self, geoms: list, members: list, k: int, out: list) -> None:
        """Cut the region made of atoms ``geoms`` (point indexes ``members``) into k regions, appended to
        ``out`` as (geoms, members)."""
        if k <= 1 or len(geoms) == 0 or sum(int(self.w[m].sum()) for m in members) == 0:
            if geoms:
                out.append((geoms, members))
            return
        k1 = k // 2
        k2 = k - k1
        garr = np.asarray(geoms, dtype=object)
        region = shapely.union_all(garr) if len(garr) > 1 else garr[0]  # approximate atoms: not a coverage
        axis = _long_axis(region)
        split = self._line_cut(garr, members, axis, k) if len(geoms) > 1 else None
        if split is not None:
            self.line_cuts += 1
            k1, k2 = split[2], k - split[2]
            left = [geoms[i] for i in split[0]], [members[i] for i in split[0]]
            right = [geoms[i] for i in split[1]], [members[i] for i in split[1]]
        else:
            left, right, cuts = self._best_straight_cut(garr, members, region, axis, k1, k2)
            self.cuts.extend(cuts)
            self.straight_cuts += 1
        self.divide(*left, k1, out)
        self.divide(*right, k2, out)

    def _line_cut(self, garr, members, axis, k):
        """A split of the atoms into two connected sides, each holding what k1 and k2 grids may hold, found by
        sweeping the atoms along the region's long axis, across it, and across each line's direction (a
        line separates the atoms on its two sides). Each side gets the share of the k grids that keeps its
        grids nearest the middle of the range; the split whose grids are nearest it wins, ties to the long
        axis. Returns (left atoms, right atoms, grids on the left) or None."""
        t = self.t
        h = np.array([self.w[m].sum() for m in members], dtype=np.float64)
        total = h.sum()
        centres = shapely.get_coordinates(shapely.centroid(garr))
        for n, m in enumerate(members):
            if h[n] > 0:
                centres[n] = (self.xy[m] * self.w[m][:, None]).sum(axis=0) / h[n]
        k1 = k // 2
        ai, aj, _ = _adjacency(garr)
        nbrs: list[set] = [set() for _ in range(len(garr))]
        for a, b in zip(ai.tolist(), aj.tolist()):
            nbrs[a].add(b)
            nbrs[b].add(a)
        tie = self.rng.random(len(garr))
        directions = [axis, np.array([-axis[1], axis[0]]), *self.line_normals]
        best = None
        for rank, d in enumerate(directions):
            proj = centres @ d
            order = np.lexsort((tie, proj))
            cum = np.cumsum(h[order])
            for s in range(1, len(order)):
                c1 = cum[s - 1]
                c2 = total - c1
                # any share of the k grids between the sides that keeps both in range will do
                lo1 = max(1, math.ceil(c1 / t.hi), k - c2 // t.lo)
                hi1 = min(k - 1, c1 // t.lo, k - math.ceil(c2 / t.hi))
                if lo1 > hi1:
                    continue
                j1 = min(
                    range(int(lo1), int(hi1) + 1),
                    key=lambda j: (max(abs(c1 / j - t.target), abs(c2 / (k - j) - t.target)), abs(j - k1)),
                )
                key = (max(abs(c1 / j1 - t.target), abs(c2 / (k - j1) - t.target)), rank)
                if best is not None and key >= best[0]:
                    continue
                if _connected(order[:s], nbrs) and _connected(order[s:], nbrs):
                    best = (key, order[:s], order[s:], j1)
        if best is None:
            return None
        return best[1].tolist(), best[2].tolist(), int(best[3])

    def _best_straight_cut(self, garr, members, region, axis, k1, k2):
        """The straight cut, across the long axis or along it, whose sides (made connected) keep their grids
        nearest the middle of the range; ties to the cut across the long axis."""
        t = self.t
        best = None
        for rank, d in enumerate((axis, np.array([-axis[1], axis[0]]))):
            left, right, cuts = self._straight_cut(garr, members, region, d, k1 / (k1 + k2))
            c1 = sum(int(self.w[m].sum()) for m in left[1])
            c2 = sum(int(self.w[m].sum()) for m in right[1])
            if not left[0] or not right[0]:
                continue
            dev = max(abs(c1 / k1 - t.target), abs(c2 / k2 - t.target))
            outside = max(0.0, t.lo - c1 / k1, c1 / k1 - t.hi) + max(0.0, t.lo - c2 / k2, c2 / k2 - t.hi)
            key = (outside, dev > (t.hi - t.lo) / 2.0, rank)
            if best is None or key < best[0]:
                best = (key, left, right, cuts)
            if key[0] == 0 and not key[1]:
                break
        if best is None:
            return self._straight_cut(garr, members, region, axis, k1 / (k1 + k2))
        return best[1], best[2], best[3]

    def _straight_cut(self, garr, members, region, axis, share):
        idx = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
        p = self.xy[idx] @ axis
        w = self.w[idx]
        order = np.argsort(p, kind="stable")
        p, w = p[order], w[order]
        cum = np.cumsum(w)
        goal = share * cum[-1]
        # a cut between positions j and j+1 (distinct projections), the one nearest the goal
        gaps = np.flatnonzero(p[1:] > p[:-1])
        if len(gaps) == 0:  # every household at one place: cut through the region's middle
            lo_b, hi_b = shapely.bounds(region)[[0, 1]], shapely.bounds(region)[[2, 3]]
            t = float(((lo_b + hi_b) / 2) @ axis)
        else:
            j = gaps[np.argmin(np.abs(cum[gaps] - goal))]
            t = float((p[j] + p[j + 1]) / 2.0)
        centre = shapely.get_coordinates(shapely.centroid(region))[0]
        origin = centre + axis * (t - float(centre @ axis))  # on the cut line, near the region
        low, high, line = _half_planes(origin, axis, self.reach)
        seg = shapely.intersection(line, region)
        cuts = []
        if not shapely.is_empty(seg):
            for part in shapely.get_parts(shapely.line_merge(seg) if seg.geom_type != "LineString" else seg):
                if shapely.get_type_id(part) == 1 and part.length > 0:
                    cuts.append(_extend(part, OVERSHOOT))
        left: tuple[list, list] = ([], [])
        right: tuple[list, list] = ([], [])
        b = shapely.bounds(garr)
        corners = np.stack([b[:, [0, 1]], b[:, [0, 3]], b[:, [2, 1]], b[:, [2, 3]]], axis=1) @ axis
        pmin, pmax = corners.min(axis=1), corners.max(axis=1)
        for n, g in enumerate(garr):
            m = members[n]
            if pmax[n] <= t:
                left[0].append(g)
                left[1].append(m)
                continue
            if pmin[n] >= t:
                right[0].append(g)
                right[1].append(m)
                continue
            side = (self.xy[m] @ axis) < t
            for half, target_side, keep in ((low, left, side), (high, right, ~side)):
                piece = shapely.intersection(g, half)
                parts = [q for q in shapely.get_parts(piece) if shapely.get_type_id(q) == 3 and q.area > 0]
                if not parts:
                    continue
                pts = m[keep]
                if len(parts) == 1:
                    target_side[0].append(parts[0])
                    target_side[1].append(pts)
                    continue
                parr = np.asarray(parts, dtype=object)
                owner = _locate(parr, self.xy[pts])
                for q in range(len(parts)):
                    target_side[0].append(parr[q])
                    target_side[1].append(pts[owner == q])
        left, right = self._connect(left, right)
        return left, right, cuts

    def _connect(self, left, right):
        """Both sides of a straight cut made connected where the region is: a piece of one side cut off from
        its side's main piece (the one with most households) goes to the other side when it touches it."""
        geoms = np.asarray(left[0] + right[0], dtype=object)
        if len(geoms) < 3:
            return left, right
        members = left[1] + right[1]
        side = np.r_[np.zeros(len(left[0]), dtype=np.int64), np.ones(len(right[0]), dtype=np.int64)]
        h = np.array([self.w[m].sum() for m in members], dtype=np.float64)
        area = shapely.area(geoms)
        ai, aj, _ = _adjacency(geoms)
        for _ in range(3):
            same = side[ai] == side[aj]
            comp = _components(len(geoms), ai[same], aj[same])
            moved = False
            for sd in (0, 1):
                mine = np.flatnonzero(side == sd)
                comps = np.unique(comp[mine])
                if len(comps) <= 1:
                    continue
                main = max(comps, key=lambda c: (h[comp == c].sum(), area[comp == c].sum(), -c))
                for c in comps:
                    if c == main:
                        continue
                    inside = comp == c
                    touches = (inside[ai] & (side[aj] != sd)) | (inside[aj] & (side[ai] != sd))
                    if touches.any():
                        side[inside] = 1 - sd
                        moved = True
            if not moved:
                break
        left = [g for g, sd in zip(geoms, side) if sd == 0], [m for m, sd in zip(members, side) if sd == 0]
        right = [g for g, sd in zip(geoms, side) if sd == 1], [m for m, sd in zip(members, side) if sd == 1]
        return left, right


def _extend(line, d: float):
    """The line with its two end segments lengthened by ``d``."""
    c = shapely.get_coordinates(line)
    if len(c) < 2:
        return line
    c = c.copy()
    for end, prev in ((0, 1), (-1, -2)):
        v = c[end] - c[prev]
        n = float(np.hypot(*v))
        if n > 0:
            c[end] = c[end] + v / n * d
    return shapely.LineString(c)


def _locate(polys: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """For each point: the index of the first polygon that intersects it (-1 when none)."""
    out = np.full(len(xy), -1, dtype=np.int64)
    if len(xy) == 0 or len(polys) == 0:
        return out
    pts = shapely.points(xy)
    pi, gi = shapely.STRtree(polys).query(pts, predicate="intersects")
    order = np.lexsort((gi, pi))
    pi, gi = pi[order], gi[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    out[pi[first]] = gi[first]
    return out


# ---------------------------------------------------------------- input checks


def _label(layer_zh: str, layer_en: str, fids) -> tuple[str, str]:
    shown = ", ".join(str(int(f)) for f in list(fids)[:5]) + (" …" if len(fids) > 5 else "")
    return f"{layer_zh}（要素 {shown}）", f"{layer_en} (features {shown})"


def _check_parent(parent, label: str) -> list[DivisionProblem]:
    name = label or "上级网格"
    name_en = label or "the parent grid"
    if parent is None or shapely.is_empty(parent) or not _polygonal(parent):
        return [
            DivisionProblem(
                "parent_empty",
                "parent",
                (),
                f"上级网格 {name} 没有面几何，不能划分",
                f"{name_en} has no polygon geometry: nothing to divide",
            )
        ]
    if not shapely.is_valid(parent):
        reason = shapely.is_valid_reason(parent)
        return [
            DivisionProblem(
                "parent_invalid",
                "parent",
                (),
                f"上级网格 {name} 的几何无效（{reason}），请先修复再划分",
                f"{name_en} has an invalid geometry ({reason}): repair it before dividing",
            )
        ]
    return []


# ---------------------------------------------------------------- main entry


def propose_division(
    parent,
    xy,
    households=None,
    persons=None,
    *,
    fids=None,
    lines: Sequence = (),
    line_fids=None,
    groups: Sequence = (),
    sites: Sequence = (),
    site_households=None,
    locked: Sequence = (),
    area_class: str = "rural",
    rules: Sequence[sizerules.SizeRule] | None = None,
    seed: int = 0,
    parent_label: str = "",
) -> Proposal:
    """Divide ``parent`` (a shapely (Multi)Polygon in a metric CRS) into level 3 grids.

    ``xy``: (n, 2) household point coordinates; ``households`` per point (default 1 each), ``persons`` per
    point (default 0); ``fids`` the points' feature ids for messages. ``lines``: shapely lines the boundaries
    should follow (``line_fids`` their ids); ``groups``: existing villager-group polygons; ``sites``:
    relocation sites (polygons, or points with ``site_households`` giving each point's households, which are
    added to the households); ``locked``: grids kept as they are. Raises :class:`DivisionError`.
    """
    target = size_target(area_class, rules)
    problems = _check_parent(parent, parent_label)
    if problems:
        raise DivisionError(problems)
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    w = np.ones(n, dtype=np.int64) if households is None else np.asarray(households, dtype=np.int64)
    pers = np.zeros(n, dtype=np.int64) if persons is None else np.asarray(persons, dtype=np.int64)
    fids = np.arange(1, n + 1, dtype=np.int64) if fids is None else np.asarray(fids, dtype=np.int64)
    if len(w) != n or len(pers) != n or len(fids) != n:
        raise ValueError("xy, households, persons and fids must have the same length")
    notes: list[DivisionProblem] = []
    name = parent_label or "上级网格"
    name_en = parent_label or "the parent grid"

    # households: inside the parent, positive counts
    inside = shapely.intersects_xy(parent, xy[:, 0], xy[:, 1]) if n else np.zeros(0, bool)
    if n and not inside.all():
        zh, en = _label("住户点", "household points", fids[~inside])
        problems.append(
            DivisionProblem(
                "households_outside",
                "households",
                tuple(int(f) for f in fids[~inside]),
                f"{zh}：{int((~inside).sum())} 个住户点不在上级网格 {name} 内",
                f"{en}: {int((~inside).sum())} household points lie outside {name_en}",
            )
        )
    bad = w < 0
    if bad.any():
        zh, en = _label("住户点", "household points", fids[bad])
        problems.append(
            DivisionProblem(
                "households_negative",
                "households",
                tuple(int(f) for f in fids[bad]),
                f"{zh}：户数为负数",
                f"{en}: negative household count",
            )
        )

    # relocation sites: polygons, or points with their own household counts
    site_geoms: list = []
    site_fids: list[int] = []
    extra_xy, extra_w = [], []
    for s, g in enumerate(sites):
        if g is None or shapely.is_empty(g):
            continue
        tid = shapely.get_type_id(g)
        if tid in (0, 4):
            count = None if site_households is None else site_households[s]
            if count is None or int(count) <= 0:
                problems.append(
                    DivisionProblem(
                        "site_without_households",
                        "relocation_sites",
                        (s + 1,),
                        f"搬迁安置点（要素 {s + 1}）为点位，但没有户数",
                        f"relocation site (feature {s + 1}) is a point without a household count",
                    )
                )
                continue
            pt = shapely.get_parts(g)[0]
            if not shapely.intersects(parent, pt):
                problems.append(
                    DivisionProblem(
                        "site_outside",
                        "relocation_sites",
                        (s + 1,),
                        f"搬迁安置点（要素 {s + 1}）不在上级网格 {name} 内",
                        f"relocation site (feature {s + 1}) lies outside {name_en}",
                    )
                )
                continue
            extra_xy.append((pt.x, pt.y))
            extra_w.append(int(count))
            site_geoms.append(pt)
            site_fids.append(s + 1)
        elif tid in (3, 6):
            site_geoms.append(shapely.intersection(shapely.make_valid(g), parent))
            site_fids.append(s + 1)

    # locked grids: valid polygons inside the parent
    locked_geoms = []
    for q, g in enumerate(locked):
        if not _polygonal(g) or not shapely.is_valid(g):
            problems.append(
                DivisionProblem(
                    "locked_invalid",
                    "locked",
                    (q + 1,),
                    f"锁定网格（要素 {q + 1}）的几何无效或为空",
                    f"locked grid (feature {q + 1}) has an empty or invalid geometry",
                )
            )
            continue
        outside = shapely.area(shapely.difference(g, parent))
        if outside > 1e-6 * max(1.0, shapely.area(g)):
            problems.append(
                DivisionProblem(
                    "locked_outside",
                    "locked",
                    (q + 1,),
                    f"锁定网格（要素 {q + 1}）超出上级网格 {name}（{outside:.1f} 平方米）",
                    f"locked grid (feature {q + 1}) extends {outside:.1f} m² beyond {name_en}",
                )
            )
            continue
        locked_geoms.append(g)
    if problems:
        raise DivisionError(problems)

    if extra_xy:
        xy = np.vstack([xy, np.asarray(extra_xy)])
        w = np.concatenate([w, np.asarray(extra_w, dtype=np.int64)])
        pers = np.concatenate([pers, np.zeros(len(extra_xy), dtype=np.int64)])
    if w.sum() <= 0:
        raise DivisionError(
            [
                DivisionProblem(
                    "no_households",
                    "households",
                    (),
                    f"上级网格 {name} 内没有住户，无法按户数划分网格",
                    f"{name_en} holds no households: there is nothing to divide by",
                )
            ]
        )

    # point sites become small discs clear of other households and of the boundary
    for s, g in enumerate(site_geoms):
        if shapely.get_type_id(g) == 0:
            others = xy[:n]
            d_pts = np.hypot(*(others - [g.x, g.y]).T).min() if len(others) else 60.0
            d_edge = shapely.distance(g, shapely.boundary(parent))
            r = max(min(30.0, 0.45 * d_pts, 0.45 * d_edge), 0.5)
            site_geoms[s] = shapely.intersection(shapely.buffer(g, r, quad_segs=4), parent)

    # lines: clipped to the parent (a note names the ones that cross outside)
    line_parts = []
    crossing = []
    for q, g in enumerate(lines):
        if g is None or shapely.is_empty(g):
            continue
        clipped = shapely.intersection(g, parent)
        if not shapely.covered_by(g, parent):
            crossing.append(int(line_fids[q]) if line_fids is not None else q + 1)
        if not shapely.is_empty(clipped):
            line_parts.extend(p for p in shapely.get_parts(clipped) if shapely.get_type_id(p) in (1, 2))
    if crossing:
        zh, en = _label("线图层", "line layer", crossing)
        notes.append(
            DivisionProblem(
                "line_outside",
                "lines",
                tuple(crossing),
                f"{zh}：{len(crossing)} 条线超出上级网格 {name}，只用其在网格内的部分",
                f"{en}: {len(crossing)} lines run outside {name_en}; only their parts inside are followed",
            )
        )

    # standing-alone sites and small ones
    alone: list[tuple[object, int]] = []
    for g, sf in zip(site_geoms, site_fids):
        if g is None or shapely.is_empty(g) or shapely.area(g) <= 0:
            continue
        inside_site = shapely.intersects_xy(g, xy[:, 0], xy[:, 1])
        count = int(w[inside_site].sum())
        if count >= target.site_alone:
            alone.append((g, sf))
        else:
            notes.append(
                DivisionProblem(
                    "site_small",
                    "relocation_sites",
                    (sf,),
                    f"搬迁安置点（要素 {sf}）{count} 户，不足 {target.site_alone} 户，按所在村民小组划分（7.3.3 f）",
                    f"relocation site (feature {sf}) has {count} households, under {target.site_alone}: it "
                    "belongs with its villager group's grid (7.3.3 f)",
                )
            )

    # atoms: the faces of the parent cut by every line
    fixed = [shapely.boundary(g) for g in locked_geoms] + [shapely.boundary(g) for g, _ in alone]
    linework = [shapely.boundary(parent), *line_parts, *(shapely.boundary(g) for g in groups if _polygonal(g))]
    atoms = _faces(parent, linework + fixed)
    owner = np.full(len(atoms), -1, dtype=np.int64)  # -1 free, else index into special (locked then sites)
    specials = [*locked_geoms, *(g for g, _ in alone)]
    if specials:
        rep = shapely.point_on_surface(atoms)
        si, ai = shapely.STRtree(np.asarray(specials, dtype=object)).query(rep, predicate="within")
        # the first special (locked before sites) wins an overlap
        order = np.lexsort((ai, si))
        si, ai = si[order], ai[order]
        first = np.r_[True, si[1:] != si[:-1]] if len(si) else np.zeros(0, bool)
        owner[si[first]] = ai[first]

    point_atom = _locate(atoms, xy)
    free = owner < 0
    free_idx = np.flatnonzero(free)
    members = [np.flatnonzero(point_atom == a) for a in free_idx]
    h_free = int(sum(w[m].sum() for m in members))
    k, feasible = grid_count(h_free, target)

    b = shapely.bounds(parent)
    reach = 4.0 * float(np.hypot(b[2] - b[0], b[3] - b[1])) + 1.0
    div = _Divider(xy, w, target, reach, seed)
    div.follow(line_parts)
    regions: list[tuple[list, list]] = []
    if len(free_idx):
        div.divide([atoms[a] for a in free_idx], members, k, regions)

    # exact geometry: one noding of everything, faces to regions through the approximate atoms
    # the cuts' overshoot stays inside the parent (a cut grazing the boundary would otherwise enclose a
    # splinter outside it)
    cuts = []
    if div.cuts:
        clipped = shapely.intersection(np.asarray(div.cuts, dtype=object), parent)
        cuts = [_extend(c, OVERSHOOT) for c in shapely.get_parts(clipped) if shapely.get_type_id(c) == 1]
    faces = _faces(parent, linework + fixed + cuts) if cuts else atoms
    n_regions = len(regions)
    region_of_face = np.full(len(faces), -1, dtype=np.int64)
    if n_regions:
        approx = np.asarray([g for geoms, _ in regions for g in geoms], dtype=object)
        approx_region = np.asarray([r for r, (geoms, _) in enumerate(regions) for _ in geoms], dtype=np.int64)
        region_of_face = _assign_faces(faces, approx, approx_region)
    n_special = len(specials)
    if n_special:
        rep = shapely.point_on_surface(faces)
        fi, si = shapely.STRtree(np.asarray(specials, dtype=object)).query(rep, predicate="within")
        order = np.lexsort((si, fi))
        fi, si = fi[order], si[order]
        first = np.r_[True, fi[1:] != fi[:-1]] if len(fi) else np.zeros(0, bool)
        region_of_face[fi[first]] = n_regions + si[first]
    region_of_face = _tidy(faces, region_of_face, xy, w, n_regions)

    total = n_regions + n_special
    geoms = np.empty(total, dtype=object)
    for r in range(total):
        mine = faces[region_of_face == r]
        geoms[r] = capabilities.coverage_union(mine) if len(mine) else shapely.Polygon()
    n_locked = len(locked_geoms)
    # a locked grid is the union of its faces: the same polygon, with a vertex added where a line or a cut meets
    # its boundary (so that the proposal is a valid coverage); accepting writes only the other grids
    present = ~shapely.is_empty(geoms)
    geoms = geoms[present]
    kinds = np.array([KIND_PROPOSED] * n_regions + [KIND_LOCKED] * n_locked + [KIND_SITE] * len(alone), dtype=object)[
        present
    ]
    locked_index = np.r_[np.full(n_regions, -1), np.arange(n_locked), np.full(len(alone), -1)][present]

    # households: containing grid, a boundary point to the grid first in numbering order
    order = numbering_order(geoms, np.arange(len(geoms)))
    rank = np.empty(len(geoms), dtype=np.int64)
    rank[order] = np.arange(len(geoms))
    grid_of = np.full(len(xy), -1, dtype=np.int64)
    if len(xy):
        pi, gi = shapely.STRtree(geoms).query(shapely.points(xy), predicate="intersects")
        o = np.lexsort((rank[gi], pi))
        pi, gi = pi[o], gi[o]
        first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, bool)
        grid_of[pi[first]] = gi[first]
    hh = np.bincount(grid_of[grid_of >= 0], weights=w[grid_of >= 0], minlength=len(geoms)).astype(np.int64)
    pp = np.bincount(grid_of[grid_of >= 0], weights=pers[grid_of >= 0], minlength=len(geoms)).astype(np.int64)
    status, rz, re_ = _explain(hh, pp, kinds, target, feasible, h_free, k)
    # the geometries in numbering order, households re-indexed
    remap = np.empty(len(geoms), dtype=np.int64)
    remap[order] = np.arange(len(geoms))
    grid_of = np.where(grid_of >= 0, remap[np.maximum(grid_of, 0)], -1)[:n]
    return Proposal(
        parent_label=parent_label,
        target=target,
        geometries=geoms[order],
        households=hh[order],
        persons=pp[order],
        kinds=kinds[order],
        status=status[order],
        reason_zh=rz[order],
        reason_en=re_[order],
        compactness=_polsby_popper(geoms[order]),
        household_grid=grid_of,
        locked_index=locked_index[order].astype(np.int64),
        feasible=feasible,
        notes=notes,
        line_cuts=div.line_cuts,
        straight_cuts=div.straight_cuts,
    )


def _faces(parent, linework: list) -> np.ndarray:
    """The faces of ``linework`` noded together that lie inside the parent."""
    edges = shapely.union_all(np.asarray([g for g in linework if g is not None and not shapely.is_empty(g)]))
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(edges))), dtype=object)
    if len(faces) == 0:
        return faces
    rep = shapely.point_on_surface(faces)
    keep = shapely.contains(parent, rep) & (shapely.area(faces) > 0)
    return faces[keep]


def _assign_faces(faces: np.ndarray, approx: np.ndarray, approx_region: np.ndarray) -> np.ndarray:
    """Each final face's region: the approximate atom its representative point lies in, else the atom
    that overlaps it most (a noise face at a cut's end)."""
    out = np.full(len(faces), -1, dtype=np.int64)
    tree = shapely.STRtree(approx)
    rep = shapely.point_on_surface(faces)
    fi, ai = tree.query(rep, predicate="intersects")
    o = np.lexsort((ai, fi))
    fi, ai = fi[o], ai[o]
    first = np.r_[True, fi[1:] != fi[:-1]] if len(fi) else np.zeros(0, bool)
    out[fi[first]] = approx_region[ai[first]]
    left = np.flatnonzero(out < 0)
    if len(left):
        near = tree.nearest(rep[left])
        out[left] = approx_region[near]
    return out


def _tidy(faces, region_of_face, xy, w, n_free: int) -> np.ndarray:
    """Every free region made one edge-connected piece: a detached piece (the parts with fewer households,
    or less area) joins the neighbouring free region sharing the longest boundary with it."""
    if len(faces) < 2 or n_free == 0:
        return region_of_face
    ai, aj, shared = _adjacency(faces)
    loc = _locate(faces, xy)
    face_h = np.bincount(loc[loc >= 0], weights=w[loc >= 0], minlength=len(faces))
    areas = shapely.area(faces)
    for _ in range(4):
        same = region_of_face[ai] == region_of_face[aj]
        comp = _components(len(faces), ai[same], aj[same])
        changed = False
        for r in range(n_free):
            fr = np.flatnonzero(region_of_face == r)
            comps = np.unique(comp[fr])
            if len(comps) <= 1:
                continue
            score = []
            for c in comps:
                f = fr[comp[fr] == c]
                score.append((face_h[f].sum(), areas[f].sum()))
            main = comps[max(range(len(comps)), key=lambda i: score[i])]
            for c in comps:
                if c == main:
                    continue
                f = set(np.flatnonzero(comp == c).tolist())
                best: dict[int, float] = {}
                for a, b2, s in zip(ai.tolist(), aj.tolist(), shared.tolist()):
                    if (a in f) != (b2 in f):
                        other = region_of_face[b2 if a in f else a]
                        if other != r and other < n_free:
                            best[other] = best.get(other, 0.0) + s
                if best:
                    dest = min(best, key=lambda o: (-best[o], o))
                    region_of_face[list(f)] = dest
                    changed = True
        if not changed:
            break
    return region_of_face


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    parent = np.arange(n)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return np.array([find(x) for x in range(n)])


def _explain(hh, pp, kinds, t: SizeTarget, feasible: bool, h_free: int, k: int):
    n = len(hh)
    status = np.empty(n, dtype=object)
    rz = np.empty(n, dtype=object)
    ren = np.empty(n, dtype=object)
    span_zh = f"{t.lo}—{t.hi} 户"
    span_en = f"{t.lo}–{t.hi} households"
    if t.min_persons is not None and t.max_persons is not None:
        span_zh += f"或 {t.min_persons}—{t.max_persons} 人"
        span_en += f" or {t.min_persons}–{t.max_persons} persons"
    for i in range(n):
        h, p = int(hh[i]), int(pp[i])
        if kinds[i] == KIND_LOCKED:
            status[i] = STATUS_LOCKED
            rz[i], ren[i] = "锁定网格，保持原样", "locked grid, kept as it is"
            continue
        if kinds[i] == KIND_SITE:
            status[i] = STATUS_SITE
            rz[i] = f"搬迁安置点 {h} 户，不少于 {t.site_alone} 户，单独划为网格（7.3.3 g）"
            ren[i] = f"relocation site of {h} households ({t.site_alone} or more) stands alone (7.3.3 g)"
            if t.site_max is not None and h > t.site_max:
                rz[i] += f"；超过 {t.site_max} 户，宜按楼栋或单元再分（7.3.3 j）"
                ren[i] += f"; over {t.site_max} households, divide it by building or unit (7.3.3 j)"
            continue
        ok_h = t.lo <= h <= t.hi
        ok_p = t.min_persons is not None and t.max_persons is not None and t.min_persons <= p <= t.max_persons
        if ok_h or ok_p:
            status[i] = STATUS_WITHIN
            rz[i] = f"{h} 户、{p} 人，符合 {t.clause}（{span_zh}）"
            ren[i] = f"{h} households, {p} persons: meets {t.clause} ({span_en})"
            continue
        status[i] = STATUS_UNDER if h < t.lo else STATUS_OVER
        if not feasible and h_free < t.lo:
            rz[i] = (
                f"{h} 户：上级网格可划分的住户仅 {h_free} 户，不足 {t.lo} 户，只能划为一个网格"
                f"（{t.clause}；偏远或分散时按 7.3.3 d 便于管理划分）"
            )
            ren[i] = (
                f"{h} households: the parent holds only {h_free} households to divide, under {t.lo}, so one grid "
                f"({t.clause}; remote groups are drawn for ease of management, 7.3.3 d)"
            )
        elif not feasible:
            rz[i] = f"{h} 户：{h_free} 户无法分成每格 {span_zh} 的网格，取最接近的 {k} 个网格"
            ren[i] = f"{h} households: {h_free} households cannot make grids of {span_en}; the nearest is {k} grids"
        else:
            rz[i] = f"{h} 户：受道路、地块或住户分布所限，未能达到 {span_zh}"
            ren[i] = f"{h} households: the lines, parcels or household clusters left it outside {span_en}"
    return status, rz, ren


# ---------------------------------------------------------------- many parents, measures


@dataclass
class ParentJob:
    """One parent to divide (for :func:`propose_many`)."""

    label: str
    geometry: object
    area_class: str
    locked: list = field(default_factory=list)


def propose_many(
    jobs: Sequence[ParentJob],
    xy,
    households=None,
    persons=None,
    *,
    lines: Sequence = (),
    sites: Sequence = (),
    site_households=None,
    rules=None,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> tuple[list[Proposal | None], list[DivisionError | None]]:
    """Divide many parents: each household point, line and site goes to the parents it meets (STRtree, one
    query each), then :func:`propose_division` per parent. A parent that cannot be divided gets its
    :class:`DivisionError` (the others go on). ``is_cancelled()`` stops between parents (raises
    :class:`DivisionCancelled`)."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    w = np.ones(len(xy), dtype=np.int64) if households is None else np.asarray(households, dtype=np.int64)
    pers = np.zeros(len(xy), dtype=np.int64) if persons is None else np.asarray(persons, dtype=np.int64)
    parents = np.asarray([j.geometry for j in jobs], dtype=object)
    ok = np.array([_polygonal(g) for g in parents], dtype=bool)
    safe = np.where(ok, parents, shapely.Polygon())
    tree = shapely.STRtree(safe)
    pi, gi = tree.query(shapely.points(xy), predicate="intersects") if len(xy) else (np.zeros(0, int),) * 2
    # a point on a boundary between parents goes to the first of them
    o = np.lexsort((gi, pi))
    pi, gi = pi[o], gi[o]
    first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, bool)
    pi, gi = pi[first], gi[first]
    by_parent = np.argsort(gi, kind="stable")
    pi, gi = pi[by_parent], gi[by_parent]
    starts = np.searchsorted(gi, np.arange(len(jobs) + 1))
    line_arr = np.asarray(list(lines), dtype=object)
    li, lg = tree.query(line_arr, predicate="intersects") if len(line_arr) else (np.zeros(0, int),) * 2
    site_arr = np.asarray(list(sites), dtype=object)
    si, sg = tree.query(site_arr, predicate="intersects") if len(site_arr) else (np.zeros(0, int),) * 2
    results: list[Proposal | None] = []
    errors: list[DivisionError | None] = []
    for j, job in enumerate(jobs):
        if is_cancelled is not None and is_cancelled():
            raise DivisionCancelled(f"cancelled after {j} of {len(jobs)} parents")
        pts = pi[starts[j] : starts[j + 1]]
        my_lines = li[lg == j]
        my_sites = si[sg == j]
        try:
            results.append(
                propose_division(
                    job.geometry,
                    xy[pts],
                    w[pts],
                    pers[pts],
                    fids=pts + 1,
                    lines=line_arr[my_lines],
                    line_fids=my_lines + 1,
                    sites=site_arr[my_sites],
                    site_households=None if site_households is None else np.asarray(site_households)[my_sites],
                    locked=job.locked,
                    area_class=job.area_class,
                    rules=rules,
                    seed=seed,
                    parent_label=job.label,
                )
            )
            errors.append(None)
        except DivisionError as e:
            results.append(None)
            errors.append(e)
        if progress is not None:
            progress((j + 1) / max(1, len(jobs)), job.label)
    return results, errors


class DivisionCancelled(RuntimeError):
    pass


@dataclass
class Quality:
    grids: int
    in_range: int  # proposed grids within range, in parents where that is feasible
    feasible_grids: int  # proposed grids in such parents
    line_length: float  # inner boundary length within LINE_NEAR of a line
    inner_length: float  # inner boundary length (not on the parent boundary)
    median_pp: float
    defects: int  # parents whose proposal is not an exact partition
    thin: int  # grids thinner than the thin-grid tolerance

    @property
    def in_range_share(self) -> float:
        return self.in_range / self.feasible_grids if self.feasible_grids else float("nan")

    @property
    def line_share(self) -> float:
        return self.line_length / self.inner_length if self.inner_length else float("nan")


def partition_defect(parent, geoms: np.ndarray, tolerances=None) -> bool:
    """True when ``geoms`` is not an exact partition of ``parent`` at the audit's noise tolerance: a geometry
    invalid or not a polygon, not a valid coverage, or a piece of their union's difference with the parent
    (either way) larger than noise (area above ``noise_area`` and wider than ``noise_width``)."""
    from .audit.tolerances import Tolerances

    tol = tolerances or Tolerances()
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0 or not shapely.is_valid(geoms).all() or (shapely.get_type_id(geoms) != 3).any():
        return True
    if not capabilities.coverage_is_valid(geoms):
        return True
    union = capabilities.coverage_union(geoms)
    pieces = np.asarray(shapely.get_parts(shapely.symmetric_difference(union, parent)), dtype=object)
    pieces = pieces[shapely.area(pieces) > tol.noise_area] if len(pieces) else pieces
    if len(pieces) == 0:
        return False
    return bool((~shapely.is_empty(shapely.buffer(pieces, -tol.noise_width / 2.0, quad_segs=2))).any())


def measure(
    parents: Sequence, proposals: Sequence[Proposal | None], lines: Sequence = (), thin_width: float = 1.0
) -> Quality:
    """The quality figures of a set of proposals (see :class:`Quality`)."""
    in_range = feasible_grids = grids = defects = thin = 0
    pps: list[float] = []
    inner_total = on_line = 0.0
    line_arr = np.asarray(list(lines), dtype=object)
    line_tree = shapely.STRtree(line_arr) if len(line_arr) else None
    for parent, prop in zip(parents, proposals):
        if prop is None:
            continue
        grids += len(prop)
        proposed = prop.kinds == KIND_PROPOSED
        if prop.feasible:
            feasible_grids += int(proposed.sum())
            in_range += int((proposed & (prop.status == STATUS_WITHIN)).sum())
        pps.extend(prop.compactness[proposed].tolist())
        if partition_defect(parent, prop.geometries):
            defects += 1
        thin += int(shapely.is_empty(shapely.buffer(prop.geometries, -thin_width / 2.0, quad_segs=2)).sum())
        inner = shapely.difference(
            shapely.union_all(shapely.boundary(prop.geometries)), shapely.buffer(shapely.boundary(parent), 1e-3)
        )
        inner_total += shapely.length(inner)
        if line_tree is not None and not shapely.is_empty(inner):
            near = line_tree.query(inner, predicate="dwithin", distance=LINE_NEAR)
            if len(near):
                zone = shapely.buffer(shapely.union_all(line_arr[near]), LINE_NEAR, quad_segs=2)
                on_line += shapely.length(shapely.intersection(inner, zone))
    return Quality(
        grids=grids,
        in_range=in_range,
        feasible_grids=feasible_grids,
        line_length=on_line,
        inner_length=inner_total,
        median_pp=float(np.median(pps)) if pps else float("nan"),
        defects=defects,
        thin=thin,
    )


# ---------------------------------------------------------------- the audit before the proposal is offered

# rules about codes, the registry and the missing level 1 layer concern the provisional context built here,
# not the proposal's geometry
_CONTEXT_RULES = ("code", "registry", "layer.empty", "county")


def proposal_grids(proposal: Proposal, parent_code: str, layer: str = schema.GRID_LEVEL3.name):
    """The proposal as a level 3 :class:`~plugin.core.model.GridArray` under ``parent_code``, with provisional
    codes (parent code + 3-digit sequence, in numbering order) and its households, persons and area class."""
    from .model import GridArray

    n = len(proposal)
    codes = [f"{parent_code}{i + 1:03d}" for i in range(n)]
    settlement = np.where(proposal.kinds == KIND_SITE, "relocation_site", "villager_group")
    return GridArray.from_records(
        layer,
        3,
        proposal.geometries,
        codes,
        [parent_code] * n,
        attributes={
            "kind": np.full(n, "comprehensive", dtype=object),
            "area_class": np.full(n, proposal.target.area_class, dtype=object),
            "settlement_type": settlement.astype(object),
            "households": proposal.households,
            "population": proposal.persons,
            "relocated_households": np.zeros(n, dtype=np.int64),
            "status": np.full(n, "active", dtype=object),
        },
    )


def audit_proposal(
    parent,
    proposal: Proposal,
    *,
    parent_code: str = "610000000000" + "01",
    drawing=None,
    rules: Sequence[sizerules.SizeRule] | None = None,
    tolerances=None,
) -> tuple[list, list]:
    """The core audit (topology, nesting in the parent, shapes, size rules) of the proposal placed as level 3
    under ``parent``. Returns (findings, new): ``new`` are the findings the planner's drawing would not carry —
    with ``drawing`` (the parent's present level 3 grids, a GridArray) a finding whose rule the drawing's own
    audit does not raise; without it, any topology or shape finding (its size findings are explained by each
    grid's reason). Size findings of a parent whose households cannot meet the range (``proposal.feasible``
    False) are explained, never new. A proposal is
    offered only when ``new`` is empty."""
    from .audit.engine import run_audit
    from .model import GridArray, WorkspaceData

    def audit(level3):
        info = schema.WorkspaceInfo(parent_code[:6], "", "")
        level2 = GridArray.from_records(schema.GRID_LEVEL2.name, 2, [parent], [parent_code], [parent_code[:12]])
        data = WorkspaceData(info, {schema.GRID_LEVEL2.name: level2, schema.GRID_LEVEL3.name: level3})
        found = [
            f
            for f in run_audit(data, tolerances, workers=1).findings
            if not f.rule_id.startswith(_CONTEXT_RULES) and f.layer == level3.layer
        ]
        found.extend(sizerules.evaluate_size_rules(level3, list(rules) if rules is not None else None))
        return found

    findings = audit(proposal_grids(proposal, parent_code))
    if drawing is not None and len(drawing):
        drawn = drawing.subset(np.arange(len(drawing)))
        drawn.parent_codes = np.full(len(drawn), parent_code, dtype=object)
        baseline = {f.rule_id for f in audit(drawn)}
    else:
        baseline = set()
    new = []
    for f in findings:
        if f.rule_id.startswith("size.") and not proposal.feasible:
            continue
        if drawing is None and f.rule_id.startswith("size."):
            continue  # no drawing to compare with: each grid's reason explains its size
        if f.rule_id not in baseline:
            new.append(f)
    return findings, new
