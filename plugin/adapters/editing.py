"""Grid edits in QGIS: read grids from the layers' edit buffers, apply ``core.editing``, write back undoably.

Every change goes into the layer's edit buffer inside one ``beginEditCommand``/``endEditCommand``
pair, so one ``layer.undoStack().undo()`` takes the whole operation back and nothing is written to
the file until the user saves. All geometry is decided by ``plugin.core.editing`` before the edit
command is opened; a refusal raises :class:`EditFailure` with a translated message naming the layer
and the grid, and leaves the layer as it was.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import numpy as np
import shapely
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)
from qgis.PyQt.QtCore import QDate

from ..core import editing as core
from ..core import schema
from ..core.coderule import CodeRule, CodeRuleError
from ..core.errors import PluginError
from ..i18n import tr
from .arrays import python_value

COUNTY = "county"
TOWNSHIP = "township"
GRID = "grid"


class EditFailure(PluginError):
    """An edit was refused; ``str()`` is the translated message. Nothing was changed."""


def translate(error: core.EditError) -> str:
    return tr(error.template).format(**error.params)


@dataclass(frozen=True)
class GridRef:
    """A node the user works with: the county, a township, or one grid feature."""

    kind: str  # COUNTY, TOWNSHIP or GRID
    level: int | None = None  # grid level (0 = dedicated) for GRID
    fid: int | None = None
    code: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        if self.kind == GRID:
            name = self.name or tr("grid {fid}").format(fid=self.fid)
            return f"{name} ({self.code})" if self.code else name
        return f"{self.name or ''} {self.code or ''}".strip()


@dataclass
class GridSet:
    """Grids of one layer read from its edit buffer: parallel arrays, like core.model.GridArray."""

    level: int
    fids: np.ndarray
    geometries: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    parent_codes: np.ndarray
    attributes: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.fids)

    def ref(self, index: int) -> GridRef:
        return GridRef(GRID, self.level, int(self.fids[index]), self.codes[index], self.names[index])


def to_qgs(geometry) -> QgsGeometry:
    """A shapely polygonal geometry as a QGIS MultiPolygon geometry."""
    result = QgsGeometry()
    result.fromWkb(shapely.to_wkb(geometry))
    result.convertToMultiType()
    return result


def from_qgs(geometry: QgsGeometry):
    if geometry is None or geometry.isNull() or geometry.isEmpty():
        return None
    return shapely.from_wkb(bytes(geometry.asWkb()))


def level_name(level: int) -> str:
    return {
        1: tr("level 1 (village/community)"),
        2: tr("level 2 (section)"),
        3: tr("level 3 (group/street/building)"),
        0: tr("dedicated"),
    }[level]


@contextlib.contextmanager
def edit_command(layer: QgsVectorLayer, text: str):
    """One undoable command in ``layer``'s edit buffer; rolled back if the block raises."""
    started = False
    if not layer.isEditable():
        if not layer.startEditing():
            raise EditFailure(tr("Layer {layer} cannot be edited (is the file read-only?).").format(layer=layer.name()))
        started = True
    layer.beginEditCommand(text)
    try:
        yield layer
    except BaseException:
        layer.destroyEditCommand()
        if started and not layer.isModified():
            layer.rollBack()
        raise
    layer.endEditCommand()


