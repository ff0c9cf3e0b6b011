"""What the installed shapely/GEOS can do, decided once, and each geometry operation with its fallback.

The core runs on any shapely ≥ 2.0 whatever GEOS it carries (stock QGIS installers bundle shapely 2.0 or 2.1
on GEOS 3.11). The few operations that need a newer shapely or GEOS are offered here, each with a fallback
made of shapely 2.0 calls that gives the same findings; nothing else in the core checks versions.

============================  =========================================  ==========================================
operation                     native (detected by)                       fallback
============================  =========================================  ==========================================
:func:`coverage_invalid`      ``coverage_invalid_edges`` (shapely 2.1,   boundary segments matched by sorting (a
                              GEOS ≥ 3.12)                               shared edge: once each way, interiors on
                                                                         opposite sides); an unmatched segment
                                                                         whose interior meets another polygon
                                                                         (STRtree ``intersects`` + ``relate``)
:func:`coverage_is_valid`     ``coverage_is_valid`` (the same)           no polygon flagged by the above
:func:`coverage_union`        ``coverage_union_all`` (any shapely 2)     ``union_all`` when GEOS refuses the input
:func:`coverage_clean`        ``coverage_clean`` (shapely 2.2,           the faces of the noded boundaries; an
                              GEOS ≥ 3.14)                               overlap face to the polygon with the
                                                                         longest border, gaps thinner than the
                                                                         snapping distance closed the same way
:func:`voronoi_polygons`      ``ordered=True`` (shapely 2.1,             the cells put in input order with an
                              GEOS ≥ 3.12; probed once)                  STRtree ``within`` query
:func:`maximum_inscribed_     ``maximum_inscribed_circle`` (shapely 2.1) ``shapely.ops.polylabel`` at the same
circle`                                                                  tolerance, radius to the boundary
:func:`parallel_workers`      threads share geometries and arrays        one thread: GEOS ≤ 3.11 caches a
                              (GEOS ≥ 3.12: envelopes computed eagerly,  geometry's envelope on its first read,
                              libgeos #824; shapely ≥ 2.2: no longer     so two threads reading one geometry
                              flips the WRITEABLE flag of the arrays it  race (a crash, seen with shapely 2.0.7);
                              is given)                                  shapely 2.0/2.1 make arrays read-only
                                                                         during a call, so two threads handed
                                                                         one array (or views of it) fail
============================  =========================================  ==========================================

``COMMUNITY_GRIDS_GEOMETRY=fallback`` in the environment (read once, at import) forces every fallback, for the
tests and the benchmark; :func:`use_fallback` switches in-process and :func:`describe` says which path runs.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, fields

import numpy as np
import shapely
from shapely.errors import GEOSException

ENV = "COMMUNITY_GRIDS_GEOMETRY"


@dataclass(frozen=True)
class Capabilities:
    """Which native operations are used (False: the fallback)."""

    coverage_validation: bool
    coverage_clean: bool
    voronoi_ordered: bool
    inscribed_circle: bool
    parallel_reads: bool


def _geos_at_least(*version: int) -> bool:
    return tuple(shapely.geos_version[: len(version)]) >= version


def _shapely_at_least(major: int, minor: int) -> bool:
    match = re.match(r"(\d+)\.(\d+)", shapely.__version__)
    return bool(match) and (int(match.group(1)), int(match.group(2))) >= (major, minor)


def _probe_voronoi_ordered() -> bool:
    try:
        shapely.voronoi_polygons(shapely.multipoints([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), ordered=True)
    except (TypeError, shapely.errors.UnsupportedGEOSVersionError, GEOSException):
        return False
    return True


def _detect() -> Capabilities:
    return Capabilities(
        coverage_validation=hasattr(shapely, "coverage_invalid_edges") and _geos_at_least(3, 12),
        coverage_clean=hasattr(shapely, "coverage_clean") and _geos_at_least(3, 14),
        voronoi_ordered=_probe_voronoi_ordered(),
        inscribed_circle=hasattr(shapely, "maximum_inscribed_circle"),
        parallel_reads=_geos_at_least(3, 12) and _shapely_at_least(2, 2),
    )


NATIVE = _detect()
FALLBACK = Capabilities(*(False for _ in fields(Capabilities)))
_active = FALLBACK if os.environ.get(ENV, "").strip().lower() == "fallback" else NATIVE
# the paths a test can run here: both where some native operation exists, else the fallback only
PATHS = ("native", "fallback") if NATIVE != FALLBACK else ("fallback",)


def active() -> Capabilities:
    return _active


def use_fallback(flag: bool = True) -> None:
    """Force every fallback (True) or go back to what the installed shapely/GEOS offers (False)."""
    global _active
    _active = FALLBACK if flag else NATIVE


@contextmanager
def fallback(flag: bool = True):
    """``with fallback():`` runs its block on the fallback path (``fallback(False)``: the native one)."""
    global _active
    before = _active
    use_fallback(flag)
    try:
        yield
    finally:
        _active = before


def path() -> str:
    """``"native"`` when every native operation available is in use, ``"fallback"`` when all are forced off,
    ``"mixed"`` when the installed shapely/GEOS offers only some."""
    if _active == FALLBACK:
        return "fallback"
    return "native" if all(getattr(_active, f.name) for f in fields(Capabilities)) else "mixed"


def describe() -> str:
    """One line: versions and the path of each capability, e.g. for logs and the benchmark."""
    forced = " (fallback forced)" if _active == FALLBACK and NATIVE != FALLBACK else ""
    word = {True: "native", False: "fallback"}
    return (
        f"shapely {shapely.__version__} / GEOS {shapely.geos_version_string}{forced}: "
        f"coverage validation {word[_active.coverage_validation]}, "
        f"coverage clean {word[_active.coverage_clean]}, "
        f"ordered voronoi {word[_active.voronoi_ordered]}, "
        f"inscribed circle {word[_active.inscribed_circle]}, "
        f"threads {'shared' if _active.parallel_reads else 'one (GEOS before 3.12 or shapely before 2.2)'}"
    )


def parallel_workers(wanted: int) -> int:
    """How many threads may run shapely calls on the same geometries at once: ``wanted`` where GEOS computes
    envelopes eagerly (3.12 on) and shapely leaves the arrays' flags alone (2.2 on), else 1 — GEOS 3.11 and
    older fill a geometry's envelope cache on its first read, and two threads doing so for one geometry free
    each other's envelope; shapely 2.0/2.1 set the arrays they are given read-only for the call."""
    return max(1, int(wanted)) if _active.parallel_reads else 1


