"""Fix helpers for the audit's two commonest errors: a gap between child grids, an overlap between two grids.

Pure shapely 2, no qgis or Qt import; the adapter (:mod:`plugin.adapters.fix_edits`) reads the grids from the
layers' edit buffers, calls these functions and writes the result as one undoable edit command.

Semantics
---------
**Gap** (rules ``gap``, ``gap.sliver``; ``county.gap`` and the gap kind of ``county.sliver`` with the county
as the parent): the uncovered part of the parent is recomputed from the current grids (the finding only says
where), then

* ``NEIGHBOUR`` — it goes to the child of the same parent (same ``parent_code``; any level 1 grid in the
  county) that shares the longest boundary with it (ties: the lowest code); that child becomes
  ``child ∪ gap``;
* ``NEW_GRID`` — it becomes a new grid of its own (refused when it would be a sliver: smaller than the tiny
  grid area or thinner than the thin grid width);
* ``AUTO`` — the neighbour when there is one, else a new grid.

**Overlap** (rules ``overlap``, ``overlap.sliver``, ``overlap.dedicated``): every non-noise piece of
``a ∩ b`` stays with the grid it belongs to more and is removed from the other: the grid whose *own* land
(``a − b`` or ``b − a``) shares the longer boundary with the piece keeps it (the same "longest shared
boundary" rule as for gaps and as GEOS's coverage cleaning). A bump of ``a`` pushed into ``b`` is bordered
mostly by ``b``'s own land, so it goes back to ``b``. On a tie (within 4 × the line tolerance) the piece is
removed from the larger grid. One grid inside the other (``overlap.contains``, ``overlap.duplicate``) is
refused: that needs a decision (merge, delete or redraw), not a trim.

Guarantees (checked on every result; otherwise :class:`FixRefused` and nothing changes): every geometry is a
valid (multi)polygon, not empty; a grid that was one part stays one part (a grid of k parts gets no more
than k); the union of the grids involved is unchanged (gap: grows by exactly the gap) up to noise; the grids
involved overlap each other and their siblings only by noise; no sliver is left where the gap or the
overlap was (nothing but noise uncovered or doubly covered). Noise is the audit's (:class:`Tolerances`
``noise_area`` / ``noise_width``). Overlays run in floating point in local coordinates (vertices shared by
neighbours stay bitwise identical); when a check fails they are retried once after GEOS's coverage
cleaning of the grids involved, and refused if they still fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from . import capabilities, schema
from .audit.tolerances import Tolerances
from .errors import PluginError

# What to do with a gap.
NEIGHBOUR = "neighbour"
NEW_GRID = "new_grid"
AUTO = "auto"

GAP_RULES = ("gap", "gap.sliver", "county.gap")
OVERLAP_RULES = ("overlap", "overlap.sliver", "overlap.dedicated")
CONTAINED_RULES = ("overlap.contains", "overlap.duplicate")

LINE_TOLERANCE = 0.001  # m: a boundary this close to another lies on it (shared-length measurement)

# Reasons of a refusal (the adapter turns each into a translated message; ``params`` fill it).
R_UNSUPPORTED = "unsupported"  # rule
R_NO_PARENT = "no_parent"  # grid
R_BAD_GEOMETRY = "bad_geometry"  # grid, reason
R_GAP_GONE = "gap_gone"  # parent
R_NO_NEIGHBOUR = "no_neighbour"  # parent
R_GAP_TOO_SMALL = "gap_too_small"  # area, width
R_OVERLAP_GONE = "overlap_gone"  # a, b
R_CONTAINED = "contained"  # inner, outer
R_WOULD_VANISH = "would_vanish"  # grid
R_WOULD_SPLIT = "would_split"  # grid, parts
R_NOT_CLEAN = "not_clean"  # what, area


class FixRefused(PluginError, ValueError):
    """A fix that cannot be made safely; ``reason`` is one of the ``R_*`` codes, ``params`` fill its message."""

    def __init__(self, reason: str, /, **params):
        super().__init__(f"{reason}: {params}" if params else reason)
        self.reason = reason
        self.params = params


@dataclass
class Grid:
    """One grid as the fixes see it."""

    fid: int
    code: str | None
    geometry: object  # shapely geometry in workspace coordinates
    parent_code: str | None = None
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.code or f"#{self.fid}"


@dataclass
class FixPlan:
    """The geometries a fix gives: changed grids by fid, and a new grid's geometry (gap → new grid)."""

    action: str  # "gap_to_neighbour", "gap_new_grid", "overlap"
    changes: dict[int, object] = field(default_factory=dict)
    new_grid: object | None = None
    area: float = 0.0  # m² moved: the gap, or the overlap pieces
    receiver: Grid | None = None  # the grid taking the gap
    shared_length: float = 0.0  # m of boundary the receiver shares with the gap
    kept_by: dict[int, float] = field(default_factory=dict)  # overlap: fid → m² of overlap it keeps
    removed_from: dict[int, float] = field(default_factory=dict)  # overlap: fid → m² removed from it
    cleaned: bool = False  # the coverage-cleaning retry was needed


