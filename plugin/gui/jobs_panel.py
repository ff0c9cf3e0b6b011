"""The dock's "Jobs" page: every job of a planner's day on the open workspace, without the Processing toolbox.

Import boundaries (the import dialog), attach households, import staff, allocate codes (preview, then a
confirmation of what changed), export the filing package (a refusal lists the blocking findings and asks
for the override reason), compare packages, print the notice map and the work permits of the township or
village chosen in the picker (the PDF is opened when done, through ``QDesktopServices``).

The jobs are the Processing algorithms themselves (:func:`~plugin.gui.task_runner.algorithm_task`: the
same ``prepare``/``runPrepared``/``postProcess`` as the toolbox), run as QgsTasks with the page's progress
bar and cancel button; the workspace parameter is the open workspace. The page and its dialogs are Qt
Designer files in ``ui/``.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from qgis.core import Qgis, QgsProcessing, QgsProcessingException, QgsProject, QgsVectorLayer
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QUrl, pyqtSignal
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QMessageBox, QWidget

from ..adapters.tool_compat import POINT_GEOMETRY
from ..core import schema
from ..i18n import tr
from . import task_runner
from .guard import guarded
from .message_bar import push_message

UI_DIR = Path(__file__).resolve().parents[2] / "ui"
PANEL_FORM, _ = uic.loadUiType(str(UI_DIR / "jobs_panel.ui"))
FILING_FORM, _ = uic.loadUiType(str(UI_DIR / "filing_export.ui"))
INPUTS_FORM, _ = uic.loadUiType(str(UI_DIR / "job_inputs.ui"))
PROVIDER = "community_grids"


def open_output(path) -> bool:
    """Open a written file (PDF, report) with the desktop's application."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def unique_path(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``… when it exists."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text or "").strip("_") or "output"


# ---------------------------------------------------------------- dialogs


class JobInputsDialog(QDialog, INPUTS_FORM):
    """Up to two inputs (a layer or file each) and one option, for the jobs that need them."""

    def __init__(self, title: str, intro: str, parent=None):
        super().__init__(parent)
        self.setupUi(self)
        self.setObjectName("CommunityGridsJobInputs")
        self.setWindowTitle(title)
        self.introLabel.setText(intro)
        self._filters: dict[str, str] = {}
        for key in ("first", "second"):
            self.set_row(key, None)
        self.optionLabel.hide()
        self.optionCombo.hide()
        self.firstBrowse.clicked.connect(lambda *_: self._browse("first"))
        self.secondBrowse.clicked.connect(lambda *_: self._browse("second"))
        self.buttonBox.accepted.connect(self.accept)
        self.buttonBox.rejected.connect(self.reject)
        self.firstCombo.editTextChanged.connect(self._update)
        self.secondCombo.editTextChanged.connect(self._update)

    def set_row(self, key: str, label: str | None, choices=(), file_filter: str = "") -> None:
        """Show row ``key`` ("first"/"second") with ``label``, the choices [(text, value)] and a file filter."""
        widgets = (getattr(self, f"{key}Label"), getattr(self, f"{key}Combo"), getattr(self, f"{key}Browse"))
        for widget in widgets:
            widget.setVisible(label is not None)
        if label is None:
            return
        widgets[0].setText(label)
        combo = widgets[1]
        combo.clear()
        for text, value in choices:
            combo.addItem(text, value)
        self._filters[key] = file_filter
        self._update()

    def set_option(self, label: str, choices) -> None:
        self.optionLabel.setText(label)
        self.optionLabel.show()
        self.optionCombo.show()
        self.optionCombo.clear()
        for text, value in choices:
            self.optionCombo.addItem(text, value)

    def _browse(self, key: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.windowTitle(), "", self._filters.get(key, ""))
        if path:
            getattr(self, f"{key}Combo").setEditText(path)

    def value(self, key: str):
        """The chosen layer (its id's layer) or the typed/browsed path of row ``key``."""
        combo = getattr(self, f"{key}Combo")
        text = combo.currentText().strip()
        index = combo.findText(text)
        if index >= 0 and combo.itemData(index) is not None:
            return combo.itemData(index)
        return text

    def option(self):
        return self.optionCombo.currentData()

    def _update(self, *args) -> None:
        ok = self.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        needed = [k for k in ("first", "second") if getattr(self, f"{k}Combo").isVisibleTo(self)]
        ok.setEnabled(all(getattr(self, f"{k}Combo").currentText().strip() for k in needed))


