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

How it works, per grid layer of a GeoPackage workspace (the layer saved in QGIS as usual: Save Layer
Edits, toggling editing off, ``commitChanges``):

* ``beforeCommitChanges``: the edit buffer tells which features are touched (changed geometry or
  attributes, deleted, added). The saved state of those features and of every saved feature in the
  bounding box of the old and new geometries is read from the data provider (the state before); the same
  features and box read through the edit buffer are the state after, and ``core.changes.detect_changes``
  classifies what happens (create, reshape, split, merge, recode, retire). Each record becomes a
  ``change_log`` row (time, user, kind, layer, old and new code, area before and after; reason and
  approval reference are left for the planner);
* the buffered deletions, attribute and geometry changes and new features of the grid layer AND the
  change_log rows (and the registry's and grid heads' changes below) are written in ONE transaction of the
  workspace file (``gpkg_write.WorkspaceWrite``): a kill at any moment leaves the old grids with the old
  log or the new grids with their log rows, never grids without their log. Then the edit buffer is emptied
  (undone, so QGIS's own save that follows has nothing left to write) and, once QGIS's save is over, the
  layers are reloaded: the planner sees the saved grids as after QGIS's own save, the layer's undo stack
  is cleared as by a save. Undo works as ever before saving.
* if that write fails (a locked file, a full disk: GDAL's / SQLite's words), nothing is written, the save
  is refused (``commitChanges`` returns False), the edits stay in the buffer, the reason goes to
  ``last_error``, the QGIS message log and the ``saveFailed`` signal;
* with ``sync_registry`` the code registry learns the codes that appeared and retires the codes no
  active grid holds any more (``code_registry``);
* after a merge the grid head of the largest merged-away grid becomes the survivor's grid head when
  the survivor has none (``staff``); any other head of a merged-away grid is not moved but listed in
  ``head_notes`` and the QGIS message log, for the planner to assign.
* the change_log, code_registry and staff layers are reloaded after the write; when the planner is
  editing one of them, the rows are written into the file all the same and the planner's own edits wait
  in that layer's buffer (a registry or staff row the planner also changed takes the planner's values when
  the planner saves).

Other layers (a PostGIS workspace: its database's triggers keep the log; a grid layer whose edit buffer
adds, deletes or renames fields; a project using transaction groups) are saved by QGIS itself, and the
tracker records afterwards as before: ``committedFeaturesAdded`` gives the new ids, ``afterCommitChanges``
reads the features again and the log rows are written in a second transaction (``_save``). A failure
there never breaks the user's save: it is logged to the QGIS message log ("Community Grids") and kept in
``last_error``. In a project using transaction groups the "before" state is not available and nothing is
logged.

``checkpoint`` names of the one-transaction save (fault tests): ``tracker:grids-written``,
``tracker:log-written``, then the writer's ``before-commit`` and ``after-commit``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsFeatureRequest,
    QgsMessageLog,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core import schema
from ..core.changes import ChangeRecord, detect_changes
from ..core.codes import active_mask
from ..core.model import GridArray
from ..i18n import tr
from .arrays import python_value
from .codes_store import REGISTRY, held_codes, load_registry, read_grids, registry_edits, write_registry
from .filing import current_user
from .gpkg_write import WorkspaceWrite, WriteError, checkpoint
from .layer_edits import LayerEditError, add_rows, change_values
from .save_refusal import allow_save, refuse_save
from .workspace import layer_file

_FIELDS = ("code", "parent_code", "name", "status")


def read_saved(
    layer: QgsVectorLayer, layer_name: str, level: int, request: QgsFeatureRequest, edited: bool = False
) -> GridArray:
    """Features of the layer's data provider (the saved state; with ``edited``: the layer as its edit buffer
    shows it, new features with their negative ids) matching ``request``, as a GridArray."""
    provider = layer if edited else layer.dataProvider()
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


