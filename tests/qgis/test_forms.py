"""The Qt Designer forms of ui/: each loads, and the dialogs built from them work with real clicks and typing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
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


# ---------------------------------------------------------------- built from ui/, not assembled in code


def form_objects(name: str) -> tuple[str, str, dict[str, str]]:
    """The top-level class and object name of ``ui/<name>.ui`` and {object name: class} of its widgets,
    layouts and actions, read from the XML."""
    root = ET.parse(ROOT / "ui" / f"{name}.ui").getroot()
    top = root.find("widget")
    objects = {}
    for element in top.iter():
        if element.tag in ("widget", "layout") and element is not top:
            objects[element.get("name")] = element.get("class")
        elif element.tag == "action":
            objects[element.get("name")] = "QAction"
    return top.get("class"), top.get("name"), objects


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "ui").glob("*.ui")))
def test_every_form_builds_its_named_widgets(name, qgis_app):
    """setupUi into an instance of the form's top-level class: the object gets the form's name and holds every
    widget, layout and action the .ui file names, each of the class the file gives."""
    from qgis import gui
    from qgis.PyQt import QtWidgets

    top_class, top_name, objects = form_objects(name)
    widget = (getattr(QtWidgets, top_class, None) or getattr(gui, top_class))()
    try:
        ui = load_form(name)()
        ui.setupUi(widget)
        assert widget.objectName() == top_name
        for object_name, class_name in objects.items():
            found = getattr(ui, object_name)
            assert found.objectName() == object_name
            assert found.metaObject().className() == class_name or class_name == "Line"
            if isinstance(found, QtWidgets.QWidget):
                assert widget.findChild(QtWidgets.QWidget, object_name) is found
    finally:
        widget.deleteLater()


def assert_built_from(widget, name: str) -> None:
    """Every widget and action ``ui/<name>.ui`` names is in ``widget``'s tree, of the class the file gives."""
    from qgis.PyQt.QtCore import QObject

    _top_class, top_name, objects = form_objects(name)
    assert widget.objectName() == top_name or widget.findChild(QObject, top_name) is not None
    for object_name, class_name in objects.items():
        if class_name.endswith("Layout") or class_name == "QActionGroup":
            continue
        found = widget.findChild(QObject, object_name)
        assert found is not None, f"{name}.ui: {object_name} is not in {widget.objectName()}"
        assert found.metaObject().className() == class_name, (object_name, found.metaObject().className())


def test_dock_page_is_built_from_its_form(qgis_iface):
    from qgis.PyQt.QtWidgets import QAction, QToolBar

    from plugin.gui.dock import TOOLS, GridDock

    dock = GridDock(qgis_iface)
    try:
        assert_built_from(dock, "grid_dock")
        ui = dock.ui
        assert dock.tabs.objectName() == "CommunityGridsDockTabs" and dock.widget() is dock.tabs
        assert dock.tabs.widget(0) is ui.grids_page and dock.tabs.tabText(0) == "Grids"
        assert dock.view is ui.grid_tree and dock.search is ui.search and dock.live_list is ui.live_findings
        assert dock.view.model() is dock.proxy and not dock.view.header().stretchLastSection()
        toolbar = dock.findChild(QToolBar, "CommunityGridsDockToolbar")
        assert [a.objectName() for a in toolbar.actions()] == [f"community_grids_tool_{k}" for k, _ in TOOLS]
        for key, _icon in TOOLS:
            action = dock.findChild(QAction, f"community_grids_tool_{key}")
            assert action is dock.tool_actions[key] and action.isCheckable() and not action.icon().isNull()
            assert action.actionGroup() is ui.tool_group and ui.tool_group.isExclusive()
        second = dock.findChild(QToolBar, "CommunityGridsDockToolbar2")
        assert second.widgetForAction(dock.import_action) is not None
        # the basemap button of the form sits in the second tool bar, before "Import", with the form's actions
        placed = [a for a in second.actions() if second.widgetForAction(a) is dock.basemap_button]
        assert len(placed) == 1 and second.actions().index(placed[0]) == second.actions().index(dock.import_action) - 1
        assert [a.objectName() for a in dock.basemap_button.menu().actions() if not a.isSeparator()] == [
            "basemap_tianditu_vector",
            "basemap_tianditu_imagery",
            "basemap_osm",
            "basemap_local",
            "tianditu_key",
        ]
        assert dock.live_check.isChecked() and dock.live_list.isHidden()
        # the form's widgets drive the dock: a click on a tool button without a workspace unchecks it again
        button = dock.tools_toolbar.widgetForAction(dock.tool_actions["draw"])
        QTest.mouseClick(button, LEFT)
        assert not dock.tool_actions["draw"].isChecked()
    finally:
        dock.cleanup()
        dock.deleteLater()


