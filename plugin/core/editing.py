"""The geometry of editing grids: draw (clip), subdivide, merge, fill gaps, move a shared boundary.

Pure shapely 2, no qgis or Qt import: the map tools (plugin/gui/map_tools.py) collect the user's
sketch, the adapter (plugin/adapters/editing.py) reads the affected features and writes the result
as one undoable edit; everything that decides a geometry is here and tested without QGIS.

Exactness. Subdividing and moving a boundary work on the *arrangement* of the grid's boundary and
the sketched lines: all linework is noded in one union, polygonised, and the faces inside the grid
are kept. Every original vertex survives the noding, the new vertices are computed once and shared
by the faces on both sides, so the pieces partition the grid: no gap, no overlap, and the union is
the original. Faces thinner than a sliver are merged into the neighbouring face with which they
share the longest edge, which keeps the partition exact.

Errors are raised as :class:`EditError`, whose English template and parameters the adapter
translates (``tr(template).format(**params)``); nothing is changed when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from .errors import TemplateError

# Tolerances in workspace units (metres).
LINE_TOLERANCE = 0.01  # a sketched end point this close to a boundary lies on it
MIN_AREA = 1.0  # m²: pieces smaller than this are slivers
MIN_WIDTH = 0.05  # m: pieces whose mean width (2·area/perimeter) is below this are slivers
GAP_MIN_AREA = 0.01  # m²: uncovered parts smaller than this are noise, not gaps


def QT_TR_NOOP(text: str) -> str:  # noqa: N802 — the name Qt's and our string extraction look for
    """Marks an English message template for translation; the adapter calls tr() on it when shown."""
    return text


class EditError(TemplateError, ValueError):
    """A sketch or selection that cannot be applied. ``template`` is English; ``params`` fill it."""


MSG_EMPTY_SKETCH = QT_TR_NOOP("The sketch is empty: click at least three points for a polygon.")
MSG_INVALID_RING = QT_TR_NOOP("The sketched polygon is not valid ({reason}): its outline must not cross itself.")
MSG_OUTSIDE_PARENT = QT_TR_NOOP("The sketch lies outside {parent}: draw inside the parent grid.")
MSG_ALL_COVERED = QT_TR_NOOP("Nothing of the sketch is left: {parent} is already covered there by other grids.")
MSG_LINE_MISSES = QT_TR_NOOP("The line does not cross {grid}.")
MSG_LINE_NO_CUT = QT_TR_NOOP(
    "The line does not cut {grid} into pieces: draw it across from one side to the other, or as a closed ring inside."
)
MSG_LINE_INVALID = QT_TR_NOOP("The sketched line is not valid: give it at least two different points.")
MSG_NOT_EXACT = QT_TR_NOOP(
    "Splitting {grid} did not give an exact partition (area differs by {delta:.3f} m²); nothing was changed."
)
MSG_MERGE_FEW = QT_TR_NOOP("Choose at least two grids to merge.")
MSG_MERGE_NOT_ADJACENT = QT_TR_NOOP(
    "The grids {grids} are not adjacent (they share no boundary), so they cannot be merged into one grid."
)
MSG_NO_SHARED = QT_TR_NOOP("{a} and {b} share no boundary.")
MSG_ENDS_OFF_SHARED = QT_TR_NOOP(
    "The new boundary must start and end on the boundary shared by {a} and {b} (snap to it)."
)
MSG_LEAVES_PAIR = QT_TR_NOOP("The new boundary leaves the area of {a} and {b}: keep it inside the two grids.")
MSG_NOTHING_MOVES = QT_TR_NOOP("The new boundary is the same as the old one: nothing to change.")
MSG_WOULD_VANISH = QT_TR_NOOP("The new boundary would leave nothing of {grid}.")
MSG_WOULD_BREAK = QT_TR_NOOP("The new boundary would break {grid} into {parts} separate pieces.")


# ---------------------------------------------------------------- helpers


def polygonal(geometry):
    """The polygonal part of ``geometry`` (a Polygon or MultiPolygon), or an empty Polygon."""
    if geometry is None or shapely.is_empty(geometry):
        return shapely.Polygon()
    type_id = shapely.get_type_id(geometry)
    if type_id in (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON):
        return geometry
    parts = shapely.get_parts(geometry)
    polys = parts[
        np.isin(shapely.get_type_id(parts), [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    ]
    if len(polys) == 0:
        return shapely.Polygon()
    return shapely.union_all(polys)


def polygon_parts(geometry) -> np.ndarray:
    """The single polygons of a polygonal geometry (object array)."""
    geometry = polygonal(geometry)
    if shapely.is_empty(geometry):
        return np.empty(0, dtype=object)
    return shapely.get_parts(geometry)


def is_sliver(geometries, min_area: float = MIN_AREA, min_width: float = MIN_WIDTH) -> np.ndarray:
    geometries = np.asarray(geometries, dtype=object)
    area = shapely.area(geometries)
    perimeter = shapely.length(geometries)
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.where(perimeter > 0, 2.0 * area / perimeter, 0.0)
    return (area < min_area) | (width < min_width)


def as_lines(lines):
    """One lineal geometry from a LineString, MultiLineString, LinearRing or a sequence of them."""
    if lines is None:
        raise EditError(MSG_LINE_INVALID)
    if isinstance(lines, (list, tuple, np.ndarray)):
        geoms = [g for g in lines if g is not None]
        if not geoms:
            raise EditError(MSG_LINE_INVALID)
        lines = shapely.union_all(np.asarray(geoms, dtype=object))
    if isinstance(lines, shapely.LinearRing):
        lines = shapely.LineString(lines.coords)
    if shapely.is_empty(lines) or shapely.length(lines) <= 0:
        raise EditError(MSG_LINE_INVALID)
    return lines


def shared_length(geometry, others, tolerance: float = LINE_TOLERANCE) -> np.ndarray:
    """Length of ``geometry``'s boundary lying on (within ``tolerance`` of) each of ``others``."""
    others = np.asarray(others, dtype=object)
    if len(others) == 0:
        return np.zeros(0)
    boundary = shapely.boundary(geometry)
    return shapely.length(shapely.intersection(boundary, shapely.buffer(others, tolerance)))


