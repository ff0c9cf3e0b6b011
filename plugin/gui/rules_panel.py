"""The size-rules panel: the county's §7.3.3 thresholds as an editable table, validated on save.

``RulesPanel(workspace=None, parent=None)`` is a plain QWidget for the workspace dock. ``set_workspace``
loads the workspace's ``size_rules`` table; *Save* validates the whole set with the core and writes it in
one transaction (``adapters.rules_store``), or shows every problem — rule, field, reason — and marks the
cells; nothing is written then. Signals: ``rulesSaved(list)`` (the saved SizeRule list) after a save,
``modifiedChanged(bool)`` when the table starts or stops differing from the stored rules.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QHeaderView,
    QMessageBox,
    QTableWidgetItem,
    QWidget,
)

from ..adapters.messages import localized
from ..adapters.rules_store import RulesError, load_rules, problem_text, save_rules
from ..core import schema, sizerules
from ..core.sizerules import SizeRule, SizeRuleError
from ..i18n import prefers_chinese, tr
from .forms import load_form
from .guard import guarded

COLUMNS = (
    "enabled",
    "id",
    "clause",
    "kind",
    "area_classes",
    "settlement_types",
    "min_households",
    "max_households",
    "min_persons",
    "max_persons",
    "combine",
    "relax_share",
    "relax_factor",
    "severity",
    "title_zh",
    "title_en",
)
CHOICES = {
    "kind": sizerules.KINDS,
    "combine": ("any", "all"),
    "severity": tuple(o.key for o in schema.SEVERITIES),
}
PROBLEM_BRUSH = QBrush(QColor("#f8c9c4"))
RULES_FORM = load_form("rules_panel")  # ui/rules_panel.ui


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class RulesPanel(QWidget):
    rulesSaved = pyqtSignal(list)
    modifiedChanged = pyqtSignal(bool)

    def __init__(self, workspace=None, parent=None):
        super().__init__(parent)
        self.workspace = None
        self._modified = False
        self._loading = False
        self.ui = RULES_FORM()
        self.ui.setupUi(self)  # ui/rules_panel.ui
        self.table, self.status = self.ui.community_grids_rules_table, self.ui.status
        self.add_button, self.remove_button = self.ui.add_rule, self.ui.remove_rule
        self.defaults_button, self.revert_button, self.save_button = (
            self.ui.standard_defaults,
            self.ui.revert,
            self.ui.save_rules,
        )
        self.table.setColumnCount(len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self._header(c) for c in COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._item_changed)
        self.add_button.clicked.connect(self._on_add)
        self.remove_button.clicked.connect(self._on_remove)
        self.defaults_button.clicked.connect(self._on_defaults)
        self.revert_button.clicked.connect(self._on_revert)
        self.save_button.clicked.connect(self._on_save)
        self.set_workspace(workspace)

    # ------------------------------------------------------------ public API

    def set_workspace(self, workspace) -> None:
        """Show the rules of ``workspace`` (None: empty, disabled)."""
        self.workspace = workspace
        enabled = workspace is not None
        for widget in (self.table, self.add_button, self.remove_button, self.defaults_button):
            widget.setEnabled(enabled)
        self.revert_button.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        if workspace is None:
            self._fill([])
            self.show_status("")
            return
        self.load()

    def load(self) -> bool:
        """Reload the table from the workspace; False (with the reason shown) when the stored rules are bad."""
        try:
            rules = load_rules(self.workspace)
        except RulesError as error:
            self._fill([])
            self.show_status(str(error), error=True)
            return False
        self._fill(rules)
        self.show_status(tr("{count} size rules of {path}.").format(count=len(rules), path=self.workspace.path))
        return True

    def set_rules(self, rules: list[SizeRule]) -> None:
        """Put ``rules`` in the table (not saved)."""
        self._fill(rules, modified=True)

    def rows(self) -> list[dict]:
        """The table as rows of text values, as ``sizerules.from_rows`` reads them."""
        out = []
        for r in range(self.table.rowCount()):
            row = {}
            for c, name in enumerate(COLUMNS):
                if name == "enabled":
                    item = self.table.item(r, c)
                    row[name] = item is not None and item.checkState() == Qt.CheckState.Checked
                elif name in CHOICES:
                    combo = self.table.cellWidget(r, c)
                    row[name] = combo.currentData() if combo is not None else ""
                else:
                    item = self.table.item(r, c)
                    row[name] = item.text().strip() if item is not None else ""
            out.append(row)
        return out

    def rules(self) -> list[SizeRule]:
        """The rules in the table; raises SizeRuleError listing what cannot be used."""
        return sizerules.from_rows(self.rows())

    def save(self) -> bool:
        """Validate and save; on a problem, show it, mark the cells and return False (nothing written)."""
        self._clear_marks()
        try:
            rules = self.rules()
            save_rules(self.workspace, rules)
        except SizeRuleError as error:
            self._mark(error.problems)
            self.show_status(
                tr("The size rules were not saved:") + "\n" + "\n".join(problem_text(p) for p in error.problems),
                error=True,
            )
            return False
        except RulesError as error:
            self._mark(error.problems)
            self.show_status(str(error), error=True)
            return False
        self._set_modified(False)
        self.show_status(tr("Saved {count} size rules in {path}.").format(count=len(rules), path=self.workspace.path))
        self.rulesSaved.emit(rules)
        return True

    @property
    def modified(self) -> bool:
        return self._modified

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020;" if error else "")

    def show_error(self, text: str, level, details: str | None = None) -> None:
        """Where the guard (gui/guard.py) reports errors of the panel's slots: its status line."""
        self.show_status(text, error=True)

    # ------------------------------------------------------------ slots

    @guarded
    def _on_save(self, *_):
        self.save()

    @guarded
    def _on_revert(self, *_):
        self.load()

    @guarded
    def _on_defaults(self, *_):
        self.set_rules(sizerules.default_rules())
        self.show_status(tr("The standard's default thresholds are in the table; Save to keep them."))

    @guarded
    def _on_add(self, *_):
        rows = self.rows()
        selected = sorted({i.row() for i in self.table.selectedIndexes()})
        base = dict(rows[selected[0]]) if selected and rows else dict(sizerules.to_rows(sizerules.default_rules())[0])
        ids = {r["id"] for r in rows}
        number = 1
        while f"{base['id']}.{number}" in ids:
            number += 1
        base["id"] = f"{base['id']}.{number}"
        self._loading = True
        try:
            self._append_row(base)
        finally:
            self._loading = False
        self._set_modified(True)

    @guarded
    def _on_remove(self, *_):
        for r in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(r)
        self._set_modified(True)

    @guarded
    def _item_changed(self, item):
        if not self._loading:
            item.setBackground(QBrush())
            item.setToolTip("")
            self._set_modified(True)

    # ------------------------------------------------------------ helpers

    def _header(self, name: str) -> str:
        field_def = schema.SIZE_RULES.field(name)
        return localized(field_def.alias_zh, field_def.alias_en)

    def _fill(self, rules: list[SizeRule], modified: bool = False) -> None:
        self._loading = True
        try:
            self.table.setRowCount(0)
            for row in sizerules.to_rows(rules):
                self._append_row(row)
        finally:
            self._loading = False
        self._set_modified(modified)

    def _append_row(self, row: dict) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, name in enumerate(COLUMNS):
            value = row.get(name)
            if name == "enabled":
                item = QTableWidgetItem()
                item.setFlags(
                    Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                )
                item.setCheckState(Qt.CheckState.Checked if value in (True, "true", 1) else Qt.CheckState.Unchecked)
                self.table.setItem(r, c, item)
            elif name in CHOICES:
                combo = QComboBox(self.table)
                for key in CHOICES[name]:
                    combo.addItem(self._choice_label(name, key), key)
                index = combo.findData(_text(value))
                if index < 0 and _text(value):
                    combo.addItem(_text(value), _text(value))
                    index = combo.count() - 1
                combo.setCurrentIndex(max(index, 0))
                combo.currentIndexChanged.connect(self._combo_changed)
                self.table.setCellWidget(r, c, combo)
            else:
                self.table.setItem(r, c, QTableWidgetItem(_text(value)))

    @guarded
    def _combo_changed(self, *_):
        if not self._loading:
            self._set_modified(True)

    def _choice_label(self, name: str, key: str) -> str:
        if name == "severity":
            return schema.option_label(schema.SEVERITIES, key, "zh" if prefers_chinese() else "en")
        labels = {
            "range": tr("range"),
            "merge": tr("merge small groups"),
            "relocation_site": tr("relocation site"),
            "any": tr("either within"),
            "all": tr("both within"),
        }
        return labels.get(key, key)

    def _set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def _clear_marks(self) -> None:
        self._loading = True
        try:
            for r in range(self.table.rowCount()):
                for c in range(self.table.columnCount()):
                    item = self.table.item(r, c)
                    if item is not None:
                        item.setBackground(QBrush())
                        item.setToolTip("")
        finally:
            self._loading = False

    def _mark(self, problems) -> None:
        """Colour the cell of each problem (rule id and field) and give it the message as a tooltip."""
        ids = {}
        for r in range(self.table.rowCount()):
            item = self.table.item(r, COLUMNS.index("id"))
            text = item.text().strip() if item is not None else ""
            ids.setdefault(text or f"#{r + 1}", r)
        self._loading = True
        try:
            for problem in problems:
                r = ids.get(problem.rule_id)
                if r is None or problem.field not in COLUMNS:
                    continue
                c = COLUMNS.index(problem.field)
                item = self.table.item(r, c)
                if item is None:
                    widget = self.table.cellWidget(r, c)
                    if widget is not None:
                        widget.setToolTip(problem_text(problem))
                    continue
                item.setBackground(PROBLEM_BRUSH)
                item.setToolTip(problem_text(problem))
        finally:
            self._loading = False

    def confirm_discard(self) -> bool:
        """Ask before unsaved edits are dropped (for the dock when the workspace changes)."""
        if not self._modified:
            return True
        answer = QMessageBox.question(
            self,
            tr("Size rules"),
            tr("The size rules have unsaved changes. Discard them?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard
