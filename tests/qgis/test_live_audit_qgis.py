"""The live audit while drawing: the edited grids, their neighbours and parent checked after each edit."""

from __future__ import annotations

import pytest
import shapely
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtTest import QTest
from workspace_helpers import drawing_canvas, in_project

from devtools import drawing_sample as sample
from devtools.drawing_sample import X0, Y0
from plugin.adapters.editing import to_qgs
from plugin.core import live_audit, schema
from plugin.core.audit import Tolerances
from plugin.gui.dock import GridDock

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


@pytest.fixture
def workspace(tmp_path, qgis_new_project):
    with in_project(sample.build_drawing_sample(tmp_path / "live.gpkg")) as ws:
        yield ws


@pytest.fixture
def canvas(qgis_canvas, workspace):
    with drawing_canvas(qgis_canvas, workspace) as canvas:
        yield canvas


@pytest.fixture
def dock(qgis_iface, workspace, canvas, no_forms):
    widget = GridDock(qgis_iface)
    widget.resize(420, 600)
    widget.show()
    widget.set_workspace(workspace)
    yield widget
    widget.cleanup()
    widget.deleteLater()


def canvas_click(canvas, x, y, button=LEFT):
    point = canvas.getCoordinateTransform().transform(X0 + x, Y0 + y)
    pos = QPoint(round(point.x()), round(point.y()))
    QTest.mouseMove(canvas.viewport(), pos)
    QTest.mouseClick(canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, pos)


def select_node(dock, text):
    from plugin.gui.grid_tree import REF_ROLE

    stack = [dock.proxy.index(r, 0) for r in range(dock.proxy.rowCount())]
    while stack:
        index = stack.pop()
        if str(index.data()).startswith(text):
            return index.data(REF_ROLE)
        stack.extend(dock.proxy.index(r, 0, index) for r in range(dock.proxy.rowCount(index)))
    raise AssertionError(text)


def band_area(dock):
    return sum(band.asGeometry().area() for band in dock.live.bands.values() if band.numberOfVertices())


def test_drawing_a_grid_checks_its_neighbourhood_on_the_canvas_and_in_the_dock(dock, canvas, workspace):
    tool = dock.add_grid_inside(select_node(dock, "东坝村一片区"))
    assert tool is not None and dock.session.active_level == 3
    # a villager group in the north of section B1: the rest of the section stays uncovered (a gap)
    for x, y in [(700, 650), (950, 650), (950, 950), (700, 950)]:
        canvas_click(canvas, x, y)
    canvas_click(canvas, 700, 950, RIGHT)
    QTest.qWait(100)
    results = dock.live.results
    assert results and results[0].edited[3]
    rules = {f.rule_id for f in dock.live.findings}
    assert "gap" in rules  # the section is not covered by its groups
    assert all(not r.startswith(("overlap", "parent.outside")) for r in rules)
    checked = results[0].codes
    assert sample.VILLAGE_B + "01" in checked and sample.VILLAGE_B + "01001" in checked  # parent and neighbour
    assert sample.VILLAGE_B + "02001" not in checked  # another section's group is not in the neighbourhood
    assert "gap" in " ".join(dock.live_list.item(i).text() for i in range(dock.live_list.count())) or (
        dock.live_list.count() >= 1
    )
    assert dock.live_label.text() and dock.live_list.isVisibleTo(dock)
    assert band_area(dock) > 0


def test_an_overlapping_edit_is_shown_and_undo_clears_it(dock, canvas, workspace):
    layer = workspace.grid_layer(3)
    (group,) = list(layer.getFeatures("\"name\" = '二组'"))
    layer.startEditing()
    grown = shapely.box(X0 + 1400, Y0, X0 + 1800, Y0 + 700)  # into 三组 (500..1000)
    layer.beginEditCommand("grow")
    layer.changeGeometry(group.id(), to_qgs(grown))
    layer.endEditCommand()
    QTest.qWait(50)
    rules = {f.rule_id for f in dock.live.findings}
    assert "overlap" in rules
    assert dock.live.last_seconds > 0
    assert "二组" in dock.live_label.text() or dock.live_list.count() >= 1
    layer.undoStack().undo()
    QTest.qWait(50)
    assert not any(f.rule_id.startswith("overlap") for f in dock.live.findings)


