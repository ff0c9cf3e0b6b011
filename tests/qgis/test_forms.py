"""The Qt Designer forms of ui/: each loads, and the dialogs built from them work with real clicks and typing."""

from __future__ import annotations

from pathlib import Path

import pytest
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox

from plugin.core import schema
from plugin.gui.forms import UI_DIR, load_form

ROOT = Path(__file__).resolve().parents[2]
LEFT = Qt.MouseButton.LeftButton


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "ui").glob("*.ui")))
def test_every_form_loads(name, qgis_app):
    assert UI_DIR == ROOT / "ui"
    form = load_form(name)
    assert hasattr(form, "setupUi") and hasattr(form, "retranslateUi")


def click_ok(dialog):
    buttons = dialog.findChild(QDialogButtonBox, "buttons")
    QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)


def test_tianditu_key_dialog_returns_what_was_typed(qgis_app):
    from plugin.gui.dialogs import TiandituKeyDialog

    dialog = TiandituKeyDialog("old", "https://example.org/", None)
    dialog.show()
    assert dialog.values() == ("old", "https://example.org/")
    dialog.key_edit.clear()
    QTest.keyClicks(dialog.key_edit, "abc123")
    click_ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.values() == ("abc123", "https://example.org/")


def test_retire_dialog_names_the_grid_and_gives_today(qgis_app):
    from plugin.gui.dialogs import RetireDialog

    dialog = RetireDialog("一组 (610902001001001)", None)
    dialog.show()
    assert "一组 (610902001001001)" in dialog.ui.question.text()
    assert dialog.date() == QDate.currentDate()
    buttons = dialog.findChild(QDialogButtonBox, "buttons")
    QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_dedicated_grid_dialog_offers_the_schemas_types(qgis_app):
    from plugin.gui.dialogs import DedicatedGridDialog

    dialog = DedicatedGridDialog(None, {"dedicated_type": schema.DEDICATED_TYPES[-1].key, "name": "新城小学"})
    dialog.show()
    combo = dialog.type_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [o.key for o in schema.DEDICATED_TYPES]
    QTest.keyClicks(dialog.officer_edit, "Wang Wu")  # QTest types ASCII only
    QTest.keyClicks(dialog.phone_edit, "13800000000")
    click_ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.values() == {
        "dedicated_type": schema.DEDICATED_TYPES[-1].key,
        "name": "新城小学",
        "officer_name": "Wang Wu",
        "officer_phone": "13800000000",
    }
