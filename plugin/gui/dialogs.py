"""Small dialogs of the dock and the tools: dedicated grid, merge survivor, retire, Tianditu key.

All four are Qt Designer forms (ui/*.ui); the code fills them in.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QDate
from qgis.PyQt.QtWidgets import QDialog, QTableWidgetItem

from ..core import schema
from ..i18n import prefers_chinese, tr
from .forms import load_form


class DedicatedGridDialog(QDialog):
    """Type (the schema's picklist), name, and the unit's safety officer who becomes the grid head."""

    def __init__(self, parent=None, values: dict | None = None):
        super().__init__(parent)
        values = values or {}
        self.ui = load_form("dedicated_grid")()
        self.ui.setupUi(self)  # ui/dedicated_grid.ui
        self.type_combo, self.name_edit = self.ui.dedicated_type, self.ui.name
        self.officer_edit, self.phone_edit = self.ui.officer_name, self.ui.officer_phone
        chinese = prefers_chinese()
        for option in schema.DEDICATED_TYPES:
            label = option.label_zh if chinese else f"{option.label_en} ({option.label_zh})"
            self.type_combo.addItem(label, option.key)
        index = self.type_combo.findData(values.get("dedicated_type") or "school")
        self.type_combo.setCurrentIndex(max(index, 0))
        self.name_edit.setText(values.get("name") or "")
        self.officer_edit.setText(values.get("officer_name") or "")
        self.phone_edit.setText(values.get("officer_phone") or "")

    def values(self) -> dict:
        return {
            "dedicated_type": self.type_combo.currentData(),
            "name": self.name_edit.text().strip() or None,
            "officer_name": self.officer_edit.text().strip() or None,
            "officer_phone": self.phone_edit.text().strip() or None,
        }


class MergeSurvivorDialog(QDialog):
    """Which of the grids to merge lives on: a table of code, name, area and households; one row chosen."""

    def __init__(self, choices: list[dict], default: int = 0, parent=None):
        super().__init__(parent)
        self.ui = load_form("merge_survivor")()
        self.ui.setupUi(self)  # ui/merge_survivor.ui
        self.table = self.ui.survivors
        self.table.setRowCount(len(choices))
        for row, choice in enumerate(choices):
            values = (choice.get("code") or "", choice.get("name") or "", f"{choice.get('area', 0):,.0f}")
            for column, text in enumerate((*values, str(choice.get("households", 0)))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if choices:
            self.table.selectRow(max(0, min(default, len(choices) - 1)))

    def chosen(self) -> int:
        """The row of the chosen grid."""
        return self.table.currentRow()


def choose_survivor(choices: list[dict], default: int, parent=None) -> int | None:
    """Ask which grid of a merge lives on: its index in ``choices``, or None when the planner cancels."""
    dialog = MergeSurvivorDialog(choices, default, parent)
    if not dialog.exec():
        return None
    row = dialog.chosen()
    return row if 0 <= row < len(choices) else default


class RetireDialog(QDialog):
    def __init__(self, label: str, parent=None):
        super().__init__(parent)
        self.ui = load_form("retire_grid")()
        self.ui.setupUi(self)  # ui/retire_grid.ui
        self.ui.question.setText(
            tr("Retire {grid}? It keeps its geometry and code, with status 'retired' and an end date.").format(
                grid=label
            )
        )
        self.date_edit = self.ui.valid_to
        self.date_edit.setDate(QDate.currentDate())

    def date(self) -> QDate:
        return self.date_edit.date()


class TiandituKeyDialog(QDialog):
    def __init__(self, key: str, referer: str, parent=None):
        super().__init__(parent)
        self.ui = load_form("tianditu_key")()
        self.ui.setupUi(self)  # ui/tianditu_key.ui
        self.key_edit, self.referer_edit = self.ui.key, self.ui.referer
        self.key_edit.setText(key)
        self.referer_edit.setText(referer)

    def values(self) -> tuple[str, str]:
        return self.key_edit.text().strip(), self.referer_edit.text().strip()
