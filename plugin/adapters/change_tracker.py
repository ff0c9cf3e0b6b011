"""The grid change log, kept as edits are saved (§7.5, §7.6).

Usage (the workspace dock, once a workspace is open)::

    tracker = ChangeTracker(workspace)          # workspace: adapters.workspace.Workspace
    tracker.connect()                            # start watching the four grid layers
    tracker.changesRecorded.connect(panel.refresh)
    ...
    tracker.disconnect()                         # before the workspace's layers are removed

``ChangeTracker(workspace, parent=None, *, user=None, tolerance_m2=0.01, clock=None,
sync_registry=True)``: ``user`` defaults to the QGIS user's full name (else login, else OS user);
``clock()`` returns the time stamped on records (default ``datetime.now``).

How it works, per grid layer:

* ``beforeCommitChanges``: the edit buffer tells which features are touched (changed geometry or
  attributes, deleted, added). The saved state of those features and of every saved feature in the
  bounding box of the old and new geometries is read from the data provider (the committed state);
* ``committedFeaturesAdded``: the ids the new features got in the file;
* ``afterCommitChanges``: the same features and box are read again and ``core.changes.detect_changes``
  classifies what happened (create, reshape, split, merge, recode, retire). Each record becomes a
  ``change_log`` row (time, user, kind, layer, old and new code, area before and after; reason and
  approval reference are left for the planner);
* with ``sync_registry`` the code registry learns the codes that appeared and retires the codes no
  active grid holds any more (``code_registry``);
* after a merge the grid head of the largest merged-away grid becomes the survivor's grid head when
  the survivor has none (``staff``); any other head of a merged-away grid is not moved but listed in
  ``head_notes`` and the QGIS message log, for the planner to assign.
* the change_log rows, the registry's changes and the heads are written in ONE transaction of the
  workspace file (``gpkg_write.WorkspaceWrite``, the Processing algorithms' writer) and the three layers
  reloaded — unless the user is editing one of those tables: then they go through the layers' edit
  buffers (saved at once, except in a layer the user is editing, where they wait with the user's edits).

A failure inside a slot never breaks the user's save: it is logged to the QGIS message log
("Community Grids") and kept in ``last_error``. Limitation: in a project using transaction groups
(edits written straight to the database), the "before" state is not available and nothing is logged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import shapely
from qgis.core import Qgis, QgsFeatureRequest, QgsMessageLog, QgsRectangle, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, pyqtSignal

from ..core import schema
from ..core.changes import ChangeRecord, detect_changes
from ..core.codes import active_mask
from ..core.model import GridArray
from ..i18n import tr
from .arrays import python_value
from .codes_store import REGISTRY, held_codes, load_registry, registry_edits, write_registry
from .filing import current_user
from .gpkg_write import WorkspaceWrite, WriteError, checkpoint
from .layer_edits import LayerEditError, add_rows, change_values

_FIELDS = ("code", "parent_code", "name", "status")


def read_saved(layer: QgsVectorLayer, layer_name: str, level: int, request: QgsFeatureRequest) -> GridArray:
    """Features of the layer's data provider (the saved state) matching ``request``, as a GridArray."""
    provider = layer.dataProvider()
    fields = provider.fields()
    indexes = {name: fields.indexFromName(name) for name in _FIELDS}
    request.setSubsetOfAttributes([i for i in indexes.values() if i >= 0])
    fids, wkbs = [], []
    columns = {name: [] for name in _FIELDS}
    for feature in provider.getFeatures(request):
        fids.append(feature.id())
        attributes = feature.attributes()
        for name, index in indexes.items():
            value = python_value(attributes[index]) if index >= 0 else None
            columns[name].append(value.strip() or None if isinstance(value, str) else value)
        geometry = feature.geometry()
        wkbs.append(None if geometry.isNull() else bytes(geometry.asWkb()))
    n = len(fids)
    obj = {}
    for name, values in columns.items():
        column = np.empty(n, dtype=object)
        column[:] = values
        obj[name] = column
    wkb = np.empty(n, dtype=object)
    wkb[:] = wkbs
    geometries = shapely.from_wkb(wkb, on_invalid="ignore") if n else np.empty(0, dtype=object)
    return GridArray(
        layer_name,
        level,
        np.asarray(fids, dtype=np.int64),
        obj["code"],
        obj["parent_code"],
        obj["name"],
        geometries,
        {"status": obj["status"]},
    )


def _union(a: GridArray, b: GridArray) -> GridArray:
    """Rows of ``a`` and the rows of ``b`` whose fid ``a`` lacks."""
    extra = ~np.isin(b.fids, a.fids)
    if not extra.any():
        return a
    b = b.subset(extra)
    return GridArray(
        a.layer,
        a.level,
        np.concatenate([a.fids, b.fids]),
        np.concatenate([a.codes, b.codes]),
        np.concatenate([a.parent_codes, b.parent_codes]),
        np.concatenate([a.names, b.names]),
        np.concatenate([a.geometries, b.geometries]),
        {k: np.concatenate([a.attributes[k], b.attributes[k]]) for k in a.attributes},
    )


