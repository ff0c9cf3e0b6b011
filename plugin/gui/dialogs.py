"""Small dialogs of the dock and the tools: dedicated grid, merge survivor, retire, Tianditu key."""

from __future__ import annotations

from qgis.PyQt.QtCore import QDate
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..core import schema
from ..i18n import prefers_chinese, tr


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class DedicatedGridDialog(QDialog):
    """Type (the schema's picklist), name, and the unit's safety officer who becomes the grid head."""

    def __init__(self, parent=None, values: dict | None = None):
        super().__init__(parent)
        values = values or {}
        self.setWindowTitle(tr("Dedicated grid"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.type_combo = QComboBox()
        chinese = prefers_chinese()
        for option in schema.DEDICATED_TYPES:
            label = option.label_zh if chinese else f"{option.label_en} ({option.label_zh})"
            self.type_combo.addItem(label, option.key)
        index = self.type_combo.findData(values.get("dedicated_type") or "school")
        self.type_combo.setCurrentIndex(max(index, 0))
        self.name_edit = QLineEdit(values.get("name") or "")
        self.name_edit.setPlaceholderText(tr("e.g. Xincheng primary school"))
        self.officer_edit = QLineEdit(values.get("officer_name") or "")
        self.phone_edit = QLineEdit(values.get("officer_phone") or "")
        form.addRow(tr("Type"), self.type_combo)
        form.addRow(tr("Name"), self.name_edit)
        form.addRow(tr("Safety officer (grid head)"), self.officer_edit)
        form.addRow(tr("Officer's phone"), self.phone_edit)
        layout.addLayout(form)
        note = QLabel(tr("The unit's safety officer is recorded as the grid head of the dedicated grid (§3)."))
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(_buttons(self))

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
        self.setWindowTitle(tr("Merge grids"))
        self.setObjectName("MergeSurvivorDialog")
        layout = QVBoxLayout(self)
        note = QLabel(
            tr(
                "Choose the grid that lives on: it keeps its code, name and staff. "
                "The codes of the others are retired when the edits are saved."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.table = QTableWidget(len(choices), 4)
        self.table.setObjectName("survivors")
        self.table.setHorizontalHeaderLabels([tr("Code"), tr("Name"), tr("Area (m²)"), tr("Households")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, choice in enumerate(choices):
            values = (choice.get("code") or "", choice.get("name") or "", f"{choice.get('area', 0):,.0f}")
            for column, text in enumerate((*values, str(choice.get("households", 0)))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if choices:
            self.table.selectRow(max(0, min(default, len(choices) - 1)))
        layout.addWidget(self.table)
        layout.addWidget(_buttons(self))

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
        self.setWindowTitle(tr("Retire grid"))
        layout = QVBoxLayout(self)
        text = QLabel(
            tr("Retire {grid}? It keeps its geometry and code, with status 'retired' and an end date.").format(
                grid=label
            )
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        form.addRow(tr("Valid to"), self.date_edit)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))

    def date(self) -> QDate:
        return self.date_edit.date()


class TiandituKeyDialog(QDialog):
    def __init__(self, key: str, referer: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Tianditu key"))
        layout = QVBoxLayout(self)
        text = QLabel(
            tr(
                "Tianditu tiles need your own key (apply at console.tianditu.gov.cn). The site you registered the "
                "key for is sent as the Referer header. Both stay in your QGIS settings."
            )
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.key_edit = QLineEdit(key)
        self.referer_edit = QLineEdit(referer)
        form.addRow(tr("Key (tk)"), self.key_edit)
        form.addRow(tr("Referer"), self.referer_edit)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))

    def values(self) -> tuple[str, str]:
        return self.key_edit.text().strip(), self.referer_edit.text().strip()
