"""Attach households from the desktop: the dialog driven by real clicks, by the algorithm's rules.

A replacement that lowers the total by more than the threshold asks first (No: nothing written; Yes: all
levels written in one transaction); a partial table updates only the grids it names unless "replace all" is
ticked; points without a CRS are refused until a CRS is chosen."""

from __future__ import annotations

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QMessageBox
from test_households_qgis import C1, C2, C3, C4, X0, Y0, V, build_workspace, counts
from test_households_refusals import STORED, srs0_points, table

from plugin.gui.households_dialog import AttachHouseholdsDialog


@pytest.fixture
def setup(tmp_path, qgis_app):
    ws = build_workspace(tmp_path / "ws.gpkg")
    project = QgsProject.instance()
    added = []

    def add(layer):
        project.addMapLayer(layer)
        added.append(layer.id())
        return layer

    dialog = AttachHouseholdsDialog(ws)
    dialog.show()
    yield ws, dialog, add
    dialog.close()
    dialog.deleteLater()
    project.removeMapLayers(added)
    ws.layers.clear()


def answer_question(button, tries: int = 500) -> list[str]:
    """Answer the next question box (looked for ``tries`` times, every 10 ms) with a real click on
    ``button``; returns the texts asked."""
    asked: list[str] = []
    left = [tries]

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(10, click)
            return
        asked.append(box.text())
        QTest.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click)
    return asked


def choose(dialog, layer, **fields):
    dialog.source.setLayer(layer)
    for key, name in fields.items():
        dialog.fields[key].setField(name)


def click_attach(dialog):
    QTest.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)


def test_a_partial_table_updates_only_the_grids_it_names_unless_replace_all(setup):
    ws, dialog, add = setup
    register = add(table([(C1, 90, 200), ("no-such-code", 1, 1)]))
    choose(dialog, register, households="hh", persons="people", grid_code="code")
    assert dialog.replace_all.isEnabled() and not dialog.crs.isVisible()
    click_attach(dialog)
    got = counts(ws.path, "grid_level3")
    assert got[C1] == (90, 200, 0) and got[C2] == got[C3] == got[C4] == (99, 5, 0)
    assert counts(ws.path, "grid_level1") == {V: (90 + 3 * 99, 200 + 15, 0)}  # every level, one transaction
    assert "Level 3" in dialog.report.toPlainText()

    # replace all: the grids the table does not name get 0 — a drop past the threshold, so it asks
    QTest.mouseClick(dialog.replace_all, Qt.MouseButton.LeftButton)
    assert dialog.replace_all.isChecked()
    asked = answer_question(QMessageBox.StandardButton.No)
    click_attach(dialog)
    assert asked and "would lower the workspace's households" in asked[0]
    assert counts(ws.path, "grid_level3")[C2] == (99, 5, 0)  # No: nothing written
    assert "Nothing was written" in dialog.report.toPlainText()
    asked = answer_question(QMessageBox.StandardButton.Yes)
    click_attach(dialog)
    assert asked
    got = counts(ws.path, "grid_level3")
    assert got[C1] == (90, 200, 0) and got[C2] == got[C3] == got[C4] == (0, 0, 0)
    assert counts(ws.path, "grid_level1") == {V: (90, 200, 0)}


def test_a_small_drop_is_written_without_asking(setup):
    ws, dialog, add = setup
    register = add(table([(C1, 90, 5)]))  # 99 -> 90 in one grid: far below the threshold
    choose(dialog, register, households="hh", persons="people", grid_code="code")
    QTest.mouseClick(dialog.replace_all, Qt.MouseButton.LeftButton)  # C2..C4 -> 0: asks
    QTest.mouseClick(dialog.replace_all, Qt.MouseButton.LeftButton)  # unticked again: partial
    assert not dialog.replace_all.isChecked()
    asked = answer_question(QMessageBox.StandardButton.No, tries=20)
    click_attach(dialog)
    assert asked == []  # not asked
    QTest.qWait(300)  # the watcher gives up
    assert counts(ws.path, "grid_level3")[C1] == (90, 5, 0)


def test_points_without_a_crs_are_refused_until_one_is_chosen(setup, tmp_path):
    ws, dialog, add = setup
    stored_before = counts(ws.path, "grid_level3")
    assert stored_before == {k: v for k, v in STORED.items() if k in stored_before}
    xy = [(X0 + 10 + i * 0.2, Y0 + 10) for i in range(380)] + [(X0 + 150, Y0 + 150)] * 20
    points = add(QgsVectorLayer(srs0_points(tmp_path / "srs0.gpkg", xy), "srs0", "ogr"))
    choose(dialog, points)
    assert dialog.crs.isVisible() and not dialog.replace_all.isEnabled()
    click_attach(dialog)
    assert "has no coordinate reference system" in dialog.report.toPlainText()
    assert counts(ws.path, "grid_level3") == stored_before
    dialog.crs.setCrs(QgsCoordinateReferenceSystem("EPSG:4524"))
    click_attach(dialog)
    got = counts(ws.path, "grid_level3")
    assert got[C1] == (380, 0, 0) and got[C4] == (20, 0, 0) and got[C2] == (0, 0, 0)


def test_unsaved_grid_edits_are_refused(setup):
    ws, dialog, add = setup
    register = add(table([(C1, 90, 200)]))
    choose(dialog, register, households="hh", persons="people", grid_code="code")
    level3 = ws.layers["grid_level3"]
    level3.startEditing()
    level3.changeAttributeValue(next(level3.getFeatures()).id(), level3.fields().indexFromName("name"), "x")
    try:
        click_attach(dialog)
        assert "Save or discard the edits" in dialog.report.toPlainText()
        assert counts(ws.path, "grid_level3")[C1] == (99, 5, 0)
    finally:
        level3.rollBack()