class FilingExportDialog(QDialog, FILING_FORM):
    """Where the package goes, what personal data it carries; after a refusal, the blocking findings and
    the override reason."""

    def __init__(self, output: str, blocking: list[str] | None = None, refusal: str = "", parent=None):
        super().__init__(parent)
        self.setupUi(self)
        self.setObjectName("CommunityGridsFilingExport")
        self.outputEdit.setText(output)
        self.browseButton.clicked.connect(self._browse)
        self.buttonBox.accepted.connect(self.accept)
        self.buttonBox.rejected.connect(self.reject)
        self.blocking = list(blocking or [])
        refused = bool(refusal or self.blocking)
        for widget in (self.blockingLabel, self.blockingList, self.reasonLabel, self.reasonEdit):
            widget.setVisible(refused)
        if refused:
            self.blockingLabel.setText(
                refusal + "\n" + tr("To export anyway, give the reason; it is recorded in the package.")
            )
            self.blockingList.addItems(self.blocking)
            self.blockingList.setMinimumHeight(120)
            self.resize(720, 600)
            self.reasonEdit.setFocus()
        self.outputEdit.textChanged.connect(self._update)
        self.reasonEdit.textChanged.connect(self._update)
        self._update()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.windowTitle(), self.outputEdit.text(), tr("GeoPackage (*.gpkg)")
        )
        if path:
            self.outputEdit.setText(path if path.lower().endswith(".gpkg") else path + ".gpkg")

    def reason(self) -> str:
        return self.reasonEdit.toPlainText().strip()

    def _update(self, *args) -> None:
        ok = bool(self.outputEdit.text().strip())
        if self.reasonEdit.isVisibleTo(self):
            ok = ok and bool(self.reason())
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def parameters(self) -> dict:
        return {
            "OUTPUT": self.outputEdit.text().strip(),
            "INCLUDE_HOUSEHOLDS": self.householdsCheck.isChecked(),
            "INCLUDE_NAMES": self.namesCheck.isChecked(),
            "INCLUDE_PHONES": self.phonesCheck.isChecked(),
            "OVERRIDE_REASON": self.reason(),
        }


# ---------------------------------------------------------------- the page


