"""The staff panel: the workspace's staff register as an attribute table, with undoable add/remove and import.

``StaffPanel(canvas=None, workspace=None, parent=None)`` is a QWidget for the workspace dock. It shows the
workspace's ``staff`` layer in a QgsDualView (table view; the schema's aliases, value lists and check boxes
come with the layer). *Add* and *Remove* are single undoable edit commands in the layer's edit buffer;
*Import…* reads a CSV/XLSX register, checks it row by row against the workspace's grids
(``core.staff_import``) and adds the valid rows as one undoable edit command, listing every rejected row;
*Save* checks the rows and writes the edit buffer into the file in one transaction
(``adapters.table_store.commit_table_edits``). Signals: ``staffChanged()`` after an import or a save,
``message(str, int)`` (text, Qgis.MessageLevel value) for the plugin's message bar.
"""

from __future__ import annotations

from qgis.core import Qgis, QgsFeatureRequest, QgsGeometry, QgsVectorLayerUtils
from qgis.gui import QgsDualView
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QWidget,
)

from ..adapters.staff_store import (
    StaffImportError,
    grid_codes,
    import_to_layer,
    plan_import,
    problem_text,
    staff_rows,
)
from ..adapters.table_store import TableStoreError, commit_table_edits
from ..core import schema
from ..core.staff_import import plan_staff_import
from ..i18n import tr
from .forms import load_form
from .guard import guarded

TABLE = schema.STAFF.name


STAFF_FORM = load_form("staff_panel")  # ui/staff_panel.ui


def _level(level) -> int:
    """A Qgis.MessageLevel as int (a sip int enum on Qt 5, an Enum on Qt 6)."""
    return int(getattr(level, "value", level))


