"""The Jobs page's "Propose level 3 division…" on the grid selected in the dock (a village or a section).

:class:`DivisionAction` adds the button to the Jobs page (enabled while one level 1 or level 2 grid is selected in
the dock's tree and no job runs). Clicking it opens :class:`DivisionOptionsDialog` (ui/division_options.ui): the
project's line layers the boundaries should follow, a relocation-site layer with its household-count field, "keep
the selected level 3 grids" (those selected in the workspace's level 3 layer under the parents: their codes are
locked) and the seed; the choices are remembered (QgsSettings). OK reads the layers on the main thread, transformed
into the workspace's CRS through QGIS (``division_store.division_inputs``, as the Processing algorithm does), and
proposes the division of the section, or of every active section of the village
(``adapters.division_store.plan_division``), as a QgsTask on those plain shapely geometries with the page's
progress bar and cancel button; Cancel starts nothing. The proposal is shown on the canvas as a temporary layer (each grid's households, persons, status and
rule) with :class:`DivisionPreviewDialog` (ui/division_preview.ui): the quality figures and Accept / Discard /
Re-run… (discard the preview and open the options again, e.g. after selecting grids to keep).
Accept puts the proposal into the level 3 layer's edit buffer as ONE undoable edit command
(``division_store.apply_acceptance``: the parents' old level 3 grids deleted, the proposed ones added with codes
allocated west → east, north → south by the workspace's rule); Ctrl+Z undoes it, and saving the layer lets the
change tracker log the change and update the code registry, as for a hand-drawn split or merge. Discard removes
the preview and writes nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    Qgis,
    QgsCsException,
    QgsFeature,
    QgsField,
    QgsProcessingException,
    QgsProject,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QObject, Qt
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidgetItem,
    QPushButton,
    QTableWidgetItem,
    QWidget,
)

from ..adapters.division_store import (
    PREVIEW_FIELDS,
    DivisionStoreError,
    apply_acceptance,
    division_inputs,
    plan_division,
    preview_rows,
)
from ..adapters.editing import GRID, EditFailure, to_qgs
from ..adapters.plain_workspace import open_plain_workspace
from ..adapters.qgis_compat import variant_type
from ..adapters.tool_compat import LINE_GEOMETRY, NUMERIC_FIELDS, POINT_GEOMETRY, POINT_LAYERS, POLYGON_LAYERS
from ..core import schema
from ..core.division import DivisionCancelled
from ..i18n import prefers_chinese, tr
from . import task_runner
from .forms import load_form


def quality_figures(plan) -> list[tuple[str, str]]:
    """(figure, value) rows of the dialog: grids, share within range, households, compactness, refusals."""
    props = [p for p in plan.proposals if p is not None]
    grids = sum(len(p) for p in props)
    within = sum(int(np.count_nonzero(p.status == "within")) for p in props)
    households = sum(int(p.households.sum()) for p in props)
    compact = np.concatenate([p.compactness for p in props]) if props else np.zeros(0)
    line_cuts = sum(p.line_cuts for p in props)
    cuts = line_cuts + sum(p.straight_cuts for p in props)
    return [
        (tr("Parents divided"), f"{len(props)} / {len(plan.jobs)}"),
        (tr("Proposed grids"), str(grids)),
        (tr("Within the size range"), f"{within} ({100.0 * within / grids:.0f} %)" if grids else "0"),
        (tr("Households"), str(households)),
        (tr("Median compactness (Polsby–Popper)"), f"{float(np.median(compact)):.2f}" if len(compact) else "—"),
        (tr("Cuts along the given lines"), f"{line_cuts} / {cuts}"),
        (tr("Parents not offered (audit)"), str(len(plan.refused))),
    ]


SETTINGS = "CommunityGrids/division/"  # lines (layer ids), site_layer (id), site_field, seed


@dataclass
class DivisionOptions:
    """What the options dialog read (on the main thread): plain shapely geometries for the task."""

    lines: list = field(default_factory=list)
    sites: list = field(default_factory=list)
    site_households: list | None = None
    lock_codes: list[str] = field(default_factory=list)
    seed: int = 0


def line_layers() -> list[QgsVectorLayer]:
    """The project's line and multiline vector layers, by name."""
    found = [
        layer
        for layer in QgsProject.instance().mapLayers().values()
        if isinstance(layer, QgsVectorLayer) and layer.isValid() and layer.geometryType() == LINE_GEOMETRY
    ]
    return sorted(found, key=lambda layer: (layer.name(), layer.id()))


