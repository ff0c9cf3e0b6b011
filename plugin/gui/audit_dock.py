"""The audit dock: run the audit in the background, browse the findings, zoom, accept, fix and export.

* **Run** starts an :class:`~plugin.gui.audit_task.AuditTask` (the canvas stays responsive; **Cancel** stops
  it between stages). When it ends the findings replace the workspace's ``audit_findings`` rows.
* The tree groups the findings by severity and rule, with counts; the filter box (text) and the severity
  list narrow it; clicking a finding zooms the map to it and flashes it.
* **Accept…** asks for a reason and records the finding in ``audit_exceptions`` (an undoable edit; **Save
  acceptances** saves it). An accepted finding stays accepted in later runs while its geometry is unchanged.
* **Gap → neighbour**, **Gap → new grid** and **Resolve overlap** apply the fix helpers to the selected
  finding as one undoable edit of the grid layer (see :mod:`plugin.core.fixes`).
* **Export JSON…** / **Export HTML…** write the last run's reports.

Every slot catches its exceptions (an exception escaping into Qt would abort QGIS) and reports them in the
message bar and the log.
"""

from __future__ import annotations

import contextlib
import dataclasses

import shapely
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
)
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor, QFont
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..adapters import audit_store, fix_edits
from ..adapters.messages import finding_message, format_measure, localized
from ..core import fixes
from ..core.audit import Tolerances
from ..core.coderule import CodeRule, CodeRuleError
from ..core.findings import Severity
from ..core.workspace_audit import rule_catalogue, write_html_report, write_json_report
from ..i18n import tr
from .audit_task import AuditTask
from .forms import load_form
from .guard import guarded, push_message, report_error

DOCK_OBJECT_NAME = "CommunityGridsAuditDock"
LOG_TAG = "Community Grids"
AUDIT_FORM = load_form("audit_dock")  # ui/audit_dock.ui
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1  # index into AuditDock.findings
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
MIN_ZOOM = 60.0  # m: the smallest extent the map zooms to around a finding


class AcceptDialog(QDialog):
    """The reason for accepting a finding as an exception (required) and who accepts it."""

    def __init__(self, finding, parent=None):
        super().__init__(parent)
        self.ui = load_form("accept_finding")()
        self.ui.setupUi(self)  # ui/accept_finding.ui (object name CommunityGridsAcceptDialog)
        self.ui.finding.setText(finding_message(finding))
        self.reason_edit, self.by_edit, self.buttons = self.ui.reason, self.ui.accepted_by, self.ui.buttons
        self.by_edit.setText(audit_store.current_user())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason()))

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def accepted_by(self) -> str:
        return self.by_edit.text().strip()