class JobsPanel(QWidget, PANEL_FORM):
    """The "Jobs" page of the workspace dock."""

    message = pyqtSignal(str, int)  # text, Qgis.MessageLevel
    job_finished = pyqtSignal(str, bool)  # job key, ok
    workspace_changed = pyqtSignal()  # a job wrote into the workspace (counts, staff, codes)

    def __init__(self, iface, dock=None, parent=None):
        super().__init__(parent)
        self.setupUi(self)
        self.setObjectName("CommunityGridsJobsPanel")
        self.iface = iface
        self.dock = dock
        self.workspace = None
        self.last_result: dict | None = None
        self.last_error: str | None = None
        self.opened: list[str] = []  # files opened for the planner
        self._rights: dict = {}  # a shared workspace: what the connected role may do (phones, staff)
        self.runner = task_runner.TaskRunner(self.progressBar, self.cancelButton, self)
        self.runner.busy_changed.connect(lambda *_: self._update_buttons())
        self.importButton.clicked.connect(self._guard(self.import_boundaries))
        self.householdsButton.clicked.connect(self._guard(self.attach_households))
        self.staffButton.clicked.connect(self._guard(self.import_staff))
        self.allocateButton.clicked.connect(self._guard(self.allocate_codes))
        self.filingButton.clicked.connect(self._guard(self.export_filing))
        self.compareButton.clicked.connect(self._guard(self.compare_packages))
        self.noticeButton.clicked.connect(self._guard(lambda: self.print_document("notice")))
        self.permitsButton.clicked.connect(self._guard(lambda: self.print_document("permits")))
        self.sharedButton.clicked.connect(self._guard(self.open_shared))
        self.changeRequestsButton.clicked.connect(self._guard(self.show_change_requests))
        from .division_action import DivisionAction

        self.division = DivisionAction(self)  # "Propose level 3 division…" on the dock's selected grid
        self._update_buttons()

    # ------------------------------------------------------------ plumbing

    def _guard(self, method):
        """A button's slot running ``method()`` under the plugin's one guard (gui/guard.py); the signal's own
        arguments are dropped (the jobs take their inputs from dialogs, or from tests as keywords)."""
        return lambda *_: self._run_guarded(method)

    @guarded
    def _run_guarded(self, method) -> None:
        method()

    def _say(self, text: str, level=Qgis.MessageLevel.Info, duration: int = 8) -> None:
        self.statusLabel.setText(text)
        push_message(self.iface.messageBar(), text, level, duration)
        self.message.emit(text, int(level))

    @property
    def shared(self) -> bool:
        """The open workspace is a shared one (PostGIS)."""
        return getattr(self.workspace, "store", "") == "postgis"

    def set_workspace(self, workspace) -> None:
        if workspace is not self.workspace:
            self.runner.abandon()
        self.workspace = workspace
        self._rights = self._shared_rights(workspace)
        self.workspaceLabel.setText(
            tr("Jobs on {county} ({path})").format(county=workspace.info.county_name, path=workspace.path)
            if workspace is not None
            else tr("Open a grid workspace to start.")
        )
        self.fill_townships()
        self._update_buttons()

    def _update_buttons(self) -> None:
        enabled = self.workspace is not None and not self.runner.busy
        for button in (
            self.importButton,
            self.householdsButton,
            self.staffButton,
            self.allocateButton,
            self.filingButton,
            self.compareButton,
            self.noticeButton,
            self.permitsButton,
            self.townshipCombo,
        ):
            button.setEnabled(enabled)
        self.noticeButton.setEnabled(enabled and self.townshipCombo.count() > 0)
        self.permitsButton.setEnabled(enabled and self.townshipCombo.count() > 0)
        shared = self.shared
        if not hasattr(self, "_staff_tip"):
            self._staff_tip = self.staffButton.toolTip()
        staff_refused = shared and not self._rights.get("staff", True)
        if staff_refused:  # the staff register of a shared workspace is the county role's
            self.staffButton.setEnabled(False)
        self.staffButton.setToolTip(
            tr("Your database role may not write the staff register of this shared workspace (the county role may).")
            if staff_refused
            else self._staff_tip
        )
        self.sharedButton.setEnabled(self.dock is not None and hasattr(self.dock, "open_shared_requested"))
        self.changeRequestsButton.setEnabled(
            shared and self.dock is not None and "change_requests" in getattr(self.dock, "panels", {})
        )
        if getattr(self, "division", None) is not None:
            self.division.update()

    def fill_townships(self) -> None:
        """The picker: townships (from the divisions) and their villages and communities (level 1 grids)."""
        self.townshipCombo.clear()
        if self.workspace is None:
            return
        from .grid_tree import read_rows_plain

        towns = {}
        for row in read_rows_plain(self.workspace.layer(schema.DIVISIONS.name)):
            code, name = str(row.get("town_code") or "").strip(), str(row.get("town_name") or "").strip()
            if code:
                towns[code] = name
        villages = {}
        for row in read_rows_plain(self.workspace.grid_layer(1)):
            code = str(row.get("code") or "").strip()
            if code and row.get("status") in (None, "", "active"):
                villages[code] = str(row.get("name") or "").strip()
        for code in sorted(set(towns) | {c[:9] for c in villages if len(c) >= 9}):
            self.townshipCombo.addItem(f"{towns.get(code) or code} ({code})", code)
            for village in sorted(c for c in villages if c.startswith(code)):
                self.townshipCombo.addItem(f"    {villages[village] or village} ({village})", village)

    @staticmethod
    def _shared_rights(workspace) -> dict:
        """What the connected role may do in a shared workspace: read the staff's phones, write the staff."""
        if getattr(workspace, "store", "") != "postgis":
            return {}
        from ..adapters import pg_jobs
        from ..adapters.pg_store import PgStoreError

        try:
            return {
                "phones": pg_jobs.phones_readable(workspace.params, workspace.schema_name),
                "staff": pg_jobs.staff_writable(workspace.params, workspace.schema_name),
            }
        except PgStoreError:
            return {}

    def output_folder(self) -> Path:
        """Where the jobs write by default: beside the workspace file; for a shared workspace the project's
        folder (or the home folder)."""
        if not self.shared:
            return Path(self.workspace.path).parent
        home = QgsProject.instance().homePath()
        return Path(home) if home and Path(home).is_dir() else Path.home()

    def _unsaved_shared_edits(self, names) -> str:
        """The message for a shared workspace's layer (of the tables ``names``) with unsaved edits, or ""."""
        for name in names:
            layer = self.workspace.layers.get(name)
            if layer is not None and layer.isModified():
                return tr(
                    "Layer {layer} of this workspace has unsaved edits in the project; save or discard them first."
                ).format(layer=layer.name())
        return ""

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def run_algorithm(
        self, key: str, algorithm: str, parameters: dict, on_ok=None, on_fail=None, writes=None, reads=()
    ) -> bool:
        """Start ``algorithm`` on the open workspace as a task; ``on_ok(results)`` when it succeeds.

        On a shared workspace the task first copies the schema into a temporary GeoPackage (a consistent
        snapshot, removed afterwards) and the algorithm reads that; with ``writes`` (the tables it writes) the
        algorithm computes on the snapshot and writes into the database (``adapters.pg_jobs``). Unsaved edits of
        the tables it writes, or of ``reads`` (those a GeoPackage job refuses too), stop it before it starts."""
        if self.workspace is None or self.runner.busy:
            return False
        parameters = dict(parameters)
        extra, extra_job = {}, None
        if self.shared and "WORKSPACE" in parameters:
            from ..adapters.pg_jobs import SharedJob

            unsaved = self._unsaved_shared_edits([*(writes or ()), *reads])
            if unsaved:
                self._say(unsaved, Qgis.MessageLevel.Warning)
                self.job_finished.emit(key, False)
                return False
            job = SharedJob(self.workspace)
            extra_job = job
            parameters["WORKSPACE"] = str(job.copy)
            extra = {"before": lambda t: job.snapshot(versions=bool(writes)), "cleanup": job.cleanup}
            if writes:
                extra["configure"] = lambda a: setattr(a, "shared", job)
        try:
            task = task_runner.algorithm_task(f"{PROVIDER}:{algorithm}", parameters, **extra)
        except QgsProcessingException as error:
            if "cleanup" in extra:
                extra["cleanup"]()
            self._say(str(error), Qgis.MessageLevel.Warning)
            self.job_finished.emit(key, False)
            return False
        task.shared_job = extra_job  # a shared workspace's job (its snapshot lives until the task has ended)
        self.statusLabel.setText(tr("{job}: running…").format(job=task.description()))

        def done(t, ok):
            self.last_result, self.last_error = (t.result if ok else None), t.error
            try:
                if ok:
                    if on_ok is not None:
                        on_ok(t.result or {}, t)
                    else:
                        self._say(self._summary(t), Qgis.MessageLevel.Success)
                elif t.cancelled or t.isCanceled():
                    self._say(tr("{job} was cancelled; nothing was changed.").format(job=t.description()))
                elif on_fail is not None and on_fail(t):
                    pass
                else:
                    self._say(
                        tr("{job} failed: {error}").format(job=t.description(), error=t.error or ""),
                        Qgis.MessageLevel.Critical,
                    )
            finally:
                self._update_buttons()
                self.job_finished.emit(key, ok)

        return self.runner.run(task, done)

    @staticmethod
    def _summary(task) -> str:
        lines = [tr("{job} finished.").format(job=task.description())]
        lines += task.feedback.warnings + task.feedback.infos
        return "\n".join(lines)

    def _workspace_written(self, tables=()) -> None:
        if self.shared:  # written into the database: the project's layers show it
            for name in tables:
                layer = self.workspace.layers.get(name)
                if layer is not None and not layer.isEditable():
                    layer.reload()
                    layer.triggerRepaint()
        self.workspace_changed.emit()
        if self.dock is not None and getattr(self.dock, "session", None) is not None:
            self.dock.session.changed()

    # ------------------------------------------------------------ the jobs

    def open_shared(self) -> None:
        """The dock's "Open shared workspace (PostGIS)…" (the plugin shows its dialog)."""
        if self.dock is not None and hasattr(self.dock, "open_shared_requested"):
            self.dock.open_shared_requested.emit()

    def show_change_requests(self) -> None:
        panel = getattr(self.dock, "panels", {}).get("change_requests") if self.dock is not None else None
        if panel is not None:
            self.dock.tabs.setCurrentWidget(panel)

    def import_boundaries(self) -> None:
        if self.dock is not None:
            self.dock.open_import()

    @staticmethod
    def _layer_choices() -> list:
        """The project's point layers and tables that are not the workspace's own: [(name, layer id)]."""
        choices = []
        for layer in QgsProject.instance().mapLayers().values():
            if not isinstance(layer, QgsVectorLayer) or layer.customProperty(schema.PROPERTY_LAYER):
                continue
            if not layer.isSpatial() or layer.geometryType() == POINT_GEOMETRY:
                choices.append((layer.name(), layer.id()))
        return sorted(choices)

    def households_dialog(self) -> JobInputsDialog:
        dialog = JobInputsDialog(
            tr("Attach households"),
            tr("Counts the households and persons of every grid of {county} and writes them into the grids.").format(
                county=self.workspace.info.county_name
            ),
            self,
        )
        dialog.set_row(
            "first",
            tr("Household points or table"),
            self._layer_choices(),
            tr("Vector files (*.gpkg *.shp *.geojson *.csv *.xlsx)"),
        )
        dialog.set_option(
            tr("Attach by"),
            [
                (tr("Automatic: points by location, a table without geometry by code or name"), 0),
                (tr("Location of the points"), 1),
                (tr("Grid code or villager group name (table)"), 2),
            ],
        )
        return dialog

    def attach_households(self, source=None, mode: int = 0, confirm: bool = False) -> bool:
        if self.workspace is None:
            return False
        if source is None:
            dialog = self.households_dialog()
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            source, mode = dialog.value("first"), dialog.option() or 0
        parameters = {
            "WORKSPACE": str(self.workspace.path),
            "INPUT": source,
            "MODE": mode,
            "CONFIRM": confirm,
            "FINDINGS": QgsProcessing.TEMPORARY_OUTPUT,
        }

        def refused(task) -> bool:
            if confirm or not task.error:
                return False
            self._say(task.error, Qgis.MessageLevel.Warning)
            box = QMessageBox(
                QMessageBox.Icon.Question,
                tr("Attach households"),
                task.error + "\n\n" + tr("Replace the counts of every grid with these anyway?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                self,
            )
            box.setObjectName("CommunityGridsConfirmReplace")
            box.button(QMessageBox.StandardButton.Yes).setText(tr("Replace the counts"))
            box.setDefaultButton(QMessageBox.StandardButton.No)
            box.accepted.connect(lambda: self.attach_households(source, mode, confirm=True))
            self.confirm_box = box
            box.open()  # not exec(): this runs inside the task's finished()
            return True

        def ok(results, task):
            self._say(
                tr("Households attached: {households} households, {persons} persons; {grids} grids changed.").format(
                    households=results.get("HOUSEHOLDS", 0),
                    persons=results.get("POPULATION", 0),
                    grids=results.get("GRIDS_CHANGED", 0),
                )
                + "".join("\n" + w for w in task.feedback.warnings),
                Qgis.MessageLevel.Success,
            )
            self._workspace_written([d.name for d in schema.GRID_LAYERS])

        grids = [d.name for d in schema.GRID_LAYERS]
        return self.run_algorithm("households", "attach_households", parameters, ok, refused, writes=grids)

    def staff_dialog(self) -> JobInputsDialog:
        dialog = JobInputsDialog(
            tr("Import staff"),
            tr("Reads a staff register (CSV or XLSX) into the staff table of {county}.").format(
                county=self.workspace.info.county_name
            ),
            self,
        )
        dialog.set_row("first", tr("Staff register"), [], tr("Staff registers (*.csv *.xlsx *.xlsm *.tsv *.txt)"))
        dialog.set_option(tr("Existing staff"), [(tr("Append to the register"), 0), (tr("Replace the register"), 1)])
        return dialog

    def import_staff(self, path: str | None = None, mode: int = 0) -> bool:
        if self.workspace is None:
            return False
        if path is None:
            dialog = self.staff_dialog()
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            path, mode = dialog.value("first"), dialog.option() or 0
        parameters = {
            "WORKSPACE": str(self.workspace.path),
            "INPUT": str(path),
            "MODE": mode,
            "REPORT": QgsProcessing.TEMPORARY_OUTPUT,
        }

        def ok(results, task):
            self._say(
                tr("Staff imported: {written} written, {rejected} rejected, {skipped} skipped.").format(
                    written=results.get("WRITTEN", 0),
                    rejected=results.get("REJECTED", 0),
                    skipped=results.get("SKIPPED", 0),
                )
                + "".join("\n" + w for w in task.feedback.errors + task.feedback.warnings),
                Qgis.MessageLevel.Success if not results.get("REJECTED") else Qgis.MessageLevel.Warning,
            )
            self._workspace_written([schema.STAFF.name])

        return self.run_algorithm("staff", "import_staff", parameters, ok, writes=[schema.STAFF.name])

    def allocate_codes(self, answer=None):
        """Preview the codes, apply them on "Apply" (undoable edits), then confirm what changed."""
        if self.workspace is None:
            return None
        from ..adapters.codes_store import CodesError, apply_allocation, plan_allocation
        from .allocation_preview import AllocationPreviewDialog

        try:
            preview = plan_allocation(self.workspace)
        except CodesError as error:
            self._say(str(error), Qgis.MessageLevel.Warning)
            return None
        dialog = AllocationPreviewDialog(preview.plan, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or preview.plan.is_empty:
            return None
        try:
            applied = apply_allocation(self.workspace, preview, commit=False)
        except CodesError as error:
            self._say(str(error), Qgis.MessageLevel.Warning)
            return None
        total = sum(applied.changed.values())
        lines = [
            tr("{n} grids got a new code; the registry has {added} new codes. Save the layers to keep them.").format(
                n=total, added=applied.registry_added
            )
        ]
        for a in preview.plan.assignments:
            layer_def = schema.LAYER_BY_NAME.get(a.layer)
            title = layer_def.title_zh if layer_def is not None else a.layer
            lines.append(f"{title} #{a.fid}: {a.old_code or '—'} → {a.new_code}")
        self._say("\n".join(lines), Qgis.MessageLevel.Success, 15)
        self._workspace_written()
        return applied

    def default_package_path(self) -> str:
        folder = self.output_folder()
        stamp = _dt.date.today().strftime("%Y%m%d")
        name = f"{self.workspace.info.county_code}_{safe_name(self.workspace.info.county_name)}_备案_{stamp}.gpkg"
        return str(unique_path(folder / name))

    def filing_dialog(self, output: str, blocking=None, refusal: str = "") -> FilingExportDialog:
        dialog = FilingExportDialog(output, blocking, refusal, self)
        if self.shared and not self._rights.get("phones", True):
            dialog.phonesCheck.setChecked(False)
            dialog.phonesCheck.setEnabled(False)
            dialog.phonesCheck.setToolTip(self.phones_withheld_message())
        return dialog

    def phones_withheld_message(self) -> str:
        return tr(
            "Staff phone numbers are not readable by your database role ({user}) in this shared workspace: the "
            "package carries none. Only the county role can include them."
        ).format(user=getattr(self.workspace.params, "user", ""))

    def export_filing(self, parameters: dict | None = None) -> bool:
        """Ask where and what (the dialog), export; a refusal shows the blocking findings and asks the reason."""
        if self.workspace is None:
            return False
        if parameters is None:
            dialog = self.filing_dialog(self.default_package_path())
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            parameters = dialog.parameters()
        parameters = {**parameters, "WORKSPACE": str(self.workspace.path)}
        withheld = []
        if self.shared and parameters.get("INCLUDE_PHONES") and not self._rights.get("phones", True):
            parameters["INCLUDE_PHONES"] = False  # the package says so: phones_included is false
            withheld.append(self.phones_withheld_message())

        def ok(results, task):
            lines = [
                tr("Filing package version {version} written: {grids} grids, {changes} changes → {path}").format(
                    version=results.get("PACKAGE_VERSION", ""),
                    grids=results.get("GRIDS", 0),
                    changes=results.get("CHANGES", 0),
                    path=results.get("OUTPUT", ""),
                )
            ]
            job = getattr(task, "shared_job", None)
            if job is not None:  # recorded in the database as the export records it in a GeoPackage
                unrecorded = job.record_filing()
                if unrecorded:
                    withheld.append(unrecorded)
            level = Qgis.MessageLevel.Warning if withheld else Qgis.MessageLevel.Success
            self._say("\n".join(lines + withheld + task.feedback.warnings), level, 12)

        def refused(task) -> bool:
            if not task.feedback.errors:
                return False
            self.statusLabel.setText(task.error or "")
            dialog = self.filing_dialog(parameters["OUTPUT"], task.feedback.errors, task.error or "")
            for name, check in (
                ("INCLUDE_HOUSEHOLDS", dialog.householdsCheck),
                ("INCLUDE_NAMES", dialog.namesCheck),
                ("INCLUDE_PHONES", dialog.phonesCheck),
            ):
                check.setChecked(bool(parameters.get(name)))
            self.refusal_dialog = dialog
            dialog.accepted.connect(lambda: self.export_filing(dialog.parameters()))
            dialog.open()  # not exec(): this runs inside the task's finished()
            return True

        from ..processing.filing_algorithms import ExportFilingPackage

        return self.run_algorithm(
            "filing", "export_filing_package", parameters, ok, refused, reads=ExportFilingPackage.TABLES
        )

    def compare_dialog(self) -> JobInputsDialog:
        dialog = JobInputsDialog(
            tr("Compare packages"), tr("What changed between a previous filing package and a new one."), self
        )
        folder = self.output_folder()
        packages = sorted(str(p) for p in folder.glob("*.gpkg") if p != Path(self.workspace.path))
        choices = [(p, p) for p in packages]
        gpkg = tr("GeoPackage (*.gpkg)")
        dialog.set_row("first", tr("Previous package"), choices, gpkg)
        dialog.set_row("second", tr("New package"), list(reversed(choices)), gpkg)
        return dialog

    def compare_packages(self, before: str | None = None, after: str | None = None) -> bool:
        if self.workspace is None:
            return False
        if before is None or after is None:
            dialog = self.compare_dialog()
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            before, after = dialog.value("first"), dialog.value("second")
        stem = Path(after).with_suffix("")
        report = unique_path(Path(f"{stem}_变化.html"))
        changes = unique_path(Path(f"{stem}_变化.gpkg"))
        parameters = {"BEFORE": before, "AFTER": after, "OUTPUT": str(changes), "REPORT": str(report)}

        def ok(results, task):
            layer = QgsVectorLayer(str(changes), tr("Changed grids"), "ogr")
            if layer.isValid():
                QgsProject.instance().addMapLayer(layer)
            self._say(
                tr("{n} grids changed between the packages; report {path}.").format(
                    n=results.get("CHANGED", 0), path=report
                )
                + "".join("\n" + i for i in task.feedback.infos),
                Qgis.MessageLevel.Success,
                12,
            )
            self._open(report)

        return self.run_algorithm("compare", "compare_packages", parameters, ok)

    def selected_area(self) -> str | None:
        return self.townshipCombo.currentData()

    def print_document(self, kind: str, area: str | None = None, output: str | None = None) -> bool:
        """The notice map ("notice") or the permits ("permits") of the picked township or village; opened."""
        if self.workspace is None:
            return False
        area = area or self.selected_area()
        if not area:
            self._say(tr("Choose a township or village first."), Qgis.MessageLevel.Warning)
            return False
        label = self.townshipCombo.currentText().strip() if area == self.selected_area() else area
        word = "公示图" if kind == "notice" else "工作证"
        if output is None:
            folder = self.output_folder()
            output = str(unique_path(folder / f"{safe_name(label)}_{word}_{_dt.date.today():%Y%m%d}.pdf"))
        algorithm = "public_notice_map" if kind == "notice" else "work_permits"
        parameters = {"WORKSPACE": str(self.workspace.path), "AREA": area, "OUTPUT": output}

        def ok(results, task):
            self._say(
                tr("{document}: {pages} pages, {grids} grids, {heads} grid heads → {path}").format(
                    document=task.description(),
                    pages=results.get("PAGES", 0),
                    grids=results.get("GRIDS", 0),
                    heads=results.get("HEADS", 0),
                    path=results.get("OUTPUT", output),
                )
                + "".join("\n" + w for w in task.feedback.warnings),
                Qgis.MessageLevel.Success,
            )
            self._open(results.get("OUTPUT", output))

        return self.run_algorithm(kind, algorithm, parameters, ok)

    def _open(self, path) -> None:
        self.opened.append(str(path))
        if not open_output(path):
            self._say(tr("Written to {path}; it could not be opened here.").format(path=path), Qgis.MessageLevel.Info)

    def cleanup(self) -> None:
        self.runner.abandon()
        self.division.discard()
