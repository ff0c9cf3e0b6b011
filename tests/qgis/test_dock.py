"""The workspace dock: tree, counts, search, selection and zoom, active parent, add/rename/retire, plugin wiring."""

from __future__ import annotations

import pytest
import shapely
from qgis.core import QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QCoreApplication, QDate, QEvent, QPoint, Qt
from qgis.PyQt.QtTest import QTest
from workspace_helpers import answer_merge, drawing_canvas, in_project

from devtools import drawing_sample as sample
from devtools.drawing_sample import X0, Y0
from plugin.adapters.arrays import python_value
from plugin.adapters.editing import GRID, TOWNSHIP, from_qgs
from plugin.gui import map_tools
from plugin.gui.dock import GridDock
from plugin.gui.grid_tree import REF_ROLE, build_tree

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


@pytest.fixture
def workspace(tmp_path, qgis_new_project):
    with in_project(sample.build_drawing_sample(tmp_path / "drawing.gpkg")) as ws:
        yield ws


@pytest.fixture
def canvas(qgis_canvas, workspace):
    with drawing_canvas(qgis_canvas, workspace) as canvas:
        yield canvas


@pytest.fixture
def dock(qgis_iface, workspace, canvas, no_forms):
    qgis_iface.messageBar().clear_messages()
    widget = GridDock(qgis_iface)
    widget.resize(420, 600)
    widget.show()
    widget.set_workspace(workspace)
    yield widget
    widget.cleanup()
    widget.deleteLater()


def node_names(dock, parent=None):
    """Display names of the visible children of ``parent`` (proxy index; None = top)."""
    from qgis.PyQt.QtCore import QModelIndex

    parent = parent or QModelIndex()
    return [dock.proxy.index(r, 0, parent).data() for r in range(dock.proxy.rowCount(parent))]


def find_index(dock, text):
    """The proxy index whose name column starts with ``text`` (depth first)."""
    from qgis.PyQt.QtCore import QModelIndex

    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(dock.proxy.rowCount(parent)):
            index = dock.proxy.index(row, 0, parent)
            if str(index.data()).startswith(text):
                return index
            stack.append(index)
    return None


def row_values(dock, text):
    index = find_index(dock, text)
    return [index.sibling(index.row(), column).data() for column in range(4)]