# ---------------------------------------------------------------- helpers


def _origin(geoms) -> np.ndarray:
    """A round origin near the data: subtracting it is exact for coordinates in [origin, 2·origin]."""
    geoms = [g for g in geoms if g is not None and not shapely.is_empty(g)]
    if not geoms:
        return np.zeros(2)
    b = shapely.bounds(np.asarray(geoms, dtype=object))
    b = b[np.isfinite(b).all(axis=1)]
    origin = np.zeros(2)
    if len(b) == 0:
        return origin
    for axis in (0, 1):
        lo, hi = b[:, axis].min(), b[:, axis + 2].max()
        candidate = np.floor(lo / 1000.0) * 1000.0
        if candidate > 1e5 and hi <= 2 * candidate:
            origin[axis] = candidate
    return origin


def _shift(geom, origin: np.ndarray, sign: float = -1.0):
    if geom is None or not origin.any():
        return geom
    offset = sign * origin
    return shapely.transform(geom, lambda xy: xy + offset)


def _polygonal(geom):
    """The polygonal part of a geometry (collections from overlays), or an empty Polygon."""
    if geom is None or shapely.is_empty(geom):
        return shapely.Polygon()
    tid = shapely.get_type_id(geom)
    if tid in (3, 6):
        return geom
    parts = _parts(geom)
    if len(parts) == 0:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(list(parts))


def _parts(geom) -> np.ndarray:
    """The non-empty polygons of a geometry, collections exploded."""
    if geom is None or shapely.is_empty(geom):
        return np.empty(0, dtype=object)
    parts = shapely.get_parts(np.array([geom], dtype=object))
    for _ in range(3):
        nested = shapely.get_type_id(parts) >= 4
        if not nested.any():
            break
        parts = np.concatenate([parts[~nested], shapely.get_parts(parts[nested])])
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    return parts[keep]


def _is_noise(parts: np.ndarray, tol: Tolerances) -> np.ndarray:
    """True for pieces at or below the audit's noise thresholds (area, or thinner than the noise width)."""
    parts = np.asarray(parts, dtype=object)
    if len(parts) == 0:
        return np.zeros(0, dtype=bool)
    area = shapely.area(parts)
    noise = area <= tol.noise_area
    rest = np.flatnonzero(~noise)
    if len(rest) and tol.noise_width > 0:
        thin = shapely.is_empty(shapely.buffer(parts[rest], -tol.noise_width / 2.0, quad_segs=2))
        noise[rest[thin]] = True
    return noise


def _significant(geom, tol: Tolerances) -> np.ndarray:
    parts = _parts(geom)
    return parts[~_is_noise(parts, tol)]


def _n_parts(geom, tol: Tolerances) -> int:
    return len(_significant(geom, tol))