@dataclass
class PartitionCheck:
    area_whole: float
    area_parts: float
    max_overlap: float
    uncovered: float  # area of whole − union(parts)
    outside: float  # area of union(parts) − whole

    def exact(self, tolerance: float = 1e-6) -> bool:
        scale = max(1.0, self.area_whole)
        return (
            abs(self.area_whole - self.area_parts) <= tolerance * scale
            and self.max_overlap <= tolerance * scale
            and self.uncovered <= tolerance * scale
            and self.outside <= tolerance * scale
        )


def check_partition(whole, parts) -> PartitionCheck:
    """How exactly ``parts`` partition ``whole``: area sums, pairwise overlaps, uncovered and outside areas."""
    parts = np.asarray(list(parts), dtype=object)
    union = shapely.union_all(parts) if len(parts) else shapely.Polygon()
    max_overlap = 0.0
    if len(parts) > 1:
        left, right = STRtree(parts).query(parts, predicate="intersects")
        keep = left < right
        if keep.any():
            max_overlap = float(shapely.area(shapely.intersection(parts[left[keep]], parts[right[keep]])).max())
    return PartitionCheck(
        area_whole=float(shapely.area(whole)),
        area_parts=float(shapely.area(parts).sum()) if len(parts) else 0.0,
        max_overlap=max_overlap,
        uncovered=float(shapely.area(shapely.difference(whole, union))),
        outside=float(shapely.area(shapely.difference(union, whole))),
    )


def _faces(linework, inside):
    """Faces of the noded ``linework`` whose interior lies in ``inside`` (object array of Polygons)."""
    noded = shapely.union_all(shapely.get_parts(linework))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    if len(faces) == 0:
        return faces
    keep = shapely.contains(inside, shapely.point_on_surface(faces))
    return faces[keep]