class AuditDock(QgsDockWidget):
    """The audit panel of one workspace."""

    audit_finished = pyqtSignal(object)  # the WorkspaceAuditResult of a completed run

    def __init__(self, iface, parent=None):
        super().__init__(tr("Grid audit"), parent)
        self.setObjectName(DOCK_OBJECT_NAME)
        self.iface = iface
        self.workspace = None
        self.tolerances = Tolerances()
        self.task: AuditTask | None = None
        self.result = None
        self.data = None
        self.findings: list = []
        self.fixed: set[int] = set()  # indices of findings fixed since the run
        self.messages: list[tuple[object, str]] = []
        self.last_fix = None
        self._rules = {r.id: r for r in rule_catalogue()}
        self._poll = QTimer(self)
        self._poll.setInterval(100)
        self._poll.timeout.connect(self._poll_progress)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(200)
        self._filter_timer.timeout.connect(self._populate_guarded)
        self._populating = False
        self._just_zoomed = None
        self.popout = None
        self._build()
        self._update_buttons()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        """The widgets come from ui/audit_dock.ui (Qt Designer); here only what Designer cannot say."""
        body = QWidget(self)
        self.ui = AUDIT_FORM()
        self.ui.setupUi(body)
        ui = self.ui
        self.run_button, self.cancel_button, self.progress = ui.run, ui.cancel, ui.progress
        self.code_rule_edit, self.status_label = ui.code_rule, ui.status
        self.filter_edit, self.severity_combo, self.accepted_check = ui.filter, ui.severity, ui.show_accepted
        self.tree = ui.findings
        self.accept_button, self.revoke_button, self.save_button = ui.accept, ui.revoke, ui.save
        self.gap_neighbour_button, self.gap_new_button = ui.gap_neighbour, ui.gap_new_grid
        self.overlap_button, self.json_button, self.html_button = ui.resolve_overlap, ui.export_json, ui.export_html

        self.filter_edit.setShowSearchIcon(True)
        for index, severity in enumerate((None, Severity.ERROR, Severity.WARNING, Severity.INFO)):
            self.severity_combo.setItemData(index, None if severity is None else severity.value)
        self.summary_label, self.popout_button = ui.summary, ui.popout
        self.popout_button.toggled.connect(self._popout_toggled)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 110)

        self.run_button.clicked.connect(self._run_clicked)
        self.cancel_button.clicked.connect(self._cancel_clicked)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.severity_combo.currentIndexChanged.connect(self._filter_changed)
        self.accepted_check.toggled.connect(self._filter_changed)
        self.tree.itemClicked.connect(self._item_clicked)
        self.tree.itemActivated.connect(self._item_clicked)
        self.tree.currentItemChanged.connect(self._current_changed)
        self._tree_layout = ui.mainLayout
        self.accept_button.clicked.connect(self._accept_clicked)
        self.revoke_button.clicked.connect(self._revoke_clicked)
        self.save_button.clicked.connect(self._save_clicked)
        self.gap_neighbour_button.clicked.connect(lambda: self._fix_clicked(fixes.NEIGHBOUR))
        self.gap_new_button.clicked.connect(lambda: self._fix_clicked(fixes.NEW_GRID))
        self.overlap_button.clicked.connect(lambda: self._fix_clicked(fixes.NEIGHBOUR))
        self.json_button.clicked.connect(lambda: self._export_clicked("json"))
        self.html_button.clicked.connect(lambda: self._export_clicked("html"))
        self.setWidget(body)

    # ------------------------------------------------------------ the workspace

    def canvas(self):
        return self.iface.mapCanvas()

    def set_workspace(self, workspace) -> None:
        """Show the audit of ``workspace`` (None: no workspace); a running audit of another one is cancelled."""
        try:
            if self.task is not None:
                self._abandon_task()
            self.workspace = workspace
            self.result = None
            self.data = None
            self.findings = []
            self.fixed = set()
            self.summary_label.clear()
            self._rules = {r.id: r for r in rule_catalogue()}
            self.code_rule_edit.clear()
            self.code_rule_edit.setPlaceholderText(workspace.info.code_rule if workspace is not None else "")
            if workspace is not None:
                self._load_stored()
            else:
                self.status_label.setText(tr("Open a grid workspace, then run the audit."))
            self._populate()
        except Exception as error:  # noqa: BLE001 - called from the lead's wiring and from Qt
            report_error(self, error)
        self._update_buttons()

    def _load_stored(self) -> None:
        layer = self.workspace.layers.get(audit_store.FINDINGS)
        run_id, findings = audit_store.read_stored_findings(layer) if layer is not None else ("", [])
        self.findings = findings
        if run_id:
            self.status_label.setText(
                tr("Findings of the last audit ({run}): {n}. Run the audit again to check the current grids.").format(
                    run=run_id, n=len(findings)
                )
            )
        else:
            self.status_label.setText(tr("No audit has been run on this workspace yet."))

    def cleanup(self) -> None:
        """Before the dock is removed: stop a running audit and the timers."""
        self._poll.stop()
        self._filter_timer.stop()
        if self.task is not None:
            self._abandon_task()
        if self.popout is not None:
            self.popout_button.setChecked(False)

    def _abandon_task(self) -> None:
        task, self.task = self.task, None
        self._poll.stop()
        if task is not None:
            task.on_done = None
            with contextlib.suppress(RuntimeError):  # already deleted by the task manager
                task.cancel()

    # ------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        return self.task is not None

    def run_audit(self) -> bool:
        """Start an audit of the workspace in the background; False when it cannot start (reported)."""
        if self.task is not None:
            return False
        if self.workspace is None:
            self._message(tr("Open or create a grid workspace first."), Qgis.MessageLevel.Warning)
            return False
        try:
            inputs = audit_store.snapshot_workspace(self.workspace)
        except (audit_store.AuditStoreError, KeyError) as error:
            self._message(str(error), Qgis.MessageLevel.Critical)
            return False
        code_rule = self.code_rule_edit.text().strip()
        if code_rule:
            try:
                CodeRule.parse(code_rule)
            except CodeRuleError as error:
                self._message(
                    tr("The code rule cannot be used: {error}").format(error=error), Qgis.MessageLevel.Warning
                )
                return False
            inputs.info = dataclasses.replace(inputs.info, code_rule=code_rule)
        if inputs.size_rules_problem:
            self._message(
                inputs.size_rules_problem + "\n" + tr("The standard's size rules are used instead."),
                Qgis.MessageLevel.Warning,
            )
        self._rules = {r.id: r for r in rule_catalogue(inputs.size_rules)}
        task = AuditTask(
            inputs,
            self.tolerances,
            self._task_done,
            tr("Grid audit of {county}").format(county=self.workspace.info.county_name),
        )
        self.task = task
        self.progress.setValue(0)
        self.status_label.setText(tr("Auditing…"))
        QgsApplication.taskManager().addTask(task)
        self._poll.start()
        self._update_buttons()
        return True

    def cancel(self) -> None:
        if self.task is not None:
            self.status_label.setText(tr("Cancelling…"))
            self.task.cancel()

    @guarded
    def _poll_progress(self) -> None:
        task = self.task
        if task is None:
            self._poll.stop()
            return
        try:
            self.progress.setValue(int(task.progress()))
        except RuntimeError:
            return
        if task.stage:
            zh, _, en = task.stage.partition(" / ")
            self.status_label.setText(tr("Auditing: {stage}").format(stage=localized(zh, en or zh)))

    def _task_done(self, task: AuditTask, ok: bool) -> None:
        """Main thread (QgsTask.finished): write and show the result."""
        if task is not self.task:
            return  # abandoned
        self.task = None
        self._poll.stop()
        try:
            if ok and task.result is not None:
                self._show_result(task.result, task.data)
            elif task.error:
                self.progress.setValue(0)
                self.status_label.setText(tr("The audit failed."))
                self._message(
                    tr("The audit failed: {error} (details in the log panel).").format(error=task.error),
                    Qgis.MessageLevel.Critical,
                )
            else:
                self.progress.setValue(0)
                self.status_label.setText(tr("The audit was cancelled; the previous findings are kept."))
        except Exception as error:  # noqa: BLE001 - called from QgsTask.finished
            report_error(self, error)
        finally:
            self._update_buttons()

    def _show_result(self, result, data) -> None:
        self.result, self.data = result, data
        self.findings = list(result.findings)
        self.fixed = set()
        self._rules = result.rule_by_id or self._rules
        written = ""
        layer = self.workspace.layers.get(audit_store.FINDINGS) if self.workspace is not None else None
        if layer is not None:
            try:
                audit_store.write_findings_layer(layer, result)
                layer.triggerRepaint()
            except audit_store.AuditStoreError as error:
                written = " " + str(error)
                self._message(str(error), Qgis.MessageLevel.Warning)
        self.progress.setValue(100)
        # the counts are the summary line's (it follows acceptances); this line tells what happened
        self.status_label.setText(tr("Audit {run} finished.").format(run=result.run_id) + written)
        if result.lapsed:
            self._message(
                tr("{n} accepted exceptions no longer match a finding (the grids changed): they lapsed.").format(
                    n=len(result.lapsed)
                ),
                Qgis.MessageLevel.Info,
            )
        self._populate()
        self.audit_finished.emit(result)

    # ------------------------------------------------------------ the tree

    def _filter_changed(self, *args) -> None:
        self._filter_timer.start()

    @guarded
    def _populate_guarded(self) -> None:
        self._populate()

    def visible_findings(self) -> list[int]:
        """Indices of the findings the filters let through."""
        text = self.filter_edit.text().strip().lower()
        severity = self.severity_combo.currentData()
        show_accepted = self.accepted_check.isChecked()
        out = []
        for k, f in enumerate(self.findings):
            if severity and f.severity.value != severity:
                continue
            if not show_accepted and f.accepted:
                continue
            if text:
                rule = self._rules.get(f.rule_id)
                haystack = " ".join(
                    [
                        f.rule_id,
                        rule.title_zh if rule else "",
                        rule.title_en if rule else "",
                        " ".join(c or "" for c in f.codes),
                        f.message_zh,
                        f.message_en,
                        f.accepted_reason or "",
                    ]
                ).lower()
                if text not in haystack:
                    continue
            out.append(k)
        return out

    def _populate(self) -> None:
        self._populating = True
        try:
            self._populate_tree()
        finally:
            self._populating = False
        self._refresh_summary()

    def summary_text(self) -> str:
        """The counts of the findings shown (after every run, acceptance, revocation and save)."""
        counts = {s: 0 for s in SEVERITIES}
        blocking = accepted = 0
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
            accepted += bool(f.accepted)
            blocking += f.severity is Severity.ERROR and not f.accepted
        return tr(
            "{errors} errors ({blocking} blocking filing), {warnings} warnings, {infos} notes; {accepted} accepted."
        ).format(
            errors=counts[Severity.ERROR],
            blocking=blocking,
            warnings=counts[Severity.WARNING],
            infos=counts[Severity.INFO],
            accepted=accepted,
        )

    def _refresh_summary(self) -> None:
        if self.task is not None or self.workspace is None or not self.findings:
            return
        text = self.summary_text()
        unsaved = audit_store.has_unsaved_acceptances(self.workspace)
        if unsaved:
            text += " " + tr("Acceptances not saved yet.")
        self.summary_label.setText(text)

    def _populate_tree(self) -> None:
        selected = self.selected_index()
        self.tree.clear()
        visible = self.visible_findings()
        groups: dict = {}
        for k in visible:
            f = self.findings[k]
            groups.setdefault(f.severity, {}).setdefault(f.rule_id, []).append(k)
        labels = {Severity.ERROR: tr("Errors"), Severity.WARNING: tr("Warnings"), Severity.INFO: tr("Notes")}
        colours = {
            Severity.ERROR: QColor(176, 0, 32),
            Severity.WARNING: QColor(166, 94, 0),
            Severity.INFO: QColor(90, 90, 90),
        }
        bold = QFont()
        bold.setBold(True)
        current = None
        for severity in SEVERITIES:
            rules = groups.get(severity)
            if not rules:
                continue
            total = sum(len(v) for v in rules.values())
            top = QTreeWidgetItem([f"{labels[severity]} ({total})", "", ""])
            top.setFont(0, bold)
            top.setForeground(0, QBrush(colours[severity]))
            self.tree.addTopLevelItem(top)
            for rule_id, indices in rules.items():
                rule = self._rules.get(rule_id)
                title = localized(rule.title_zh, rule.title_en) if rule else rule_id
                accepted = sum(1 for k in indices if self.findings[k].accepted)
                count = f"{len(indices)}" + (tr(", {n} accepted").format(n=accepted) if accepted else "")
                node = QTreeWidgetItem([title, "", count])
                node.setToolTip(0, f"{rule_id} — §{rule.clause} — {title}" if rule else rule_id)
                node.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                top.addChild(node)
                for k in indices:
                    item = self._finding_item(k)
                    node.addChild(item)
                    if k == selected:
                        current = item
            top.setExpanded(True)
        if current is not None:
            current.parent().setExpanded(True)
            self.tree.setCurrentItem(current)
        shown, total = len(visible), len(self.findings)
        self.tree.setToolTip(tr("{shown} of {total} findings shown").format(shown=shown, total=total))
        self._update_buttons()

    def _finding_item(self, k: int) -> QTreeWidgetItem:
        f = self.findings[k]
        text = finding_message(f)
        if f.accepted:
            text = tr("[accepted] {message}").format(message=text)
        if k in self.fixed:
            text = tr("[fixed, run the audit again] {message}").format(message=text)
        measure = format_measure(f.measure, f.unit)
        item = QTreeWidgetItem([text, ", ".join(c for c in f.codes if c), measure])
        item.setData(0, FINDING_ROLE, k)
        tip = text if not f.accepted else f"{text}\n{tr('Reason')}: {f.accepted_reason}"
        item.setToolTip(0, tip)
        if f.accepted or k in self.fixed:
            grey = QBrush(QColor(120, 120, 120))
            for column in range(3):
                item.setForeground(column, grey)
        return item

    def item_for(self, index: int) -> QTreeWidgetItem | None:
        """The tree item of finding ``index`` (None when filtered out)."""
        for t in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(t)
            for r in range(top.childCount()):
                node = top.child(r)
                for c in range(node.childCount()):
                    item = node.child(c)
                    if item.data(0, FINDING_ROLE) == index:
                        return item
        return None

    def selected_index(self) -> int | None:
        item = self.tree.currentItem() if hasattr(self, "tree") else None
        if item is None:
            return None
        value = item.data(0, FINDING_ROLE)
        return int(value) if value is not None else None

    def selected_finding(self):
        k = self.selected_index()
        return self.findings[k] if k is not None and 0 <= k < len(self.findings) else None

    @guarded
    def _current_changed(self, current, previous) -> None:
        """A finding chosen with the mouse or the keyboard (arrows, Page Up/Down): zoom to it."""
        self._update_buttons()
        if self._populating or current is None:
            return
        value = current.data(0, FINDING_ROLE)
        if value is not None:
            self._just_zoomed = current
            self.zoom_to(self.findings[int(value)])

    @guarded
    def _item_clicked(self, item, column=0) -> None:
        if item is self._just_zoomed:  # it became current with this click: already zoomed
            self._just_zoomed = None
            return
        value = item.data(0, FINDING_ROLE)
        if value is None:
            return
        self.zoom_to(self.findings[int(value)])

    # ------------------------------------------------------------ the findings, enlarged

    @guarded
    def _popout_toggled(self, checked: bool) -> None:
        """Move the findings list into a large window of its own, or back into the dock."""
        if checked and self.popout is None:
            window = QDialog(self.iface.mainWindow() if hasattr(self.iface, "mainWindow") else self)
            window.setObjectName("CommunityGridsFindingsWindow")
            window.setWindowTitle(tr("Audit findings"))
            window.setModal(False)
            box = QVBoxLayout(window)
            box.setContentsMargins(4, 4, 4, 4)
            box.addWidget(self.tree)
            window.resize(1000, 700)
            window.finished.connect(lambda *_: self.popout_button.setChecked(False))
            self.popout = window
            window.show()
        elif not checked and self.popout is not None:
            window, self.popout = self.popout, None
            self._tree_layout.insertWidget(self._tree_layout.indexOf(self.summary_label) + 2, self.tree, 1)
            self.tree.show()
            window.hide()
            window.deleteLater()

    # ------------------------------------------------------------ the map

    def finding_geometry(self, finding):
        """A shapely geometry to show for ``finding``: its own, its location, or the grid with its code."""
        geom = finding.geometry
        if geom is not None and not shapely.is_missing(geom) and not shapely.is_empty(geom):
            return geom
        if finding.location is not None:
            return shapely.Point(*finding.location)
        if self.data is not None:
            for code in finding.codes:
                for grid in self.data.grids.values():
                    hits = [i for i, c in enumerate(grid.codes) if c == code]
                    for i in hits:
                        g = grid.geometries[i]
                        if g is not None and not shapely.is_empty(g):
                            return g
        return None

    def zoom_to(self, finding) -> bool:
        """Zoom the map canvas to ``finding`` and flash it; False when it has no place on the map."""
        geom = self.finding_geometry(finding)
        canvas = self.canvas()
        if geom is None or canvas is None or self.workspace is None:
            self._message(tr("This finding has no place on the map."), Qgis.MessageLevel.Info, duration=4)
            return False
        qgs = QgsGeometry()
        qgs.fromWkb(shapely.to_wkb(geom, output_dimension=2))
        x0, y0, x1, y1 = shapely.bounds(geom)
        cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        half = max(x1 - x0, y1 - y0, MIN_ZOOM) * 0.6
        rect = QgsRectangle(cx - half, cy - half, cx + half, cy + half)
        crs = self.workspace.crs
        destination = canvas.mapSettings().destinationCrs()
        if destination.isValid() and destination != crs:
            transform = QgsCoordinateTransform(crs, destination, QgsProject.instance())
            rect = transform.transformBoundingBox(rect)
        canvas.setExtent(rect)
        canvas.refresh()
        canvas.flashGeometries([qgs], crs)
        return True

    # ------------------------------------------------------------ accept, fix, export

    def _update_buttons(self) -> None:
        running = self.task is not None
        has_ws = self.workspace is not None
        finding = self.selected_finding()
        index = self.selected_index()
        self.run_button.setEnabled(has_ws and not running)
        self.cancel_button.setEnabled(running)
        self.accept_button.setEnabled(has_ws and not running and finding is not None and not finding.accepted)
        self.revoke_button.setEnabled(has_ws and not running and finding is not None and finding.accepted)
        self.save_button.setEnabled(bool(has_ws and audit_store.has_unsaved_acceptances(self.workspace)))
        kind = fixes.fix_kind(finding) if finding is not None and index not in self.fixed else None
        self.gap_neighbour_button.setEnabled(has_ws and not running and kind == "gap")
        self.gap_new_button.setEnabled(
            has_ws and not running and kind == "gap" and not finding.rule_id.startswith("county.")
        )
        self.overlap_button.setEnabled(has_ws and not running and kind == "overlap")
        self.json_button.setEnabled(self.result is not None)
        self.html_button.setEnabled(self.result is not None)

    def accept_dialog(self, finding) -> AcceptDialog:
        return AcceptDialog(finding, self)

    def accept_selected(self, reason: str | None = None, accepted_by: str | None = None) -> bool:
        """Accept the selected finding (asking for the reason when none is given)."""
        finding = self.selected_finding()
        if finding is None or self.workspace is None:
            return False
        if reason is None:
            dialog = self.accept_dialog(finding)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            reason, accepted_by = dialog.reason(), dialog.accepted_by()
        try:
            audit_store.accept_finding(self.workspace, finding, reason, accepted_by)
        except audit_store.AuditStoreError as error:
            self._message(str(error), Qgis.MessageLevel.Warning)
            return False
        self._message(
            tr("Accepted: {message} — save the acceptances to keep them.").format(message=finding_message(finding)),
            Qgis.MessageLevel.Success,
            duration=5,
        )
        self._populate()
        return True

    @guarded
    def _run_clicked(self, checked=False) -> None:
        self.run_audit()

    @guarded
    def _cancel_clicked(self, checked=False) -> None:
        self.cancel()

    @guarded
    def _accept_clicked(self, checked=False) -> None:
        self.accept_selected()

    @guarded
    def _revoke_clicked(self, checked=False) -> None:
        finding = self.selected_finding()
        if finding is None or self.workspace is None:
            return
        try:
            audit_store.revoke_acceptance(self.workspace, finding)
        except audit_store.AuditStoreError as error:
            self._message(str(error), Qgis.MessageLevel.Warning)
            return
        self._populate()

    @guarded
    def _save_clicked(self, checked=False) -> None:
        try:
            audit_store.save_acceptances(self.workspace)
        except audit_store.AuditStoreError as error:
            self._message(str(error), Qgis.MessageLevel.Critical)
            return
        self._message(tr("Acceptances saved."), Qgis.MessageLevel.Success, duration=3)
        self._refresh_summary()
        self._update_buttons()

    def fix_selected(self, target: str = fixes.NEIGHBOUR):
        """Apply the fix helper to the selected finding; the FixOutcome, or None (reported)."""
        finding = self.selected_finding()
        index = self.selected_index()
        if finding is None or self.workspace is None:
            return None
        try:
            outcome = fix_edits.apply_fix(self.workspace, finding, target, self.tolerances)
        except fix_edits.FixError as error:
            self._message(str(error), Qgis.MessageLevel.Warning)
            return None
        self.last_fix = outcome
        self.fixed.add(index)
        self._message(outcome.message, Qgis.MessageLevel.Success, duration=6)
        outcome.layer.triggerRepaint()
        self._populate()
        return outcome

    @guarded
    def _fix_clicked(self, target: str) -> None:
        self.fix_selected(target)

    def export(self, kind: str, path: str) -> str | None:
        """Write the last run's report (``kind`` "json" or "html") to ``path``; the path, or None (reported)."""
        if self.result is None:
            self._message(tr("Run the audit first."), Qgis.MessageLevel.Warning)
            return None
        try:
            if kind == "json":
                write_json_report(self.result, path)
            else:
                divisions = self.data.divisions if self.data is not None else None
                write_html_report(self.result, path, divisions=divisions)
        except (OSError, ValueError) as error:
            self._message(
                tr("Could not write {path}: {error}").format(path=path, error=error), Qgis.MessageLevel.Critical
            )
            return None
        self._message(tr("Report written to {path}.").format(path=path), Qgis.MessageLevel.Success, duration=5)
        return path

    @guarded
    def _export_clicked(self, kind: str) -> None:
        if kind == "json":
            path, _ = QFileDialog.getSaveFileName(self, tr("Export audit as JSON"), "", tr("JSON files (*.json)"))
            if path and not path.lower().endswith(".json"):
                path += ".json"
        else:
            path, _ = QFileDialog.getSaveFileName(self, tr("Export audit as HTML"), "", tr("HTML files (*.html)"))
            if path and not path.lower().endswith((".html", ".htm")):
                path += ".html"
        if path:
            self.export(kind, path)

    # ------------------------------------------------------------ messages

    def _message(self, text: str, level=Qgis.MessageLevel.Info, duration: int = 8, details: str | None = None) -> None:
        self.messages.append((level, text))
        push_message(self.iface, text, level, details, duration)

    def show_error(self, text: str, level, details: str | None = None) -> None:
        """Where the guard (gui/guard.py) reports errors of the dock's slots."""
        self._message(text, level, details=details)
