"""Status that follows every change and messages that are not cut off (issue 12 item 5), with real events."""

from __future__ import annotations

import pytest
import shapely
from qgis.core import Qgis, QgsRectangle
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QMessageBox, QPushButton
from test_audit_dock import (  # noqa: F401 - fixtures
    answer_accept_dialog,
    canvas,
    click_item,
    find,
    leaf_items,
    run_and_wait,
    wait_idle,
    workspace,
)
from test_audit_dock import dock as audit_dock  # noqa: F401 - fixture

from plugin.adapters.editing import to_qgs
from plugin.adapters.messages import format_measure
from plugin.gui import message_bar
from plugin.gui.changes_panel import ChangesPanel
from plugin.gui.dock import TOOLS, GridDock

LEFT = Qt.MouseButton.LeftButton


# ---------------------------------------------------------------- the message bar


def test_a_long_message_gets_a_details_button_with_the_full_text(qgis_iface):
    bar = qgis_iface.messageBar()
    bar.clearWidgets()
    text = "合并被拒绝：" + "、".join(f"网格{k:03d}" for k in range(40)) + "不相邻。\n第二行：请先处理缺口。"
    item = message_bar.push_message(bar, text, Qgis.MessageLevel.Warning, 0)
    assert item is not None and item in bar.items()
    shown = item.text()
    assert shown.endswith("…") and message_bar.columns(shown) <= message_bar.SHORT
    button = item.findChild(QPushButton, message_bar.DETAILS_OBJECT_NAME + "Button")
    assert button is not None and button.text()
    QTest.mouseClick(button, LEFT)
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == message_bar.DETAILS_OBJECT_NAME)
    assert isinstance(box, QMessageBox) and box.text() == text  # the whole message, both lines
    QTest.mouseClick(box.button(QMessageBox.StandardButton.Ok), LEFT)
    QTest.qWait(20)
    assert not message_bar._open_boxes  # closed (and deleted)
    bar.clearWidgets()


def test_a_short_message_is_pushed_as_it_is(qgis_iface):
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    assert message_bar.push_message(bar, "已保存。", Qgis.MessageLevel.Success, 2) is None
    assert any("已保存。" in m for m in bar.get_messages(Qgis.MessageLevel.Success))


# ---------------------------------------------------------------- measures


@pytest.mark.parametrize(
    ("measure", "unit", "english", "chinese"),
    [
        (5213.0, "m2", "5,213.0 m²", "5,213.0 m²"),
        (12.0, "households", "12 households", "12 户"),
        (480.0, "persons", "480 persons", "480 人"),
        (5213.0, "row", "row 5213", "第 5213 行"),
        (3.0, "grids", "3 grids", "3 个网格"),
        (None, "m2", "", ""),
    ],
)
def test_measures_carry_their_units(monkeypatch, measure, unit, english, chinese):
    from plugin.adapters import messages

    monkeypatch.setattr(messages, "prefers_chinese", lambda: False)
    assert format_measure(measure, unit) == english
    monkeypatch.setattr(messages, "prefers_chinese", lambda: True)
    assert format_measure(measure, unit) == chinese


# ---------------------------------------------------------------- the audit dock


def test_keyboard_selection_zooms_to_the_finding(audit_dock, canvas):  # noqa: F811
    run_and_wait(audit_dock)
    audit_dock.tree.expandAll()
    click_item(audit_dock, leaf_items(audit_dock)[0])
    k = audit_dock.selected_index()
    first = QgsRectangle(canvas.extent())
    k2 = None
    for _ in range(4):  # down to the next finding (over the next rule's heading)
        QTest.keyClick(audit_dock.tree, Qt.Key.Key_Down)
        k2 = audit_dock.selected_index()
        if k2 is not None:
            break
    assert k2 is not None and k2 != k
    second = canvas.extent()
    assert second != first
    geom = audit_dock.finding_geometry(audit_dock.findings[k2])
    x, y = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
    assert second.contains(QgsRectangle(x, y, x, y))


def test_the_summary_follows_acceptances_and_their_saving(audit_dock, workspace):  # noqa: F811
    run_and_wait(audit_dock)
    assert "0 accepted" in audit_dock.summary_label.text()
    _k, item = find(audit_dock, "gap")
    click_item(audit_dock, item)
    seen = []
    answer_accept_dialog("river", seen)
    QTest.mouseClick(audit_dock.accept_button, LEFT)
    assert seen
    text = audit_dock.summary_label.text()
    assert "1 accepted" in text and "not saved" in text
    QTest.mouseClick(audit_dock.save_button, LEFT)
    text = audit_dock.summary_label.text()
    assert "1 accepted" in text and "not saved" not in text
    QTest.mouseClick(audit_dock.revoke_button, LEFT)
    assert "0 accepted" in audit_dock.summary_label.text()


def test_the_findings_list_can_be_enlarged_and_put_back(audit_dock):  # noqa: F811
    run_and_wait(audit_dock)
    before = audit_dock.tree.height()
    QTest.mouseClick(audit_dock.popout_button, LEFT)
    window = audit_dock.popout
    assert window is not None and window.isVisible()
    assert audit_dock.tree.window() is window
    QTest.qWait(50)
    assert audit_dock.tree.height() > before
    k, item = find(audit_dock, "gap")
    click_item(audit_dock, item)  # still works in the large window
    assert audit_dock.selected_index() == k
    QTest.mouseClick(audit_dock.popout_button, LEFT)
    assert audit_dock.popout is None and audit_dock.tree.window() is audit_dock.window()


# ---------------------------------------------------------------- changes to file, dock tools


def test_unsaved_grid_edits_are_counted_as_changes_to_file(workspace):  # noqa: F811
    panel = ChangesPanel()
    panel.set_workspace(workspace)
    assert "not saved" not in panel.summary.text()
    layer = workspace.grid_layer(3)
    feature = next(layer.getFeatures())
    layer.startEditing()
    layer.beginEditCommand("move")
    layer.changeGeometry(feature.id(), to_qgs(shapely.box(0, 0, 10, 10).buffer(0)))
    layer.endEditCommand()
    assert panel.unsaved_edits() == 1
    assert "1 grid(s) edited and not saved yet" in panel.summary.text()
    layer.rollBack()
    assert "not saved" not in panel.summary.text()
    panel.set_workspace(None)
    panel.deleteLater()


def test_dock_tools_show_their_names(qgis_iface):
    dock = GridDock(qgis_iface)
    try:
        for key, _icon in TOOLS:
            action = dock.tool_actions[key]
            button = dock.tools_toolbar.widgetForAction(action)
            assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextUnderIcon
            assert action.iconText() and action.toolTip().startswith(action.text())
        assert dock.work_inside_button.text() and dock.basemap_button.text()
    finally:
        dock.cleanup()
        dock.deleteLater()