def _clean(geom, tol: Tolerances):
    """Valid, polygonal, without noise parts or noise holes."""
    geom = _polygonal(geom)
    if shapely.is_empty(geom):
        return geom
    if not shapely.is_valid(geom):
        geom = _polygonal(shapely.make_valid(geom))
    parts = _parts(geom)
    if len(parts) == 0:
        return shapely.Polygon()
    keep = parts[~_is_noise(parts, tol)]
    if len(keep) == 0:
        return shapely.Polygon()
    out = []
    for p in keep:
        rings = [shapely.get_interior_ring(p, k) for k in range(shapely.get_num_interior_rings(p))]
        holes = [r for r in rings if not _is_noise(np.array([shapely.Polygon(r)], dtype=object), tol)[0]]
        out.append(p if len(holes) == len(rings) else shapely.Polygon(shapely.get_exterior_ring(p), holes))
    geom = out[0] if len(out) == 1 else shapely.MultiPolygon(out)
    if not shapely.is_valid(geom):
        geom = _polygonal(shapely.make_valid(geom))
    return geom


def _valid_polygonal(geom) -> str | None:
    """None when ``geom`` is a valid non-empty (multi)polygon, else the reason."""
    if geom is None or shapely.is_missing(geom):
        return "null geometry"
    if shapely.is_empty(geom):
        return "empty geometry"
    if shapely.get_type_id(geom) not in (3, 6):
        return f"{geom.geom_type} geometry"
    if not shapely.is_valid(geom):
        return shapely.is_valid_reason(geom)
    return None


def _border(piece, land, tolerance: float) -> float:
    """Length of ``piece``'s boundary lying along ``land`` (within ``tolerance``)."""
    if land is None or shapely.is_empty(land):
        return 0.0
    return float(shapely.length(shapely.intersection(shapely.boundary(piece), shapely.buffer(land, tolerance))))


def _shared_lengths(piece, others: np.ndarray, tolerance: float) -> np.ndarray:
    if len(others) == 0:
        return np.zeros(0)
    lengths = shapely.length(shapely.intersection(shapely.boundary(piece), shapely.buffer(others, tolerance)))
    lengths[lengths <= 4 * tolerance] = 0.0  # a corner contact gives about 2.8 × tolerance
    return lengths


def _noise_area(geom, tol: Tolerances) -> float:
    """Area of the significant (non-noise) pieces of ``geom``."""
    parts = _significant(_polygonal(geom), tol)
    return float(shapely.area(parts).sum()) if len(parts) else 0.0


def _to_world(geom, origin: np.ndarray, tol: Tolerances):
    """A result back in workspace coordinates; re-cleaned when the translation's rounding broke it (a spike of
    a few nanometres collapsing into a self-intersection)."""
    world = _shift(geom, origin, +1.0)
    if world is not None and not shapely.is_empty(world) and not shapely.is_valid(world):
        world = _clean(world, tol)
    return world


# ---------------------------------------------------------------- gaps


def fix_gap(
    parent,
    children: list[Grid],
    hint,
    target: str = NEIGHBOUR,
    *,
    parent_code: str | None = None,
    parent_label: str = "",
    tolerances: Tolerances | None = None,
    any_sibling: bool = False,
) -> FixPlan:
    """Fill the gap of ``parent`` at ``hint`` (the finding's geometry or location) with a neighbour or a new grid.

    ``children``: the grids of the child layer near the gap (every grid meeting the parent: they decide what
    is uncovered). Siblings are those whose ``parent_code`` is ``parent_code`` (any child when ``any_sibling``:
    level 1 grids in the county). Returns a :class:`FixPlan`; raises :class:`FixRefused`.
    """
    tol = tolerances or Tolerances()
    label = parent_label or parent_code or ""
    if target not in (NEIGHBOUR, NEW_GRID, AUTO):
        raise ValueError(f"unknown gap target {target!r}")
    if parent is None or shapely.is_missing(parent) or shapely.is_empty(parent):
        raise FixRefused(R_NO_PARENT, grid=label)
    reason = _valid_polygonal(parent)
    if reason:
        raise FixRefused(R_BAD_GEOMETRY, grid=label, reason=reason)
    origin = _origin([parent])
    P = _shift(parent, origin)
    hint_local = _shift(hint, origin)
    grids = [c for c in children if c.geometry is not None and not shapely.is_missing(c.geometry)]
    local = np.array([_shift(c.geometry, origin) for c in grids], dtype=object)
    if len(local):
        near = shapely.intersects(local, P)
        grids = [g for g, keep in zip(grids, near) if keep]
        local = local[near]
    for g, geom in zip(grids, local):
        reason = _valid_polygonal(geom)
        if reason:
            raise FixRefused(R_BAD_GEOMETRY, grid=g.name, reason=reason)

    gap = _find_gap(P, local, hint_local, tol)
    if gap is None:
        raise FixRefused(R_GAP_GONE, parent=label)
    gap_area = float(shapely.area(gap))

    sibling = np.array(
        [any_sibling or (parent_code is not None and g.parent_code == parent_code) for g in grids], dtype=bool
    )
    lengths = np.zeros(len(grids))
    if sibling.any():
        lengths[sibling] = _shared_lengths(gap, local[sibling], LINE_TOLERANCE)
    best = None
    if (lengths > 0).any():
        codes = np.array([g.code or "\uffff" for g in grids], dtype=object)
        order = sorted(np.flatnonzero(lengths > 0), key=lambda k: (-lengths[k], codes[k], grids[k].fid))
        best = int(order[0])

    if target == NEIGHBOUR and best is None:
        raise FixRefused(R_NO_NEIGHBOUR, parent=label)
    if target == NEW_GRID or (target == AUTO and best is None):
        return _gap_new_grid(P, gap, gap_area, grids, local, origin, tol)
    return _gap_to_neighbour(P, gap, gap_area, grids, local, best, float(lengths[best]), origin, tol)


