"""The Jobs page's "Propose level 3 division…" driven with real clicks: select a village in the dock's tree,
run the proposal as a task, see the preview layer, then Accept (the workspace holds the proposal) or Discard
(nothing changed)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from test_division_qgis import S1, S2, V, rows_of
from test_division_qgis import workspace as created  # noqa: F401 - the fixture
from test_jobs_panel import wait_until
from workspace_helpers import in_project

from plugin.adapters.change_tracker import ChangeTracker
from plugin.adapters.workspace import open_workspace
from plugin.core.codes import numbering_order
from plugin.gui.dock import GridDock
from plugin.gui.grid_tree import REF_ROLE
from plugin.gui.jobs_panel import JobsPanel

LEFT = Qt.MouseButton.LeftButton


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def panel(created, qgis_iface, qgis_canvas, qgis_new_project, no_forms):  # noqa: F811
    path = created.path
    context = in_project(open_workspace(path))
    ws = context.__enter__()
    dock = GridDock(qgis_iface)
    jobs = dock.add_panel("jobs", JobsPanel(qgis_iface, dock, dock), "Jobs")
    dock.resize(480, 700)
    dock.show()
    dock.set_workspace(ws)
    dock.tabs.setCurrentWidget(jobs)
    yield jobs
    wait_until(lambda: not jobs.busy and QgsApplication.taskManager().countActiveTasks() == 0)
    dock.cleanup()
    dock.deleteLater()
    context.__exit__(None, None, None)


def click_grid(dock, code):
    """Click the tree row of the grid ``code`` (real mouse event on the view)."""
    dock.view.expandAll()
    model = dock.view.model()
    found = []

    def walk(parent):
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            ref = index.data(REF_ROLE)
            if ref is not None and ref.code == code:
                found.append(index)
            walk(index)

    walk(dock.view.rootIndex())
    assert found, code
    dock.view.scrollTo(found[0])
    QTest.mouseClick(dock.view.viewport(), LEFT, pos=dock.view.visualRect(found[0]).center())


def preview_layers():
    return [
        layer
        for layer in QgsProject.instance().mapLayers().values()
        if layer.customProperty("community_grids/division_preview")
    ]


def propose(panel):
    action = panel.division
    button = action.button
    assert not button.isEnabled()  # nothing selected yet
    click_grid(panel.dock, V)
    assert button.isEnabled()
    done = []
    panel.job_finished.connect(lambda key, ok: done.append((key, ok)))
    QTest.mouseClick(button, LEFT)
    assert panel.busy and not button.isEnabled()  # a task, with the page's progress bar and cancel button
    wait_until(lambda: done)
    assert done == [("division", True)]
    assert panel.progressBar.value() == 100
    layers = preview_layers()
    assert len(layers) == 1
    features = list(layers[0].getFeatures())
    assert len(features) == 4  # section 1: 130 households → 3 grids; section 2: 40 → 1
    assert sorted({f["parent_code"] for f in features}) == [S1, S2]
    assert sum(f["households"] for f in features) == 170
    assert all(f["status"] == "within" and f["reason"] for f in features)
    dialog = action.dialog
    assert dialog is not None and dialog.isVisible()
    figures = {dialog.figures.item(r, 0).text(): dialog.figures.item(r, 1).text() for r in range(4)}
    assert "4" in figures.values() and "170" in figures.values()
    return dialog


def test_accept_is_one_undoable_edit_logged_on_save(panel, created):  # noqa: F811
    path = created.path
    before = digest(path)
    ws = panel.workspace
    tracker = ChangeTracker(ws, user="test")
    tracker.connect()
    try:
        layer = ws.grid_layer(3)
        dialog = propose(panel)
        QTest.mouseClick(dialog.accept_button, LEFT)
        assert not preview_layers()
        assert digest(path) == before  # in the edit buffer only
        assert layer.isEditable() and layer.undoStack().count() == 1  # ONE command
        codes = sorted(f["code"] for f in layer.getFeatures())
        assert codes == [S1 + "002", S1 + "003", S1 + "004", S2 + "001"]  # old S1 001 deleted, never reused
        assert sum(f["households"] for f in layer.getFeatures()) == 170
        assert "4" in panel.statusLabel.text()
        layer.undoStack().undo()  # Ctrl+Z
        assert [f["code"] for f in layer.getFeatures()] == [S1 + "001"]
        layer.undoStack().redo()
        assert layer.commitChanges(), layer.commitErrors()
        assert not tracker.last_error
    finally:
        tracker.disconnect()
    level3 = rows_of(path, "grid_level3")
    assert sorted(r["code"] for r in level3) == [S1 + "002", S1 + "003", S1 + "004", S2 + "001"]
    assert all(30 <= r["households"] <= 50 for r in level3)
    s1 = sorted((r for r in level3 if r["parent_code"] == S1), key=lambda r: r["code"])
    order = numbering_order(np.asarray([r["geometry"] for r in s1], dtype=object), np.arange(len(s1)))
    assert order.tolist() == [0, 1, 2]  # codes west → east, north → south by the workspace's rule
    log = rows_of(path, "change_log")
    assert log and {r["layer"] for r in log} == {"grid_level3"}
    assert {r["new_code"] for r in log if r["new_code"]} >= {S1 + "002", S2 + "001"}
    registry = {r["code"]: r for r in rows_of(path, "code_registry")}
    assert {S1 + "002", S1 + "003", S1 + "004", S2 + "001"} <= set(registry)


def test_propose_then_discard_changes_nothing(panel, created):  # noqa: F811
    path = created.path
    before = digest(path)
    dialog = propose(panel)
    QTest.mouseClick(dialog.discard_button, LEFT)
    assert not preview_layers()
    assert panel.division.plan is None
    assert digest(path) == before
    layer = QgsVectorLayer(f"{path}|layername=grid_level3", "l3", "ogr")
    assert [f["code"] for f in layer.getFeatures()] == [S1 + "001"]
    del layer


def test_only_a_village_or_section_enables_the_action(panel, created):  # noqa: F811
    button = panel.division.button
    click_grid(panel.dock, S1 + "001")  # a level 3 grid
    assert not button.isEnabled()
    click_grid(panel.dock, S2)  # a section
    assert button.isEnabled()
    panel.set_workspace(None)
    assert not button.isEnabled()