def _absorb_slivers(faces: np.ndarray) -> list:
    """Merge each sliver face into the solid face with which it shares the longest edge.

    A sliver that shares no edge with a solid face (it meets them only at points, or touches only other
    slivers) is kept as a piece of its own, on purpose: joining it to a face it meets at a point would make
    a multipart grid, and the pieces remain an exact partition of the polygon either way (the audit then
    reports the small piece as ``grid.tiny`` for the planner to merge by hand)."""
    groups = [[f] for f in faces]
    slivers = is_sliver(faces)
    if slivers.all() or not slivers.any():
        return [f for f in faces]
    solid = np.flatnonzero(~slivers)
    for index in np.flatnonzero(slivers):
        lengths = shared_length(faces[index], faces[solid])
        if len(lengths) == 0 or lengths.max() <= 0:
            continue  # touches no solid face: keep it as it is
        groups[solid[int(np.argmax(lengths))]].append(faces[index])
        groups[index] = []
    return [shapely.union_all(np.asarray(g, dtype=object)) if len(g) > 1 else g[0] for g in groups if g]


def attach_ends(lines, targets, tolerance: float = LINE_TOLERANCE):
    """Make the free ends of ``lines`` that lie on ``targets`` (within tolerance) meet them exactly.

    A sketched end point snapped onto a boundary segment is only within rounding of it, and noding
    would leave it dangling. An end near a target vertex moves onto it; any other end near a target
    is inserted as a vertex into every target it lies on. Returns (lines, targets).
    """
    parts = shapely.get_parts(lines)
    targets = [t for t in targets]
    target_all = shapely.union_all(np.asarray(targets, dtype=object))
    vertices = shapely.points(np.unique(shapely.get_coordinates(target_all), axis=0))
    tree = STRtree(vertices)
    new_parts = []
    inserted = []
    for part in parts:  # the few lines of one sketch
        coords = np.array(shapely.get_coordinates(part))
        if len(coords) >= 3 and np.array_equal(coords[0], coords[-1]):
            new_parts.append(part)  # a closed ring has no free end
            continue
        for end in (0, -1):
            point = shapely.Point(coords[end])
            if shapely.distance(point, target_all) > tolerance:
                continue
            nearest = tree.query_nearest(point, max_distance=tolerance)
            if len(nearest):
                coords[end] = shapely.get_coordinates(vertices[nearest[0]])[0]
            else:  # onto the nearest segment, and that point into the targets
                projected = shapely.line_interpolate_point(target_all, shapely.line_locate_point(target_all, point))
                coords[end] = shapely.get_coordinates(projected)[0]
                inserted.append(coords[end].copy())
        new_parts.append(shapely.LineString(coords))
    if inserted:
        snap_points = shapely.multipoints(np.asarray(inserted))
        targets = [shapely.snap(t, snap_points, tolerance) for t in targets]
    lines = new_parts[0] if len(new_parts) == 1 else shapely.MultiLineString(new_parts)
    return lines, targets


# ---------------------------------------------------------------- draw


def validate_sketch_polygon(sketch) -> None:
    if sketch is None or shapely.is_empty(sketch):
        raise EditError(MSG_EMPTY_SKETCH)
    if not shapely.is_valid(sketch):
        raise EditError(MSG_INVALID_RING, reason=shapely.is_valid_reason(sketch))
    if shapely.area(sketch) <= 0:
        raise EditError(MSG_EMPTY_SKETCH)


def polygon_from_points(points) -> shapely.Polygon:
    """The polygon of a sketched vertex list; raises EditError for fewer than three distinct points."""
    coords = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(coords) and np.allclose(coords[0], coords[-1]):
        coords = coords[:-1]
    if len(np.unique(coords, axis=0)) < 3:
        raise EditError(MSG_EMPTY_SKETCH)
    polygon = shapely.Polygon(coords)
    validate_sketch_polygon(polygon)
    return polygon


def clip_new_grid(sketch, parent=None, siblings=(), parent_label: str = "", min_area: float = MIN_AREA):
    """The sketch clipped to ``parent`` and minus what ``siblings`` already cover.

    Returns a Polygon or MultiPolygon that overlaps no sibling. Raises EditError for an invalid
    sketch, one outside the parent, or one that siblings already cover entirely.
    """
    validate_sketch_polygon(sketch)
    result = sketch
    if parent is not None and not shapely.is_empty(parent):
        if not shapely.intersects(parent, sketch) or shapely.area(shapely.intersection(parent, sketch)) < min_area:
            raise EditError(MSG_OUTSIDE_PARENT, parent=parent_label)
        result = polygonal(shapely.intersection(sketch, parent))
    siblings = np.asarray([g for g in siblings if g is not None and not shapely.is_empty(g)], dtype=object)
    if len(siblings):
        hits = STRtree(siblings).query(result, predicate="intersects")
        if len(hits):
            result = polygonal(shapely.difference(result, shapely.union_all(siblings[hits])))
    parts = polygon_parts(result)
    parts = parts[shapely.area(parts) >= min_area] if len(parts) else parts
    if len(parts) == 0:
        raise EditError(MSG_ALL_COVERED, parent=parent_label)
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(list(parts))


