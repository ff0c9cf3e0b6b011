"""Coverage checks on shared edges, without polygon overlays: does a set of children tile its parent exactly?

A valid (multi)polygon oriented the standard way (exterior rings counter-clockwise, holes clockwise) has a
winding number of 1 inside it and 0 outside. Adding the directed boundary segments of several polygons as an
integer chain (a→b counts +1, b→a counts −1) adds their winding numbers. So for a parent grid P and the
children naming it: if Σ ∂child − ∂P cancels to zero, segment by segment, then Σ 1[x ∈ child] = 1[x ∈ P]
everywhere: the children lie inside P, overlap nothing among themselves and leave no gap in it. Segments
cancel only when their end points are the same numbers bit for bit (shared edges of a coverage); anything
else (a moved vertex, an edge split differently, an overlap, a gap, an invalid or missing child) leaves
the parent uncertified, and the audit's geometric checks look at it.

The chain is summed without sorting: every directed segment a→b maps to F(a, b) − F(b, a) (mod 2⁶⁴, F a
64-bit hash of both end points), which is antisymmetric, so a shared edge cancels exactly; a geometry's
sketch is the sum over its rings, and a parent is certified when the sketches of its children add up to
its own. A chain that does not cancel still sums to zero only if 64 hashed bits cancel by chance (odds
about 1 in 10¹⁹ per parent). The cost is a few numpy passes over the vertices, whatever the grids' detail.

Plain numpy and shapely 2.0 calls (get_parts, get_rings, get_coordinates, is_ccw): the same on every geometry
path.
"""

from __future__ import annotations

import numpy as np
import shapely

_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xBF58476D1CE4E5B9)
_K3 = np.uint64(0x94D049BB133111EB)
_K4 = np.uint64(0xD6E8FEB86659FD93)
_CHUNK_VERTICES = 1 << 18  # vertices hashed per step (bounds the temporaries: about 15 MB a thread)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (in place on a fresh uint64 array)."""
    h ^= h >> np.uint64(30)
    h *= _K2
    h ^= h >> np.uint64(27)
    h *= _K3
    h ^= h >> np.uint64(31)
    return h


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _mix(a * _K4 + b)


def _ring_sums(coords: np.ndarray, ring_of: np.ndarray, n_rings: int) -> tuple[np.ndarray, np.ndarray]:
    """The chain sketch of each ring as drawn (uint64), and its doubled signed area (float)."""
    sums = np.zeros(n_rings, dtype=np.uint64)
    area2 = np.zeros(n_rings)
    if len(coords) < 2:
        return sums, area2
    coords += 0.0  # -0.0 -> 0.0: equal numbers, equal bits
    bits = coords.view(np.uint64)
    v = _mix(bits[:, 0] + _K1)
    v ^= bits[:, 1]
    v = _mix(v)
    cut = ring_of[:-1] != ring_of[1:]  # no segment from one ring to the next
    starts = np.flatnonzero(np.r_[True, cut])
    present = ring_of[starts]
    with np.errstate(over="ignore"):
        term = _pair(v[:-1], v[1:])
        term -= _pair(v[1:], v[:-1])
    del v
    term[cut] = 0
    sums[present] = np.add.reduceat(np.r_[term, np.uint64(0)], starts)
    del term
    # shoelace on coordinates relative to each ring's first vertex (exact enough: grids are small)
    rel = coords - np.repeat(coords[starts], np.diff(np.r_[starts, len(coords)]), axis=0)
    cross = rel[:-1, 0] * rel[1:, 1] - rel[1:, 0] * rel[:-1, 1]
    cross[cut] = 0.0
    area2[present] = np.add.reduceat(np.r_[cross, 0.0], starts)
    return sums, area2