@dataclass
class _Written:
    """A grid save the tracker wrote itself (one transaction), waiting for QGIS's save to end."""

    records: list[ChangeRecord]
    tables: list[str]  # the other tables written (to reload)
    added: list[int]  # the ids the new features got in the file
    selected: list[int] = field(default_factory=list)  # the selection before the save, in the file's ids


def _attribute_values(values: dict, names: list[str], stored: set[str]) -> dict:
    """{field name: Python value} of a buffer's {index: value}, the provider's own fields only (no fid, no
    virtual or joined field); a value left to the database's default (QGIS ≥ 3.28) is not set."""
    out = {}
    for index, value in values.items():
        if not 0 <= index < len(names) or names[index] not in stored or names[index] == "fid":
            continue
        if type(value).__name__ == "QgsUnsetAttributeValue":
            continue
        out[names[index]] = python_value(value)
    return out


class ChangeTracker(QObject):
    """Records the changes of grid layers in ``change_log`` whenever their edits are saved."""

    changesRecorded = pyqtSignal(int)  # noqa: N815 - Qt naming: number of change_log rows written
    saveFailed = pyqtSignal(str)  # noqa: N815 - Qt naming: a grid save refused, the reason (translated)

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
        self._written: dict[str, _Written] = {}
        self._refused: dict[str, int] = {}  # grid layers whose save was refused: their undo index before
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
                (layer.afterRollBack, lambda n=name: self._rolled_back(n)),
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
        self._written.clear()
        for name in list(self._refused):
            self._allow_commit(name)

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
        self._pending.pop(name, None)
        self._written.pop(name, None)
        self._allow_commit(name)
        layer = self._layer(name)
        if not self._saves_itself(layer):
            self._guard("before", self._snapshot, name, level)
            return
        try:
            written = self._save_grid_edits(name, level)
        except Exception as error:  # noqa: BLE001 - a slot: refuse the save, never raise into QGIS
            self._refuse(name, error)
            return
        if written is not None:  # committed: whatever happens now, QGIS must not write these edits again
            self._written[name] = written
            layer.undoStack().setIndex(0)  # the buffer emptied: QGIS's save has nothing left to write

    def _features_added(self, name: str, features) -> None:
        pending = self._pending.get(name)
        if pending is not None:
            pending.added_fids.extend(int(f.id()) for f in features)

    def _after_commit(self, name: str, level: int) -> None:
        written = self._written.pop(name, None)
        if written is not None:
            self._guard("after", self._saved, name, written)
            return
        self._guard("after", self._record, name, level)

    def _rolled_back(self, name: str) -> None:
        self._pending.pop(name, None)
        self._written.pop(name, None)
        self._refused.pop(name, None)  # the blocking feature went with the edits

    # ------------------------------------------------------------ the one-transaction save

    def _saves_itself(self, layer: QgsVectorLayer) -> bool:
        """Whether the tracker writes the save of grid ``layer`` itself: a GeoPackage layer of the
        workspace file, a plain edit buffer (no transaction group) without field additions, deletions or
        renames."""
        path = getattr(self.workspace, "path", None)
        buffer = layer.editBuffer()
        if path is None or buffer is None or layer.providerType() != "ogr":
            return False
        if type(buffer).__name__ != "QgsVectorLayerEditBuffer":  # the passthrough buffer of a transaction
            return False
        group = getattr(buffer, "editBufferGroup", None)
        if group is not None and group() is not None:  # QGIS ≥ 3.26 buffered transaction groups
            return False
        try:
            if layer_file(layer) != Path(path).resolve() or Path(path).suffix.lower() != ".gpkg":
                return False
        except (OSError, ValueError):
            return False
        schema_edits = (
            buffer.addedAttributes(),
            buffer.deletedAttributeIds(),
            getattr(buffer, "renamedAttributes", dict)(),
        )
        return not any(schema_edits)

    def _save_grid_edits(self, name: str, level: int) -> _Written | None:
        """Write the edit buffer of grid layer ``name`` and its change_log rows (registry, grid heads) in one
        transaction; what was written (None: nothing to write). The caller empties the buffer."""
        layer = self._layer(name)
        buffer = layer.editBuffer()
        names = layer.fields().names()
        stored = set(layer.dataProvider().fields().names())
        deleted = sorted(int(f) for f in buffer.deletedFeatureIds() if f >= 0)
        gone = set(deleted)
        geometries = {
            int(fid): (None if geometry.isNull() else bytes(geometry.asWkb()))
            for fid, geometry in buffer.changedGeometries().items()
            if fid >= 0 and int(fid) not in gone
        }
        values = {
            int(fid): _attribute_values(changed, names, stored)
            for fid, changed in buffer.changedAttributeValues().items()
            if fid >= 0 and int(fid) not in gone
        }
        values = {fid: v for fid, v in values.items() if v}
        added = sorted(buffer.addedFeatures().items(), key=lambda item: -item[0])  # ids count down from -1
        rows = [_attribute_values(dict(enumerate(f.attributes())), names, stored) for _, f in added]
        wkbs = [bytes(f.geometry().asWkb()) if f.hasGeometry() else None for _, f in added]
        if not (deleted or geometries or values or added):
            return None
        selection = set(layer.selectedFeatureIds())
        records, registry, heads = [], None, {}
        pending = self._pending_for(name, level)
        if pending is not None:
            fids = sorted(pending.kept_fids | {int(fid) for fid, _ in added})
            after = read_saved(layer, name, level, QgsFeatureRequest().setFilterFids(fids), edited=True)
            if pending.rect is not None:
                request = QgsFeatureRequest().setFilterRect(pending.rect)
                after = _union(after, read_saved(layer, name, level, request, edited=True))
            records = detect_changes(
                pending.before,
                after,
                self.tolerance_m2,
                changed_at=self.clock(),
                user=self.user if self.user is not None else current_user(),
            )
            registry = self._registry_update(layer, after, records, edited=True) if self.sync_registry else None
            heads = self._follow_merges(records)
        adds, changes = registry_edits(*registry) if registry is not None else ([], {})
        try:
            with WorkspaceWrite(
                self.workspace.path, tr("Save the edits of {layer}").format(layer=layer.name())
            ) as write:
                write.delete(name, deleted)
                write.update(name, values)
                write.set_geometries(name, geometries)
                new_fids = write.add(name, rows, wkbs, force_type=True)
                checkpoint("tracker:grids-written")
                _write_records(write, records, adds, changes, heads)
        except WriteError as error:
            raise LayerEditError(str(error)) from error
        self.last_records = records
        self.last_error = ""
        written = ((schema.CHANGE_LOG.name, records), (REGISTRY, adds or changes), (schema.STAFF.name, heads))
        selected = [fid for fid in selection if fid >= 0 and fid not in gone]
        selected += [fid for fid, (old, _) in zip(new_fids, added) if old in selection]
        return _Written(records, [t for t, w in written if w], new_fids, selected)

    def _saved(self, name: str, written: _Written) -> None:
        """QGIS's save of a layer the tracker wrote is over: the layers show the file, listeners are told."""
        layer = self._layer(name)
        layer.reload()
        for table in written.tables:
            other = self.workspace.layers.get(table)
            if other is not None:
                other.reload()
        if written.selected:  # the selection kept, new grids under their new ids, as after QGIS's own save
            layer.selectByIds(written.selected)
        if written.added:  # as QGIS's own save tells (the live audit checks the new grids)
            features = list(layer.getFeatures(QgsFeatureRequest().setFilterFids(written.added)))
            with contextlib.suppress(TypeError, RuntimeError, AttributeError):
                layer.committedFeaturesAdded.emit(layer.id(), features)
        if written.records:
            self.changesRecorded.emit(len(written.records))

    def _refuse(self, name: str, error: Exception) -> None:
        """The one-transaction write failed: nothing was written; refuse QGIS's save, keep the edits."""
        self.last_error = tr(
            "The edits of {layer} were not saved: {error} Nothing was written; the edits are still there to save again."
        ).format(layer=self._layer(name).name(), error=error)
        QgsMessageLog.logMessage(self.last_error, tr("Community Grids"), Qgis.MessageLevel.Critical)
        # QGIS's save stops before it writes anything; the blocking feature is taken out again as soon as
        # that save is over (_allow_commit).
        self._refused[name] = refuse_save(self._layer(name))
        QTimer.singleShot(0, lambda n=name: self._allow_commit(n))
        self.saveFailed.emit(self.last_error)

    def _allow_commit(self, name: str) -> None:
        """Lift the refusal of ``name``'s save (once QGIS's save is over, and before the next one)."""
        index = self._refused.pop(name, None)
        if index is None:
            return
        with contextlib.suppress(RuntimeError, KeyError):
            allow_save(self._layer(name), index)

    # ------------------------------------------------------------ work

    def _snapshot(self, name: str, level: int) -> None:
        pending = self._pending_for(name, level)
        if pending is not None:
            self._pending[name] = pending

    def _pending_for(self, name: str, level: int) -> _Pending | None:
        """The state before the save of the features the buffer of ``name`` touches (None: nothing to log)."""
        layer = self._layer(name)
        buffer = layer.editBuffer()
        if buffer is None:
            return None
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
            return None
        before = read_saved(layer, name, level, QgsFeatureRequest().setFilterFids(sorted(touched)))
        boxes = [shapely.bounds(before.geometries[~shapely.is_missing(before.geometries)])] if len(before) else []
        new = [g.boundingBox() for g in buffer.changedGeometries().values() if not g.isNull()]
        new += [f.geometry().boundingBox() for f in added.values() if f.hasGeometry()]
        boxes.append([(b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()) for b in new])
        rect = _rectangle(np.concatenate([np.asarray(b, dtype=float).reshape(-1, 4) for b in boxes]))
        if rect is not None:
            before = _union(before, read_saved(layer, name, level, QgsFeatureRequest().setFilterRect(rect)))
        return _Pending(before, rect, touched - deleted)

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
                _write_records(write, records, adds, changes, heads)
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

    def _registry_update(self, layer: QgsVectorLayer, after: GridArray, records: list[ChangeRecord], edited=False):
        """(registry as stored, registry brought up to date, fids of its codes), or None without a registry.
        ``edited``: ``layer`` read as its edit buffer shows it (the save not written yet)."""
        registry_layer = self.workspace.layers.get(REGISTRY)
        if registry_layer is None:
            return None
        stored, fids = load_registry(registry_layer)
        registry = stored.copy()
        registry.record_existing(after)
        if not stored.codes():
            # the workspace starts keeping its codes with this save: every grid's code goes in, not only the
            # saved layer's, or the audit would find all the others missing from the registry
            registry.record_existing(list(read_grids(self.workspace).values()))  # as the buffers show them
        active = {c for c, a in zip(after.codes, active_mask(after)) if c and a}
        gone = {r.old_code for r in records if r.old_code} - active
        gone -= held_codes(layer, gone, edited)
        for record in records:
            if record.old_code in gone:
                registry.retire(record.old_code, note=record.change_kind, layer=after.layer, level=after.level)
        return stored, registry, fids


def _write_records(write: WorkspaceWrite, records, adds, changes, heads) -> None:
    """The change_log rows, the registry's new and changed entries and the staff's grid heads, in ``write``'s
    transaction (with the grids when they are saved by it too)."""
    write.add(schema.CHANGE_LOG.name, [r.to_row() for r in records])
    checkpoint("tracker:log-written")
    write.add(REGISTRY, adds)
    write.update(REGISTRY, changes)
    write.update(schema.STAFF.name, heads)
    write.set_info({})