def _rectangle(bounds) -> QgsRectangle | None:
    """The rectangle holding every finite (xmin, ymin, xmax, ymax) row of ``bounds``; None if none."""
    bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
    bounds = bounds[np.isfinite(bounds).all(axis=1)]
    if not len(bounds):
        return None
    return QgsRectangle(bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())


@dataclass
class _Pending:
    before: GridArray
    rect: QgsRectangle | None
    kept_fids: set[int]  # touched saved features that were not deleted
    added_fids: list[int] = field(default_factory=list)


class ChangeTracker(QObject):
    """Records the changes of grid layers in ``change_log`` whenever their edits are saved."""

    changesRecorded = pyqtSignal(int)  # noqa: N815 - Qt naming: number of change_log rows written

    def __init__(
        self,
        workspace,
        parent: QObject | None = None,
        *,
        user: str | None = None,
        tolerance_m2: float = 0.01,
        clock: Callable[[], datetime] | None = None,
        sync_registry: bool = True,
    ):
        super().__init__(parent)
        self.workspace = workspace
        self.user = user
        self.tolerance_m2 = tolerance_m2
        self.clock = clock or (lambda: datetime.now().replace(microsecond=0))
        self.sync_registry = sync_registry
        self.last_records: list[ChangeRecord] = []
        self.last_error: str = ""
        self.head_notes: list[str] = []  # grid heads a merge left without a grid (see _follow_merges)
        self._pending: dict[str, _Pending] = {}
        self._connections: list[tuple[object, Callable]] = []

    # ------------------------------------------------------------ lifecycle

    @property
    def connected(self) -> bool:
        return bool(self._connections)

    def connect(self) -> None:
        """Watch the workspace's grid layers (idempotent)."""
        if self._connections:
            return
        for layer_def in schema.GRID_LAYERS:
            layer = self.workspace.layers[layer_def.name]
            name, level = layer_def.name, layer_def.level
            slots = (
                (layer.beforeCommitChanges, lambda *_, n=name, lv=level: self._before_commit(n, lv)),
                (layer.committedFeaturesAdded, lambda _id, features, n=name: self._features_added(n, features)),
                (layer.afterCommitChanges, lambda n=name, lv=level: self._after_commit(n, lv)),
                (layer.afterRollBack, lambda n=name: self._pending.pop(n, None)),
            )
            for signal, slot in slots:
                signal.connect(slot)
                self._connections.append((signal, slot))

    def disconnect(self) -> None:  # noqa: A003 - mirrors connect()
        """Stop watching (safe when the layers are already deleted)."""
        for signal, slot in self._connections:
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)
        self._connections.clear()
        self._pending.clear()

    def __enter__(self) -> ChangeTracker:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.disconnect()

    # ------------------------------------------------------------ slots

    def _layer(self, name: str) -> QgsVectorLayer:
        return self.workspace.layers[name]

    def _guard(self, what: str, func, *args) -> None:
        try:
            func(*args)
        except Exception as error:  # noqa: BLE001 - never break the user's save
            self.last_error = tr("The change log could not be updated ({step}): {error}").format(step=what, error=error)
            QgsMessageLog.logMessage(self.last_error, tr("Community Grids"), Qgis.MessageLevel.Warning)

    def _before_commit(self, name: str, level: int) -> None:
        self._guard("before", self._snapshot, name, level)

    def _features_added(self, name: str, features) -> None:
        pending = self._pending.get(name)
        if pending is not None:
            pending.added_fids.extend(int(f.id()) for f in features)

    def _after_commit(self, name: str, level: int) -> None:
        self._guard("after", self._record, name, level)

    # ------------------------------------------------------------ work

    def _snapshot(self, name: str, level: int) -> None:
        self._pending.pop(name, None)
        layer = self._layer(name)
        buffer = layer.editBuffer()
        if buffer is None:
            return
        deleted = {int(f) for f in buffer.deletedFeatureIds() if f >= 0}
        touched = {int(f) for f in buffer.changedGeometries() if f >= 0}
        fields = layer.fields()
        watched = {fields.indexFromName(n) for n in ("code", "status")} - {-1}
        touched |= {  # attribute edits matter only when they change the code or the status
            int(f) for f, values in buffer.changedAttributeValues().items() if f >= 0 and watched & set(values)
        }
        touched |= deleted
        added = buffer.addedFeatures()
        if not touched and not added:
            return
        before = read_saved(layer, name, level, QgsFeatureRequest().setFilterFids(sorted(touched)))
        boxes = [shapely.bounds(before.geometries[~shapely.is_missing(before.geometries)])] if len(before) else []
        new = [g.boundingBox() for g in buffer.changedGeometries().values() if not g.isNull()]
        new += [f.geometry().boundingBox() for f in added.values() if f.hasGeometry()]
        boxes.append([(b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()) for b in new])
        rect = _rectangle(np.concatenate([np.asarray(b, dtype=float).reshape(-1, 4) for b in boxes]))
        if rect is not None:
            before = _union(before, read_saved(layer, name, level, QgsFeatureRequest().setFilterRect(rect)))
        self._pending[name] = _Pending(before, rect, touched - deleted)

    def _record(self, name: str, level: int) -> None:
        pending = self._pending.pop(name, None)
        if pending is None:
            return
        layer = self._layer(name)
        fids = sorted(pending.kept_fids | set(pending.added_fids))
        after = read_saved(layer, name, level, QgsFeatureRequest().setFilterFids(fids))
        if pending.rect is not None:
            after = _union(after, read_saved(layer, name, level, QgsFeatureRequest().setFilterRect(pending.rect)))
        records = detect_changes(
            pending.before,
            after,
            self.tolerance_m2,
            changed_at=self.clock(),
            user=self.user if self.user is not None else current_user(),
        )
        self.last_records = records
        registry = self._registry_update(layer, after, records) if self.sync_registry else None
        heads = self._follow_merges(records)
        self._save(records, registry, heads)
        if records:
            self.changesRecorded.emit(len(records))

    def _save(self, records: list[ChangeRecord], registry, heads: dict[int, dict]) -> None:
        """Write the change_log rows, the registry's changes and the grid heads that follow a merge.

        When the user edits none of those tables: in ONE transaction of the workspace file
        (:class:`gpkg_write.WorkspaceWrite`, as the Processing algorithms write), then the layers are
        reloaded. Otherwise into the layers' edit buffers, saved at once unless the user is editing them."""
        names = (schema.CHANGE_LOG.name, REGISTRY, schema.STAFF.name)
        layers = [self.workspace.layers.get(name) for name in names]
        adds, changes = registry_edits(*registry) if registry is not None else ([], {})
        if not records and not adds and not changes and not heads:
            return
        path = getattr(self.workspace, "path", None)
        if path is None or any(layer is not None and layer.isEditable() for layer in layers):
            self._save_in_buffers(records, registry, heads)
            return
        try:
            with WorkspaceWrite(path, tr("Record grid changes")) as write:
                write.add(schema.CHANGE_LOG.name, [r.to_row() for r in records])
                checkpoint("tracker:log-written")
                write.add(REGISTRY, adds)
                write.update(REGISTRY, changes)
                write.update(schema.STAFF.name, heads)
                write.set_info({})
        except WriteError as error:
            raise LayerEditError(str(error)) from error
        for layer, written in zip(layers, (records, adds or changes, heads)):
            if layer is not None and written:
                layer.reload()

    def _save_in_buffers(self, records: list[ChangeRecord], registry, heads: dict[int, dict]) -> None:
        if records:
            add_rows(
                self._layer(schema.CHANGE_LOG.name),
                [r.to_row() for r in records],
                tr("Record grid changes"),
            )
        if registry is not None:
            stored, after, fids = registry
            write_registry(self.workspace.layers[REGISTRY], stored, after, fids, tr("Update code registry"))
        staff = self.workspace.layers.get(schema.STAFF.name)
        if heads and staff is not None:
            change_values(staff, heads, tr("Grid heads follow a merge"))

    def _follow_merges(self, records: list[ChangeRecord]) -> dict[int, dict]:
        """Grid heads of merged-away grids: the survivor's head when it has none (the staff changes returned,
        {fid: {"grid_code": code}}), else listed in ``head_notes``."""
        groups: dict[str, list[ChangeRecord]] = {}
        for record in records:
            if record.change_kind == "merge" and record.new_code:
                groups.setdefault(record.new_code, []).append(record)
        staff = self.workspace.layers.get(schema.STAFF.name)
        if not groups or staff is None:
            return {}
        from .editing import GridEditor

        editor = GridEditor(self.workspace)
        changes = {}
        for survivor, group in groups.items():
            group.sort(key=lambda r: -(r.area_before or 0.0))
            moves, left = editor.merge_heads(survivor, [r.old_code for r in group])
            changes.update({fid: {"grid_code": code} for fid, _, code in moves})
            for _, name, code in left:
                note = tr("Grid head {name} of the merged grid {code} has no grid now: assign another grid.").format(
                    name=name, code=code
                )
                self.head_notes.append(note)
                QgsMessageLog.logMessage(note, tr("Community Grids"), Qgis.MessageLevel.Warning)
        return changes

    def _registry_update(self, layer: QgsVectorLayer, after: GridArray, records: list[ChangeRecord]):
        """(registry as stored, registry brought up to date, fids of its codes), or None without a registry."""
        registry_layer = self.workspace.layers.get(REGISTRY)
        if registry_layer is None:
            return None
        stored, fids = load_registry(registry_layer)
        registry = stored.copy()
        registry.record_existing(after)
        active = {c for c, a in zip(after.codes, active_mask(after)) if c and a}
        gone = {r.old_code for r in records if r.old_code} - active
        gone -= held_codes(layer, gone)
        for record in records:
            if record.old_code in gone:
                registry.retire(record.old_code, note=record.change_kind, layer=after.layer, level=after.level)
        return stored, registry, fids