# ---------------------------------------------------------------- coverage validation


def coverage_invalid(geoms) -> np.ndarray:
    """True for each polygon with an edge that breaks a valid coverage: it overlaps another polygon's interior,
    is shared with a polygon lying on the same side (duplicates), or meets another polygon other than along
    whole matching edges (not noded alike). ``~shapely.is_empty(shapely.coverage_invalid_edges(geoms))``."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) < 2:
        return np.zeros(len(geoms), dtype=bool)
    if _active.coverage_validation:
        return ~shapely.is_empty(shapely.coverage_invalid_edges(geoms))
    return _coverage_invalid_fallback(geoms)


def coverage_is_valid(geoms) -> bool:
    """The polygons form a valid coverage (no overlaps, shared edges noded alike)."""
    geoms = np.asarray(geoms, dtype=object)
    if _active.coverage_validation:
        return bool(shapely.coverage_is_valid(geoms))
    return not coverage_invalid(geoms).any()


def _segments(geoms: np.ndarray):
    """Every boundary segment of the (multi)polygons with its owner, rings oriented with the interior on the
    right (``normalize``: shells clockwise, holes counter-clockwise); zero-length segments dropped."""
    parts, part_owner = shapely.get_parts(shapely.normalize(geoms), return_index=True)
    poly = shapely.get_type_id(parts) == 3
    parts, part_owner = parts[poly], part_owner[poly]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    owner = part_owner[ring_part[ring[:-1][same]]]
    real = (a != b).any(axis=1)
    return a[real], b[real], owner[real]


def _coverage_invalid_fallback(geoms: np.ndarray) -> np.ndarray:
    n = len(geoms)
    flags = np.zeros(n, dtype=bool)
    a, b, owner = _segments(geoms)
    if len(a) == 0:
        return flags
    # undirected key (lower endpoint first) and the direction each polygon runs it in
    flip = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo, hi = np.where(flip[:, None], b, a), np.where(flip[:, None], a, b)
    order = np.lexsort((hi[:, 1], hi[:, 0], lo[:, 1], lo[:, 0]))
    key = np.column_stack([lo, hi])[order]
    flip, owner_s = flip[order], owner[order]
    new = np.r_[True, (key[1:] != key[:-1]).any(axis=1)]
    run = np.cumsum(new) - 1
    count = np.bincount(run)
    forward = np.bincount(run, weights=flip.astype(float)).astype(np.int64)
    # a shared edge is run once each way: polygons running it the same way lie on the same side (overlap)
    same_way = np.where(flip, forward[run], count[run] - forward[run]) > 1
    flags[owner_s[same_way]] = True
    # an edge of one polygon only must meet the others nowhere but at its end points
    single = np.flatnonzero(count[run] == 1)
    if len(single) == 0:
        return flags
    lines = shapely.linestrings(key[single].reshape(-1, 2, 2))
    seg_owner = owner_s[single]
    si, gj = shapely.STRtree(geoms).query(lines, predicate="intersects")
    other = gj != seg_owner[si]
    si, gj = si[other], gj[other]
    if len(si):
        matrix = shapely.relate(lines[si], geoms[gj]).astype("U2")
        meets = np.char.count(matrix, "F") < 2  # segment interior ∩ (polygon interior, polygon boundary)
        flags[seg_owner[si[meets]]] = True
    return flags


# ---------------------------------------------------------------- union and cleaning


def coverage_union(geoms, grid_size: float | None = None):
    """The union of polygons meant to form a coverage: ``coverage_union_all``, or ``union_all`` (at
    ``grid_size``) when GEOS refuses the input (older GEOS checks the noding and overlaps)."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return shapely.GeometryCollection()  # as GEOS ≥ 3.12 gives (older GEOS: a warning and None)
    try:
        return shapely.coverage_union_all(geoms)
    except GEOSException:
        return shapely.union_all(geoms, grid_size=grid_size)


