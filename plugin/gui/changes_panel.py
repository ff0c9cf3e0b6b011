"""The changes awaiting filing (§7.5: filed with the level above within 7 days), for the workspace dock.

Wiring (the lead places the widget in the dock)::

    panel = ChangesPanel(workspace.layers["change_log"], parent=dock)   # or ChangesPanel(None) then set_layer()
    panel.set_tracker(tracker)      # optional: refresh when the tracker records changes
    ...
    panel.set_layer(None)           # before the workspace's layers go away (disconnects everything)

``ChangesPanel(layer=None, parent=None, *, clock=None)``: ``clock()`` gives "now" (default
``datetime.now``; tests pass a fixed time). The table lists change_log rows not yet filed (or all,
with "Show filed changes"), the most urgent first, with the days left of the 7, the deadline, kind,
layer, codes, areas, approval reference and reason. Overdue rows are red, rows due within two days
amber. "Mark filed" sets ``filed_at`` (and, if given, the approval reference) of the selected rows
as one undoable edit in change_log's edit buffer; the user saves the layer as usual.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from qgis.core import QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont
from qgis.PyQt.QtWidgets import (
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QTableWidgetItem,
    QWidget,
)

from ..adapters.layer_edits import LayerEditError, change_values
from ..adapters.layer_edits import read_rows as read_table
from ..core import schema
from ..core.changes import ChangeRecord, filing_status
from ..i18n import prefers_chinese, tr
from .forms import load_form

OVERDUE = QColor("#f6c4c4")
DUE_SOON = QColor("#fbe6b0")
SOON_DAYS = 2


class ChangesPanel(QWidget):
    COLUMNS = (
        "Status",
        "Days left",
        "Deadline",
        "Changed at",
        "Kind",
        "Layer",
        "Old code",
        "New code",
        "Area before (m²)",
        "Area after (m²)",
        "Approval reference",
        "Reason",
        "User",
    )

    def __init__(
        self,
        layer: QgsVectorLayer | None = None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(parent)
        self.ui = load_form("changes_panel")()
        self.ui.setupUi(self)  # ui/changes_panel.ui (object name CommunityGridsChangesPanel)
        self.clock = clock or datetime.now
        self.layer: QgsVectorLayer | None = None
        self.tracker = None
        self._connections: list = []
        self._grid_connections: list = []
        self.grid_layers: list = []
        self._fids: list[int] = []
        self.statuses: list = []  # FilingStatus per table row

        self.summary, self.show_filed, self.table = self.ui.summary, self.ui.show_filed, self.ui.changes
        self.mark_button, self.refresh_button = self.ui.mark_filed, self.ui.refresh
        self.show_filed.toggled.connect(self.refresh)
        self.table.setColumnCount(len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in self.COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.mark_button.clicked.connect(self._ask_and_mark)
        self.refresh_button.clicked.connect(self.refresh)
        self.set_layer(layer)

    # ------------------------------------------------------------ lifecycle

    def set_layer(self, layer: QgsVectorLayer | None) -> None:
        """Show ``layer`` (the workspace's change_log), or nothing; disconnects from the previous one."""
        self._disconnect()
        self.layer = layer
        if layer is not None:
            for signal in (
                layer.featureAdded,
                layer.featuresDeleted,
                layer.attributeValueChanged,
                layer.afterCommitChanges,
                layer.afterRollBack,
                layer.dataChanged,
            ):
                slot = self._schedule_refresh
                signal.connect(slot)
                self._connections.append((signal, slot))
            layer.willBeDeleted.connect(self._layer_deleted)
            self._connections.append((layer.willBeDeleted, self._layer_deleted))
        self.refresh()

    def set_workspace(self, workspace) -> None:
        """Show the change log of ``workspace`` (None: nothing), and count its grid edits not yet saved."""
        self._disconnect_grids()
        self.grid_layers = [] if workspace is None else [workspace.layers[d.name] for d in schema.GRID_LAYERS]
        for layer in self.grid_layers:
            for signal in (layer.editCommandEnded, layer.afterCommitChanges, layer.afterRollBack, layer.layerModified):
                signal.connect(self._schedule_refresh)
                self._grid_connections.append((signal, self._schedule_refresh))
        self.set_layer(None if workspace is None else workspace.layers[schema.CHANGE_LOG.name])

    def _disconnect_grids(self) -> None:
        for signal, slot in self._grid_connections:
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)
        self._grid_connections = []

    def unsaved_edits(self) -> int:
        """Grids added, deleted or changed in the edit buffers of the grid layers (logged when saved)."""
        total = 0
        for layer in self.grid_layers:
            with contextlib.suppress(RuntimeError):
                buffer = layer.editBuffer() if layer.isEditable() else None
                if buffer is None:
                    continue
                fids = set(buffer.addedFeatures()) | set(buffer.deletedFeatureIds())
                fids |= set(buffer.changedGeometries()) | set(buffer.changedAttributeValues())
                total += len(fids)
        return total

    def set_tracker(self, tracker) -> None:
        """Refresh whenever ``tracker`` (adapters.change_tracker.ChangeTracker) records changes."""
        if self.tracker is not None:
            with contextlib.suppress(TypeError, RuntimeError):
                self.tracker.changesRecorded.disconnect(self._schedule_refresh)
        self.tracker = tracker
        if tracker is not None:
            tracker.changesRecorded.connect(self._schedule_refresh)

    def _disconnect(self) -> None:
        for signal, slot in self._connections:
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)
        self._connections.clear()

    def _layer_deleted(self) -> None:
        self._connections.clear()
        self.layer = None
        self.refresh()

    def closeEvent(self, event):  # noqa: N802 - Qt
        self._disconnect()
        self._disconnect_grids()
        self.set_tracker(None)
        super().closeEvent(event)

    def _schedule_refresh(self, *_args) -> None:
        self.refresh()

    # ------------------------------------------------------------ content

    def records(self) -> list[tuple[int, ChangeRecord]]:
        """(fid, record) of the rows shown: unfiled (or all) changes, the most urgent first."""
        if self.layer is None or not self.layer.isValid():
            return []
        out = []
        for row in read_table(self.layer):
            if not row.get("changed_at") or row.get("change_kind") not in {o.key for o in schema.CHANGE_KINDS}:
                continue
            record = ChangeRecord.from_row(row)
            if record.filed_at is None or self.show_filed.isChecked():
                out.append((int(row["fid"]), record))
        out.sort(key=lambda item: (item[1].filed_at is not None, item[1].changed_at, item[0]))
        return out

    def refresh(self) -> None:
        language = "zh" if prefers_chinese() else "en"
        now = self.clock()
        rows = self.records()
        self._fids = [fid for fid, _ in rows]
        self.statuses = []
        self.table.setRowCount(len(rows))
        overdue = soon = 0
        for r, (_fid, record) in enumerate(rows):
            status = filing_status(record, now)
            self.statuses.append(status)
            layer_def = schema.LAYER_BY_NAME.get(record.layer)
            layer_title = (
                (layer_def.title_zh if language == "zh" else layer_def.title_en) if layer_def else record.layer
            )
            values = (
                status.message(language),
                "" if status.filed else str(status.days_left),
                status.deadline.isoformat(),
                record.changed_at.strftime("%Y-%m-%d %H:%M") if record.changed_at else "",
                record.kind_label(language),
                layer_title,
                record.old_code or "",
                record.new_code or "",
                "" if record.area_before is None else f"{record.area_before:,.1f}",
                "" if record.area_after is None else f"{record.area_after:,.1f}",
                record.approval_ref,
                record.reason,
                record.user,
            )
            colour = None
            if status.overdue:
                colour = OVERDUE
                overdue += 1
            elif not status.filed and status.days_left <= SOON_DAYS:
                colour = DUE_SOON
                soon += 1
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c in (1, 8, 9):
                    item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                if colour is not None:
                    item.setBackground(QBrush(colour))
                    if status.overdue:
                        font = QFont(item.font())
                        font.setBold(True)
                        item.setFont(font)
                self.table.setItem(r, c, item)
        pending = sum(1 for s in self.statuses if not s.filed)
        if self.layer is None:
            self.summary.setText(tr("No workspace is open."))
        else:
            text = tr("{pending} change(s) awaiting filing: {overdue} overdue, {soon} due within {days} days.").format(
                pending=pending, overdue=overdue, soon=soon, days=SOON_DAYS
            )
            unsaved = self.unsaved_edits()
            if unsaved:
                text += " " + tr(
                    "{n} grid(s) edited and not saved yet: they join the log when the layers are saved."
                ).format(n=unsaved)
            self.summary.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.mark_button.setEnabled(self.layer is not None and bool(self.selected_fids()))

    def selected_fids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._fids[r] for r in rows if r < len(self._fids)]

    # ------------------------------------------------------------ mark filed

    def _ask_and_mark(self) -> None:
        fids = self.selected_fids()
        if not fids:
            return
        reference, ok = QInputDialog.getText(
            self,
            tr("Mark filed"),
            tr("Approval or filing reference for the {n} selected change(s) (optional):").format(n=len(fids)),
            QLineEdit.EchoMode.Normal,
        )
        if ok:
            self.mark_filed(fids, reference.strip() or None)

    def mark_filed(self, fids: list[int] | None = None, approval_ref: str | None = None, when=None) -> int:
        """Set filed_at (default now) and, when given, approval_ref of ``fids`` (default: the selection),
        as one undoable edit command in change_log's edit buffer. Rows already filed are left alone."""
        if self.layer is None:
            return 0
        fids = self.selected_fids() if fids is None else list(fids)
        filed = {int(row["fid"]) for row in read_table(self.layer) if row.get("filed_at")}
        when = (when or self.clock()).replace(microsecond=0)
        changes = {}
        for fid in fids:
            if fid in filed:
                continue
            values = {"filed_at": when}
            if approval_ref:
                values["approval_ref"] = approval_ref
            changes[fid] = values
        if not changes:
            return 0
        try:
            change_values(self.layer, changes, tr("Mark changes filed"), commit=False)
        except LayerEditError as error:
            self.summary.setText(str(error))
            return 0
        self.refresh()
        return len(changes)
