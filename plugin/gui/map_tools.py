"""The map tools: draw, subdivide, merge, fill gaps, move a shared boundary, dedicated grid.

Thin: a tool collects clicks (snapped through the canvas's QgsSnappingUtils to the parent and
sibling boundaries), turns them into a shapely sketch in the layer's CRS and hands it to
``adapters.editing.GridEditor``, which decides the geometry in ``core.editing`` and writes it as one
undoable edit. Every Qt event handler is guarded: an exception inside a virtual method called from
C++ would abort QGIS, so it is caught and reported in the message bar instead.

Mouse and keys (as in QGIS's own digitising tools): left click adds a vertex or picks a grid; right
click finishes (Shift + right click finishes one line of a subdivision and starts another); Enter
finishes; Backspace removes the last vertex; Esc cancels.
"""

from __future__ import annotations

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointLocator,
    QgsPointXY,
    QgsProject,
)
from qgis.gui import QgsMapTool, QgsRubberBand, QgsSnapIndicator
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from ..adapters.editing import GRID, EditFailure, GridRef, from_qgs, level_name, to_qgs
from ..adapters.snapping import SnappingScope
from ..adapters.tool_compat import LINE_GEOMETRY, POLYGON_GEOMETRY
from ..core import editing as core
from ..core import schema
from ..i18n import tr
from .guard import guarded
from .session import EditSession, forms_enabled

SKETCH_COLOR = QColor(230, 60, 30, 200)
SKETCH_FILL = QColor(230, 60, 30, 50)
DONE_COLOR = QColor(30, 90, 230, 220)
PICK_FILL = QColor(250, 200, 0, 90)
CLOSE_RING_PX = 8


class GridMapTool(QgsMapTool):
    """Common ground: the session, snapping, coordinate transformation, guarded events."""

    TOOL_NAME = ""  # English, translated in toolName()

    def __init__(self, canvas, session: EditSession):
        super().__init__(canvas)
        self.session = session
        self.snap_indicator = QgsSnapIndicator(canvas)
        self.snapping: SnappingScope | None = None
        self.setCursor(QgsApplication.getThemeCursor(QgsApplication.Cursor.CapturePoint))

    def toolName(self) -> str:  # noqa: N802
        return tr(self.TOOL_NAME)

    # ------------------------------------------------------------ what the tool works on

    def level(self) -> int:
        return self.session.active_level

    def layer(self):
        return self.session.editor.layer(self.level())

    def snapping_layers(self):
        return self.session.snapping_layers(self.level())

    # ------------------------------------------------------------ activation

    @guarded
    def activate(self) -> None:
        super().activate()
        self.snapping = SnappingScope(self.canvas(), self.snapping_layers())
        self.snapping.enter()

    @guarded
    def deactivate(self) -> None:
        self._safe_reset()
        if self.snapping is not None:
            self.snapping.exit()
            self.snapping = None
        self.snap_indicator.setMatch(QgsPointLocator.Match())
        super().deactivate()

    def _safe_reset(self) -> None:
        try:
            self.reset()
        except Exception as error:  # noqa: BLE001
            self.session.report_exception(error)

    def after_error(self) -> None:
        """After a refused or failed event (gui/guard.py): the sketch is forgotten."""
        self._safe_reset()

    def reset(self) -> None:
        """Forget the sketch; subclasses clear their rubber bands."""

    # ------------------------------------------------------------ points

    def snapped(self, event) -> QgsPointXY:
        match = self.canvas().snappingUtils().snapToMap(event.pos())
        self.snap_indicator.setMatch(match)
        return QgsPointXY(match.point()) if match.isValid() else QgsPointXY(event.mapPoint())

    def _transform(self):
        source = self.canvas().mapSettings().destinationCrs()
        target = self.layer().crs()
        if source == target:
            return None
        return QgsCoordinateTransform(source, target, QgsProject.instance())

    def to_layer(self, points) -> np.ndarray:
        """Map-canvas points as an (n, 2) array in the layer's CRS."""
        transform = self._transform()
        out = []
        for point in points:
            if transform is not None:
                point = transform.transform(point)
            out.append((point.x(), point.y()))
        return np.asarray(out, dtype=float).reshape(-1, 2)

    def layer_point(self, point: QgsPointXY) -> shapely.Point:
        x, y = self.to_layer([point])[0]
        return shapely.Point(x, y)

    def tolerance(self, pixels: float = 6.0) -> float:
        """A few pixels in layer units (for end points that should lie on a boundary)."""
        if self._transform() is None:
            return max(core.LINE_TOLERANCE, self.canvas().mapUnitsPerPixel() * pixels)
        return core.LINE_TOLERANCE

    def parent_geometry(self):
        return (
            self.session.editor.geometry(self.session.active_parent)
            if self.session.active_parent
            else (self.session.editor.county_boundary())
        )

    def done(self, text: str) -> None:
        self.session.report(text, Qgis.MessageLevel.Success, 4)
        self.session.changed()


class SketchTool(GridMapTool):
    """Collects a polygon (POLYGON = True) or one or more lines.

    Each tool defines ``apply_sketch(geometry)``: it receives the finished polygon, or the line(s) as a
    LineString / MultiLineString, in layer coordinates.
    """

    POLYGON = True

    def __init__(self, canvas, session):
        super().__init__(canvas, session)
        geometry_type = POLYGON_GEOMETRY if self.POLYGON else LINE_GEOMETRY
        self.band = QgsRubberBand(canvas, geometry_type)
        self.band.setStrokeColor(SKETCH_COLOR)
        self.band.setFillColor(SKETCH_FILL)
        self.band.setWidth(2)
        self.done_band = QgsRubberBand(canvas, LINE_GEOMETRY)
        self.done_band.setStrokeColor(DONE_COLOR)
        self.done_band.setWidth(2)
        self.points: list[QgsPointXY] = []
        self.lines: list[np.ndarray] = []

    def reset(self) -> None:
        self.points = []
        self.lines = []
        self.band.reset(POLYGON_GEOMETRY if self.POLYGON else LINE_GEOMETRY)
        self.done_band.reset(LINE_GEOMETRY)

    def _draw(self, hover: QgsPointXY | None = None) -> None:
        points = list(self.points) + ([hover] if hover is not None else [])
        self.band.reset(POLYGON_GEOMETRY if self.POLYGON else LINE_GEOMETRY)
        for index, point in enumerate(points):
            self.band.addPoint(point, index == len(points) - 1)

    # ------------------------------------------------------------ events

    @guarded
    def canvasMoveEvent(self, event) -> None:  # noqa: N802
        point = self.snapped(event)
        if self.points:
            self._draw(point)

    @guarded
    def canvasReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            point = self.snapped(event)
            if self.accept_point(point):
                self.points.append(point)
                self._draw()
        elif event.button() == Qt.MouseButton.RightButton:
            more = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.finish(more)

    @guarded
    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.reset()
            event.accept()
        elif key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and self.points:
            self.points.pop()
            self._draw()
            event.accept()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish(False)
            event.accept()
        else:
            event.ignore()

    def accept_point(self, point: QgsPointXY) -> bool:
        return True

    # ------------------------------------------------------------ finishing

    def finish(self, more: bool) -> None:
        if self.POLYGON:
            if not self.points:
                return
            coords = self.to_layer(self.points)
            self.points = []
            self._draw()
            polygon = core.polygon_from_points(coords)
            self.reset()
            self.apply_sketch(polygon)
            return
        if len(self.points) >= 2:
            self.lines.append(self._close_ring_if_meant(self.to_layer(self.points)))
            self.done_band.addGeometry(QgsGeometry.fromPolylineXY(self.points), None)
            self.points = []
            self._draw()
        elif self.points:
            raise EditFailure(tr("A line needs at least two points."))
        if more or not self.lines:
            return
        lines = [shapely.LineString(line) for line in self.lines]
        self.reset()
        self.apply_sketch(lines[0] if len(lines) == 1 else shapely.MultiLineString(lines))

    def _close_ring_if_meant(self, coords: np.ndarray) -> np.ndarray:
        if len(coords) >= 4:
            gap = np.hypot(*(coords[-1] - coords[0]))
            if gap <= CLOSE_RING_PX * self.canvas().mapUnitsPerPixel():
                coords = coords.copy()
                coords[-1] = coords[0]
        return coords


class DrawGridTool(SketchTool):
    """Digitise a grid of the active level inside the active parent; it never overlaps its siblings."""

    TOOL_NAME = "Draw grid"
    POLYGON = True

    def accept_point(self, point: QgsPointXY) -> bool:
        if self.points:
            return True
        parent = self.parent_geometry()
        if parent is None:
            return True
        if not shapely.covers(shapely.buffer(parent, self.tolerance()), self.layer_point(point)):
            self.session.report(
                tr("The click lies outside {parent}: start the new grid inside it.").format(
                    parent=self.session.parent_label
                ),
                Qgis.MessageLevel.Warning,
            )
            return False
        return True

    def apply_sketch(self, polygon) -> None:
        level = self.level()
        fid = self.session.editor.draw_grid(self.session.active_parent, level, polygon)
        layer = self.session.editor.layer(level)
        self.done(tr("Added a {level} grid to layer {layer}.").format(level=level_name(level), layer=layer.name()))
        self.session.open_form(layer, fid)