def _part_sums(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per polygon: its sketch in standard orientation, and False where a ring's orientation is in doubt."""
    out = np.zeros(len(parts), dtype=np.uint64)
    sure = np.ones(len(parts), dtype=bool)
    if len(parts) == 0:
        return out, sure
    holes = shapely.get_num_interior_rings(parts)
    plain = np.flatnonzero(holes == 0)
    # polygons without holes, in chunks of about _CHUNK_VERTICES vertices: the part is the ring
    counts = shapely.get_num_coordinates(parts[plain])
    bounds = np.searchsorted(np.cumsum(counts), np.arange(_CHUNK_VERTICES, counts.sum(), _CHUNK_VERTICES))
    for rows in np.split(plain, np.unique(bounds)):
        if len(rows) == 0:
            continue
        coords, ring_of = shapely.get_coordinates(parts[rows], return_index=True)
        sums, area2 = _ring_sums(coords, ring_of, len(rows))
        out[rows], sure[rows] = _oriented(sums, area2, np.ones(len(rows), dtype=bool))
    holed = np.flatnonzero(holes > 0)
    if len(holed):
        rings, ring_part = shapely.get_rings(parts[holed], return_index=True)
        exterior = np.ones(len(rings), dtype=bool)
        exterior[1:] = ring_part[1:] != ring_part[:-1]
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        sums, area2 = _ring_sums(coords, ring_of, len(rings))
        sums, ok = _oriented(sums, area2, exterior)
        with np.errstate(over="ignore"):
            np.add.at(out, holed[ring_part], sums)
        np.logical_and.at(sure, holed[ring_part], ok)
    return out, sure


def _oriented(sums: np.ndarray, area2: np.ndarray, exterior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ring sketches turned to the standard orientation (exterior counter-clockwise, holes clockwise)."""
    reverse = (area2 > 0) != exterior
    with np.errstate(over="ignore"):
        sums = np.where(reverse, np.uint64(0) - sums, sums)
    return sums, np.abs(area2) > _MIN_AREA2


_MIN_AREA2 = 1e-6  # m² (doubled): below it a ring's orientation is not trusted and its grid never certified
_DOUBT = np.uint64(0xA5A5A5A5A5A5A5A5)


def sketches(geoms: np.ndarray) -> np.ndarray:
    """Per (multi)polygon: the 64-bit sketch of its boundary chain in standard orientation (uint64)."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=np.uint64)
    if len(geoms) == 0:
        return out
    single = shapely.get_type_id(geoms) == 3
    sums, sure = _part_sums(geoms[single])
    out[single] = sums
    doubt = np.zeros(len(geoms), dtype=bool)
    doubt[np.flatnonzero(single)[~sure]] = True
    multi = np.flatnonzero(~single)
    if len(multi):
        parts, part_of = shapely.get_parts(geoms[multi], return_index=True)
        sums, sure = _part_sums(parts)
        with np.errstate(over="ignore"):
            np.add.at(out, multi[part_of], sums)
        doubt[multi[part_of[~sure]]] = True
    # a grid whose orientation is in doubt gets a sketch that will not cancel
    out[doubt] ^= _DOUBT
    return out


def certify_parents(
    child_sketch: np.ndarray, named: np.ndarray, parent_sketch: np.ndarray, eligible: np.ndarray
) -> np.ndarray:
    """Per parent: True when the children naming it tile it exactly (their chains add up to the parent's).

    ``named``: the parent index of each child (−1: none); ``eligible``: parents that may be certified (e.g. not
    sharing their code with another parent). A parent with no child is never certified.
    """
    n = len(parent_sketch)
    total = np.zeros(n, dtype=np.uint64)
    has_child = np.zeros(n, dtype=bool)
    sel = named >= 0
    if sel.any():
        with np.errstate(over="ignore"):
            np.add.at(total, named[sel], child_sketch[sel])
        has_child[named[sel]] = True
    return eligible & has_child & (total == parent_sketch)


def residual_boxes(parents: np.ndarray, children: np.ndarray, child_group: np.ndarray) -> np.ndarray:
    """Per parent: the bounding box (xmin, ymin, xmax, ymax) of the segments left over when the children
    tagged with its index are taken from it (Σ ∂children − ∂parent), NaN where nothing is left over.

    Exact (segments compared by their coordinates). The part of a parent its children leave uncovered is
    bounded by left-over segments only (across any other segment the children's winding numbers add up to
    the parent's), so it lies inside that box; the overlay can be cut down to it.
    """
    out = np.full((len(parents), 4), np.nan)
    if len(parents) == 0:
        return out
    # parents are independent: in batches of about _CHUNK_VERTICES vertices (bounds the segment arrays)
    parents = np.asarray(parents, dtype=object)
    children = np.asarray(children, dtype=object)
    child_group = np.asarray(child_group, dtype=np.int64)
    size = shapely.get_num_coordinates(parents).astype(np.int64)
    np.add.at(size, child_group, shapely.get_num_coordinates(children))
    batch = np.cumsum(size) // _CHUNK_VERTICES
    if batch[-1] == 0:
        return _residual_boxes(parents, children, child_group, out)
    order = np.argsort(child_group, kind="stable")
    child_batch = batch[child_group[order]]
    for b in np.unique(batch):
        rows = np.flatnonzero(batch == b)
        kids = order[child_batch == b]
        out[rows] = _residual_boxes(parents[rows], children[kids], child_group[kids] - rows[0], out[rows])
    return out


def _residual_boxes(parents, children, child_group, out):
    """:func:`residual_boxes` of one batch (parent indices 0 … len(parents)-1); fills and returns ``out``."""
    ends_p, sign_p, owner_p = _directed_segments(parents)
    ends_c, sign_c, owner_c = _directed_segments(children)
    ends = np.concatenate([ends_p, ends_c])
    sign = np.concatenate([-sign_p, sign_c]).astype(np.int64)
    group = np.concatenate([owner_p, np.asarray(child_group, dtype=np.int64)[owner_c]])
    if len(ends) == 0:
        return out
    order = np.lexsort((ends[:, 3], ends[:, 2], ends[:, 1], ends[:, 0], group))
    ends, sign, group = ends[order], sign[order], group[order]
    new = np.ones(len(ends), dtype=bool)
    new[1:] = (group[1:] != group[:-1]) | (ends[1:] != ends[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    left = starts[np.add.reduceat(sign, starts) != 0]
    if len(left) == 0:
        return out
    g = group[left]
    e = ends[left]
    lo_x, lo_y = np.minimum(e[:, 0], e[:, 2]), np.minimum(e[:, 1], e[:, 3])
    hi_x, hi_y = np.maximum(e[:, 0], e[:, 2]), np.maximum(e[:, 1], e[:, 3])
    touched = np.unique(g)
    out[touched] = [np.inf, np.inf, -np.inf, -np.inf]
    np.minimum.at(out[:, 0], g, lo_x)
    np.minimum.at(out[:, 1], g, lo_y)
    np.maximum.at(out[:, 2], g, hi_x)
    np.maximum.at(out[:, 3], g, hi_y)
    return out


def _directed_segments(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, 4) canonical segment ends (smaller end first), the sign of each segment in the standard
    orientation, and the geometry it belongs to."""
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    if len(rings) == 0:
        return np.zeros((0, 4)), np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int64)
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = ring_part[1:] != ring_part[:-1]
    flip = np.where(shapely.is_ccw(rings) == exterior, 1, -1).astype(np.int8)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    coords += 0.0
    seg = np.flatnonzero(ring_of[:-1] == ring_of[1:])
    a, b = coords[seg], coords[seg + 1]
    forward = (a[:, 0] < b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] < b[:, 1]))
    ends = np.where(forward[:, None], np.c_[a, b], np.c_[b, a])
    sign = np.where(forward, 1, -1).astype(np.int8) * flip[ring_of[seg]]
    return ends, sign, part_of[ring_part[ring_of[seg]]]