def coverage_clean(geoms) -> np.ndarray:
    """GEOS's coverage cleaning with its defaults (automatic snapping distance, overlaps merged into the
    polygon with the longest shared border, gaps left): one cleaned polygon per input, a valid coverage.
    Raises GEOSException when the input cannot be cleaned."""
    geoms = np.asarray(geoms, dtype=object)
    if _active.coverage_clean:
        return shapely.coverage_clean(geoms)
    return _coverage_clean_fallback(geoms)


def _coverage_clean_fallback(geoms: np.ndarray) -> np.ndarray:
    """The input's boundaries noded together and polygonized into faces; a face inside one polygon stays with
    it; a face inside several (an overlap) goes to the one whose own faces share the longest border with it
    (GEOS's default merge strategy); a face inside none is a gap and stays out, unless it is thinner than
    GEOS's snapping distance (the extent's diameter / 1e8), which GEOS would have snapped shut: that one goes
    to the neighbour with the longest shared border. Vertices away from intersections stay as they were."""
    n = len(geoms)
    out = np.array([shapely.Polygon() for _ in range(n)], dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return out
    src = np.flatnonzero(present)
    polys = shapely.make_valid(geoms[src])
    xmin, ymin, xmax, ymax = shapely.total_bounds(polys)
    snap = float(np.hypot(xmax - xmin, ymax - ymin)) / 1e8
    lines = shapely.union_all(shapely.boundary(polys))
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))), dtype=object)
    if len(faces) == 0:
        return out
    fi, pj = shapely.STRtree(polys).query(shapely.point_on_surface(faces), predicate="within")
    count = np.bincount(fi, minlength=len(faces))
    owner = np.full(len(faces), -1)
    single = count[fi] == 1
    owner[fi[single]] = pj[single]
    thin_gap = (count == 0) & shapely.is_empty(shapely.buffer(faces, -snap / 2.0, quad_segs=2))
    todo = np.flatnonzero((count > 1) | thin_gap)
    if len(todo):
        # the border each undecided face shares with each neighbouring face already owned
        ti, gj = shapely.STRtree(faces).query(faces[todo], predicate="intersects")
        ti = todo[ti]
        keep = owner[gj] >= 0
        ti, gj = ti[keep], gj[keep]
        shared = shapely.length(shapely.intersection(shapely.boundary(faces[ti]), shapely.boundary(faces[gj])))
        cand = owner[gj]
        # an overlap goes only to a polygon it lies in
        parents = set(zip(fi[~single].tolist(), pj[~single].tolist()))
        allowed = np.array([count[t] == 0 or (t, c) in parents for t, c in zip(ti.tolist(), cand.tolist())], bool)
        ti, cand, shared = ti[allowed], cand[allowed], shared[allowed]
        # total border per (face, candidate), then the longest (ties: the lowest index)
        key, inverse = np.unique(np.column_stack([ti, cand]), axis=0, return_inverse=True)
        total = np.bincount(inverse.ravel(), weights=shared)
        order = np.lexsort((key[:, 1], -total, key[:, 0]))
        key, total = key[order], total[order]
        first = np.r_[True, key[1:, 0] != key[:-1, 0]] & (total > 0)
        owner[key[first, 0]] = key[first, 1]
        # an overlap with no owned neighbour (inside overlaps only) goes to the lowest polygon it lies in
        left = np.flatnonzero((count > 1) & (owner < 0))
        if len(left):
            multi = ~single & np.isin(fi, left)
            lowest = np.full(len(faces), np.iinfo(np.int64).max)
            np.minimum.at(lowest, fi[multi], pj[multi])
            owner[left] = lowest[left]
    taken = np.flatnonzero(owner >= 0)
    order = taken[np.argsort(owner[taken], kind="stable")]
    groups, starts = np.unique(owner[order], return_index=True)
    bounds = np.r_[starts, len(order)]
    for g, lo, hi in zip(groups, bounds[:-1], bounds[1:]):
        out[src[g]] = coverage_union(faces[order[lo:hi]])
    return out


# ---------------------------------------------------------------- constructions


def voronoi_polygons(points, extend_to=None) -> np.ndarray:
    """The Voronoi cells of a multipoint's (distinct) points, in the points' order."""
    if _active.voronoi_ordered:
        return np.asarray(shapely.get_parts(shapely.voronoi_polygons(points, extend_to=extend_to, ordered=True)))
    cells = np.asarray(shapely.get_parts(shapely.voronoi_polygons(points, extend_to=extend_to)))
    generators = np.asarray(shapely.get_parts(points))
    gi, ci = shapely.STRtree(cells).query(generators, predicate="within")
    out = np.empty(len(generators), dtype=object)
    out[gi] = cells[ci]
    return out


def maximum_inscribed_circle(geom, tolerance: float | None = None):
    """A two-point line from (about) the centre of the largest circle inside ``geom`` to the nearest boundary
    point; its length is the radius. Tolerance as shapely's: max(width, height) / 1000 by default."""
    if _active.inscribed_circle:
        return shapely.maximum_inscribed_circle(geom, tolerance)
    from shapely.ops import nearest_points, polylabel

    if tolerance is None:
        xmin, ymin, xmax, ymax = shapely.bounds(geom)
        tolerance = max(xmax - xmin, ymax - ymin) / 1000.0
    centre = polylabel(geom, tolerance=max(float(tolerance), 1e-12))
    edge = nearest_points(centre, shapely.boundary(geom))[1]
    return shapely.LineString([centre, edge])