class DedicatedGridTool(DrawGridTool):
    """Digitise a dedicated grid (school, factory…) inside one village, with its safety officer as grid head."""

    TOOL_NAME = "Dedicated grid"

    def __init__(self, canvas, session):
        super().__init__(canvas, session)
        # What the dialog asks; used as it is when forms are switched off (tests, scripts).
        self.preset = {"dedicated_type": "school", "name": None, "officer_name": None, "officer_phone": None}

    def level(self) -> int:
        return schema.LEVEL_DEDICATED

    def village(self):
        parent = self.session.active_parent
        if parent is not None and parent.kind == GRID and parent.level == 1:
            return parent
        if parent is not None and parent.kind == GRID and parent.level == 2:
            village = self.session.editor.grid_at(1, shapely.point_on_surface(self.session.editor.geometry(parent)))
            if village is not None:
                return village
        return None

    def parent_geometry(self):
        village = self.village()
        return self.session.editor.geometry(village) if village is not None else None

    def accept_point(self, point: QgsPointXY) -> bool:
        village = self.village()
        if village is None:
            found = self.session.editor.grid_at(1, self.layer_point(point))
            if found is None:
                self.session.report(
                    tr("A dedicated grid lies inside one village or community: click inside a level 1 grid."),
                    Qgis.MessageLevel.Warning,
                )
                return False
            self.session.set_active_parent(found)
        return super().accept_point(point)

    def apply_sketch(self, polygon) -> None:
        village = self.village()
        values = dict(self.preset)
        if forms_enabled():
            from .dialogs import DedicatedGridDialog

            dialog = DedicatedGridDialog(self.session.iface.mainWindow(), values)
            if not dialog.exec():
                return
            values = dialog.values()
        fid = self.session.editor.add_dedicated(village, polygon, **values)
        layer = self.session.editor.layer(schema.LEVEL_DEDICATED)
        self.done(tr("Added a dedicated grid to layer {layer}.").format(layer=layer.name()))
        self.session.open_form(layer, fid)


class SubdivideTool(SketchTool):
    """Lines (or a closed ring) across grids of the active level, or across the active parent."""

    TOOL_NAME = "Subdivide"
    POLYGON = False

    def apply_sketch(self, lines) -> None:
        level = self.level()
        editor = self.session.editor
        editor.last_count_method = None
        fids = editor.subdivide(self.session.active_parent, level, lines)
        text = tr("Subdivided into {count} {level} grids.").format(count=len(fids), level=level_name(level))
        if editor.last_count_method == "points":
            self.done(text + " " + tr("Households and population counted from the household points."))
        elif editor.last_count_method == "area":
            self.session.report(
                text
                + " "
                + tr(
                    "The workspace has no household points: households and population were shared by area; "
                    "attach the households to count them."
                ),
                Qgis.MessageLevel.Warning,
                8,
            )
            self.session.changed()
        else:
            self.done(text)


class MoveBoundaryTool(SketchTool):
    """A new course for the boundary between two neighbours: from a point on it to another point on it."""

    TOOL_NAME = "Move shared boundary"
    POLYGON = False

    def apply_sketch(self, lines) -> None:
        if shapely.get_type_id(lines) != shapely.GeometryType.LINESTRING:
            raise EditFailure(tr("Draw one line for the new boundary."))
        level = self.level()
        self.session.editor.move_boundary(level, lines, self.session.active_parent, self.tolerance())
        self.done(tr("Moved the boundary between two {level} grids.").format(level=level_name(level)))


class PickTool(GridMapTool):
    """Tools that act on clicks, not sketches: each defines ``pick(point, modifiers)`` for a left click."""

    @guarded
    def canvasMoveEvent(self, event) -> None:  # noqa: N802
        self.snapped(event)

    @guarded
    def canvasReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.pick(self.layer_point(QgsPointXY(event.mapPoint())), event.modifiers())
        elif event.button() == Qt.MouseButton.RightButton:
            self.finish()

    @guarded
    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.reset()
            event.accept()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish()
            event.accept()
        else:
            event.ignore()

    def finish(self) -> None:
        """Right click / Enter."""


def choose_survivor(choices: list[dict], default: int, parent=None) -> int | None:
    """The merge tool's question, which grid lives on (the dialog; tests may drive it or replace this)."""
    from .dialogs import choose_survivor as ask

    return ask(choices, default, parent)


class MergeTool(PickTool):
    """Click adjacent grids of one parent, then right click (or Enter) and choose the grid that lives on.

    ``chooser(choices, default)`` asks which grid survives (index into ``choices``, None = cancel); it
    defaults to the dialog, the largest grid preselected.
    """

    TOOL_NAME = "Merge grids"

    def __init__(self, canvas, session, chooser=None):
        super().__init__(canvas, session)
        self.chooser = chooser
        self.band = QgsRubberBand(canvas, POLYGON_GEOMETRY)
        self.band.setStrokeColor(SKETCH_COLOR)
        self.band.setFillColor(PICK_FILL)
        self.band.setWidth(2)
        self.picked: list[int] = []

    def reset(self) -> None:
        self.picked = []
        self.band.reset(POLYGON_GEOMETRY)

    def _show(self) -> None:
        self.band.reset(POLYGON_GEOMETRY)
        layer = self.layer()
        for fid in self.picked:
            self.band.addGeometry(layer.getFeature(fid).geometry(), layer)

    def pick(self, point, modifiers) -> None:
        level = self.level()
        ref = self.session.editor.grid_at(level, point)
        if ref is None:
            self.session.report(
                tr("There is no active {level} grid here: click inside the grids to merge.").format(
                    level=level_name(level)
                ),
                Qgis.MessageLevel.Warning,
            )
            return
        if ref.fid in self.picked:
            self.picked.remove(ref.fid)
        else:
            self.picked.append(ref.fid)
        self._show()

    def finish(self) -> None:
        if not self.picked:
            return
        picked = list(self.picked)
        self.reset()
        editor = self.session.editor
        level = self.level()
        if len(picked) < 2:
            editor.merge(level, picked)  # refuses with the reason
            return
        choices = editor.merge_choices(level, picked)
        default = core.largest([c["area"] for c in choices])
        chooser = self.chooser or (
            lambda c, d: choose_survivor(c, d, self.session.iface.mainWindow() if self.session.iface else None)
        )
        index = chooser(choices, default)
        if index is None:
            self.session.report(tr("Merge cancelled: nothing was changed."), Qgis.MessageLevel.Info, 3)
            return
        survivor = choices[index]
        editor.merge(level, picked, keep=survivor["fid"])
        retired = [c["code"] for c in sorted(choices, key=lambda c: -c["area"]) if c["fid"] != survivor["fid"]]
        label = GridRef(GRID, level, survivor["fid"], survivor["code"], survivor["name"]).label
        text = tr("Merged {count} grids into {grid}.").format(count=len(picked), grid=label)
        codes = [c for c in retired if c and c != survivor["code"]]
        if codes:
            text += " " + tr("Codes retired when saved: {codes}.").format(codes=", ".join(codes))
        moves, left = editor.merge_heads(survivor["code"], codes)
        for _, name, _ in moves:
            text += " " + tr("Grid head {name} moves to {grid} when saved.").format(name=name, grid=label)
        if left:
            text += " " + tr("{grid} keeps its grid head; assign another grid to: {heads}.").format(
                grid=label, heads=", ".join(f"{name} ({code})" for _, name, code in left)
            )
            self.session.report(text, Qgis.MessageLevel.Warning, 10)
            self.session.changed()
            return
        self.done(text)


class FillGapTool(PickTool):
    """Click inside a gap of the active parent: it becomes a new grid, or (Shift, or the option) joins a neighbour."""

    TOOL_NAME = "Fill gap"

    def __init__(self, canvas, session):
        super().__init__(canvas, session)
        self.to_neighbour = False

    def pick(self, point, modifiers) -> None:
        to_neighbour = self.to_neighbour != bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        level = self.level()
        fid = self.session.editor.fill_gap(self.session.active_parent, level, point, to_neighbour)
        if to_neighbour:
            self.done(tr("Gave the gap to the neighbouring grid with the longest shared boundary."))
        else:
            self.done(tr("Filled the gap with a new {level} grid.").format(level=level_name(level)))
            self.session.open_form(self.session.editor.layer(level), fid)


TOOL_CLASSES = {
    "draw": DrawGridTool,
    "subdivide": SubdivideTool,
    "merge": MergeTool,
    "fill_gap": FillGapTool,
    "move_boundary": MoveBoundaryTool,
    "dedicated": DedicatedGridTool,
}


def polygon_to_band(band, geometry, layer=None) -> None:
    """Show a shapely geometry in a rubber band (used by the dock to flash the active parent)."""
    band.reset(POLYGON_GEOMETRY)
    if geometry is not None:
        band.addGeometry(to_qgs(geometry), layer)


__all__ = [
    "TOOL_CLASSES",
    "DedicatedGridTool",
    "DrawGridTool",
    "FillGapTool",
    "GridMapTool",
    "MergeTool",
    "MoveBoundaryTool",
    "SubdivideTool",
    "from_qgs",
    "polygon_to_band",
]
