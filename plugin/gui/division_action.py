"""The Jobs page's "Propose level 3 division…" on the grid selected in the dock (a village or a section).

:class:`DivisionAction` adds the button to the Jobs page (enabled while one level 1 or level 2 grid is selected in
the dock's tree and no job runs). Clicking it proposes the division of the section, or of every active section of
the village (``adapters.division_store.plan_division``), as a QgsTask with the page's progress bar and cancel
button. The proposal is shown on the canvas as a temporary layer (each grid's households, persons, status and
rule) with :class:`DivisionPreviewDialog` (ui/division_preview.ui): the quality figures and Accept / Discard.
Accept puts the proposal into the level 3 layer's edit buffer as ONE undoable edit command
(``division_store.apply_acceptance``: the parents' old level 3 grids deleted, the proposed ones added with codes
allocated west → east, north → south by the workspace's rule); Ctrl+Z undoes it, and saving the layer lets the
change tracker log the change and update the code registry, as for a hand-drawn split or merge. Discard removes
the preview and writes nothing.
"""

from __future__ import annotations

import contextlib

import numpy as np
from qgis.core import Qgis, QgsFeature, QgsField, QgsProcessingException, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QObject
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QTableWidgetItem, QWidget

from ..adapters.division_store import (
    PREVIEW_FIELDS,
    DivisionStoreError,
    apply_acceptance,
    plan_division,
    preview_rows,
)
from ..adapters.editing import GRID, EditFailure, to_qgs
from ..adapters.plain_workspace import open_plain_workspace
from ..adapters.qgis_compat import variant_type
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
    layer.setCustomProperty("community_grids/division_preview", True)
    return layer


class DivisionAction(QObject):
    """The button on the Jobs page and the propose → preview → accept/discard flow."""

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.plan = None
        self.layer: QgsVectorLayer | None = None
        self.dialog: DivisionPreviewDialog | None = None
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
        panel, ref = self.panel, self.selected()
        if panel.workspace is None or ref is None or panel.runner.busy:
            return False
        self.discard()
        codes = self.parent_codes(ref)
        if not codes:
            panel._say(tr("{grid} has no level 2 grid to divide.").format(grid=ref.label), Qgis.MessageLevel.Warning)
            return False
        path = str(panel.workspace.path)

        def work(task):
            workspace = open_plain_workspace(path)
            try:
                return plan_division(
                    workspace,
                    codes,
                    progress=lambda fraction, _label: task.setProgress(100.0 * fraction),
                    is_cancelled=task.isCanceled,
                )
            except DivisionCancelled as error:
                raise QgsProcessingException(tr("Cancelled.")) from error
            except DivisionStoreError as error:
                raise QgsProcessingException(str(error)) from error
            finally:
                workspace.layers.clear()

        task = task_runner.JobTask(tr("Propose level 3 division of {grid}").format(grid=ref.label), work)
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
        panel.statusLabel.setText(tr("The proposal is shown on the map. Accept it to write it into the workspace."))
        panel.job_finished.emit("division", True)
        self.dialog.open()  # not exec(): this runs inside the task's finished()

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