class DivisionOptionsDialog(QDialog):
    """The options of a proposal: lines to follow, relocation sites, the selected grids to keep, the seed."""

    def __init__(self, workspace, parent_codes: list[str], label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = load_form("division_options")()
        self.ui.setupUi(self)  # ui/division_options.ui (object name CommunityGridsDivisionOptions)
        ui = self.ui
        self.workspace, self.parent_codes = workspace, list(parent_codes)
        self.options: DivisionOptions | None = None
        self.lines, self.site_layer, self.site_field = ui.lines, ui.site_layer, ui.site_field
        self.keep_selected, self.seed, self.problem, self.buttons = ui.keep_selected, ui.seed, ui.problem, ui.buttons
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ui.intro.setText(
            tr("Divide {grid} ({n} level 2 grids) into level 3 grids by the size rules.").format(
                grid=label, n=len(self.parent_codes)
            )
        )
        settings = QgsSettings()
        remembered = set(settings.value(SETTINGS + "lines", [], type=list) or [])
        for layer in line_layers():
            item = QListWidgetItem(layer.name(), self.lines)
            item.setData(Qt.ItemDataRole.UserRole, layer.id())
            item.setToolTip(layer.source())
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.id() in remembered else Qt.CheckState.Unchecked)
        if not self.lines.count():
            QListWidgetItem(tr("(the project has no line layer)"), self.lines).setFlags(Qt.ItemFlag.NoItemFlags)
        self.site_layer.setFilters(POINT_LAYERS | POLYGON_LAYERS)
        self.site_layer.setAllowEmptyLayer(True)
        self.site_layer.setExceptedLayerList(
            [layer for layer in workspace.layers.values() if layer is not None]
            + [
                layer
                for layer in QgsProject.instance().mapLayers().values()
                if layer.customProperty(schema.PROPERTY_DIVISION_PREVIEW)
            ]
        )
        self.site_field.setFilters(NUMERIC_FIELDS)
        site = QgsProject.instance().mapLayer(settings.value(SETTINGS + "site_layer", "", type=str) or "")
        if site is not None:
            self.site_layer.setLayer(site)
        else:
            self.site_layer.setCurrentIndex(0)  # the empty entry (not the first layer the combo chose)
        self.site_layer.layerChanged.connect(self._site_changed)
        self._site_changed(self.site_layer.currentLayer())
        if site is not None and self.site_layer.currentLayer() is site:
            self.site_field.setField(settings.value(SETTINGS + "site_field", "", type=str) or "")
        self.seed.setValue(settings.value(SETTINGS + "seed", 0, type=int))
        self.level3 = workspace.grid_layer(3)
        self._update_keep()
        if self.level3 is not None:
            self.level3.selectionChanged.connect(self._update_keep)
        self.finished.connect(self._disconnect)
        self.problem.setVisible(False)
        self.buttons.accepted.connect(self.accept)

    # -------------------------------------------------------- the widgets

    def _site_changed(self, layer) -> None:
        self.site_field.setLayer(layer)
        self.site_field.setEnabled(layer is not None)
        if layer is not None and layer.geometryType() == POINT_GEOMETRY:
            numeric = [f.name() for f in layer.fields() if f.isNumeric()]
            guess = next((n for n in numeric if n.lower() in ("households", "hh", "户数")), None)
            self.site_field.setField(guess or "")

    def selected_codes(self) -> list[str]:
        """Codes of the level 3 grids selected in the workspace's level 3 layer under the parents divided."""
        layer = self.level3
        if layer is None or not layer.selectedFeatureCount():
            return []
        parents = set(self.parent_codes)
        codes = []
        for feature in layer.getSelectedFeatures():
            status = feature["status"] if layer.fields().indexFromName("status") >= 0 else None
            if str(feature["parent_code"] or "") in parents and status in (None, "", "active") and feature["code"]:
                codes.append(str(feature["code"]))
        return sorted(set(codes))

    def _update_keep(self, *_args) -> None:
        n = len(self.selected_codes())
        self.keep_selected.setText(tr("Keep the selected level 3 grids ({n} selected)").format(n=n))
        self.keep_selected.setEnabled(n > 0)
        if not n:
            self.keep_selected.setChecked(False)

    def _disconnect(self, *_args) -> None:
        if self.level3 is not None:
            with contextlib.suppress(TypeError, RuntimeError):
                self.level3.selectionChanged.disconnect(self._update_keep)

    def checked_layers(self) -> list[QgsVectorLayer]:
        project, out = QgsProject.instance(), []
        for row in range(self.lines.count()):
            item = self.lines.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                layer = project.mapLayer(item.data(Qt.ItemDataRole.UserRole) or "")
                if layer is not None:
                    out.append(layer)
        return out

    # -------------------------------------------------------- OK

    def _refuse(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(True)

    def accept(self) -> None:
        """Read the chosen layers into plain geometries (main thread), remember the choices, close."""
        layers = self.checked_layers()
        site = self.site_layer.currentLayer()
        site_field = self.site_field.currentField() if site is not None else ""
        if site is not None and site.geometryType() == POINT_GEOMETRY and not site_field:
            self._refuse(
                tr("Relocation sites in {layer} are points: choose the field that gives their households.").format(
                    layer=site.name()
                )
            )
            return
        lock = self.selected_codes() if self.keep_selected.isChecked() else []
        if lock and self.level3 is not None and self.level3.isModified():
            self._refuse(
                tr(
                    "The level 3 layer has unsaved edits: save it first, so that the grids to keep are those "
                    "of the workspace file the proposal reads."
                )
            )
            return
        try:
            lines, sites, counts = division_inputs(
                self.workspace.crs, QgsProject.instance().transformContext(), layers, site, site_field
            )
        except QgsCsException as error:  # a layer QGIS cannot transform: its own message
            self._refuse(tr("{layer}: {error}").format(layer=", ".join(n.name() for n in layers), error=error))
            return
        self.options = DivisionOptions(lines, sites, counts, lock, int(self.seed.value()))
        settings = QgsSettings()
        settings.setValue(SETTINGS + "lines", [layer.id() for layer in layers])
        settings.setValue(SETTINGS + "site_layer", site.id() if site is not None else "")
        settings.setValue(SETTINGS + "site_field", site_field)
        settings.setValue(SETTINGS + "seed", int(self.seed.value()))
        super().accept()


class DivisionPreviewDialog(QDialog):
    """The quality figures of a proposal; Apply (shown as "Accept") accepts it, Discard rejects it."""

    def __init__(self, plan, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = load_form("division_preview")()
        self.ui.setupUi(self)  # ui/division_preview.ui
        self.figures, self.buttons = self.ui.figures, self.ui.buttons
        rows = quality_figures(plan)
        self.figures.setColumnCount(2)
        self.figures.setRowCount(len(rows))
        self.figures.setHorizontalHeaderLabels([tr("Figure"), tr("Value")])
        for r, (name, value) in enumerate(rows):
            self.figures.setItem(r, 0, QTableWidgetItem(name))
            self.figures.setItem(r, 1, QTableWidgetItem(value))
        self.figures.resizeColumnsToContents()
        chinese = prefers_chinese()
        problems = []
        for job, error in zip(plan.jobs, plan.errors):
            if error is not None:
                problems.append(f"{job.label}: {error.message_zh if chinese else error}")
        for job, prop in zip(plan.jobs, plan.proposals):
            for note in prop.notes if prop is not None else ():
                problems.append(f"{job.label}: {note.message_zh if chinese else note.message_en}")
        for code, findings in plan.refused.items():
            for f in findings:
                problems.append(
                    tr("{parent}: not offered, the audit found: {problem}").format(
                        parent=code, problem=f.message_zh if chinese else f.message_en
                    )
                )
        self.ui.problems.setPlainText("\n".join(problems))
        self.ui.problems.setVisible(bool(problems))
        offered = bool(plan.offered())
        self.ui.summary.setText(
            tr("The proposal is shown on the map. Accept it to write it into the workspace.")
            if offered
            else tr("No proposal can be accepted: every parent was refused or failed.")
        )
        self.accept_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.accept_button.setText(tr("Accept"))
        self.accept_button.setEnabled(offered)
        self.accept_button.clicked.connect(self.accept)
        self.discard_button = self.buttons.button(QDialogButtonBox.StandardButton.Discard)
        self.discard_button.clicked.connect(self.reject)
        self.rerun_button = self.ui.rerun  # discard and open the options again (DivisionAction.rerun)


def preview_layer(plan, crs: str) -> QgsVectorLayer:
    """A temporary (memory) layer of the proposed grids with their households, status and rule."""
    layer = QgsVectorLayer(f"MultiPolygon?crs={crs}", tr("Proposed level 3 division (preview)"), "memory")
    provider = layer.dataProvider()
    provider.addAttributes([QgsField(name, variant_type(kind)) for name, kind in PREVIEW_FIELDS])
    layer.updateFields()
    features = []
    for values, geom in preview_rows(plan, prefers_chinese()):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([values[name] for name, _ in PREVIEW_FIELDS])
        feature.setGeometry(to_qgs(geom))
        features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    layer.setCustomProperty(schema.PROPERTY_DIVISION_PREVIEW, True)
    return layer


class DivisionAction(QObject):
    """The button on the Jobs page and the propose → preview → accept/discard flow."""

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.plan = None
        self.layer: QgsVectorLayer | None = None
        self.dialog: DivisionPreviewDialog | None = None
        self.options: DivisionOptionsDialog | None = None  # open while the planner chooses
        self.last: tuple[list[str], str] | None = None  # the parents and label of the last proposal (Re-run)
        self.button = QPushButton(tr("Propose level 3 division…"), panel.dataBox)
        self.button.setObjectName("divisionButton")
        self.button.setToolTip(
            tr("Divide the village or section selected in the grid tree into level 3 grids by the size rules")
        )
        panel.dataLayout.addWidget(self.button, 2, 0)
        self.button.clicked.connect(panel._guard(self.propose))
        dock = panel.dock
        if dock is not None and getattr(dock, "view", None) is not None and dock.view.selectionModel() is not None:
            dock.view.selectionModel().selectionChanged.connect(lambda *_: self.update())
        self.update()

    def selected(self):
        dock = self.panel.dock
        ref = dock.selected_ref() if dock is not None else None
        if ref is None or ref.kind != GRID or ref.level not in (1, 2) or not ref.code:
            return None
        return ref

    def update(self) -> None:
        self.button.setEnabled(
            self.panel.workspace is not None and not self.panel.runner.busy and self.selected() is not None
        )

    def parent_codes(self, ref) -> list[str]:
        if ref.level == 2:
            return [str(ref.code)]
        from .grid_tree import read_rows_plain

        return sorted(
            str(r["code"])
            for r in read_rows_plain(self.panel.workspace.grid_layer(2))
            if str(r.get("parent_code") or "") == ref.code and r.get("status") in (None, "", "active") and r["code"]
        )

    def propose(self) -> bool:
        """Open the options dialog for the grid selected in the tree; its OK starts the proposal (a task)."""
        panel, ref = self.panel, self.selected()
        if panel.workspace is None or ref is None or panel.runner.busy:
            return False
        self.discard()
        codes = self.parent_codes(ref)
        if not codes:
            panel._say(tr("{grid} has no level 2 grid to divide.").format(grid=ref.label), Qgis.MessageLevel.Warning)
            return False
        self.open_options(codes, ref.label)
        return True

    def open_options(self, codes: list[str], label: str) -> DivisionOptionsDialog:
        self.close_options()
        self.options = dialog = DivisionOptionsDialog(self.panel.workspace, codes, label, self.panel)
        dialog.accepted.connect(self.panel._guard(lambda: self.run(codes, label, dialog.options)))
        dialog.rejected.connect(self.close_options)
        dialog.open()  # window-modal, not exec(): Re-run opens it from the preview dialog's click
        return dialog

    def close_options(self) -> None:
        dialog, self.options = self.options, None
        if dialog is not None:
            with contextlib.suppress(RuntimeError):
                dialog.deleteLater()

    def rerun(self) -> None:
        """The preview's "Re-run…": discard the proposal and open the options again for the same parents."""
        last = self.last
        if self.dialog is not None:
            with contextlib.suppress(RuntimeError):
                self.dialog.done(QDialog.DialogCode.Rejected)  # discards through rejected
        self.discard()
        if last is not None and self.panel.workspace is not None and not self.panel.runner.busy:
            self.open_options(*last)

    def run(self, codes: list[str], label: str, options: DivisionOptions | None = None) -> bool:
        """Propose the division of ``codes`` as a task with ``options`` (plain geometries, read beforehand)."""
        panel = self.panel
        self.close_options()
        if panel.workspace is None or panel.runner.busy:
            return False
        options = options or DivisionOptions()
        self.last = (list(codes), label)
        path = str(panel.workspace.path)

        def work(task):
            workspace = open_plain_workspace(path)
            try:
                return plan_division(
                    workspace,
                    codes,
                    lines=options.lines,
                    sites=options.sites,
                    site_households=options.site_households,
                    lock_codes=options.lock_codes,
                    seed=options.seed,
                    progress=lambda fraction, _label: task.setProgress(100.0 * fraction),
                    is_cancelled=task.isCanceled,
                )
            except DivisionCancelled as error:
                raise QgsProcessingException(tr("Cancelled.")) from error
            except DivisionStoreError as error:
                raise QgsProcessingException(str(error)) from error
            finally:
                workspace.layers.clear()

        task = task_runner.JobTask(tr("Propose level 3 division of {grid}").format(grid=label), work)
        panel.statusLabel.setText(tr("{job}: running…").format(job=task.description()))
        return panel.runner.run(task, self._proposed)

    def _proposed(self, task, ok) -> None:
        panel = self.panel
        if not ok:
            panel._say(tr("Cancelled.") if task.cancelled else (task.error or ""), Qgis.MessageLevel.Warning)
            panel.job_finished.emit("division", False)
            return
        self.plan = task.result
        self.layer = preview_layer(self.plan, panel.workspace.info.crs)
        QgsProject.instance().addMapLayer(self.layer)
        self.dialog = DivisionPreviewDialog(self.plan, panel)
        self.dialog.accepted.connect(panel._guard(self.accept))
        self.dialog.rejected.connect(panel._guard(self.discard))
        self.dialog.rerun_button.clicked.connect(panel._guard(self.rerun))
        panel.statusLabel.setText(tr("The proposal is shown on the map. Accept it to write it into the workspace."))
        panel.job_finished.emit("division", True)
        # not exec() (this runs inside the task's finished()) and not modal: the planner may select level 3
        # grids on the map to keep, then click Re-run…
        self.dialog.setModal(False)
        self.dialog.show()

    def accept(self) -> bool:
        """Put the proposal into the level 3 layer's edit buffer: one undoable edit (saved by the planner)."""
        panel, plan = self.panel, self.plan
        self.discard()
        if plan is None or panel.workspace is None:
            return False
        try:
            acc = apply_acceptance(panel.workspace, plan, _user())
        except (DivisionStoreError, EditFailure) as error:
            panel._say(str(error), Qgis.MessageLevel.Warning)
            return False
        panel._say(
            tr(
                "{n} proposed grids ({first}…{last}) put into the level 3 layer, {removed} old grids removed: "
                "save the layer to keep them (the change log records the change), or undo."
            ).format(
                n=len(acc.rows),
                first=acc.codes[0] if acc.codes else "",
                last=acc.codes[-1] if acc.codes else "",
                removed=len(acc.retire),
            ),
            Qgis.MessageLevel.Success,
            12,
        )
        panel._workspace_written()
        return True

    def discard(self) -> None:
        """Remove the preview layer (nothing was written)."""
        self.plan = None
        layer, self.layer = self.layer, None
        if layer is not None:
            with contextlib.suppress(RuntimeError):  # the project has deleted it already
                QgsProject.instance().removeMapLayer(layer.id())
        self.dialog = None


def _user() -> str:
    from ..adapters.filing import current_user

    return current_user()