def test_deleting_a_grid_shows_the_gap_it_leaves_and_undo_clears_it(dock, canvas, workspace):
    layer = workspace.grid_layer(3)
    (group,) = list(layer.getFeatures("\"name\" = '二组'"))
    parent = group["parent_code"]
    layer.startEditing()
    layer.selectByIds([group.id()])
    canvas.setCurrentLayer(layer)
    QTest.qWait(20)
    assert not any(f.rule_id.startswith("gap") for f in dock.live.findings)
    layer.beginEditCommand("delete")
    assert layer.deleteSelectedFeatures()
    layer.endEditCommand()
    QTest.qWait(50)
    gaps = [f for f in dock.live.findings if f.rule_id.startswith("gap")]
    assert gaps and any(parent in f.codes for f in gaps)  # the section is no longer covered by its groups
    hole = sum(shapely.area(f.geometry) for f in gaps if f.geometry is not None)
    assert hole == pytest.approx(shapely.area(shapely.from_wkb(bytes(group.geometry().asWkb()))), rel=1e-6)
    assert dock.live.results[0].edited[3] == [group.id()]
    assert band_area(dock) > 0
    layer.undoStack().undo()
    QTest.qWait(50)
    assert not any(f.rule_id.startswith("gap") for f in dock.live.findings)
    layer.rollBack()


def test_a_grid_drawn_and_deleted_in_one_buffer_is_checked_where_it_was(dock, canvas, workspace):
    layer = workspace.grid_layer(3)
    (group,) = list(layer.getFeatures("\"name\" = '二组'"))
    layer.startEditing()
    grown = shapely.box(X0 + 1400, Y0, X0 + 1800, Y0 + 700)  # into 三组: an overlap
    layer.changeGeometry(group.id(), to_qgs(grown))
    QTest.qWait(50)
    assert any(f.rule_id.startswith("overlap") for f in dock.live.findings)
    layer.deleteFeature(group.id())  # the grown grid deleted: the overlap is gone, its old place is a gap
    QTest.qWait(50)
    rules = {f.rule_id for f in dock.live.findings}
    assert not any(r.startswith("overlap") for r in rules) and any(r.startswith("gap") for r in rules)
    layer.rollBack()


def test_switching_the_live_check_off(dock, workspace):
    QTest.mouseClick(dock.live_check, LEFT)
    assert not dock.live_check.isChecked()
    layer = workspace.grid_layer(3)
    (group,) = list(layer.getFeatures("\"name\" = '二组'"))
    layer.startEditing()
    layer.changeGeometry(group.id(), to_qgs(shapely.box(X0 + 1400, Y0, X0 + 1800, Y0 + 700)))
    QTest.qWait(50)
    assert dock.live.results == [] and band_area(dock) == 0


def test_core_neighbourhood_level1_against_the_county():
    data = sample.sample_data()
    level1 = data.grid(1)
    moved = live_audit.with_edits(level1, [level1.fids[0]], [shapely.box(X0 - 400, Y0, X0 + 1000, Y0 + 1000)])
    edited = moved.subset([0])
    result = live_audit.check_neighbourhood(
        data.info, 1, edited, None, moved, data.county_boundary, Tolerances(), None, data.divisions
    )
    rules = {f.rule_id for f in result.findings}
    assert {"county.outside", "overlap"} <= rules  # west of the county; into 东坝村
    box = live_audit.edit_box(edited)
    gaps = [f.geometry for f in result.findings if f.rule_id == "county.gap"]
    assert gaps and all(box.buffer(1e-6).covers(g) for g in gaps)  # only the county's gaps near the edit
    (outside,) = [f.geometry for f in result.findings if f.rule_id == "county.outside"]
    assert outside.area == pytest.approx(100 * 1000)  # X0-400..X0-300: not the parts outside the box
    assert result.grids_checked == 2


def test_core_neighbourhood_leaves_far_grids_out():
    data = sample.sample_data()
    level3, level2 = data.grid(3), data.grid(2)
    edited = level3.subset([0])  # 一组 in section B1
    result = live_audit.check_neighbourhood(data.info, 3, edited, level2, level3, None, Tolerances())
    assert result.codes == {sample.VILLAGE_B + "01", sample.VILLAGE_B + "01001"}
    assert schema.GRID_LEVEL3.name
