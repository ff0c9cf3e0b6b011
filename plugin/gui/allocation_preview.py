"""Preview of a code allocation before it is applied: a table of fid, layer, old → new code and reason.

Wiring (an "Allocate codes…" action of the dock or toolbar)::

    from .allocation_preview import preview_and_apply
    preview_and_apply(workspace, parent=iface.mainWindow(), recode_invalid=False)

``preview_and_apply`` plans (``adapters.codes_store.plan_allocation``; nothing written), shows
``AllocationPreviewDialog`` and, on Apply, writes the codes as the Processing algorithm does
(``adapters.codes_store.write_allocation``): the codes of every grid layer, the change_log rows of the
re-codings and the code registry in ONE transaction of the workspace file, then the layers are reloaded.
It refuses (before planning) while a grid layer, code_registry or change_log has unsaved edits: the plan
would be made from edits the file does not hold.

``AllocationPreviewDialog(plan, parent=None)`` can also be used on its own: ``exec()`` returns
``QDialog.DialogCode.Accepted`` when the user chose Apply. Grids that could not be coded (no parent,
parent uncoded, no village code) and invalid codes kept as they are are listed after the changes,
greyed, with the reason.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidgetItem,
    QWidget,
)

from ..adapters.codes_store import REGISTRY, AppliedAllocation, CodesError, plan_allocation, write_allocation
from ..core import schema
from ..core.codes import AllocationPlan
from ..i18n import prefers_chinese, tr
from .forms import load_form

GREY = QColor("#777777")


class AllocationPreviewDialog(QDialog):
    COLUMNS = ("Layer", "Feature id", "Old code", "", "New code", "Reason")

    def __init__(self, plan: AllocationPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = load_form("allocation_preview")()
        self.ui.setupUi(self)  # ui/allocation_preview.ui
        self.plan = plan
        language = "zh" if prefers_chinese() else "en"
        rows = [(a, False) for a in plan.assignments]
        rows += [(a, True) for a in (*plan.unresolved, *plan.kept_invalid)]
        summary = tr("{n} grid(s) get a new code.").format(n=len(plan.assignments))
        if plan.unresolved:
            summary += " " + tr("{n} grid(s) cannot be coded yet (see the reasons).").format(n=len(plan.unresolved))
        if plan.kept_invalid:
            summary += " " + tr("{n} invalid code(s) are kept (re-coding was not asked).").format(
                n=len(plan.kept_invalid)
            )
        if not plan.assignments:
            summary += " " + tr("Nothing to apply.")
        self.summary, self.table, self.buttons = self.ui.summary, self.ui.plan, self.ui.buttons
        self.summary.setText(summary)
        self.table.setRowCount(len(rows))
        self.table.setColumnCount(len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) if c else "" for c in self.COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for r, (a, inactive) in enumerate(rows):
            layer_def = schema.LAYER_BY_NAME.get(a.layer)
            title = (layer_def.title_zh if language == "zh" else layer_def.title_en) if layer_def else a.layer
            values = (title, str(a.fid), a.old_code or "", "→", a.new_code or "—", a.reason_label(language))
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, (a.layer, a.fid))
                if c == 1:
                    item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                if inactive:
                    item.setForeground(QBrush(GREY))
                self.table.setItem(r, c, item)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setEnabled(bool(plan.assignments))
        self.apply_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)


class AllocationOptionsDialog(QDialog):
    """Asks whether invalid codes are to be re-coded (shown before the preview, optional)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = load_form("allocation_options")()
        self.ui.setupUi(self)  # ui/allocation_options.ui
        self.recode_invalid = self.ui.recode_invalid


def preview_and_apply(
    workspace, parent: QWidget | None = None, *, recode_invalid: bool = False
) -> AppliedAllocation | None:
    """Plan, preview and (on Apply) write the codes; None when cancelled, nothing to do, or refused."""
    from ..adapters.filing import current_user

    names = (*(d.name for d in schema.GRID_LAYERS), REGISTRY, schema.CHANGE_LOG.name)
    unsaved = [workspace.layers[n].name() for n in names if n in workspace.layers and workspace.layers[n].isModified()]
    if unsaved:
        QMessageBox.warning(
            parent,
            tr("Allocate grid codes"),
            tr(
                "Save or discard the edits of {layers} first: the codes are written into the file in one step, "
                "together with the code registry and the change log."
            ).format(layers=", ".join(unsaved)),
        )
        return None
    try:
        preview = plan_allocation(workspace, recode_invalid=recode_invalid)
    except CodesError as error:
        QMessageBox.warning(parent, tr("Allocate grid codes"), str(error))
        return None
    dialog = AllocationPreviewDialog(preview.plan, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or preview.plan.is_empty:
        return None
    try:
        return write_allocation(workspace, preview, current_user())
    except CodesError as error:
        QMessageBox.warning(parent, tr("Allocate grid codes"), str(error))
        return None