# ---------------------------------------------------------------- subdivide


def split_polygon(polygon, lines, label: str = "") -> list:
    """Split ``polygon`` by ``lines`` (one or more lines, or a closed ring) into an exact partition.

    The pieces are returned largest first. Raises EditError when the lines do not cut the polygon.
    """
    lines = as_lines(lines)
    polygon = polygonal(polygon)
    if not shapely.intersects(polygon, lines):
        raise EditError(MSG_LINE_MISSES, grid=label)
    lines, (boundary,) = attach_ends(lines, [shapely.boundary(polygon)])
    faces = _faces(shapely.GeometryCollection([boundary, lines]), polygon)
    if len(faces) < 2:
        raise EditError(MSG_LINE_NO_CUT, grid=label)
    pieces = _absorb_slivers(faces)
    if len(pieces) < 2:
        raise EditError(MSG_LINE_NO_CUT, grid=label)
    check = check_partition(polygon, pieces)
    if not check.exact():
        raise EditError(MSG_NOT_EXACT, grid=label, delta=abs(check.area_whole - check.area_parts) + check.uncovered)
    pieces.sort(key=lambda g: -shapely.area(g))
    return pieces


def lines_cutting(polygons, lines) -> np.ndarray:
    """Indexes of ``polygons`` that ``lines`` actually cut into two or more pieces."""
    polygons = np.asarray(polygons, dtype=object)
    lines = as_lines(lines)
    if len(polygons) == 0:
        return np.empty(0, dtype=int)
    candidates = STRtree(polygons).query(lines, predicate="intersects")
    cut = []
    for index in np.sort(candidates):  # a handful of grids under one sketch
        try:
            split_polygon(polygons[index], lines)
        except EditError:
            continue
        cut.append(int(index))
    return np.asarray(cut, dtype=int)


# ---------------------------------------------------------------- merge


def merge_polygons(geometries, labels=()):
    """One polygon from adjacent grids; raises EditError if they are fewer than two or not connected."""
    geometries = np.asarray([g for g in geometries if g is not None], dtype=object)
    if len(geometries) < 2:
        raise EditError(MSG_MERGE_FEW)
    merged = polygonal(shapely.union_all(geometries))
    if len(polygon_parts(merged)) > 1:
        raise EditError(MSG_MERGE_NOT_ADJACENT, grids=", ".join(str(x) for x in labels))
    # connected only through a point does not count: every grid must share an edge with the rest
    if len(geometries) > 1:
        for index in range(len(geometries)):
            others = np.delete(geometries, index)
            if shared_length(geometries[index], others).max() <= 0:
                raise EditError(MSG_MERGE_NOT_ADJACENT, grids=", ".join(str(x) for x in labels))
    return merged


# ---------------------------------------------------------------- gaps


def uncovered_parts(parent, children, min_area: float = GAP_MIN_AREA) -> np.ndarray:
    """The parts of ``parent`` that no child covers (largest first)."""
    children = np.asarray([g for g in children if g is not None], dtype=object)
    covered = shapely.union_all(children) if len(children) else shapely.Polygon()
    parts = polygon_parts(shapely.difference(parent, covered))
    if len(parts) == 0:
        return parts
    parts = parts[shapely.area(parts) >= min_area]
    return parts[np.argsort(-shapely.area(parts), kind="stable")]


def gap_at(parent, children, point, min_area: float = GAP_MIN_AREA):
    """The uncovered part of ``parent`` under ``point``, or None."""
    parts = uncovered_parts(parent, children, min_area)
    if len(parts) == 0:
        return None
    hits = shapely.covers(parts, point)
    return parts[int(np.flatnonzero(hits)[0])] if hits.any() else None


