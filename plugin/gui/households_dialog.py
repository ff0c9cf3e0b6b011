"""Attach household counts from the desktop, by the rules of the ``attach_households`` algorithm.

``AttachHouseholdsDialog(workspace, parent=None)``: the household source (a point layer or a table of the
project), "replace all" for a table (else only the grids it names change), the source's CRS when its points
have none, and *Attach*. The attachment is the adapters' (``household_edits.attach``); a run that attaches
nothing or lowers the workspace's households by more than the threshold (``core.households.DEFAULT_MAX_DROP``)
is written only when the planner confirms the full replacement in a question that says why; points without
a CRS are refused until a CRS is chosen. The counts of all three levels are written in ONE transaction of the
workspace file (``household_edits.write_totals_file``), as the algorithm writes them, then the grid layers are
reloaded. ``attached(int)`` is emitted with the grids changed.
"""

from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem, QgsMapLayerProxyModel, QgsProject
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from ..adapters.household_edits import (
    HouseholdError,
    attach,
    is_point_source,
    refusal_message,
    resolve_mapping,
    summary_lines,
    write_totals_file,
)
from ..adapters.reproject import crs_is_undefined
from ..core import households as core
from ..core import schema
from ..i18n import tr
from .forms import load_form


class AttachHouseholdsDialog(QDialog):
    attached = pyqtSignal(int)

    def __init__(self, workspace, parent=None, max_drop: float = core.DEFAULT_MAX_DROP):
        super().__init__(parent)
        self.ui = load_form("attach_households")()
        self.ui.setupUi(self)  # ui/attach_households.ui (object name CommunityGridsAttachHouseholds)
        ui = self.ui
        self.workspace = workspace
        self.max_drop = max_drop
        self.source = ui.source
        self.source.setFilters(QgsMapLayerProxyModel.Filter.PointLayer | QgsMapLayerProxyModel.Filter.NoGeometry)
        points = workspace.layers.get(schema.HOUSEHOLDS.name)
        own = [layer for layer in workspace.layers.values() if layer is not points]  # the workspace's tables
        self.source.setExceptedLayerList(own)
        # measure -> its field chooser (blank: the algorithm's default)
        self.fields = {key: getattr(ui, f"{key}_field") for key in ("households", "persons", "grid_code")}
        self.replace_all, self.crs_label, self.crs = ui.replace_all, ui.crs_label, ui.crs
        self.crs.setCrs(QgsCoordinateReferenceSystem())
        self.report, self.buttons = ui.report, ui.buttons
        self.attach_button = self.buttons.addButton(tr("Attach"), QDialogButtonBox.ButtonRole.ApplyRole)
        self.attach_button.clicked.connect(self.run)
        self.source.layerChanged.connect(self._source_changed)
        self._source_changed(self.source.currentLayer())

    def _source_changed(self, layer) -> None:
        for chooser in self.fields.values():
            chooser.setLayer(layer)
            chooser.setField("")
        points = layer is not None and is_point_source(layer)
        self.fields["grid_code"].setEnabled(layer is not None and not points)
        no_crs = points and crs_is_undefined(layer.crs())
        self.crs_label.setVisible(no_crs)
        self.crs.setVisible(no_crs)
        self.replace_all.setEnabled(layer is not None and not points)  # points always replace every grid
        self.attach_button.setEnabled(layer is not None)

    def run(self) -> bool:
        """Attach and write (after the planner's confirmation when needed); the outcome goes to the report."""
        layer = self.source.currentLayer()
        if layer is None:
            return False
        grids = [self.workspace.layers[d.name] for d in schema.GRID_LAYERS if d.level in (1, 2, 3)]
        unsaved = [g.name() for g in grids if g.isModified()]
        if unsaved:
            self.report.setPlainText(
                tr("Save or discard the edits of {layers} first: the counts are written into the file.").format(
                    layers=", ".join(unsaved)
                )
            )
            return False
        points = is_point_source(layer)
        source_crs = None
        if points and crs_is_undefined(layer.crs()):
            if not self.crs.crs().isValid():
                self.report.setPlainText(
                    tr(
                        "Layer {layer} has no coordinate reference system: choose the CRS its points are in; nothing "
                        "was written."
                    ).format(layer=layer.name())
                )
                return False
            source_crs = self.crs.crs()
        try:
            given = {key: chooser.currentField() for key, chooser in self.fields.items()}
            mapping = resolve_mapping(layer.fields(), layer.name(), not points, **given)
            attachment, levels = attach(
                self.workspace,
                layer,
                mapping,
                as_table=not points,
                transform_context=QgsProject.instance().transformContext(),
                source_crs=source_crs,
                replace_all=self.replace_all.isChecked(),
            )
            refusal = core.replacement_refusal(attachment, levels[3], self.max_drop)
            if refusal is not None and not self._confirm(refusal_message(refusal, layer.name())):
                self.report.setPlainText(refusal_message(refusal, layer.name()))
                return False
            edit = write_totals_file(self.workspace, levels, attachment)  # all levels in one transaction
        except HouseholdError as error:
            self.report.setPlainText(str(error))
            return False
        self.report.setPlainText("\n".join(summary_lines(attachment, edit)))
        self.attached.emit(sum(edit.counts.values()))
        return True

    def _confirm(self, why: str) -> bool:
        answer = QMessageBox.question(
            self,
            tr("Attach households"),
            why + "\n\n" + tr("Replace the households of every grid with this source anyway?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
