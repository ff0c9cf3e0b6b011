"""Every save of a shared workspace's grid layer names the version each changed grid was read at (issue 14, item 4).

The database refuses an update of a grid that does not name the version it read (``core.pg_schema``: SQLSTATE
``CGV02``) and one naming a version other than the current one (``CGV01``). QGIS's ``postgres`` provider sends
only the columns that changed, so a :class:`VersionGuard` on each grid layer of a shared workspace:

* remembers the version of every grid when editing starts and after each save (one query through the layer's
  provider: fid and version, no geometry) — what the planner read;
* before a save (``beforeCommitChanges``) adds ``version = <read>`` to the edit buffer of every grid whose
  attributes or geometry changed, so the provider's UPDATE names it (attribute and geometry saves alike);
* checks those grids' current versions first, and those of the grids the save deletes: a grid someone else saved
  since it was read is named in a translated message (who, when, which version), sent through
  :attr:`VersionGuard.refused`, and the whole save is refused before QGIS writes anything (``save_refusal``; the
  database would refuse the updates in any case, but a DELETE names no version); QGIS keeps the edits in the
  layer's edit buffer, nothing is overwritten.
"""

from __future__ import annotations

from qgis.core import QgsFeatureRequest, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core import schema
from ..i18n import tr
from .save_refusal import allow_save, refuse_save

VERSION = "version"
GUARD_NAME = "community_grids_version_guard"


def conflict_message(code: str, layer: str, user: str, at, version, read) -> str:
    return tr(
        "Grid {code} ({layer}) was changed by {user} at {at} (version {version}) after you read it "
        "(version {read}); your edit was not saved and stays in the layer: nothing was overwritten."
    ).format(
        code=code or "?",
        layer=layer,
        user=user or "?",
        at=str(at or "")[:19].replace("T", " "),
        version=version,
        read=read,
    )


class VersionGuard(QObject):
    """Names the read version in every save of one grid layer (a child of the layer: it lives as long as it)."""

    refused = pyqtSignal(str)  # the translated message of a save refused because a grid changed

    def __init__(self, layer: QgsVectorLayer, layer_name: str):
        super().__init__(layer)
        self.setObjectName(GUARD_NAME)
        self.layer_name = layer_name
        self.read: dict[int, int] = {}
        self.last_refusal: str | None = None
        layer.editingStarted.connect(self.remember)
        layer.beforeCommitChanges.connect(self._before_commit)
        layer.afterCommitChanges.connect(self.remember)
        if layer.isEditable():
            self.remember()

    def _layer(self) -> QgsVectorLayer:
        return self.parent()

    def _versions(self, fids=None) -> dict[int, tuple]:
        """{fid: (version, code, updated_by, updated_at)} as the database holds them now."""
        layer = self._layer()
        provider = layer.dataProvider()
        fields = provider.fields()
        wanted = [n for n in (VERSION, "code", "updated_by", "updated_at") if fields.indexOf(n) >= 0]
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
        request.setSubsetOfAttributes(wanted, fields)
        if fids is not None:
            request.setFilterFids(list(fids))
        out = {}
        for feature in provider.getFeatures(request):
            values = [feature[n] if n in wanted else None for n in (VERSION, "code", "updated_by", "updated_at")]
            if values[3] is not None and hasattr(values[3], "toString"):
                values[3] = values[3].toString("yyyy-MM-dd HH:mm:ss")
            out[feature.id()] = tuple(values)
        return out

    def remember(self, *args) -> None:
        """The versions the planner reads now (editing started, or a save went through)."""
        self.read = {fid: v[0] for fid, v in self._versions().items() if v[0] is not None}

    def _before_commit(self, *args) -> None:
        try:
            self.name_versions()
        except Exception as error:  # noqa: BLE001 - a slot: never let an exception reach QGIS's C++
            self.last_refusal = str(error)

    def name_versions(self) -> list[str]:
        """Add ``version = <read>`` to the edits of every changed grid; return the messages of the grids someone
        else saved since (sent through ``refused`` too). The database refuses those; nothing is overwritten."""
        layer = self._layer()
        buffer = layer.editBuffer()
        index = layer.fields().indexOf(VERSION)
        if buffer is None or index < 0:
            return []
        attributes = buffer.changedAttributeValues()
        changed = sorted(fid for fid in {*attributes.keys(), *buffer.changedGeometries().keys()} if fid >= 0)
        deleted = sorted(int(fid) for fid in buffer.deletedFeatureIds() if fid >= 0)
        if not changed and not deleted:
            return []
        missing = [fid for fid in changed if fid not in self.read]
        if missing:  # a grid saved by someone else after editing started, edited without a refresh: read now
            for fid, values in self._versions(missing).items():
                if values[0] is not None:
                    self.read[fid] = values[0]
        for fid in changed:
            if fid in self.read and index not in attributes.get(fid, {}):
                layer.changeAttributeValue(fid, index, self.read[fid], self.read[fid])
        messages = []
        for fid, (version, code, user, at) in sorted(self._versions([*changed, *deleted]).items()):
            read = self.read.get(fid)
            if read is not None and version is not None and version != read:
                messages.append(conflict_message(code, self.layer_name, user, at, version, read))
        self.last_refusal = "\n".join(messages) or None
        if messages:
            # The database refuses the updates, but not a deletion (a DELETE names no version), and QGIS's
            # provider writes deletions, changes and additions one after the other: the whole save is refused
            # before it writes anything, the edits stay in the layer.
            index = refuse_save(layer)
            QTimer.singleShot(0, lambda: allow_save(layer, index))
        for message in messages:
            self.refused.emit(message)
        return messages


def guard_layer(layer: QgsVectorLayer, layer_name: str) -> VersionGuard:
    """The layer's guard (made once: opening the workspace again reuses it)."""
    existing = layer.findChild(VersionGuard, GUARD_NAME)
    return existing if existing is not None else VersionGuard(layer, layer_name)


def guard_workspace(workspace) -> list[VersionGuard]:
    """Guards on the grid layers of an open shared workspace (read-only layers need none)."""
    out = []
    for layer_def in schema.GRID_LAYERS:
        layer = workspace.layers.get(layer_def.name)
        if layer is not None and layer.fields().indexOf(VERSION) >= 0:
            out.append(guard_layer(layer, layer_def.name))
    return out