def best_neighbour(gap, neighbours, tolerance: float = LINE_TOLERANCE) -> int | None:
    """Index of the neighbour sharing the longest boundary with ``gap``, or None if none touches it."""
    neighbours = np.asarray(neighbours, dtype=object)
    if len(neighbours) == 0:
        return None
    candidates = STRtree(neighbours).query(gap, predicate="dwithin", distance=tolerance)
    if len(candidates) == 0:
        return None
    lengths = shared_length(gap, neighbours[candidates], tolerance)
    if lengths.max() <= 0:
        return None
    return int(candidates[int(np.argmax(lengths))])


def absorb_gap(neighbour, gap):
    """The neighbour grid grown by the gap."""
    return polygonal(shapely.union_all(np.asarray([neighbour, gap], dtype=object)))


# ---------------------------------------------------------------- move a shared boundary


def shared_boundary(a, b, tolerance: float = LINE_TOLERANCE):
    """The boundary ``a`` and ``b`` share (lineal; empty if none)."""
    exact = shapely.intersection(shapely.boundary(a), shapely.boundary(b))
    lineal = _lineal(exact)
    if shapely.length(lineal) > 0:
        return lineal
    return _lineal(shapely.intersection(shapely.boundary(a), shapely.buffer(b, tolerance)))


def _lineal(geometry):
    if geometry is None or shapely.is_empty(geometry):
        return shapely.LineString()
    parts = shapely.get_parts(geometry)
    lines = parts[
        np.isin(shapely.get_type_id(parts), [shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING])
    ]
    if len(lines) == 0:
        return shapely.LineString()
    return shapely.line_merge(shapely.union_all(lines))


def _snap_end_points(line, target, tolerance: float):
    """``line`` with its two end points moved onto ``target`` (nearest vertex if within tolerance)."""
    coords = np.array(shapely.get_coordinates(line))
    vertices = shapely.points(shapely.get_coordinates(target))
    for end in (0, -1):
        point = shapely.Point(coords[end])
        distances = shapely.distance(vertices, point)
        nearest = int(np.argmin(distances))
        if distances[nearest] <= tolerance:
            coords[end] = shapely.get_coordinates(vertices[nearest])[0]
        else:
            coords[end] = shapely.get_coordinates(
                shapely.line_interpolate_point(target, shapely.line_locate_point(target, point))
            )[0]
    return shapely.LineString(coords)


def move_shared_boundary(a, b, line, labels=("", ""), tolerance: float = LINE_TOLERANCE):
    """Replace part of the boundary between neighbours ``a`` and ``b`` by ``line``; return (a′, b′).

    ``line`` starts and ends on the shared boundary and runs inside a ∪ b; the land between the old
    and the new boundary changes hands. a′ and b′ partition a ∪ b exactly.
    """
    label_a, label_b = labels
    line = as_lines(line)
    if shapely.get_type_id(line) != shapely.GeometryType.LINESTRING:
        line = shapely.line_merge(line)
        if shapely.get_type_id(line) != shapely.GeometryType.LINESTRING:
            raise EditError(MSG_LINE_INVALID)
    shared = shared_boundary(a, b, tolerance)
    if shapely.length(shared) <= 0:
        raise EditError(MSG_NO_SHARED, a=label_a, b=label_b)
    start, end = shapely.points(shapely.get_coordinates(line)[[0, -1]])
    snap_distance = max(tolerance, 1e-9)
    if shapely.distance(start, shared) > snap_distance or shapely.distance(end, shared) > snap_distance:
        raise EditError(MSG_ENDS_OFF_SHARED, a=label_a, b=label_b)
    line = _snap_end_points(line, shared, snap_distance)
    whole = polygonal(shapely.union_all(np.asarray([a, b], dtype=object)))
    if not shapely.covers(shapely.buffer(whole, tolerance), line):
        raise EditError(MSG_LEAVES_PAIR, a=label_a, b=label_b)
    line, (boundary_a, boundary_b, shared) = attach_ends(
        line, [shapely.boundary(a), shapely.boundary(b), shared], snap_distance
    )
    # the arrangement of both boundaries and the new line
    linework = shapely.GeometryCollection([boundary_a, boundary_b, line])
    faces = _faces(linework, whole)
    # regions enclosed by the old shared boundary and the new line change hands
    enclosed = shapely.polygonize(shapely.get_parts(shapely.union_all(np.asarray([shared, line], dtype=object))))
    enclosed = shapely.get_parts(enclosed)
    points = shapely.point_on_surface(faces)
    in_a = shapely.contains(a, points)
    flips = np.zeros(len(faces), dtype=bool)
    if len(enclosed):
        flips = shapely.contains(shapely.union_all(enclosed), points)
    if not flips.any():
        raise EditError(MSG_NOTHING_MOVES)
    goes_to_a = in_a ^ flips
    new_a = polygonal(shapely.union_all(faces[goes_to_a])) if goes_to_a.any() else shapely.Polygon()
    new_b = polygonal(shapely.union_all(faces[~goes_to_a])) if (~goes_to_a).any() else shapely.Polygon()
    for geometry, label in ((new_a, label_a), (new_b, label_b)):
        if shapely.is_empty(geometry) or shapely.area(geometry) < MIN_AREA:
            raise EditError(MSG_WOULD_VANISH, grid=label)
        parts = polygon_parts(geometry)
        if len(parts) > 1:
            raise EditError(MSG_WOULD_BREAK, grid=label, parts=len(parts))
    return new_a, new_b


# ---------------------------------------------------------------- snapping helpers for the sketch


def snap_to_vertices(points, geometries, tolerance: float) -> np.ndarray:
    """Sketch points moved onto the nearest vertex of ``geometries`` within ``tolerance`` (vectorised)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    geometries = np.asarray([g for g in geometries if g is not None], dtype=object)
    if len(points) == 0 or len(geometries) == 0:
        return points
    vertices = shapely.points(np.unique(shapely.get_coordinates(geometries), axis=0))
    tree = STRtree(vertices)
    sketch = shapely.points(points)
    index_points, index_vertices = tree.query_nearest(
        sketch, max_distance=tolerance, return_distance=False, all_matches=False
    )
    out = points.copy()
    out[index_points] = shapely.get_coordinates(vertices[index_vertices])
    return out


# ---------------------------------------------------------------- what merges and splits carry along

COUNT_FIELDS = ("households", "population", "relocated_households")


def largest(areas) -> int:
    """The index of the largest area (the first one on a tie): the default survivor of a merge."""
    areas = np.asarray(areas, dtype=float)
    return int(np.argmax(np.nan_to_num(areas, nan=-1.0))) if len(areas) else -1


def split_counts(totals, areas) -> list[dict]:
    """``totals`` ({field: int}) shared among pieces in proportion to their ``areas``.

    Whole numbers by the largest remainder, so the pieces add up to the totals exactly (the fallback
    when a workspace has no household points to count).
    """
    areas = np.asarray(areas, dtype=float)
    n = len(areas)
    out = [{} for _ in range(n)]
    if n == 0:
        return out
    total_area = float(areas.sum())
    shares = areas / total_area if total_area > 0 else np.full(n, 1.0 / n)
    for name, total in totals.items():
        total = int(total or 0)
        exact = shares * total
        whole = np.floor(exact).astype(np.int64)
        rest = total - int(whole.sum())
        if rest > 0:
            order = np.lexsort((np.arange(n), -(exact - whole)))
            whole[order[:rest]] += 1
        for i in range(n):
            out[i][name] = int(whole[i])
    return out


def plan_heads(heads, survivor_code: str, retired_codes) -> tuple[list, list]:
    """Grid heads after a merge: ``heads`` are (staff id, grid code) of the grid heads of the merged grids.

    A grid has one head. When the survivor has none, the head of the largest retired grid (the first
    of ``retired_codes`` that has one) becomes the survivor's head: returned in ``moves`` as (staff id,
    survivor code). Every other head of a retired grid is returned in ``left`` (staff ids): the
    planner assigns them, nothing is moved silently.
    """
    heads = list(heads)
    order = {code: n for n, code in enumerate(retired_codes)}
    orphaned = sorted((order[code], n, sid) for n, (sid, code) in enumerate(heads) if code in order)
    orphaned = [sid for _, _, sid in orphaned]
    if any(code == survivor_code for _, code in heads) or not orphaned:
        return [], orphaned
    return [(orphaned[0], survivor_code)], orphaned[1:]