def _find_gap(P, children_local: np.ndarray, hint, tol: Tolerances):
    """The uncovered piece of ``P`` matching ``hint`` (most area in common, or under the hint point)."""
    covered = shapely.union_all(children_local) if len(children_local) else shapely.Polygon()
    pieces = _significant(shapely.difference(P, covered), tol)
    if len(pieces) == 0 or hint is None or shapely.is_empty(hint):
        return None
    if shapely.get_type_id(hint) in (3, 6) and shapely.area(hint) > 0:
        overlap = shapely.area(shapely.intersection(pieces, shapely.make_valid(hint)))
        k = int(np.argmax(overlap))
        if overlap[k] > 0.5 * min(float(shapely.area(hint)), float(shapely.area(pieces[k]))):
            return pieces[k]
        return None
    point = hint if shapely.get_type_id(hint) == 0 else shapely.point_on_surface(hint)
    distance = shapely.distance(pieces, point)
    k = int(np.argmin(distance))
    return pieces[k] if distance[k] <= max(tol.sliver_width, LINE_TOLERANCE) else None


def _gap_to_neighbour(P, gap, gap_area, grids, local, best, length, origin, tol) -> FixPlan:
    receiver = grids[best]
    world = np.array([g.geometry for g in grids], dtype=object)
    parent = _shift(P, origin, +1.0)
    gap_world = _to_world(gap, origin, tol)
    others = np.delete(world, best)
    other_grids = [g for k, g in enumerate(grids) if k != best]
    old = world[best]
    new = _to_world(_clean(shapely.union(local[best], gap), tol), origin, tol)
    problem = _check_gap_fill(receiver, old, new, gap_world, others, parent, tol)
    changes = {receiver.fid: new}
    cleaned = False
    if problem is not None:
        # retry on a coverage-cleaned neighbourhood: the receiver, the gap and the grids around it
        around = np.flatnonzero(shapely.dwithin(others, gap_world, tol.sliver_width)) if len(others) else []
        cover = np.array([old, gap_world, *others[around]], dtype=object)
        try:
            clean = capabilities.coverage_clean(cover)
        except shapely.errors.GEOSException:
            clean = None
        if clean is not None:
            new2 = _clean(shapely.union(clean[0], clean[1]), tol)
            new_others = others.copy()
            moved = {}
            bad = None
            for t, k in enumerate(around):
                geom = _clean(clean[2 + t], tol)
                if shapely.equals_exact(geom, others[k], 0.0):
                    continue
                if (
                    _valid_polygonal(geom)
                    or _n_parts(geom, tol) > max(_n_parts(others[k], tol), 1)
                    or _noise_area(shapely.symmetric_difference(geom, others[k]), tol) > 0
                ):
                    bad = FixRefused(R_NOT_CLEAN, what="neighbours", area=0.0)
                new_others[k] = geom
                moved[other_grids[k].fid] = geom
            if bad is None and _check_gap_fill(receiver, old, new2, gap_world, new_others, parent, tol) is None:
                problem, cleaned = None, True
                changes = {receiver.fid: new2, **moved}
    if problem is not None:
        raise problem
    return FixPlan(
        "gap_to_neighbour",
        changes=changes,
        area=gap_area,
        receiver=receiver,
        shared_length=length,
        cleaned=cleaned,
    )


