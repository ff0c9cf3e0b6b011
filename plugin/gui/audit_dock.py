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
import functools
import traceback

import shapely
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsMessageLog,
    QgsProject,
    QgsRectangle,
)
from qgis.gui import QgsDockWidget, QgsFilterLineEdit
from qgis.PyQt.QtCore import Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor, QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
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
from .message_bar import push_message

DOCK_OBJECT_NAME = "CommunityGridsAuditDock"
LOG_TAG = "Community Grids"
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1  # index into AuditDock.findings
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
MIN_ZOOM = 60.0  # m: the smallest extent the map zooms to around a finding


def _guarded(method):
    """Run a slot, reporting any exception instead of letting it reach Qt."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the last line of defence of a Qt slot
            self._report_exception(error)
            return None

    return wrapper


class AcceptDialog(QDialog):
    """The reason for accepting a finding as an exception (required) and who accepts it."""

    def __init__(self, finding, parent=None):
        super().__init__(parent)
        self.setObjectName("CommunityGridsAcceptDialog")
        self.setWindowTitle(tr("Accept finding as an exception"))
        layout = QVBoxLayout(self)
        text = QLabel(finding_message(finding))
        text.setWordWrap(True)
        layout.addWidget(text)
        note = QLabel(
            tr("The finding stays accepted in later audits while its geometry is unchanged; any edit of it lapses.")
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("reason")
        self.reason_edit.setPlaceholderText(tr("e.g. a river between the villages, not to be gridded"))
        self.by_edit = QLineEdit(audit_store.current_user(), self)
        self.by_edit.setObjectName("accepted_by")
        form.addRow(tr("Reason"), self.reason_edit)
        form.addRow(tr("Accepted by"), self.by_edit)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
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
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)

        run_row = QHBoxLayout()
        self.run_button = QPushButton(tr("Run audit"), body)
        self.run_button.setObjectName("run")
        self.run_button.setToolTip(tr("Check the workspace: topology, nesting, coverage, codes, size and staffing"))
        self.run_button.clicked.connect(self._run_clicked)
        self.cancel_button = QPushButton(tr("Cancel"), body)
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        self.progress = QProgressBar(body)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)
        layout.addLayout(run_row)

        rule_row = QHBoxLayout()
        self.code_rule_edit = QLineEdit(body)
        self.code_rule_edit.setObjectName("code_rule")
        self.code_rule_edit.setToolTip(
            tr("The code rule the audit checks the codes with, e.g. village12+3+3; empty: the workspace's rule")
        )
        rule_row.addWidget(QLabel(tr("Code rule"), body))
        rule_row.addWidget(self.code_rule_edit, 1)
        layout.addLayout(rule_row)

        self.status_label = QLabel(tr("Open a grid workspace, then run the audit."), body)
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.summary_label = QLabel(body)
        self.summary_label.setObjectName("summary")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)

        filter_row = QHBoxLayout()
        self.filter_edit = QgsFilterLineEdit(body)
        self.filter_edit.setObjectName("filter")
        self.filter_edit.setShowSearchIcon(True)
        self.filter_edit.setPlaceholderText(tr("Filter: code, rule or text"))
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.severity_combo = QComboBox(body)
        self.severity_combo.setObjectName("severity")
        self.severity_combo.addItem(tr("All severities"), None)
        self.severity_combo.addItem(tr("Errors"), Severity.ERROR.value)
        self.severity_combo.addItem(tr("Warnings"), Severity.WARNING.value)
        self.severity_combo.addItem(tr("Notes"), Severity.INFO.value)
        self.severity_combo.currentIndexChanged.connect(self._filter_changed)
        self.accepted_check = QCheckBox(tr("Show accepted"), body)
        self.accepted_check.setChecked(True)
        self.accepted_check.toggled.connect(self._filter_changed)
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.severity_combo)
        filter_row.addWidget(self.accepted_check)
        self.popout_button = QPushButton(tr("Enlarge"), body)
        self.popout_button.setObjectName("popout")
        self.popout_button.setCheckable(True)
        self.popout_button.setToolTip(tr("Show the findings in a large window of their own (click again to return)"))
        self.popout_button.toggled.connect(self._popout_toggled)
        filter_row.addWidget(self.popout_button)
        layout.addLayout(filter_row)

        self.tree = QTreeWidget(body)
        self.tree.setObjectName("findings")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([tr("Finding"), tr("Grids"), tr("Count / measure")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 110)
        self.tree.itemClicked.connect(self._item_clicked)
        self.tree.itemActivated.connect(self._item_clicked)
        self.tree.currentItemChanged.connect(self._current_changed)
        layout.addWidget(self.tree, 1)
        self._tree_layout = layout

        buttons = QGridLayout()
        self.accept_button = QPushButton(tr("Accept…"), body)
        self.accept_button.setObjectName("accept")
        self.accept_button.setToolTip(tr("Accept the selected finding as an exception, with a reason"))
        self.accept_button.clicked.connect(self._accept_clicked)
        self.revoke_button = QPushButton(tr("Revoke"), body)
        self.revoke_button.setObjectName("revoke")
        self.revoke_button.setToolTip(tr("Withdraw the acceptance of the selected finding"))
        self.revoke_button.clicked.connect(self._revoke_clicked)
        self.save_button = QPushButton(tr("Save acceptances"), body)
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self._save_clicked)
        self.gap_neighbour_button = QPushButton(tr("Gap → neighbour"), body)
        self.gap_neighbour_button.setObjectName("gap_neighbour")
        self.gap_neighbour_button.setToolTip(
            tr("Give the gap to the grid of the same parent with the longest shared boundary")
        )
        self.gap_neighbour_button.clicked.connect(lambda: self._fix_clicked(fixes.NEIGHBOUR))
        self.gap_new_button = QPushButton(tr("Gap → new grid"), body)
        self.gap_new_button.setObjectName("gap_new_grid")
        self.gap_new_button.setToolTip(tr("Make the gap a grid of its own"))
        self.gap_new_button.clicked.connect(lambda: self._fix_clicked(fixes.NEW_GRID))
        self.overlap_button = QPushButton(tr("Resolve overlap"), body)
        self.overlap_button.setObjectName("resolve_overlap")
        self.overlap_button.setToolTip(
            tr("Remove each overlap piece from the grid it belongs to less (the shorter shared boundary)")
        )
        self.overlap_button.clicked.connect(lambda: self._fix_clicked(fixes.NEIGHBOUR))
        self.json_button = QPushButton(tr("Export JSON…"), body)
        self.json_button.setObjectName("export_json")
        self.json_button.clicked.connect(lambda: self._export_clicked("json"))
        self.html_button = QPushButton(tr("Export HTML…"), body)
        self.html_button.setObjectName("export_html")
        self.html_button.clicked.connect(lambda: self._export_clicked("html"))
        for k, button in enumerate(
            (
                self.accept_button,
                self.revoke_button,
                self.save_button,
                self.gap_neighbour_button,
                self.gap_new_button,
                self.overlap_button,
                self.json_button,
                self.html_button,
            )
        ):
            buttons.addWidget(button, k // 3, k % 3)
        layout.addLayout(buttons)
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
            self._report_exception(error)
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

    @_guarded
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
            self._report_exception(error)
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

    def _populate_guarded(self) -> None:
        try:
            self._populate()
        except Exception as error:  # noqa: BLE001 - a timer slot
            self._report_exception(error)

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

    @_guarded
    def _current_changed(self, current, previous) -> None:
        """A finding chosen with the mouse or the keyboard (arrows, Page Up/Down): zoom to it."""
        self._update_buttons()
        if self._populating or current is None:
            return
        value = current.data(0, FINDING_ROLE)
        if value is not None:
            self._just_zoomed = current
            self.zoom_to(self.findings[int(value)])

    @_guarded
    def _item_clicked(self, item, column=0) -> None:
        if item is self._just_zoomed:  # it became current with this click: already zoomed
            self._just_zoomed = None
            return
        value = item.data(0, FINDING_ROLE)
        if value is None:
            return
        self.zoom_to(self.findings[int(value)])

    # ------------------------------------------------------------ the findings, enlarged

    @_guarded
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

    @_guarded
    def _run_clicked(self, checked=False) -> None:
        self.run_audit()

    @_guarded
    def _cancel_clicked(self, checked=False) -> None:
        self.cancel()

    @_guarded
    def _accept_clicked(self, checked=False) -> None:
        self.accept_selected()

    @_guarded
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

    @_guarded
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

    @_guarded
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

    @_guarded
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

    def _message(self, text: str, level=Qgis.MessageLevel.Info, duration: int = 8) -> None:
        self.messages.append((level, text))
        try:
            push_message(self.iface.messageBar(), text, level, duration)
        except Exception:  # noqa: BLE001 - no message bar (scripts)
            QgsMessageLog.logMessage(text, LOG_TAG, level)

    def _report_exception(self, error: BaseException) -> None:
        QgsMessageLog.logMessage(
            "".join(traceback.format_exception(type(error), error, error.__traceback__)),
            LOG_TAG,
            Qgis.MessageLevel.Critical,
        )
        self._message(
            tr("Unexpected error, nothing was changed: {error} (details in the log panel).").format(error=error),
            Qgis.MessageLevel.Critical,
        )