class StaffPanel(QWidget):
    staffChanged = pyqtSignal()
    message = pyqtSignal(str, int)

    def __init__(self, canvas=None, workspace=None, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.workspace = None
        self.layer = None
        self.last_plan = None
        self.ui = STAFF_FORM()
        self.ui.setupUi(self)  # ui/staff_panel.ui
        self.view, self.report = self.ui.community_grids_staff_view, self.ui.report
        self.add_button, self.remove_button, self.import_button = (
            self.ui.add_person,
            self.ui.remove_selected,
            self.ui.import_staff,
        )
        self.undo_button, self.save_button = self.ui.undo, self.ui.save_staff
        self.add_button.clicked.connect(self._on_add)
        self.remove_button.clicked.connect(self._on_remove)
        self.import_button.clicked.connect(self._on_import)
        self.undo_button.clicked.connect(self._on_undo)
        self.save_button.clicked.connect(self._on_save)
        self.set_workspace(workspace)

    # ------------------------------------------------------------ public API

    def set_workspace(self, workspace) -> None:
        """Show the staff layer of ``workspace`` (None: nothing, buttons disabled)."""
        self.workspace = workspace
        self.layer = workspace.layers[TABLE] if workspace is not None else None
        for button in (self.add_button, self.remove_button, self.import_button, self.undo_button, self.save_button):
            button.setEnabled(self.layer is not None)
        if self.view.masterModel() is not None:
            # QGIS 3.22's QgsDualView cannot be initialised twice, and must not outlive its layer:
            # each workspace (or none) gets a fresh view.
            old = self.view
            self.view = QgsDualView(self)
            self.view.setObjectName("community_grids_staff_view")
            self.layout().replaceWidget(old, self.view)
            old.hide()
            old.setParent(None)
            del old
        if self.layer is not None:
            self.view.init(self.layer, self.canvas, QgsFeatureRequest())
            self.view.setView(QgsDualView.ViewMode.AttributeTable)

    def add_row(self, values: dict | None = None) -> int:
        """Add one staff row (schema defaults, then ``values``) as an undoable edit; returns its feature id."""
        layer = self._editable()
        fields = layer.fields()
        attributes = {fields.indexFromName(k): v for k, v in (values or {}).items() if fields.indexFromName(k) >= 0}
        feature = QgsVectorLayerUtils.createFeature(layer, QgsGeometry(), attributes, layer.createExpressionContext())
        layer.beginEditCommand(tr("Add staff member"))
        if not layer.addFeature(feature):
            layer.destroyEditCommand()
            raise StaffImportError(tr("Layer {layer}: the row could not be added.").format(layer=layer.name()))
        layer.endEditCommand()
        return feature.id()

    def remove_rows(self, fids) -> int:
        """Delete the rows ``fids`` as one undoable edit; returns how many."""
        fids = [int(f) for f in fids]
        if not fids:
            return 0
        layer = self._editable()
        layer.beginEditCommand(tr("Remove staff members"))
        if not layer.deleteFeatures(fids):
            layer.destroyEditCommand()
            raise StaffImportError(tr("Layer {layer}: the rows could not be deleted.").format(layer=layer.name()))
        layer.endEditCommand()
        return len(fids)

    def import_file(self, path, replace: bool = False, sheet: str | None = None):
        """Import a register into the edit buffer (one undoable command); returns the plan (rows, problems)."""
        plan = plan_import(path, self.workspace, replace, sheet)
        written = import_to_layer(self._editable(), plan, replace)
        self.last_plan = plan
        lines = [
            tr(
                "{written} rows imported from {file} into the edit buffer ({mode}); {rejected} rejected, {skipped} "
                "skipped. Save to keep them, Undo to take them back."
            ).format(
                written=written,
                file=str(path),
                mode=tr("replaced") if replace else tr("appended"),
                rejected=len(plan.rejected_rows),
                skipped=len(plan.skipped_rows),
            )
        ]
        lines += [problem_text(p) for p in plan.problems]
        self.show_report("\n".join(lines))
        self.staffChanged.emit()
        return plan

    def check_rows(self) -> list[str]:
        """The problems of the rows in the layer (edit buffer included), one message per problem."""
        rows = staff_rows(self.layer)
        for row in rows:
            row["_row"] = row["fid"]
        from ..core.staffing import validate_staff_row

        problems = [p for row in rows for p in validate_staff_row(row)]
        active, retired = grid_codes(self.workspace)
        plan = plan_staff_import(rows, problems, active, retired)
        return [problem_text(p) for p in plan.rejected]

    def save(self, force: bool = False) -> bool:
        """Commit the staff layer; with problems and not ``force``, show them and return False."""
        if self.layer is None or not self.layer.isEditable():
            return True
        problems = self.check_rows()
        if problems and not force:
            self.show_report(tr("The staff table was not saved:") + "\n" + "\n".join(problems))
            return False
        try:  # one transaction of the file: a replaced register is all-old or all-new
            commit_table_edits(self.layer, self.workspace.path, TABLE)
        except TableStoreError as error:
            self.show_report(
                tr("Layer {layer} could not be saved: {errors}").format(layer=self.layer.name(), errors=error)
            )
            return False
        self.set_workspace(self.workspace)  # a fresh view of the saved rows (QGIS 3.40's cache keeps the old ones)
        self.show_report(tr("Staff table saved."))
        self.staffChanged.emit()
        return True

    def show_error(self, text: str, level, details: str | None = None) -> None:
        """Where the guard (gui/guard.py) reports errors of the panel's slots: the report and the message bar."""
        self.show_report(text)
        self.message.emit(text, _level(level))

    def show_report(self, text: str) -> None:
        self.report.setPlainText(text)

    # ------------------------------------------------------------ slots

    @guarded
    def _on_add(self, *_):
        self.add_row()

    @guarded
    def _on_remove(self, *_):
        self.remove_rows(self.layer.selectedFeatureIds())

    @guarded
    def _on_undo(self, *_):
        if self.layer is not None:
            self.layer.undoStack().undo()

    @guarded
    def _on_save(self, *_):
        if self.save() or not self.check_rows():  # saved, or a write failure (already in the report)
            return
        answer = QMessageBox.question(
            self,
            tr("Staff"),
            tr("Some rows have problems (see the report). Save anyway?"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            self.save(force=True)

    @guarded
    def _on_import(self, *_):
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Import staff register"), "", tr("Staff registers (*.csv *.xlsx *.xlsm *.tsv *.txt)")
        )
        if not path:
            return
        box = QMessageBox(self)
        box.setWindowTitle(tr("Import staff register"))
        box.setText(tr("Add the register's rows to the staff table, or replace the staff table with them?"))
        append = box.addButton(tr("Append"), QMessageBox.ButtonRole.AcceptRole)
        replace = box.addButton(tr("Replace"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() not in (append, replace):
            return
        try:
            plan = self.import_file(path, replace=box.clickedButton() is replace)
        except (StaffImportError, TableStoreError) as error:
            self.show_report(str(error))
            self.message.emit(str(error), _level(Qgis.MessageLevel.Warning))
            return
        level = Qgis.MessageLevel.Warning if plan.rejected_rows else Qgis.MessageLevel.Success
        self.message.emit(
            tr("{written} staff rows imported, {rejected} rejected (see the staff panel).").format(
                written=len(plan.rows), rejected=len(plan.rejected_rows)
            ),
            _level(level),
        )

    # ------------------------------------------------------------ helpers

    def _editable(self):
        if self.layer is None:
            raise StaffImportError(tr("No grid workspace is open."))
        if not self.layer.isEditable() and not self.layer.startEditing():
            raise StaffImportError(
                tr("Layer {layer} cannot be edited (is the file read-only?).").format(layer=self.layer.name())
            )
        return self.layer
