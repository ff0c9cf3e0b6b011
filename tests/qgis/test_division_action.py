"""The Jobs page's "Propose level 3 division…" driven with real clicks: select a village in the dock's tree,
choose the options (line layers, relocation sites, the selected grids to keep, seed) or cancel, run the proposal
as a task, see the preview layer, then Accept (the workspace holds the proposal), Discard (nothing changed) or
Re-run… (the options again)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import shapely
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QDialogButtonBox
from test_division_qgis import S1, S2, X0, Y0, V, rows_of
from test_division_qgis import workspace as created  # noqa: F401 - the fixture
from test_forms import assert_built_from
from test_jobs_panel import wait_until
from workspace_helpers import in_project

from plugin.adapters.change_tracker import ChangeTracker
from plugin.adapters.workspace import open_workspace
from plugin.core import schema
from plugin.core.codes import numbering_order
from plugin.gui.division_action import SETTINGS
from plugin.gui.dock import GridDock
from plugin.gui.grid_tree import REF_ROLE
from plugin.gui.jobs_panel import JobsPanel

LEFT = Qt.MouseButton.LeftButton


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def remembered_options():
    """The options dialog remembers its choices in QgsSettings: each test starts without them, and they go."""
    settings = QgsSettings()
    group = SETTINGS.rstrip("/")
    settings.remove(group)
    yield
    settings.remove(group)


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
        if layer.customProperty(schema.PROPERTY_DIVISION_PREVIEW)
    ]


def open_options(panel):
    """Select the village in the tree and click "Propose level 3 division…": the options dialog opens."""
    action = panel.division
    button = action.button
    click_grid(panel.dock, V)
    assert button.isEnabled()
    QTest.mouseClick(button, LEFT)
    dialog = action.options
    assert dialog is not None and dialog.isVisible() and not panel.busy  # nothing runs before OK
    return dialog


def click_ok(panel, dialog):
    """OK in the options dialog: the proposal runs as a task; wait for its preview dialog."""
    done = []
    panel.job_finished.connect(lambda key, ok: done.append((key, ok)))
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    assert not dialog.isVisible()
    assert panel.busy and not panel.division.button.isEnabled()  # a task, with the page's progress bar and cancel
    wait_until(lambda: done)
    assert done == [("division", True)]
    assert panel.progressBar.value() == 100
    preview = panel.division.dialog
    assert preview is not None and preview.isVisible()
    return preview


def figures_of(preview):
    table = preview.figures
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def preview_features():
    layers = preview_layers()
    assert len(layers) == 1
    return list(layers[0].getFeatures())


def propose(panel):
    assert not panel.division.button.isEnabled()  # nothing selected yet
    dialog = open_options(panel)
    assert dialog.lines.count() == 1 and not dialog.lines.item(0).flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert dialog.site_layer.currentLayer() is None and not dialog.keep_selected.isEnabled()
    preview = click_ok(panel, dialog)
    features = preview_features()
    assert len(features) == 4  # section 1: 130 households → 3 grids; section 2: 40 → 1
    assert sorted({f["parent_code"] for f in features}) == [S1, S2]
    assert sum(f["households"] for f in features) == 170
    assert all(f["status"] == "within" and f["reason"] for f in features)
    figures = figures_of(preview)
    assert "4" in figures.values() and "170" in figures.values()
    return preview


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


# ---------------------------------------------------------------- the options dialog


def household_xs(path, parent_box):
    rows = rows_of(path, "households")
    pts = [r["geometry"] for r in rows if r["geometry"] is not None]
    return np.sort([p.x for p in pts if shapely.contains(parent_box, p)])


def layer_in_project(layer):
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    return layer


def check_item(list_widget, name):
    """Click the list's row ``name`` and press Space: its check box toggles (as a planner does)."""
    items = list_widget.findItems(name, Qt.MatchFlag.MatchExactly)
    assert len(items) == 1, name
    rect = list_widget.visualItemRect(items[0])
    QTest.mouseClick(list_widget.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.keyClick(list_widget, Qt.Key.Key_Space)
    return items[0]


def test_cancel_in_the_options_starts_nothing(panel, created):  # noqa: F811
    before = digest(created.path)
    dialog = open_options(panel)
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
    assert not dialog.isVisible() and panel.division.options is None
    assert not panel.busy and QgsApplication.taskManager().countActiveTasks() == 0
    assert not preview_layers() and panel.division.plan is None and panel.division.dialog is None
    assert panel.division.button.isEnabled()
    assert digest(created.path) == before


def test_boundaries_follow_a_checked_line_layer(panel, created):  # noqa: F811
    """A road in another CRS (CGCS2000 geographic), checked in the options: transformed to the workspace CRS
    through QGIS, a cut of section 1 runs along it and the figures count it."""
    from shapely.geometry import box

    s1 = box(X0, Y0, X0 + 600, Y0 + 400)
    xs = household_xs(created.path, s1)
    assert len(xs) == 130
    x = float(xs[42] + xs[43]) / 2  # 43 households west of the road, 87 east of it
    to_geo = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4524"), QgsCoordinateReferenceSystem("EPSG:4490"), QgsProject.instance()
    )
    ends = [to_geo.transform(QgsPointXY(x, y)) for y in (Y0 - 50, Y0 + 450)]
    roads = layer_in_project(QgsVectorLayer("LineString?crs=EPSG:4490", "roads", "memory"))
    other = layer_in_project(QgsVectorLayer("MultiLineString?crs=EPSG:4524", "rivers", "memory"))
    road = QgsFeature()
    road.setGeometry(QgsGeometry.fromPolylineXY(ends))
    assert roads.dataProvider().addFeatures([road])
    roads.updateExtents()
    dialog = open_options(panel)
    names = [dialog.lines.item(r).text() for r in range(dialog.lines.count())]
    assert names == ["rivers", "roads"]  # the project's line layers, none checked
    assert all(dialog.lines.item(r).checkState() == Qt.CheckState.Unchecked for r in range(2))
    assert check_item(dialog.lines, "roads").checkState() == Qt.CheckState.Checked
    preview = click_ok(panel, dialog)
    features = [f for f in preview_features() if f["parent_code"] == S1]
    assert len(features) == 3 and sum(f["households"] for f in features) == 130
    geoms = [shapely.from_wkb(bytes(f.geometry().asWkb())) for f in features]
    line = shapely.LineString([(x, Y0), (x, Y0 + 400)])
    along = shapely.length(shapely.intersection(shapely.union_all(shapely.boundary(geoms)), line.buffer(0.05)))
    assert along > 390  # a grid boundary runs the road's whole length across the section
    line_cuts, cuts = (int(v) for v in figures_of(preview)["Cuts along the given lines"].split(" / "))
    assert 0 < line_cuts <= cuts
    QTest.mouseClick(preview.discard_button, LEFT)
    # the choice is remembered: the next proposal starts with the roads checked
    dialog = open_options(panel)
    checked = [
        dialog.lines.item(r).text() for r in range(2) if dialog.lines.item(r).checkState() == Qt.CheckState.Checked
    ]
    assert checked == ["roads"]
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
    QgsProject.instance().removeMapLayers([roads.id(), other.id()])