class GridEditor:
    """The editing operations of the map tools and the dock, on one open workspace."""

    def __init__(self, workspace):
        self.workspace = workspace
        self.last_count_method: str | None = None  # "points" or "area": how the last subdivision counted

    # ------------------------------------------------------------ reading

    def layer(self, level: int) -> QgsVectorLayer:
        return self.workspace.grid_layer(level)

    def read(self, level: int, rect: QgsRectangle | None = None, active_only: bool = True) -> GridSet:
        layer = self.layer(level)
        request = QgsFeatureRequest()
        if rect is not None:
            request.setFilterRect(rect)
        names = layer.fields().names()
        fids, wkbs, rows = [], [], []
        for feature in layer.getFeatures(request):
            row = {name: python_value(value) for name, value in zip(names, feature.attributes())}
            if active_only and row.get("status") == "retired":
                continue
            geometry = feature.geometry()
            if geometry.isNull() or geometry.isEmpty():
                continue
            fids.append(feature.id())
            wkbs.append(bytes(geometry.asWkb()))
            rows.append(row)
        geometries = shapely.from_wkb(np.asarray(wkbs, dtype=object)) if wkbs else np.empty(0, dtype=object)
        column = lambda key: np.asarray([r.get(key) for r in rows] if rows else [], dtype=object)  # noqa: E731
        return GridSet(
            level,
            np.asarray(fids, dtype=np.int64),
            np.asarray(geometries, dtype=object),
            column("code"),
            column("name"),
            column("parent_code"),
            rows,
        )

    def feature(self, level: int, fid: int) -> QgsFeature:
        feature = self.layer(level).getFeature(fid)
        if not feature.isValid():
            raise EditFailure(
                tr("Feature {fid} of layer {layer} no longer exists.").format(fid=fid, layer=self.layer(level).name())
            )
        return feature

    def geometry(self, ref: GridRef):
        """The shapely geometry of a node: a grid, the county boundary, or (township) the county boundary."""
        if ref is None or ref.kind in (COUNTY, TOWNSHIP):
            return self.county_boundary()
        geometry = from_qgs(self.feature(ref.level, ref.fid).geometry())
        if geometry is None:
            raise EditFailure(
                tr("{grid} in layer {layer} has no geometry.").format(
                    grid=ref.label, layer=self.layer(ref.level).name()
                )
            )
        return geometry

    def county_boundary(self):
        layer = self.workspace.layer(schema.COUNTY_BOUNDARY.name)
        geometries = [from_qgs(f.geometry()) for f in layer.getFeatures()]
        geometries = [g for g in geometries if g is not None]
        return shapely.union_all(geometries) if geometries else None

    def ref(self, level: int, fid: int) -> GridRef:
        feature = self.feature(level, fid)
        return GridRef(
            GRID, level, fid, python_value(feature.attribute("code")), python_value(feature.attribute("name"))
        )

    def grid_at(self, level: int, point, parent: GridRef | None = None) -> GridRef | None:
        """The active grid of ``level`` under ``point`` (shapely Point, layer CRS), or None."""
        rect = QgsRectangle(point.x - 0.01, point.y - 0.01, point.x + 0.01, point.y + 0.01)
        grids = self.read(level, rect)
        if not len(grids):
            return None
        hits = np.flatnonzero(shapely.covers(grids.geometries, point))
        return grids.ref(int(hits[0])) if len(hits) else None

    @staticmethod
    def child_level(parent: GridRef | None) -> int:
        if parent is None or parent.kind in (COUNTY, TOWNSHIP):
            return 1
        return min(parent.level + 1, 3) if parent.level else 3

    def children_of(self, parent: GridRef | None, level: int) -> GridSet:
        """Active grids of ``level`` that lie in the parent's area (by geometry, not by code)."""
        parent_geometry = self.geometry(parent) if parent is not None else None
        if parent_geometry is None:
            return self.read(level)
        x0, y0, x1, y1 = shapely.bounds(parent_geometry)
        grids = self.read(level, QgsRectangle(x0, y0, x1, y1))
        if not len(grids):
            return grids
        inside = shapely.area(shapely.intersection(grids.geometries, parent_geometry)) > core.MIN_AREA
        return _subset(grids, inside)

    # ------------------------------------------------------------ new features

    def _new_attributes(self, level: int, parent: GridRef | None, **values) -> dict:
        attributes = {
            "level": level,
            "kind": "dedicated" if level == schema.LEVEL_DEDICATED else "comprehensive",
            "status": "active",
            "valid_from": QDate.currentDate(),
        }
        if parent is not None and parent.kind == GRID:
            attributes["parent_code"] = parent.code
            parent_feature = self.feature(parent.level, parent.fid)
            for inherited in ("area_class",):
                value = python_value(parent_feature.attribute(inherited))
                if value is not None:
                    attributes[inherited] = value
        elif parent is not None and parent.kind == TOWNSHIP:
            attributes["parent_code"] = parent.code
        attributes.update({k: v for k, v in values.items() if v is not None})
        if "code" not in attributes:
            attributes["code"] = self.propose_code(level, attributes.get("parent_code"))
        return attributes

    def propose_code(self, level: int, parent_code: str | None) -> str | None:
        """A provisional code for a new grid: the parent's code and the next free sequence number.

        Follows the workspace's code rule (default village12+2+3); the coding tool renumbers grids
        west→east, north→south later. None when the parent has no code that fits the rule.
        """
        if level == 1 or not parent_code:
            return None
        try:
            rule = CodeRule.parse(self.workspace.info.code_rule)
            lo, hi = rule.sequence_range(level)
            if len(parent_code) != rule.parent_width(level) or not parent_code.isdigit():
                return None
            width = rule.width(level)
            layer = self.layer(level)
            request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
            request.setSubsetOfAttributes(["code"], layer.fields())
            used = set()
            for feature in layer.getFeatures(request):  # codes are never reused, retired ones included
                code = python_value(feature.attribute("code"))
                if code and len(str(code)) == width and str(code).startswith(parent_code):
                    with contextlib.suppress(ValueError):
                        used.add(rule.sequence(str(code), level))
            free = next((n for n in range(lo, hi + 1) if n not in used), None)
            return None if free is None else rule.make_code(parent_code, level, free)
        except (CodeRuleError, ValueError):
            return None

    def default_name(self, level: int, parent: GridRef | None) -> str:
        count = len(self.children_of(parent, level)) if parent is not None else len(self.read(level))
        number = count + 1
        template = {
            1: tr("Village {n}"),
            2: tr("Section {n}"),
            3: tr("Group {n}"),
            0: tr("Dedicated grid {n}"),
        }[level]
        return template.format(n=number)

    def _add(self, layer: QgsVectorLayer, geometry, attributes: dict) -> int:
        fields = layer.fields()
        by_index = {fields.indexFromName(k): v for k, v in attributes.items() if fields.indexFromName(k) >= 0}
        feature = QgsVectorLayerUtils.createFeature(
            layer, to_qgs(geometry) if geometry is not None else QgsGeometry(), by_index
        )
        if not layer.addFeature(feature):
            raise EditFailure(tr("Could not add a feature to layer {layer}.").format(layer=layer.name()))
        return feature.id()

    def _set_geometry(self, layer: QgsVectorLayer, fid: int, geometry) -> None:
        if not layer.changeGeometry(fid, to_qgs(geometry)):
            raise EditFailure(
                tr("Could not change the geometry of feature {fid} in layer {layer}.").format(
                    fid=fid, layer=layer.name()
                )
            )

    def _set_value(self, layer: QgsVectorLayer, fid: int, name: str, value) -> None:
        index = layer.fields().indexFromName(name)
        if index >= 0 and not layer.changeAttributeValue(fid, index, value):
            raise EditFailure(
                tr("Could not change {field} of feature {fid} in layer {layer}.").format(
                    field=name, fid=fid, layer=layer.name()
                )
            )

    # ------------------------------------------------------------ draw

    def clip_sketch(self, parent: GridRef | None, level: int, sketch):
        """The sketched polygon clipped to the parent and to what siblings cover (raises EditFailure)."""
        parent_geometry = self.geometry(parent) if parent is not None else self.county_boundary()
        x0, y0, x1, y1 = shapely.bounds(sketch)
        siblings = self.read(level, QgsRectangle(x0, y0, x1, y1))
        label = parent.label if parent is not None else tr("the county")
        try:
            return core.clip_new_grid(sketch, parent_geometry, siblings.geometries, label)
        except core.EditError as error:
            raise EditFailure(translate(error)) from error

    def draw_grid(self, parent: GridRef | None, level: int, sketch, **values) -> int:
        """Add a grid of ``level`` from a sketched polygon; returns its (temporary) feature id."""
        geometry = self.clip_sketch(parent, level, sketch)
        layer = self.layer(level)
        attributes = self._new_attributes(level, parent, **values)
        attributes.setdefault("name", self.default_name(level, parent))
        with edit_command(layer, tr("Draw grid")):
            return self._add(layer, geometry, attributes)

    def add_dedicated(
        self,
        village: GridRef,
        sketch,
        dedicated_type: str,
        name: str | None = None,
        officer_name: str | None = None,
        officer_phone: str | None = None,
    ) -> int:
        """A dedicated grid inside a village, and its unit's safety officer as grid head (staff row)."""
        if dedicated_type not in {o.key for o in schema.DEDICATED_TYPES}:
            raise EditFailure(tr("{value} is not a dedicated grid type.").format(value=dedicated_type))
        if village is None or village.kind != GRID or village.level != 1:
            raise EditFailure(tr("A dedicated grid lies inside one village or community: choose a level 1 grid first."))
        fid = self.draw_grid(
            village,
            schema.LEVEL_DEDICATED,
            sketch,
            dedicated_type=dedicated_type,
            name=name or schema.option_label(schema.DEDICATED_TYPES, dedicated_type, "zh"),
        )
        if officer_name:
            grid_code = python_value(self.layer(schema.LEVEL_DEDICATED).getFeature(fid).attribute("code"))
            staff = self.workspace.layer(schema.STAFF.name)
            with edit_command(staff, tr("Add grid head of dedicated grid")):
                self._add(
                    staff,
                    None,
                    {
                        "name": officer_name,
                        "phone": officer_phone,
                        "role": "grid_head",
                        "grid_code": grid_code,
                        "safety_officer": True,
                        "position": tr("safety officer of the unit"),
                        "duties": tr("grid head of dedicated grid {name}").format(name=name or ""),
                    },
                )
        return fid

    # ------------------------------------------------------------ subdivide

    def subdivide(self, parent: GridRef | None, level: int, lines) -> list[int]:
        """Split the grids of ``level`` that ``lines`` cut; if none exists in the parent, partition the parent.

        Returns the feature ids of all resulting pieces.
        """
        try:
            lines = core.as_lines(lines)
        except core.EditError as error:
            raise EditFailure(translate(error)) from error
        x0, y0, x1, y1 = shapely.bounds(lines)
        grids = self.read(level, QgsRectangle(x0, y0, x1, y1))
        if parent is not None and len(grids):
            parent_geometry = self.geometry(parent)
            if parent_geometry is not None:
                inside = shapely.area(shapely.intersection(grids.geometries, parent_geometry)) > core.MIN_AREA
                grids = _subset(grids, inside)
        cut = core.lines_cutting(grids.geometries, lines) if len(grids) else np.empty(0, dtype=int)
        if len(cut):
            layer = self.layer(level)
            pieces = []
            for index in cut:
                pieces.append(self._split_pieces(grids.ref(int(index)), grids.geometries[index], lines))
            counts = [self._piece_counts(level, grids, ref, parts) for ref, parts in pieces]
            fids = []
            with edit_command(layer, tr("Subdivide grid")):
                for (ref, parts), piece_counts in zip(pieces, counts):
                    fids.extend(self._write_split(level, ref, parts, piece_counts))
            return fids
        # nothing of this level is cut: partition the parent itself into new grids of this level
        label = parent.label if parent is not None else tr("the county")
        existing = self.children_of(parent, level) if parent is not None else self.read(level)
        if len(existing):
            raise EditFailure(
                tr("The line cuts no {level} grid inside {parent}.").format(level=level_name(level), parent=label)
            )
        parent_geometry = self.geometry(parent) if parent is not None else self.county_boundary()
        if parent_geometry is None:
            raise EditFailure(tr("There is no parent area to subdivide: choose a grid in the workspace panel first."))
        try:
            parts = core.split_polygon(parent_geometry, lines, label)
        except core.EditError as error:
            raise EditFailure(translate(error)) from error
        layer = self.layer(level)
        totals = {}
        if parent is not None and parent.kind == GRID:
            parent_feature = self.feature(parent.level, parent.fid)
            totals = {name: _count(parent_feature.attribute(name)) for name in core.COUNT_FIELDS}
        # new codes are given in the order of the parts, so uncoded parts rank in that order on a boundary
        counts = self.count_households(level, parts, [None] * len(parts), totals, exclude=existing.fids)
        fids = []
        with edit_command(layer, tr("Subdivide {parent}").format(parent=label)):
            for part, values in zip(parts, counts):
                attributes = self._new_attributes(level, parent)
                attributes["name"] = self.default_name(level, parent)
                fids.append(self._add(layer, part, {**attributes, **values}))
        return fids

    def _split_pieces(self, ref: GridRef, geometry, lines):
        try:
            return ref, core.split_polygon(geometry, lines, ref.label)
        except core.EditError as error:
            raise EditFailure(translate(error)) from error

    def _piece_counts(self, level: int, grids: GridSet, ref: GridRef, parts) -> list[dict]:
        """Household counts of the pieces of one split grid (the original's piece first)."""
        original = self.feature(level, ref.fid)
        totals = {name: _count(original.attribute(name)) for name in core.COUNT_FIELDS}
        parent_code = python_value(original.attribute("parent_code"))
        codes = [ref.code] + [None] * (len(parts) - 1)
        if len(parts) > 1:  # the codes the new pieces will get, for the boundary rule
            proposed = self.propose_code(level, parent_code)
            codes[1] = proposed
        return self.count_households(level, parts, codes, totals, exclude=[ref.fid])

    def _write_split(self, level: int, ref: GridRef, parts, counts: list[dict] | None = None) -> list[int]:
        """The original keeps the largest piece (and its code); the others are new grids like it.

        ``counts``: households, population and relocated households of each piece (else 0 for the new ones).
        """
        layer = self.layer(level)
        original = layer.getFeature(ref.fid)
        counts = counts or [{}] + [{name: 0 for name in core.COUNT_FIELDS}] * (len(parts) - 1)
        self._set_geometry(layer, ref.fid, parts[0])
        for name, value in counts[0].items():
            self._set_value(layer, ref.fid, name, value)
        fids = [ref.fid]
        names = layer.fields().names()
        base = {name: original.attribute(name) for name in names if name not in ("fid",)}
        for number, (part, values) in enumerate(zip(parts[1:], counts[1:]), start=2):
            attributes = dict(base)
            attributes.update(
                code=self.propose_code(level, python_value(original.attribute("parent_code"))),
                name=f"{python_value(original.attribute('name')) or ''}-{number}",
                valid_from=QDate.currentDate(),
            )
            attributes.update(values)
            fids.append(self._add(layer, part, attributes))
        return fids

    # ------------------------------------------------------------ households of new pieces

    def household_points_layer(self) -> QgsVectorLayer | None:
        """The workspace's household points, or None when it has none."""
        layer = self.workspace.layers.get(schema.HOUSEHOLDS.name)
        if layer is None or not layer.isValid() or layer.featureCount() == 0:
            return None
        return layer

    def count_households(self, level: int, parts, codes, totals: dict, exclude=()) -> list[dict]:
        """Households, population and relocated households of new pieces of ``level``.

        Counted from the workspace's household points when it has any (the attach rule: a point on a
        shared boundary goes to the grid with the lowest code; the neighbours of the pieces take part in
        that rule); otherwise ``totals`` is shared by area. ``self.last_count_method`` says which:
        "points" or "area".
        """
        layer = self.household_points_layer()
        if layer is None:
            self.last_count_method = "area"
            return core.split_counts(totals, shapely.area(np.asarray(parts, dtype=object)))
        from ..core.households import HouseholdMapping, attach_households
        from ..core.model import GridArray
        from .household_edits import read_points_in

        parts = list(parts)
        x0, y0, x1, y1 = shapely.bounds(shapely.union_all(parts))
        rect = QgsRectangle(x0, y0, x1, y1)
        rect.grow(1.0)
        neighbours = self.read(level, rect)
        keep = ~np.isin(neighbours.fids, np.asarray(list(exclude), dtype=np.int64))
        n_parts = len(parts)
        geometries = parts + list(neighbours.geometries[keep])
        all_codes = list(codes) + list(neighbours.codes[keep])
        fids = [i - n_parts for i in range(n_parts)] + [int(f) for f in neighbours.fids[keep]]
        grid = GridArray.from_records(
            layer.name(), level, geometries, all_codes, fids=fids, attributes={"status": ["active"] * len(fids)}
        )
        mapping = HouseholdMapping(households=None, grid_code=None)
        points = read_points_in(layer, mapping, self.workspace.crs, rect)
        attachment = attach_households(points, grid, mapping=mapping)
        totals_out = attachment.level3
        self.last_count_method = "points"
        return [
            {
                "households": int(totals_out.households[i]),
                "population": int(totals_out.population[i]),
                "relocated_households": int(totals_out.relocated_households[i]),
            }
            for i in range(n_parts)
        ]

    # ------------------------------------------------------------ merge

    def merge_choices(self, level: int, fids) -> list[dict]:
        """The grids picked for a merge, as the survivor dialog lists them: fid, code, name, area, households.

        Raises EditFailure when they cannot be merged (so nothing is asked)."""
        out = []
        fids, features, geometries, _ = self._merge_plan(level, fids)
        for fid, feature, geometry in zip(fids, features, geometries):
            out.append(
                {
                    "fid": fid,
                    "code": python_value(feature.attribute("code")),
                    "name": python_value(feature.attribute("name")),
                    "area": float(shapely.area(geometry)) if geometry is not None else 0.0,
                    "households": _count(feature.attribute("households")),
                }
            )
        return out

    def merge(self, level: int, fids, keep: int | None = None) -> int:
        """Merge adjacent grids of one parent into the survivor ``keep`` (default: the largest by area).

        The survivor keeps its feature, code, name and other attributes; households and persons are added
        up; the other grids are deleted, as one undoable edit. When saved, the change log records a merge
        of every code into the survivor's and the code registry retires the others' codes
        (``ChangeTracker``), and grid heads follow (:meth:`merge_heads`).
        """
        fids, features, geometries, merged = self._merge_plan(level, fids)
        layer = self.layer(level)
        if keep is None:
            keep = fids[core.largest([shapely.area(g) if g is not None else 0.0 for g in geometries])]
        if keep not in fids:
            raise EditFailure(tr("The grid to keep must be one of the grids to merge."))
        sums = {name: sum(_count(f.attribute(name)) for f in features) for name in core.COUNT_FIELDS}
        with edit_command(layer, tr("Merge grids")):
            self._set_geometry(layer, keep, merged)
            for name, value in sums.items():
                self._set_value(layer, keep, name, value)
            for fid in fids:
                if fid != keep and not layer.deleteFeature(fid):
                    raise EditFailure(
                        tr("Could not delete feature {fid} of layer {layer}.").format(fid=fid, layer=layer.name())
                    )
        return keep

    def _merge_plan(self, level: int, fids):
        """Check that the grids can be merged: (fids, features, geometries, merged geometry), or EditFailure."""
        fids = list(dict.fromkeys(int(f) for f in fids))
        features = [self.feature(level, fid) for fid in fids]
        refs = [self.ref(level, fid) for fid in fids]
        if len(features) < 2:
            raise EditFailure(translate(core.EditError(core.MSG_MERGE_FEW)))
        parents = {python_value(f.attribute("parent_code")) for f in features}
        if len(parents) > 1:
            raise EditFailure(
                tr("{grids} belong to different parents ({parents}); only grids of one parent can be merged.").format(
                    grids=", ".join(r.label for r in refs), parents=", ".join(str(p) for p in sorted(parents, key=str))
                )
            )
        geometries = [from_qgs(f.geometry()) for f in features]
        try:
            merged = core.merge_polygons(geometries, [r.label for r in refs])
        except core.EditError as error:
            raise EditFailure(translate(error)) from error
        return fids, features, geometries, merged

    def grid_heads(self, codes) -> list[tuple[int, str, str]]:
        """(staff fid, grid code, name) of the grid heads of ``codes`` (the staff layer's edit buffer included)."""
        layer = self.workspace.layers.get(schema.STAFF.name)
        codes = {c for c in codes if c}
        if layer is None or not codes:
            return []
        out = []
        for feature in layer.getFeatures():
            code = python_value(feature.attribute("grid_code"))
            if python_value(feature.attribute("role")) == "grid_head" and code in codes:
                out.append((feature.id(), code, python_value(feature.attribute("name")) or ""))
        return out

    def merge_heads(self, survivor_code: str | None, retired_codes) -> tuple[list, list]:
        """What happens to the grid heads of merged grids: ([(staff fid, name, new code)], [(staff fid, name, code)]).

        The head of the largest retired grid moves to the survivor when the survivor has no head; any
        other head of a retired grid is left for the planner to assign (never silently orphaned).
        """
        retired_codes = [c for c in retired_codes if c and c != survivor_code]
        heads = self.grid_heads([survivor_code, *retired_codes])
        names = {fid: (name, code) for fid, code, name in heads}
        if survivor_code:
            moves, left = core.plan_heads([(fid, code) for fid, code, _ in heads], survivor_code, retired_codes)
        else:  # a survivor without a code cannot take a head
            moves, left = [], [fid for fid, code, _ in heads if code in retired_codes]
        return (
            [(fid, names[fid][0], code) for fid, code in moves],
            [(fid, names[fid][0], names[fid][1]) for fid in left],
        )

    # ------------------------------------------------------------ gaps

    def gaps(self, parent: GridRef | None, level: int) -> np.ndarray:
        parent_geometry = self.geometry(parent) if parent is not None else self.county_boundary()
        if parent_geometry is None:
            return np.empty(0, dtype=object)
        children = self.children_of(parent, level)
        return core.uncovered_parts(parent_geometry, children.geometries)

    def fill_gap(self, parent: GridRef | None, level: int, point, to_neighbour: bool = False) -> int:
        """Fill the uncovered part of the parent under ``point``: as a new grid, or given to a neighbour."""
        parent_geometry = self.geometry(parent) if parent is not None else self.county_boundary()
        label = parent.label if parent is not None else tr("the county")
        if parent_geometry is None:
            raise EditFailure(tr("There is no parent area: choose a grid in the workspace panel first."))
        if not shapely.covers(parent_geometry, point):
            raise EditFailure(
                tr("The point lies outside {parent}: click inside a gap of the parent.").format(parent=label)
            )
        children = self.children_of(parent, level)
        gap = core.gap_at(parent_geometry, children.geometries, point)
        if gap is None:
            raise EditFailure(
                tr("There is no gap here: the {level} grids already cover this part of {parent}.").format(
                    level=level_name(level), parent=label
                )
            )
        return self._fill(parent, level, gap, children, to_neighbour)

    def fill_all_gaps(self, parent: GridRef | None, level: int, to_neighbour: bool = False) -> list[int]:
        gaps = self.gaps(parent, level)
        if len(gaps) == 0:
            label = parent.label if parent is not None else tr("the county")
            raise EditFailure(tr("{parent} has no gaps at {level}.").format(parent=label, level=level_name(level)))
        layer = self.layer(level)
        fids = []
        with edit_command(layer, tr("Fill gaps")):
            for gap in gaps:
                children = self.children_of(parent, level)
                fids.append(self._fill(parent, level, gap, children, to_neighbour, own_command=False))
        return fids

    def _fill(self, parent, level, gap, children: GridSet, to_neighbour: bool, own_command: bool = True) -> int:
        layer = self.layer(level)
        command = edit_command(layer, tr("Fill gap")) if own_command else contextlib.nullcontext()
        if to_neighbour:
            index = core.best_neighbour(gap, children.geometries)
            if index is None:
                raise EditFailure(tr("No grid borders this gap; fill it with a new grid instead."))
            grown = core.absorb_gap(children.geometries[index], gap)
            with command:
                self._set_geometry(layer, int(children.fids[index]), grown)
            return int(children.fids[index])
        attributes = self._new_attributes(level, parent)
        attributes["name"] = self.default_name(level, parent)
        with command:
            return self._add(layer, gap, attributes)

    # ------------------------------------------------------------ move a shared boundary

    def move_boundary(self, level: int, line, parent: GridRef | None = None, tolerance: float = core.LINE_TOLERANCE):
        """Reshape the boundary between the two neighbours the line starts and ends on; returns their fids."""
        try:
            line = core.as_lines(line)
        except core.EditError as error:
            raise EditFailure(translate(error)) from error
        x0, y0, x1, y1 = shapely.bounds(shapely.buffer(line, tolerance))
        grids = self.read(level, QgsRectangle(x0, y0, x1, y1))
        if len(grids) < 2:
            raise EditFailure(
                tr("The line must run between two neighbouring {level} grids.").format(level=level_name(level))
            )
        ends = shapely.points(shapely.get_coordinates(line)[[0, -1]])
        touching = [
            i
            for i in range(len(grids))
            if (shapely.distance(shapely.boundary(grids.geometries[i]), ends) <= tolerance).all()
        ]
        last_error = None
        for i in touching:
            for j in touching:
                if j <= i:
                    continue
                a, b = grids.ref(i), grids.ref(j)
                try:
                    new_a, new_b = core.move_shared_boundary(
                        grids.geometries[i], grids.geometries[j], line, (a.label, b.label), tolerance
                    )
                except core.EditError as error:
                    last_error = error
                    continue
                layer = self.layer(level)
                with edit_command(layer, tr("Move boundary between {a} and {b}").format(a=a.label, b=b.label)):
                    self._set_geometry(layer, a.fid, new_a)
                    self._set_geometry(layer, b.fid, new_b)
                return a.fid, b.fid
        if last_error is not None:
            raise EditFailure(translate(last_error))
        raise EditFailure(
            tr("The line must start and end on the boundary shared by two neighbouring {level} grids.").format(
                level=level_name(level)
            )
        )

    # ------------------------------------------------------------ attributes from the tree

    def rename(self, ref: GridRef, name: str) -> None:
        name = (name or "").strip()
        if not name:
            raise EditFailure(tr("A grid needs a name; {grid} was left unchanged.").format(grid=ref.label))
        layer = self.layer(ref.level)
        self.feature(ref.level, ref.fid)
        with edit_command(layer, tr("Rename grid")):
            self._set_value(layer, ref.fid, "name", name)

    def retire(self, ref: GridRef, when: QDate | None = None) -> None:
        """Status 'retired' and valid_to, as one undoable edit (the feature and its geometry stay)."""
        layer = self.layer(ref.level)
        feature = self.feature(ref.level, ref.fid)
        if python_value(feature.attribute("status")) == "retired":
            raise EditFailure(tr("{grid} is already retired.").format(grid=ref.label))
        with edit_command(layer, tr("Retire grid")):
            self._set_value(layer, ref.fid, "status", "retired")
            self._set_value(layer, ref.fid, "valid_to", when or QDate.currentDate())


def _count(value) -> int:
    value = python_value(value)
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


def _subset(grids: GridSet, mask) -> GridSet:
    mask = np.asarray(mask, dtype=bool)
    return GridSet(
        grids.level,
        grids.fids[mask],
        grids.geometries[mask],
        grids.codes[mask],
        grids.names[mask],
        grids.parent_codes[mask],
        [row for row, keep in zip(grids.attributes, mask) if keep],
    )