def test_import_dialog_is_built_from_its_form(empty_workspace, qgis_iface):
    from plugin.gui.import_dialog import LEVELS, ImportDialog
    from plugin.gui.session import EditSession

    session = EditSession(qgis_iface, empty_workspace)
    dialog = ImportDialog(qgis_iface, session)
    try:
        assert_built_from(dialog, "import_dialog")
        assert dialog.objectName() == "CommunityGridsImportDialog" and dialog.windowTitle() == "Import grid boundaries"
        combo = dialog.level_combo
        assert [combo.itemData(i) for i in range(combo.count())] == list(LEVELS)
        assert dialog.layer_combo.allowEmptyLayer() and dialog.name_combo.allowEmptyFieldName()
        assert not dialog.code_combo.allowEmptyFieldName()
        dialog.show()
        buttons = dialog.findChild(QDialogButtonBox, "buttons")
        QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)  # nothing chosen: refused
        assert dialog.isVisible() and session.messages[-1][1] == "Choose a layer or a file to import."
        QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
        assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    finally:
        dialog.deleteLater()
        session.deleteLater()


def test_merge_survivor_dialog_is_built_from_its_form(qgis_app):
    from qgis.PyQt.QtWidgets import QTableWidget

    from plugin.gui.dialogs import MergeSurvivorDialog

    choices = [
        {"code": "610902001001001", "name": "一组", "area": 12345.6, "households": 40},
        {"code": "610902001001002", "name": "二组", "area": 2000, "households": 7},
    ]
    dialog = MergeSurvivorDialog(choices, default=1)
    try:
        assert_built_from(dialog, "merge_survivor")
        table = dialog.findChild(QTableWidget, "survivors")
        headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
        assert headers == ["Code", "Name", "Area (m²)", "Households"]
        assert [table.item(0, c).text() for c in range(4)] == ["610902001001001", "一组", "12,346", "40"]
        assert dialog.chosen() == 1
        dialog.show()
        QTest.mouseClick(
            table.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, table.visualItemRect(table.item(0, 1)).center()
        )
        click_ok(dialog)
        assert dialog.result() == QDialog.DialogCode.Accepted and dialog.chosen() == 0
    finally:
        dialog.deleteLater()


def test_attach_households_dialog_is_built_from_its_form(empty_workspace):
    from plugin.gui.households_dialog import AttachHouseholdsDialog

    dialog = AttachHouseholdsDialog(empty_workspace)
    try:
        assert_built_from(dialog, "attach_households")
        assert dialog.fields == {
            "households": dialog.ui.households_field,
            "persons": dialog.ui.persons_field,
            "grid_code": dialog.ui.grid_code_field,
        }
        assert dialog.report.isReadOnly() and dialog.attach_button in dialog.buttons.buttons()
        dialog.show()
        QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Close), LEFT)
        assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    finally:
        dialog.deleteLater()


def test_division_options_dialog_is_built_from_its_form(empty_workspace):
    from plugin.gui.division_action import DivisionOptionsDialog

    dialog = DivisionOptionsDialog(empty_workspace, ["61090220020101"], "一片")
    try:
        assert_built_from(dialog, "division_options")
        assert dialog.objectName() == "CommunityGridsDivisionOptions"
        assert "一片" in dialog.ui.intro.text()
        assert dialog.site_layer.allowEmptyLayer() and dialog.site_layer.currentLayer() is None
        assert not dialog.site_field.isEnabled() and not dialog.keep_selected.isEnabled()
        assert dialog.keep_selected.text() == "Keep the selected level 3 grids (0 selected)"
        dialog.show()
        QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
        assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible() and dialog.options is None
    finally:
        dialog.deleteLater()