def _check_gap_fill(receiver: Grid, old, new, gap, others, P, tol) -> FixRefused | None:
    reason = _valid_polygonal(new)
    if reason:
        return FixRefused(R_BAD_GEOMETRY, grid=receiver.name, reason=reason)
    before, after = _n_parts(old, tol), _n_parts(new, tol)
    if after > max(before, 1):
        return FixRefused(R_WOULD_SPLIT, grid=receiver.name, parts=after)
    # the receiver grew by exactly the gap
    changed = _noise_area(shapely.symmetric_difference(new, shapely.union(old, gap)), tol)
    if changed > 0:
        return FixRefused(R_NOT_CLEAN, what="union", area=changed)
    # nothing of the gap is left uncovered
    left = _noise_area(shapely.difference(gap, new), tol)
    if left > 0:
        return FixRefused(R_NOT_CLEAN, what="gap", area=left)
    # no overlap with the siblings
    if len(others):
        near = others[shapely.intersects(others, new)]
        if len(near):
            overlap = sum(_noise_area(g, tol) for g in shapely.intersection(near, new))
            if overlap > 0:
                return FixRefused(R_NOT_CLEAN, what="overlap", area=overlap)
    # not beyond the parent more than before
    beyond = _noise_area(shapely.difference(new, P), tol) - _noise_area(shapely.difference(old, P), tol)
    if beyond > tol.noise_area:
        return FixRefused(R_NOT_CLEAN, what="parent", area=beyond)
    return None


def _gap_new_grid(P, gap, gap_area, grids, local, origin, tol) -> FixPlan:
    width = 2.0 * gap_area / max(float(shapely.length(gap)), 1e-12)
    thin = bool(shapely.is_empty(shapely.buffer(gap, -tol.thin_grid_width / 2.0, quad_segs=2)))
    if gap_area < tol.tiny_grid_area or thin:
        raise FixRefused(R_GAP_TOO_SMALL, area=gap_area, width=width)
    new = _to_world(_clean(gap, tol), origin, tol)
    reason = _valid_polygonal(new)
    if reason:
        raise FixRefused(R_BAD_GEOMETRY, grid="", reason=reason)
    if _n_parts(new, tol) != 1:
        raise FixRefused(R_WOULD_SPLIT, grid="", parts=_n_parts(new, tol))
    world = np.array([g.geometry for g in grids], dtype=object)
    if len(world):
        near = world[shapely.intersects(world, new)]
        if len(near):
            overlap = sum(_noise_area(g, tol) for g in shapely.intersection(near, new))
            if overlap > 0:
                raise FixRefused(R_NOT_CLEAN, what="overlap", area=overlap)
    return FixPlan("gap_new_grid", new_grid=new, area=gap_area)


# ---------------------------------------------------------------- overlaps


def fix_overlap(a: Grid, b: Grid, tolerances: Tolerances | None = None) -> FixPlan:
    """Remove each overlap piece of grids ``a`` and ``b`` from the grid it belongs to less (see the module)."""
    tol = tolerances or Tolerances()
    for g in (a, b):
        reason = _valid_polygonal(g.geometry)
        if reason:
            raise FixRefused(R_BAD_GEOMETRY, grid=g.name, reason=reason)
    origin = _origin([a.geometry, b.geometry])
    A, B = _shift(a.geometry, origin), _shift(b.geometry, origin)
    pieces = _significant(shapely.intersection(A, B), tol)
    if len(pieces) == 0:
        raise FixRefused(R_OVERLAP_GONE, a=a.name, b=b.name)
    area_a, area_b = float(shapely.area(A)), float(shapely.area(B))
    inter_area = float(shapely.area(pieces).sum())
    for inner, outer, inner_area in ((a, b, area_a), (b, a, area_b)):
        if inner_area - inter_area <= max(tol.noise_area, 1e-9 * inner_area):
            raise FixRefused(R_CONTAINED, inner=inner.name, outer=outer.name)
    a_only, b_only = shapely.difference(A, B), shapely.difference(B, A)
    lose_a, lose_b = [], []
    for piece in pieces:
        border_a = _border(piece, a_only, LINE_TOLERANCE)
        border_b = _border(piece, b_only, LINE_TOLERANCE)
        if abs(border_a - border_b) <= 4 * LINE_TOLERANCE:
            (lose_a if area_a >= area_b else lose_b).append(piece)
        elif border_a > border_b:
            lose_b.append(piece)  # a keeps it
        else:
            lose_a.append(piece)

    def trimmed(geom, own_only, lost, kept):
        if not lost:
            return geom
        if not kept:
            return _clean(own_only, tol)  # the other grid's boundary, vertex for vertex
        return _clean(shapely.union_all(np.array([own_only, *kept], dtype=object)), tol)

    new_a = _to_world(trimmed(A, a_only, lose_a, lose_b), origin, tol)
    new_b = _to_world(trimmed(B, b_only, lose_b, lose_a), origin, tol)
    wa, wb = a.geometry, b.geometry
    if not lose_a:
        new_a = wa
    if not lose_b:
        new_b = wb
    problem = _check_overlap_fix(a, b, wa, wb, new_a, new_b, tol)
    cleaned = False
    if problem is not None:
        try:
            clean = capabilities.coverage_clean(np.array([new_a, new_b], dtype=object))
        except shapely.errors.GEOSException:
            clean = None
        if clean is not None:
            ca, cb = _clean(clean[0], tol), _clean(clean[1], tol)
            if _check_overlap_fix(a, b, wa, wb, ca, cb, tol) is None:
                new_a, new_b, problem, cleaned = ca, cb, None, True
    if problem is not None:
        raise problem
    changes = {}
    for grid, old, new in ((a, wa, new_a), (b, wb, new_b)):
        if not shapely.equals_exact(old, new, 0.0):
            changes[grid.fid] = new
    lost_a = float(shapely.area(np.array(lose_a, dtype=object)).sum()) if lose_a else 0.0
    lost_b = float(shapely.area(np.array(lose_b, dtype=object)).sum()) if lose_b else 0.0
    return FixPlan(
        "overlap",
        changes=changes,
        area=inter_area,
        kept_by={a.fid: lost_b, b.fid: lost_a},
        removed_from={a.fid: lost_a, b.fid: lost_b},
        cleaned=cleaned,
    )


def _check_overlap_fix(a: Grid, b: Grid, A, B, new_a, new_b, tol) -> FixRefused | None:
    for grid, old, new in ((a, A, new_a), (b, B, new_b)):
        if new is None or shapely.is_empty(new):
            return FixRefused(R_WOULD_VANISH, grid=grid.name)
        reason = _valid_polygonal(new)
        if reason:
            return FixRefused(R_BAD_GEOMETRY, grid=grid.name, reason=reason)
        before, after = _n_parts(old, tol), _n_parts(new, tol)
        if after == 0:
            return FixRefused(R_WOULD_VANISH, grid=grid.name)
        if after > max(before, 1):
            return FixRefused(R_WOULD_SPLIT, grid=grid.name, parts=after)
    overlap = _noise_area(shapely.intersection(new_a, new_b), tol)
    if overlap > 0:
        return FixRefused(R_NOT_CLEAN, what="overlap", area=overlap)
    changed = _noise_area(shapely.symmetric_difference(shapely.union(new_a, new_b), shapely.union(A, B)), tol)
    if changed > 0:
        return FixRefused(R_NOT_CLEAN, what="union", area=changed)
    # each grid only lost land (the pieces), never gained any
    for old, new in ((A, new_a), (B, new_b)):
        gained = _noise_area(shapely.difference(new, old), tol)
        if gained > 0:
            return FixRefused(R_NOT_CLEAN, what="union", area=gained)
    return None


def overlap_pieces(a, b, tolerances: Tolerances | None = None) -> np.ndarray:
    """The non-noise pieces of ``a ∩ b`` (for tests and previews)."""
    tol = tolerances or Tolerances()
    origin = _origin([a, b])
    pieces = _significant(shapely.intersection(_shift(a, origin), _shift(b, origin)), tol)
    return np.array([_shift(p, origin, +1.0) for p in pieces], dtype=object)


# ---------------------------------------------------------------- from a finding

LEVEL_LAYERS = {level: layer.name for level, layer in schema.GRID_LAYER_BY_LEVEL.items()}
CHILD_LAYER = {schema.GRID_LEVEL1.name: schema.GRID_LEVEL2.name, schema.GRID_LEVEL2.name: schema.GRID_LEVEL3.name}


def fix_kind(finding) -> str | None:
    """The fix a finding can take: "gap", "overlap" or None."""
    rule = finding.rule_id
    if rule in ("gap", "gap.sliver"):
        return "gap" if finding.layer in CHILD_LAYER and finding.fids else None
    if rule == "county.gap" or (rule == "county.sliver" and not finding.fids):
        return "gap"
    if rule in OVERLAP_RULES:
        return "overlap" if len(finding.fids) == 2 else None
    return None


def edited_layer(finding) -> str | None:
    """The grid layer a fix of ``finding`` edits."""
    kind = fix_kind(finding)
    if kind == "overlap":
        return finding.layer
    if kind == "gap":
        if finding.rule_id.startswith("county."):
            return schema.GRID_LEVEL1.name
        return CHILD_LAYER.get(finding.layer)
    return None


def _hint(finding):
    geom = finding.geometry
    if geom is not None and not shapely.is_empty(geom):
        return geom
    if finding.location is not None:
        return shapely.Point(*finding.location)
    return None


def grids_of(array, active_only: bool = True) -> list[Grid]:
    """The rows of a :class:`~plugin.core.model.GridArray` as :class:`Grid` (retired grids left out)."""
    if array is None:
        return []
    status = array.attribute("status", "active")
    out = []
    for i in range(len(array)):
        if active_only and str(status[i] or "").strip().lower() == "retired":
            continue
        out.append(
            Grid(
                int(array.fids[i]),
                array.codes[i],
                array.geometries[i],
                array.parent_codes[i],
                str(array.names[i] or ""),
            )
        )
    return out


def plan_for_finding(
    finding,
    children,
    parents=None,
    county=None,
    target: str = NEIGHBOUR,
    tolerances: Tolerances | None = None,
) -> FixPlan:
    """The fix of an audit finding. ``children``: the GridArray of the layer the fix edits (see
    :func:`edited_layer`; at least the grids near the finding); ``parents``: the GridArray of the finding's
    layer for a gap in a parent grid; ``county``: the county boundary for a gap in the county."""
    kind = fix_kind(finding)
    if kind is None:
        raise FixRefused(R_CONTAINED if finding.rule_id in CONTAINED_RULES else R_UNSUPPORTED, rule=finding.rule_id)
    grids = grids_of(children)
    if kind == "overlap":
        by_fid = {g.fid: g for g in grids}
        pair = [by_fid.get(int(f)) for f in finding.fids[:2]]
        for g, fid in zip(pair, finding.fids[:2]):
            if g is None:
                raise FixRefused(R_NO_PARENT, grid=f"#{fid}")
        return fix_overlap(pair[0], pair[1], tolerances)
    hint = _hint(finding)
    if finding.rule_id.startswith("county."):
        return fix_gap(county, grids, hint, target, parent_label="county", tolerances=tolerances, any_sibling=True)
    parent = next((g for g in grids_of(parents, active_only=False) if g.fid == int(finding.fids[0])), None)
    if parent is None:
        raise FixRefused(R_NO_PARENT, grid=(finding.codes or (f"#{finding.fids[0]}",))[0])
    return fix_gap(
        parent.geometry,
        grids,
        hint,
        target,
        parent_code=parent.code,
        parent_label=parent.code or parent.name,
        tolerances=tolerances,
    )