def test_a_relocation_site_of_45_households_gets_its_own_grid(panel, created):  # noqa: F811
    sites = layer_in_project(
        QgsVectorLayer("Point?crs=EPSG:4524&field=name:string&field=households:integer", "sites", "memory")
    )
    site = QgsFeature(sites.fields())
    site.setAttributes(["安置点", 45])
    site.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(X0 + 800, Y0 + 200)))
    assert sites.dataProvider().addFeatures([site])
    dialog = open_options(panel)
    combo = dialog.site_layer
    assert combo.currentLayer() is None
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    print("DBG", combo.currentIndex())  # the empty entry → the only point or polygon layer
    assert combo.currentLayer() is sites
    assert dialog.site_field.isEnabled() and dialog.site_field.currentField() == "households"
    preview = click_ok(panel, dialog)
    s2 = [f for f in preview_features() if f["parent_code"] == S2]
    own = [f for f in s2 if f["kind"] == "relocation_site"]
    assert len(own) == 1 and own[0]["households"] == 45 and own[0]["status"] == "relocation_site"
    assert sum(f["households"] for f in s2) == 85  # the 40 households of section 2 besides the site
    assert own[0].geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(X0 + 800, Y0 + 200)))
    QTest.mouseClick(preview.discard_button, LEFT)
    QgsProject.instance().removeMapLayer(sites.id())