def click_node(dock, text):
    index = find_index(dock, text)
    assert index is not None, text
    dock.view.scrollTo(index)
    rect = dock.view.visualRect(index)
    QTest.mouseClick(dock.view.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    return index


def canvas_click(canvas, x, y, button=LEFT):
    point = canvas.getCoordinateTransform().transform(X0 + x, Y0 + y)
    pos = QPoint(round(point.x()), round(point.y()))
    QTest.mouseMove(canvas.viewport(), pos)
    QTest.mouseClick(canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, pos)


# ---------------------------------------------------------------- the tree


def test_tree_levels_townships_counts_and_households(dock):
    assert node_names(dock) == ["汉滨区"]
    county = dock.proxy.index(0, 0)
    assert node_names(dock, county) == ["新城街道"]  # township name from the divisions table
    township = dock.proxy.index(0, 0, county)
    assert node_names(dock, township) == ["新城村", "东坝村"]
    # name, code, grids (active direct children), households (of the level 3 grids below)
    assert row_values(dock, "东坝村")[1:] == [sample.VILLAGE_B, "2", "115"]
    assert row_values(dock, "东坝村一片区")[1:] == [sample.VILLAGE_B + "01", "1", "60"]
    assert row_values(dock, "东坝村二片区")[1:] == [sample.VILLAGE_B + "02", "2", "55"]
    assert row_values(dock, "新城村")[2:] == ["", "420"]  # no children: its own households
    assert row_values(dock, "新城街道")[1:] == [sample.TOWN_CODE, "2", "535"]


def test_dedicated_grids_sit_under_their_village_and_orphans_apart():
    rows = {
        1: [{"fid": 1, "code": "610902001001", "name": "甲村", "households": 10}],
        2: [{"fid": 5, "code": "61090200100101", "parent_code": "610902001001", "name": "片区", "households": 7}],
        3: [{"fid": 9, "code": None, "parent_code": "999", "name": "孤儿", "households": 3}],
        0: [{"fid": 2, "code": "61090200100190", "parent_code": "610902001001", "name": "学校", "households": 0}],
    }
    root = build_tree(rows, [], "610902", "汉滨区")
    village = root.find(lambda n: n.name == "甲村")
    assert [c.name for c in village.children] == ["片区", "学校"]
    assert village.households == 7  # dedicated grids do not count
    township = root.children[0]
    assert township.ref.kind == TOWNSHIP and township.code == "610902001"
    assert root.children[-1].children[0].name == "孤儿"  # the "without parent" node


def test_search_by_name_and_code(dock):
    dock.search.setText("二组")  # QTest.keyClicks types ASCII only; Chinese text arrives through an input method
    assert find_index(dock, "二组") is not None
    assert find_index(dock, "三组") is None
    assert find_index(dock, "新城村") is None
    assert find_index(dock, "东坝村二片区") is not None  # ancestors stay visible
    dock.search.clear()
    QTest.keyClicks(dock.search, sample.VILLAGE_B + "01001")
    assert find_index(dock, "一组") is not None
    assert find_index(dock, "二组") is None
    dock.search.clear()
    assert find_index(dock, "新城村") is not None


def test_selecting_a_node_selects_and_zooms(dock, canvas, workspace):
    click_node(dock, "二组")
    layer = workspace.grid_layer(3)
    group = next(f for f in list(layer.getFeatures()) if f["name"] == "二组")
    assert layer.selectedFeatureIds() == [group.id()]
    extent = canvas.extent()
    box = group.geometry().boundingBox()
    assert extent.contains(box)
    assert extent.width() < 3 * box.width() or extent.height() < 3 * box.height()  # zoomed in on it
    # the township node selects its villages
    click_node(dock, "新城街道")
    assert sorted(workspace.grid_layer(1).selectedFeatureIds()) == sorted(
        f.id() for f in workspace.grid_layer(1).getFeatures()
    )
    assert layer.selectedFeatureIds() == []


# ---------------------------------------------------------------- active parent and tools


def test_work_inside_then_merge_on_the_canvas(dock, canvas, workspace):
    click_node(dock, "东坝村二片区")
    QTest.mouseClick(dock.work_inside_button, LEFT)
    session = dock.session
    assert session.active_parent.code == sample.VILLAGE_B + "02"
    assert session.active_level == 3
    assert "东坝村二片区" in dock.parent_label.text()
    dock.tool_actions["merge"].trigger()
    assert isinstance(canvas.mapTool(), map_tools.MergeTool)
    canvas.setExtent(QgsRectangle(X0 - 100, Y0 - 300, X0 + 1900, Y0 + 1300))
    canvas_click(canvas, 1600, 250)
    canvas_click(canvas, 1600, 750)
    answer_merge()  # the dialog: keep the preselected grid
    canvas_click(canvas, 1600, 750, RIGHT)
    QTest.qWait(400)  # the tree follows the edit
    assert row_values(dock, "东坝村二片区")[2:] == ["1", "55"]
    workspace.grid_layer(3).undoStack().undo()
    QTest.qWait(400)
    assert row_values(dock, "东坝村二片区")[2:] == ["2", "55"]


def test_level3_cannot_be_a_parent(dock, qgis_iface):
    click_node(dock, "二组")
    dock.work_inside_selected()
    assert dock.session.active_parent is None
    assert any("no smaller grids" in m for m in qgis_iface.messageBar().get_messages(1))


def test_add_grid_inside_from_the_tree(dock, canvas, workspace):
    index = find_index(dock, "新城村")
    tool = dock.add_grid_inside(index.data(REF_ROLE))
    assert isinstance(tool, map_tools.DrawGridTool) and canvas.mapTool() is tool
    assert dock.tool_actions["draw"].isChecked()
    assert dock.session.active_parent.code == sample.VILLAGE_A and dock.session.active_level == 2
    for x, y in [(100, 100), (500, 100), (500, 500), (100, 500)]:
        canvas_click(canvas, x, y)
    canvas_click(canvas, 100, 500, RIGHT)
    QTest.qWait(400)
    assert node_names(dock, find_index(dock, "新城村")) == ["Section 1"]
    (section,) = list(workspace.grid_layer(2).getFeatures(f"\"parent_code\" = '{sample.VILLAGE_A}'"))
    assert shapely.area(from_qgs(section.geometry())) == pytest.approx(400 * 400, rel=0.05)


def test_rename_and_retire_are_undoable(dock, workspace):
    layer = workspace.grid_layer(3)
    ref = find_index(dock, "二组").data(REF_ROLE)
    assert dock.rename(ref, "二组（新）")
    assert layer.getFeature(ref.fid)["name"] == "二组（新）"
    assert not dock.rename(ref, "   ")  # refused: a grid needs a name
    assert dock.retire(ref, QDate(2026, 6, 30))
    feature = layer.getFeature(ref.fid)
    assert feature["status"] == "retired" and feature["valid_to"] == QDate(2026, 6, 30)
    QTest.qWait(400)
    assert row_values(dock, "二组（新）")[0].endswith("(retired)")
    assert row_values(dock, "东坝村二片区")[2:] == ["1", "40"]  # no longer counted
    assert not dock.retire(ref, QDate(2026, 7, 1))  # already retired: refused
    layer.undoStack().undo()
    layer.undoStack().undo()
    feature = layer.getFeature(ref.fid)
    assert feature["status"] == "active" and feature["name"] == "二组"
    assert python_value(feature["valid_to"]) is None


# ---------------------------------------------------------------- the plugin opens the dock


def test_plugin_opens_the_dock_on_load_and_removes_it_on_unload(
    plugin_package, recording_iface, qgis_app, tmp_path, qgis_new_project, no_forms
):
    path = tmp_path / "ws.gpkg"
    ws = sample.build_drawing_sample(path)
    del ws
    plugin = plugin_package.classFactory(recording_iface)
    plugin.initGui()
    assert recording_iface.docks == []
    workspace = plugin.load_workspace(str(path))
    assert workspace is not None
    assert len(recording_iface.docks) == 1
    dock = recording_iface.docks[0]
    assert dock.objectName() == "CommunityGridsDock"
    assert dock.session.workspace is workspace
    assert dock.model.root.children[0].name == "新城街道"
    plugin.load_workspace(str(path))  # a second load reuses the dock
    assert len(recording_iface.docks) == 1
    plugin.unload()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert recording_iface.docks == []
    QgsProject.instance().removeAllMapLayers()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_node_refs_are_grid_refs(dock):
    ref = find_index(dock, "一组").data(REF_ROLE)
    assert ref.kind == GRID and ref.level == 3 and ref.code == sample.VILLAGE_B + "01001"


def test_fill_all_gaps_from_the_dock_toolbar(dock, workspace):
    click_node(dock, "东坝村一片区")
    QTest.mouseClick(dock.work_inside_button, LEFT)
    layer = workspace.grid_layer(3)
    dock.fill_all_action.trigger()  # the action passes `checked`; the slot must cope
    groups = [from_qgs(f.geometry()) for f in layer.getFeatures() if f["parent_code"] == sample.VILLAGE_B + "01"]
    assert len(groups) == 2
    union = shapely.union_all(groups)
    assert shapely.area(shapely.symmetric_difference(union, sample.SECTION_B1)) < 1e-4
    assert shapely.area(shapely.intersection(groups[0], groups[1])) < 1e-6
    dock.fill_all_action.trigger()  # nothing left to fill: a message, no change
    assert any("has no gaps" in m for m in dock.iface.messageBar().get_messages(1))
    layer.undoStack().undo()
    assert len([f for f in layer.getFeatures() if f["parent_code"] == sample.VILLAGE_B + "01"]) == 1
