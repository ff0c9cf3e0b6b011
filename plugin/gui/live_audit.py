"""The live audit while drawing: after each edit of a grid layer, its neighbourhood is checked and shown.

:class:`LiveAudit` listens to the workspace's grid layers (``geometryChanged``, ``featureAdded`` and ``featuresDeleted``
in the edit buffer, ``committedFeaturesAdded`` / ``committedGeometriesChanges`` when saved), gathers the edited
feature ids of one event-loop turn (a split or merge is several changes) and checks them with
:class:`~plugin.adapters.live_reader.LiveReader` (the edited grids, their neighbours and parent: overlap,
gap, outside the parent, size rules). The findings are drawn on the canvas as a rubber band (errors red,
warnings orange) and handed to the dock through :attr:`LiveAudit.checked`.
"""

from __future__ import annotations

import contextlib
import traceback

import shapely
from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsGeometry, QgsMessageLog
from qgis.gui import QgsRubberBand
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QColor

from ..adapters.live_reader import LiveReader
from ..adapters.tool_compat import POLYGON_GEOMETRY
from ..core import schema
from ..core.findings import Severity

LOG_TAG = "Community Grids"
LEVELS = (1, 2, 3, schema.LEVEL_DEDICATED)
POINT_RADIUS = 3.0  # m: a finding at a point is drawn as a small disc


def to_qgs(geometry) -> QgsGeometry:
    qgs = QgsGeometry()
    qgs.fromWkb(shapely.to_wkb(geometry, output_dimension=2))
    return qgs


class LiveAudit(QObject):
    """The live audit of one open workspace on one map canvas."""

    checked = pyqtSignal(object)  # list of LiveResult of the last check (empty: nothing to check)

    def __init__(self, canvas, workspace, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.workspace = workspace
        self.reader = LiveReader(workspace)
        self.enabled = True
        self.pending: dict[int, set[int]] = {}
        self.pending_removed: dict[int, dict] = {}  # level -> {fid: what the deleted grid was}
        self.results: list = []
        self.last_seconds = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.run_pending)
        self.bands = {
            Severity.ERROR: self._band(QColor(220, 0, 40, 230), QColor(220, 0, 40, 70)),
            Severity.WARNING: self._band(QColor(240, 140, 0, 230), QColor(240, 140, 0, 60)),
        }
        self._connections: list = []
        for level in LEVELS:
            layer = workspace.grid_layer(level)
            self._connect(layer.geometryChanged, lambda fid, *_, lv=level: self.edited(lv, fid))
            self._connect(layer.featureAdded, lambda fid, lv=level: self.edited(lv, fid))
            self._connect(
                layer.committedFeaturesAdded,
                lambda _id, features, lv=level: self.edited(lv, *[f.id() for f in features]),
            )
            self._connect(layer.committedGeometriesChanges, lambda _id, changes, lv=level: self.edited(lv, *changes))
            self._connect(layer.featuresDeleted, lambda fids, lv=level: self.deleted(lv, fids))
        county = workspace.layer(schema.COUNTY_BOUNDARY.name)
        self._connect(county.afterCommitChanges, self.reader.invalidate)

    def _band(self, stroke: QColor, fill: QColor) -> QgsRubberBand:
        band = QgsRubberBand(self.canvas, POLYGON_GEOMETRY)
        band.setStrokeColor(stroke)
        band.setFillColor(fill)
        band.setWidth(3)
        return band

    def _connect(self, signal, slot) -> None:
        signal.connect(slot)
        self._connections.append((signal, slot))

    # ------------------------------------------------------------ edits

    def edited(self, level: int, *fids) -> None:
        """Grids ``fids`` of ``level`` changed: check them when this turn of the event loop is over."""
        if not self.enabled:
            return
        self.pending.setdefault(level, set()).update(int(f) for f in fids)
        self._timer.start()

    def deleted(self, level: int, fids) -> None:
        """Grids ``fids`` of ``level`` deleted from the edit buffer: check the place they left (a gap in their
        parent, most often) when this turn of the event loop is over."""
        if not self.enabled:
            return
        try:
            removed = self.reader.removed(level, fids)
        except Exception:  # noqa: BLE001 - a Qt slot: the live audit must never break drawing
            QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.MessageLevel.Warning)
            return
        self.pending_removed.setdefault(level, {}).update(removed)
        self.pending.setdefault(level, set()).difference_update(int(f) for f in fids)
        self._timer.start()

    def run_pending(self) -> list:
        """Check the grids edited (and the places of those deleted) since the last check; the results (also
        drawn and emitted)."""
        pending, self.pending = self.pending, {}
        removed, self.pending_removed = self.pending_removed, {}
        results = []
        try:
            for level in sorted(set(pending) | set(removed)):
                result = self.reader.check(level, sorted(pending.get(level, ())), removed.get(level))
                if result is not None:
                    results.append(result)
        except Exception:  # noqa: BLE001 - a Qt slot: the live audit must never break drawing
            QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.MessageLevel.Warning)
            return []
        self.results = results
        self.last_seconds = sum(r.seconds for r in results)
        self.draw()
        self.checked.emit(results)
        return results

    def check(self, level: int, fids) -> list:
        """Check grids ``fids`` of ``level`` now (the dock's "check again")."""
        self.pending.setdefault(level, set()).update(int(f) for f in fids)
        return self.run_pending()

    @property
    def findings(self) -> list:
        return [f for r in self.results for f in r.findings]

    # ------------------------------------------------------------ the canvas

    def draw(self) -> None:
        crs = QgsCoordinateReferenceSystem(self.workspace.info.crs)
        for band in self.bands.values():
            band.reset(POLYGON_GEOMETRY)
        for finding in self.findings:
            geom = finding.geometry
            if geom is None and finding.location is not None:
                geom = shapely.Point(*finding.location)
            if geom is None or shapely.is_empty(geom):
                continue
            if shapely.get_dimensions(geom) < 2:
                geom = shapely.buffer(geom, POINT_RADIUS)
            band = self.bands[Severity.ERROR if finding.severity is Severity.ERROR else Severity.WARNING]
            band.addGeometry(to_qgs(geom), crs)
        self.canvas.refresh()

    def clear(self) -> None:
        self.results = []
        for band in self.bands.values():
            band.reset(POLYGON_GEOMETRY)

    def cleanup(self) -> None:
        self._timer.stop()
        for signal, slot in self._connections:
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)
        self._connections = []
        for band in self.bands.values():
            with contextlib.suppress(RuntimeError):
                band.reset(POLYGON_GEOMETRY)
                if self.canvas.scene() is not None:
                    self.canvas.scene().removeItem(band)
        self.bands = {}