def test_a_point_site_layer_without_a_count_field_is_refused(panel, created):  # noqa: F811
    sites = layer_in_project(QgsVectorLayer("Point?crs=EPSG:4524&field=name:string", "sites", "memory"))
    dialog = open_options(panel)
    dialog.site_layer.setFocus()
    QTest.keyClick(dialog.site_layer, Qt.Key.Key_Down)
    assert dialog.site_layer.currentLayer() is sites and dialog.site_field.currentField() == ""
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    assert dialog.isVisible() and not panel.busy  # refused, the dialog stays open and says why
    assert dialog.problem.isVisible() and "sites" in dialog.problem.text()
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
    assert not panel.busy and not preview_layers()
    QgsProject.instance().removeMapLayer(sites.id())


def test_rerun_keeping_two_selected_grids(panel, created):  # noqa: F811
    """Accept and save a proposal; propose again; select two of the new grids on the map, click Re-run…, keep
    them: after Accept they are unchanged and the other grids of the parents are replaced."""
    path = created.path
    ws = panel.workspace
    layer = ws.grid_layer(3)
    QTest.mouseClick(propose(panel).accept_button, LEFT)
    assert layer.commitChanges(), layer.commitErrors()
    before = {f["code"]: (f.id(), f.geometry().asWkt(3)) for f in layer.getFeatures()}
    assert sorted(before) == [S1 + "002", S1 + "003", S1 + "004", S2 + "001"]
    dialog = open_options(panel)
    preview = click_ok(panel, dialog)
    assert_built_from(preview, "division_preview")
    assert preview.isVisible() and not preview.isModal()  # the planner can select grids on the map meanwhile
    keep = [S1 + "002", S1 + "003"]
    layer.selectByIds([before[c][0] for c in keep])
    QTest.mouseClick(preview.rerun_button, LEFT)
    assert not preview_layers() and panel.division.plan is None and not preview.isVisible()
    dialog = panel.division.options
    assert dialog is not None and dialog.isVisible()
    assert dialog.keep_selected.isEnabled() and not dialog.keep_selected.isChecked()
    assert dialog.keep_selected.text() == "Keep the selected level 3 grids (2 selected)"
    QTest.mouseClick(dialog.keep_selected, LEFT)
    assert dialog.keep_selected.isChecked()
    preview = click_ok(panel, dialog)
    features = preview_features()
    assert sorted(f["status"] for f in features if f["kind"] == "locked") == ["locked", "locked"]
    QTest.mouseClick(preview.accept_button, LEFT)
    assert layer.isEditable() and layer.undoStack().count() == 1
    after = {f["code"]: (f.id(), f.geometry().asWkt(3)) for f in layer.getFeatures()}
    for code in keep:
        assert after[code] == before[code]  # kept: same feature, same code, same boundary
    assert S1 + "004" not in after and S2 + "001" not in after  # the others replaced with new codes
    new = sorted(set(after) - set(keep))
    assert new and all(c not in before for c in new)
    assert {c[: len(S1)] for c in new} == {S1, S2}
    assert layer.commitChanges(), layer.commitErrors()
    level3 = [r for r in rows_of(path, "grid_level3") if r["status"] != "retired"]
    assert sorted(r["code"] for r in level3) == sorted(after)
    assert sum(r["households"] for r in level3 if r["code"] not in keep) == 170 - sum(
        r["households"] for r in level3 if r["code"] in keep
    )


def test_keeping_grids_of_an_unsaved_level_3_layer_is_refused(panel, created):  # noqa: F811
    """The proposal reads the workspace file: with the accepted grids still in the edit buffer, "keep" is refused
    until the layer is saved, and nothing starts."""
    layer = panel.workspace.grid_layer(3)
    QTest.mouseClick(propose(panel).accept_button, LEFT)
    assert layer.isModified()
    layer.selectByIds([f.id() for f in layer.getFeatures()][:2])
    dialog = open_options(panel)
    assert dialog.keep_selected.text() == "Keep the selected level 3 grids (2 selected)"
    QTest.mouseClick(dialog.keep_selected, LEFT)
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    assert dialog.isVisible() and not panel.busy and dialog.problem.isVisible()
    assert "unsaved" in dialog.problem.text()
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
    assert not panel.busy and not preview_layers()
    layer.rollBack()
