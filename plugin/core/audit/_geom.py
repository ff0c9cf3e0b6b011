"""Vectorised geometry helpers of the audit: piece classification, polygon parts, parallel chunks."""

from __future__ import annotations

import ctypes
import re
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

from .. import capabilities
from .tolerances import Tolerances

NOISE, SLIVER, REAL = 0, 1, 2
POLYGON, MULTIPOLYGON = 3, 6

_LOCATION_RE = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)")


class Pool:
    """A small thread pool: shapely releases the GIL, so chunks of one vectorised call run in parallel."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = max(1, int(workers))
        self._executor = ThreadPoolExecutor(self.workers) if self.workers > 1 else None

    def chunked(self, func, *arrays, min_size: int = 4000) -> np.ndarray:
        """``func(*arrays)`` computed on consecutive chunks in parallel and concatenated."""
        n = len(arrays[0])
        if self._executor is None or n < min_size:
            return func(*arrays)
        edges = np.linspace(0, n, self.workers + 1).astype(int)
        futures = [self._executor.submit(func, *(a[lo:hi] for a in arrays)) for lo, hi in zip(edges[:-1], edges[1:])]
        return np.concatenate([f.result() for f in futures])

    def submit(self, func, *args):
        if self._executor is None:
            return _Done(func(*args))
        return self._executor.submit(func, *args)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


class _Done:
    def __init__(self, value) -> None:
        self.value = value

    def result(self):
        return self.value


def thinner_than(geoms: np.ndarray, width: float) -> np.ndarray:
    """True where no disc of diameter ``width`` fits inside (a negative buffer leaves nothing)."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0 or width <= 0:
        return np.zeros(len(geoms), dtype=bool)
    return shapely.is_empty(shapely.buffer(geoms, -width / 2.0, quad_segs=2))


def classify(geoms: np.ndarray, tol: Tolerances, areas: np.ndarray | None = None) -> np.ndarray:
    """NOISE, SLIVER (below the sliver area) or REAL for each (multi)polygon piece (see :mod:`tolerances`)."""
    geoms = np.asarray(geoms, dtype=object)
    area = shapely.area(geoms) if areas is None else areas
    out = np.full(len(geoms), REAL, dtype=np.int8)
    out[area <= tol.noise_area] = NOISE
    rest = np.flatnonzero(out == REAL)
    if len(rest):
        out[rest[thinner_than(geoms[rest], tol.noise_width)]] = NOISE
    # severity by size: a piece below the sliver area is a sliver, anything larger is real whatever its shape
    # (a long strip of 60 m² between two groups is a gap to fix; strip_shaped() labels it)
    out[(out == REAL) & (area < tol.sliver_area)] = SLIVER
    return out


def strip_shaped(geoms: np.ndarray, tol: Tolerances) -> np.ndarray:
    """True for pieces thinner than the sliver width (a strip along a boundary), whatever their area."""
    return thinner_than(geoms, tol.sliver_width)


def polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty polygons inside each geometry (collections and multi-geometries exploded) and the
    index of the geometry each came from."""
    geoms = np.asarray(geoms, dtype=object)
    parts, index = shapely.get_parts(geoms, return_index=True)
    for _ in range(3):  # nested collections (rare): explode again
        nested = shapely.get_type_id(parts) >= 4
        if not nested.any():
            break
        sub, sub_index = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        index = np.concatenate([index[~nested], index[nested][sub_index]])
    keep = (shapely.get_type_id(parts) == POLYGON) & ~shapely.is_empty(parts)
    return parts[keep], index[keep]


def split_pieces(geoms: np.ndarray, tol: Tolerances):
    """Explode each geometry into polygon parts and classify them.

    Returns (parts, index, cls, areas) with noise parts removed.
    """
    parts, index = polygon_parts(geoms)
    if len(parts) == 0:
        return parts, index, np.zeros(0, dtype=np.int8), np.zeros(0)
    areas = shapely.area(parts)
    cls = classify(parts, tol, areas)
    keep = cls != NOISE
    return parts[keep], index[keep], cls[keep], areas[keep]


def merge_by(parts: np.ndarray, index: np.ndarray, n: int) -> np.ndarray:
    """One (multi)polygon per group 0..n-1 from parts tagged with their group (None for an empty group)."""
    out = np.full(n, None, dtype=object)
    if len(parts) == 0:
        return out
    order = np.argsort(index, kind="stable")
    parts, index = parts[order], index[order]
    groups, dense = np.unique(index, return_inverse=True)
    counts = np.bincount(dense)
    merged = shapely.multipolygons(parts, indices=dense)
    single = counts == 1
    if single.any():
        first = np.r_[0, np.cumsum(counts)[:-1]]
        merged[single] = parts[first[single]]
    out[groups] = merged
    return out


def coverage_flags(geoms: np.ndarray, pool: Pool) -> np.ndarray:
    """True for each polygon with an edge that breaks a valid coverage (overlap, non-matching edge …).

    Polygons of a valid coverage overlap nothing; only flagged ones need an exact pairwise test (GEOS's coverage
    validator, or its fallback: :func:`capabilities.coverage_invalid`). Large arrays
    are split into vertical bands, each validated with a halo of the neighbours whose x-range meets it (the
    validator looks only at polygons whose envelopes intersect), and the bands run in parallel.
    """
    n = len(geoms)
    if n < 2:
        return np.zeros(n, dtype=bool)
    workers = pool.workers
    if workers < 2 or n < 20000:
        return capabilities.coverage_invalid(geoms)
    bounds = shapely.bounds(geoms)
    centre = (bounds[:, 0] + bounds[:, 2]) / 2.0
    cuts = np.quantile(centre, np.linspace(0, 1, workers + 1)[1:-1])
    band = np.searchsorted(cuts, centre)
    jobs = []
    for b in range(workers):
        members = band == b
        if not members.any():
            continue
        lo, hi = bounds[members, 0].min(), bounds[members, 2].max()
        run = members | ((bounds[:, 2] >= lo) & (bounds[:, 0] <= hi))
        idx = np.flatnonzero(run)
        jobs.append((members[idx], idx, pool.submit(capabilities.coverage_invalid, geoms[idx])))
    flags = np.zeros(n, dtype=bool)
    for own, idx, future in jobs:
        flags[idx[own]] = future.result()[own]
    return flags


def parse_location(reason: str) -> tuple[float, float] | None:
    """The point in a GEOS validity reason such as ``Self-intersection[36500010.5 3600020.25]``."""
    match = _LOCATION_RE.search(reason or "")
    if not match:
        return None
    try:
        return float(match.group(1)), float(match.group(2))
    except ValueError:
        return None


def group_starts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted ``keys``: the start of each run and the run lengths."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    return starts, np.diff(np.r_[starts, len(keys)])


# ---------------------------------------------------------------- robust overlay

GRID_SIZE = 1e-6  # m: the snap-rounding grid of every overlay the audit computes

# GEOS's floating-point overlay can silently return a wrong result when edges nearly coincide, which is just
# what noisy shared boundaries give: e.g. parent − union(children) returning the whole parent because the
# union carries a 1e-6 m² sliver hole along the parent's edge. Snap-rounding on a 1 µm grid is robust (and
# moves vertices by at most 0.7 µm, far below every tolerance), so every overlay of the audit uses it.


def intersection(a, b):
    return shapely.intersection(a, b, grid_size=GRID_SIZE)


def difference(a, b):
    return shapely.difference(a, b, grid_size=GRID_SIZE)


def union_all(geoms):
    return shapely.union_all(geoms, grid_size=GRID_SIZE)


def union_rows(rows: np.ndarray) -> np.ndarray:
    """The union of each row of a 2-D object array (None cells ignored), snap-rounded like every overlay."""
    if len(rows) == 0:
        return np.zeros(0, dtype=object)
    return shapely.union_all(rows, grid_size=GRID_SIZE, axis=1)


def _trimmer():
    """glibc's ``malloc_trim`` where the C library has it (Linux), else None (looked up in the symbols the
    process already has: no ``find_library``, which would start ``ldconfig``)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_TRIM = _trimmer()


def release_memory() -> None:
    """Hand the memory freed by a stage back to the system (glibc keeps what threads free in their own arenas:
    without this, each stage's temporaries stay resident and add up). Nothing where there is no such call."""
    if _TRIM is not None:
        _TRIM(0)
