"""The map tools driven by real mouse and key events on a QgsMapCanvas.

Every test sends QTest events to the canvas viewport (press, move, release, keys) exactly as a user
would, then checks the geometries in the layer's edit buffer: children partition their parent
exactly, nothing overlaps, undo restores the layer, and a bad sketch changes nothing but shows a
message.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely
from qgis.core import Qgis, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtTest import QTest
from workspace_helpers import answer_merge, bar_messages, drawing_canvas, in_project

from devtools import drawing_sample as sample
from devtools.drawing_sample import X0, Y0
from plugin.adapters.change_tracker import ChangeTracker
from plugin.adapters.codes_store import REGISTRY, load_registry
from plugin.adapters.editing import GRID, GridRef, from_qgs
from plugin.core import editing as core
from plugin.gui import map_tools
from plugin.gui.session import SETTING_OPEN_FORM, EditSession

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NONE, SHIFT = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier


# ---------------------------------------------------------------- fixtures and event helpers


@pytest.fixture
def workspace(tmp_path, qgis_new_project):
    with in_project(sample.build_drawing_sample(tmp_path / "drawing.gpkg")) as ws:
        yield ws


@pytest.fixture
def canvas(qgis_canvas, workspace):
    with drawing_canvas(qgis_canvas, workspace) as canvas:
        yield canvas


@pytest.fixture
def session(qgis_iface, workspace, canvas, no_forms):
    qgis_iface.messageBar().clear_messages()
    qgis_iface.messageBar().clearWidgets()
    return EditSession(qgis_iface, workspace)


def pixel(canvas, x, y) -> QPoint:
    """The viewport pixel of map coordinates (x, y) relative to X0, Y0."""
    point = canvas.getCoordinateTransform().transform(X0 + x, Y0 + y)
    return QPoint(round(point.x()), round(point.y()))


def click(canvas, x, y, button=LEFT, modifiers=NONE, offset=(0, 0)):
    pos = pixel(canvas, x, y) + QPoint(*offset)
    QTest.mouseMove(canvas.viewport(), pos)
    QTest.mouseClick(canvas.viewport(), button, modifiers, pos)


def sketch(canvas, points, finish=True, modifiers=NONE):
    for x, y in points:
        click(canvas, x, y)
    if finish:
        click(canvas, *points[-1], button=RIGHT, modifiers=modifiers)


def use(canvas, tool_class, session, parent=None):
    session.set_active_parent(parent)
    tool = tool_class(canvas, session)
    canvas.setMapTool(tool)
    ready_to_snap(canvas)
    return tool


def ready_to_snap(canvas):
    """Wait until the canvas can snap: QGIS builds its point locators in threads of its own on the first
    snapping request and snaps to nothing until they are done (a busy machine made a click miss its vertex)."""
    utils = canvas.snappingUtils()
    config = utils.config()
    layers = [lyr for lyr in config.individualLayerSettings() if config.individualLayerSettings(lyr).enabled()]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        utils.snapToMap(QPoint(0, 0))  # starts the indexing, or uses the index
        locators = [utils.locatorForLayer(lyr) for lyr in layers]
        if all(loc is not None and loc.hasIndex() and not loc.isIndexing() for loc in locators):
            return
        QTest.qWait(20)
    raise AssertionError("the canvas's snapping index was not built in 30 s")


def grid_ref(workspace, level, code) -> GridRef:
    layer = workspace.grid_layer(level)
    feature = next(f for f in list(layer.getFeatures()) if f["code"] == code)
    return GridRef(GRID, level, feature.id(), code, feature["name"])


def geometries(layer, parent_code=None):
    """{fid: shapely geometry} of the layer's active features (from the edit buffer)."""
    out = {}
    for feature in layer.getFeatures():
        if feature["status"] == "retired":
            continue
        if parent_code is not None and feature["parent_code"] != parent_code:
            continue
        out[feature.id()] = from_qgs(feature.geometry())
    return out


def snapshot(layer):
    return sorted((f.id(), f.geometry().asWkt(6), tuple(str(a) for a in f.attributes())) for f in layer.getFeatures())


def messages(qgis_iface, level=Qgis.MessageLevel.Warning):
    return bar_messages(qgis_iface, level)


def feature_by_code(layer, code):
    return next((f for f in layer.getFeatures() if f["code"] == code), None)


def add_rows(layer, rows):
    """Add and save features ({field: value}, "xy" → a point relative to X0, Y0)."""
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

    assert layer.startEditing()
    for row in rows:
        feature = QgsFeature(layer.fields())
        for key, value in row.items():
            if key == "xy":
                feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(X0 + value[0], Y0 + value[1])))
            else:
                feature[key] = value
        assert layer.addFeature(feature)
    assert layer.commitChanges()


def assert_partition(whole, parts, tolerance=1e-6):
    parts = list(parts)
    check = core.check_partition(whole, parts)
    assert check.exact(tolerance), check
    assert abs(sum(shapely.area(p) for p in parts) - shapely.area(whole)) < 1e-4
    assert shapely.area(shapely.symmetric_difference(shapely.union_all(parts), whole)) < 1e-4


def assert_no_overlaps(parts):
    parts = np.asarray(list(parts), dtype=object)
    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            assert shapely.area(shapely.intersection(parts[i], parts[j])) < 1e-6


# ---------------------------------------------------------------- draw


def test_draw_grid_is_clipped_snapped_and_prefilled(canvas, session, workspace, qgis_iface):
    village_a = grid_ref(workspace, 1, sample.VILLAGE_A)
    use(canvas, map_tools.DrawGridTool, session, village_a)
    layer = workspace.grid_layer(2)
    before = layer.featureCount()
    # first vertex 3 px off village A's south-west corner (snaps onto it); the sketch runs into village B
    click(canvas, 0, 0, offset=(3, -3))
    sketch(canvas, [(1300, 0 + 1), (1300, 400), (2, 400)])
    assert layer.featureCount() == before + 1
    new = next(f for f in list(layer.getFeatures()) if f["parent_code"] == sample.VILLAGE_A)
    assert new["level"] == 2 and new["kind"] == "comprehensive" and new["status"] == "active"
    assert new["code"] == sample.VILLAGE_A + "01"  # provisional code from the code rule
    geometry = from_qgs(new.geometry())
    assert (X0, Y0) in {tuple(c) for c in shapely.get_coordinates(geometry)}  # snapped exactly
    assert shapely.covers(shapely.buffer(sample.VILLAGE_A_SHAPE, 1e-6), geometry)  # clipped to the parent
    assert_no_overlaps(geometries(layer).values())
    # a second sketch over the first: clipped to what the sibling leaves
    sketch(canvas, [(100, 300), (500, 300), (500, 800), (100, 800)])
    siblings = geometries(layer, sample.VILLAGE_A)
    assert len(siblings) == 2
    assert_no_overlaps(geometries(layer).values())
    second = max(siblings, key=lambda fid: fid != new.id())
    assert shapely.area(siblings[second]) < 400 * 500 - 1  # the overlap with the first was cut off
    # undo twice restores the layer
    layer.undoStack().undo()
    layer.undoStack().undo()
    assert layer.featureCount() == before


def test_draw_opens_the_attribute_form_when_enabled(canvas, session, workspace, qgis_iface):
    QgsSettings().setValue(SETTING_OPEN_FORM, True)
    qgis_iface.openFeatureForm.reset_mock()
    use(canvas, map_tools.DrawGridTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))
    sketch(canvas, [(100, 100), (400, 100), (400, 400), (100, 400)])
    assert qgis_iface.openFeatureForm.call_count == 1
    layer, feature = qgis_iface.openFeatureForm.call_args.args[:2]
    assert layer is workspace.grid_layer(2)
    assert feature["parent_code"] == sample.VILLAGE_A and feature["level"] == 2


def test_self_crossing_ring_is_refused(canvas, session, workspace, qgis_iface):
    use(canvas, map_tools.DrawGridTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))
    layer = workspace.grid_layer(2)
    before = snapshot(layer)
    sketch(canvas, [(100, 100), (400, 400), (400, 100), (100, 400)])  # a bow tie
    assert snapshot(layer) == before
    assert any("not valid" in m and "cross itself" in m for m in messages(qgis_iface))
    assert layer.undoStack().count() == 0


def test_click_outside_the_parent_is_refused(canvas, session, workspace, qgis_iface):
    tool = use(canvas, map_tools.DrawGridTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))
    layer = workspace.grid_layer(2)
    before = snapshot(layer)
    click(canvas, 1500, 500)  # inside village B, outside A
    assert tool.points == []
    assert any("outside 新城村" in m for m in messages(qgis_iface))
    click(canvas, 1500, 500, button=RIGHT)
    assert snapshot(layer) == before


def test_backspace_and_escape(canvas, session, workspace):
    tool = use(canvas, map_tools.DrawGridTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))
    sketch(canvas, [(100, 100), (400, 100), (400, 400)], finish=False)
    assert len(tool.points) == 3
    QTest.keyClick(canvas, Qt.Key.Key_Backspace)
    assert len(tool.points) == 2
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert tool.points == []
    sketch(canvas, [(100, 100), (400, 100), (400, 400)], finish=False)
    QTest.keyClick(canvas, Qt.Key.Key_Return)  # Enter finishes like a right click
    assert workspace.grid_layer(2).featureCount() == 3


# ---------------------------------------------------------------- subdivide


def test_subdivide_parent_into_an_exact_partition(canvas, session, workspace):
    village_a = grid_ref(workspace, 1, sample.VILLAGE_A)
    use(canvas, map_tools.SubdivideTool, session, village_a)
    layer = workspace.grid_layer(2)
    before = snapshot(layer)
    # two lines: Shift + right click ends the first and keeps drawing, a plain right click applies
    sketch(canvas, [(300, -100), (300, 1100)], modifiers=SHIFT)
    sketch(canvas, [(-100, 300), (1100, 300)])
    children = geometries(layer, sample.VILLAGE_A)
    assert len(children) == 4
    assert_partition(sample.VILLAGE_A_SHAPE, children.values())
    # the parent's vertices are all kept
    kept = set().union(*({tuple(c) for c in shapely.get_coordinates(g)} for g in children.values()))
    assert {tuple(c) for c in shapely.get_coordinates(sample.VILLAGE_A_SHAPE)} <= kept
    codes = sorted(f["code"] for f in layer.getFeatures() if f["parent_code"] == sample.VILLAGE_A)
    assert codes == [sample.VILLAGE_A + f"{n:02d}" for n in range(1, 5)]
    layer.undoStack().undo()
    assert snapshot(layer) == before


def test_subdivide_an_existing_grid(canvas, session, workspace):
    village_b = grid_ref(workspace, 1, sample.VILLAGE_B)
    use(canvas, map_tools.SubdivideTool, session, village_b)
    layer = workspace.grid_layer(2)
    before = snapshot(layer)
    b1 = grid_ref(workspace, 2, sample.VILLAGE_B + "01")
    # a line with a bend across section B-1 only (from its south edge to its north edge)
    sketch(canvas, [(1200, -50), (1150, 500), (1200, 1050)])
    sections = geometries(layer, sample.VILLAGE_B)
    assert len(sections) == 3
    pieces = [g for fid, g in sections.items() if fid != grid_ref(workspace, 2, sample.VILLAGE_B + "02").fid]
    assert_partition(sample.SECTION_B1, pieces)
    assert_partition(sample.VILLAGE_B_SHAPE, sections.values())
    assert b1.fid in sections  # the original keeps the larger piece and its code
    b2 = grid_ref(workspace, 2, sample.VILLAGE_B + "02")
    new = [f for f in layer.getFeatures() if f.id() not in (b1.fid, b2.fid) and f["parent_code"] == sample.VILLAGE_B]
    assert [f["code"] for f in new] == [sample.VILLAGE_B + "03"]  # the next free code of village B
    layer.undoStack().undo()
    assert snapshot(layer) == before


def test_subdivide_with_a_closed_ring(canvas, session, workspace):
    use(canvas, map_tools.SubdivideTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))
    layer = workspace.grid_layer(2)
    # a ring inside village A, closed by clicking its first point again (snapped shut)
    ring = [(200, 200), (450, 200), (450, 450), (200, 450)]
    sketch(canvas, [*ring, (200, 200)])
    children = geometries(layer, sample.VILLAGE_A)
    assert len(children) == 2
    assert_partition(sample.VILLAGE_A_SHAPE, children.values())
    assert sum(len(shapely.get_parts(g)[0].interiors) for g in children.values()) == 1


def test_line_that_does_not_cross_changes_nothing(canvas, session, workspace, qgis_iface):
    use(canvas, map_tools.SubdivideTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))
    layer = workspace.grid_layer(2)
    before = snapshot(layer)
    sketch(canvas, [(100, 100), (400, 400)])  # stays inside: cuts nothing
    assert snapshot(layer) == before
    assert any("does not cut" in m for m in messages(qgis_iface))
    sketch(canvas, [(1500, 1100), (1700, 1200)])  # far outside the parent
    assert snapshot(layer) == before
    assert any("does not cross" in m for m in messages(qgis_iface))
    assert layer.undoStack().count() == 0


# ---------------------------------------------------------------- merge


def test_merge_small_group_with_its_neighbour(canvas, session, workspace, qgis_iface):
    section = grid_ref(workspace, 2, sample.VILLAGE_B + "02")
    use(canvas, map_tools.MergeTool, session, section)
    layer = workspace.grid_layer(3)
    before = snapshot(layer)
    group_a = grid_ref(workspace, 3, sample.VILLAGE_B + "02001")
    click(canvas, 1600, 250)  # B-2-a, 15 households
    click(canvas, 1600, 750)  # B-2-b, 40 households
    seen = answer_merge()  # both are the same size: the first picked is preselected
    click(canvas, 1600, 750, button=RIGHT)
    assert seen["default"] == 0 and [r[0] for r in seen["rows"]] == [group_a.code, sample.VILLAGE_B + "02002"]
    assert layer.undoStack().count() == 1
    groups = geometries(layer, sample.VILLAGE_B + "02")
    assert list(groups) == [group_a.fid]
    assert shapely.equals(groups[group_a.fid], sample.SECTION_B2)
    assert layer.getFeature(group_a.fid)["households"] == 55
    layer.undoStack().undo()
    assert snapshot(layer) == before


def test_merge_refuses_non_adjacent_and_empty_clicks(canvas, session, workspace, qgis_iface):
    use(canvas, map_tools.MergeTool, session, grid_ref(workspace, 2, sample.VILLAGE_B + "01"))
    layer = workspace.grid_layer(3)
    before = snapshot(layer)
    click(canvas, 1200, 300)  # B-1-a
    click(canvas, 1600, 750)  # B-2-b: a group of the other section
    click(canvas, 1600, 750, button=RIGHT)
    assert snapshot(layer) == before
    assert any("different parents" in m for m in messages(qgis_iface))
    # a small group drawn in the notch of B-1, away from B-1-a: same parent, not adjacent
    use(canvas, map_tools.DrawGridTool, session, grid_ref(workspace, 2, sample.VILLAGE_B + "01"))
    sketch(canvas, [(650, 900), (750, 900), (750, 950), (650, 950)])
    before = snapshot(layer)
    use(canvas, map_tools.MergeTool, session, grid_ref(workspace, 2, sample.VILLAGE_B + "01"))
    click(canvas, 1200, 300)
    click(canvas, 700, 925)
    QTest.keyClick(canvas, Qt.Key.Key_Return)
    assert snapshot(layer) == before
    assert any("not adjacent" in m for m in messages(qgis_iface))
    click(canvas, 300, 300)  # village A has no level 3 grid
    assert any("no active" in m for m in messages(qgis_iface))
    assert snapshot(layer) == before


def test_merge_a_piece_back_keeps_the_largest_grid_and_logs_a_merge(canvas, session, workspace, qgis_iface):
    """Issue 12: 一组 is split, saved, and its piece 一组-2 merged back, the piece clicked first."""
    layer = workspace.grid_layer(3)
    staff = workspace.layers["staff"]
    section = grid_ref(workspace, 2, sample.VILLAGE_B + "01")
    code, piece_code = sample.VILLAGE_B + "01001", sample.VILLAGE_B + "01002"
    tracker = ChangeTracker(workspace, user="test")
    tracker.connect()
    try:
        use(canvas, map_tools.SubdivideTool, session, section)
        sketch(canvas, [(1250, -50), (1250, 650)])
        assert layer.commitChanges(False)
        piece = feature_by_code(layer, piece_code)
        assert piece["name"] == "一组-2"
        add_rows(staff, [{"name": "李四", "role": "grid_head", "grid_code": piece_code}])
        use(canvas, map_tools.MergeTool, session, section)
        click(canvas, 1300, 300)  # 一组-2 first
        click(canvas, 1100, 300)  # then 一组
        seen = answer_merge()
        click(canvas, 1100, 300, button=RIGHT)
        assert [r[0] for r in seen["rows"]] == [piece_code, code]
        assert seen["default"] == seen["chosen"] == 1  # the largest grid, 一组
        assert layer.undoStack().count() == 1  # one undo step
        survivor = feature_by_code(layer, code)
        assert survivor["name"] == "一组" and survivor["households"] == 60
        assert feature_by_code(layer, piece_code) is None
        assert shapely.equals(from_qgs(survivor.geometry()), sample.GROUP_B1A)
        text = " ".join(m for _, m in session.messages)
        assert piece_code in text and "李四" in text
        assert layer.commitChanges(False)
        kinds = {(r.change_kind, r.old_code, r.new_code) for r in tracker.last_records}
        assert kinds == {("merge", code, code), ("merge", piece_code, code)}
        registry, _ = load_registry(workspace.layers[REGISTRY])
        assert registry.is_retired(piece_code)
        assert not registry.is_retired(code)
        head = next(f for f in staff.getFeatures() if f["name"] == "李四")
        assert head["grid_code"] == code  # 一组 had no grid head: 李四 moves to it
        assert tracker.head_notes == []
    finally:
        tracker.disconnect()
        layer.rollBack()


def test_merge_survivor_chosen_in_the_dialog_keeps_its_head(canvas, session, workspace, qgis_iface):
    layer = workspace.grid_layer(3)
    staff = workspace.layers["staff"]
    a_code, b_code = sample.VILLAGE_B + "02001", sample.VILLAGE_B + "02002"
    add_rows(
        staff,
        [
            {"name": "王五", "role": "grid_head", "grid_code": a_code},
            {"name": "赵六", "role": "grid_head", "grid_code": b_code},
        ],
    )
    use(canvas, map_tools.MergeTool, session, grid_ref(workspace, 2, sample.VILLAGE_B + "02"))
    before = snapshot(layer)
    click(canvas, 1600, 250)
    click(canvas, 1600, 750)
    answer_merge(accept=False)  # cancel: nothing changes
    click(canvas, 1600, 750, button=RIGHT)
    assert snapshot(layer) == before
    click(canvas, 1600, 250)
    click(canvas, 1600, 750)
    seen = answer_merge(row=1)  # the planner picks 三组 (B-2-b)
    click(canvas, 1600, 750, button=RIGHT)
    assert seen["chosen"] == 1
    survivor = feature_by_code(layer, b_code)
    assert survivor["name"] == "三组" and survivor["households"] == 55
    assert feature_by_code(layer, a_code) is None
    # 三组 keeps its head 赵六; 王五 is reported, not moved
    assert any("王五" in m and a_code in m for m in messages(qgis_iface))
    assert session.editor.merge_heads(b_code, [a_code])[0] == []
    layer.undoStack().undo()
    assert snapshot(layer) == before


# ---------------------------------------------------------------- households of split pieces


def test_split_pieces_share_households_by_area_without_points(canvas, session, workspace, qgis_iface):
    layer = workspace.grid_layer(3)
    use(canvas, map_tools.SubdivideTool, session, grid_ref(workspace, 2, sample.VILLAGE_B + "01"))
    before = snapshot(layer)
    sketch(canvas, [(1250, -50), (1250, 650)])
    original = feature_by_code(layer, sample.VILLAGE_B + "01001")
    piece = feature_by_code(layer, sample.VILLAGE_B + "01002")
    assert (original["households"], piece["households"]) == (38, 22)  # 60 by area 250 : 150
    assert any("shared by area" in m for m in messages(qgis_iface))
    assert layer.undoStack().count() == 1
    layer.undoStack().undo()
    assert snapshot(layer) == before


def test_split_pieces_count_household_points(canvas, session, workspace, qgis_iface):
    households = workspace.layers["households"]
    add_rows(
        households,
        [
            {"xy": (1100, 100), "persons": 3},
            {"xy": (1250, 300), "persons": 4},  # on the cut: to the lowest code, the original
            {"xy": (1300, 100), "persons": 2},
            {"xy": (1350, 500), "persons": 1, "relocated": True},
            {"xy": (1600, 250), "persons": 5},  # in B-2-a, not split
        ],
    )
    layer = workspace.grid_layer(3)
    use(canvas, map_tools.SubdivideTool, session, grid_ref(workspace, 2, sample.VILLAGE_B + "01"))
    before = snapshot(layer)
    sketch(canvas, [(1250, -50), (1250, 650)])
    original = feature_by_code(layer, sample.VILLAGE_B + "01001")
    piece = feature_by_code(layer, sample.VILLAGE_B + "01002")
    assert (original["households"], original["population"], original["relocated_households"]) == (2, 7, 0)
    assert (piece["households"], piece["population"], piece["relocated_households"]) == (2, 3, 1)
    assert feature_by_code(layer, sample.VILLAGE_B + "02001")["households"] == 15  # untouched
    assert any("household points" in m for _, m in session.messages)
    assert layer.undoStack().count() == 1
    layer.undoStack().undo()
    assert snapshot(layer) == before


# ---------------------------------------------------------------- fill gaps


def test_fill_gap_with_a_new_grid_and_undo(canvas, session, workspace, qgis_iface):
    section = grid_ref(workspace, 2, sample.VILLAGE_B + "01")
    tool = use(canvas, map_tools.FillGapTool, session, section)
    layer = workspace.grid_layer(3)
    before = snapshot(layer)
    click(canvas, 800, 800)  # in the notch of B-1 that no group covers
    groups = geometries(layer, sample.VILLAGE_B + "01")
    assert len(groups) == 2
    assert_partition(sample.SECTION_B1, groups.values())
    layer.undoStack().undo()
    assert snapshot(layer) == before
    # the same gap given to the neighbour (Shift + click)
    group = grid_ref(workspace, 3, sample.VILLAGE_B + "01001")
    click(canvas, 800, 800, modifiers=SHIFT)
    groups = geometries(layer, sample.VILLAGE_B + "01")
    assert list(groups) == [group.fid]
    assert shapely.area(shapely.symmetric_difference(groups[group.fid], sample.SECTION_B1)) < 1e-4
    layer.undoStack().undo()
    assert snapshot(layer) == before
    # no gap under the click, and a click outside the parent
    click(canvas, 1200, 300)
    click(canvas, 300, 300)
    assert any("no gap here" in m for m in messages(qgis_iface))
    assert any("outside" in m for m in messages(qgis_iface))
    assert snapshot(layer) == before
    assert tool.to_neighbour is False


# ---------------------------------------------------------------- move a shared boundary


def test_move_shared_boundary(canvas, session, workspace, qgis_iface):
    use(canvas, map_tools.MoveBoundaryTool, session, grid_ref(workspace, 1, sample.VILLAGE_B))
    layer = workspace.grid_layer(2)
    before = snapshot(layer)
    b1 = grid_ref(workspace, 2, sample.VILLAGE_B + "01")
    b2 = grid_ref(workspace, 2, sample.VILLAGE_B + "02")
    # from the shared boundary x = 1400 (snapped onto it), bulging east into B-2, and back
    sketch(canvas, [(1400, 200), (1600, 350), (1600, 650), (1400, 800)])
    sections = geometries(layer, sample.VILLAGE_B)
    assert_partition(sample.VILLAGE_B_SHAPE, sections.values())
    assert shapely.area(sections[b1.fid]) > shapely.area(sample.SECTION_B1) + 1000
    assert shapely.area(sections[b2.fid]) < shapely.area(sample.SECTION_B2) - 1000
    # the two neighbours share the new boundary exactly: no gap, no overlap
    assert shapely.area(shapely.intersection(sections[b1.fid], sections[b2.fid])) < 1e-6
    assert layer.undoStack().count() == 1
    layer.undoStack().undo()
    assert snapshot(layer) == before
    # a line that does not start on the shared boundary
    sketch(canvas, [(1300, 200), (1600, 500), (1400, 800)])
    assert snapshot(layer) == before
    assert any("start and end" in m for m in messages(qgis_iface))


# ---------------------------------------------------------------- dedicated grid


def test_dedicated_grid_with_safety_officer(canvas, session, workspace):
    tool = use(canvas, map_tools.DedicatedGridTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))
    tool.preset = {
        "dedicated_type": "school",
        "name": "新城小学",
        "officer_name": "王安全",
        "officer_phone": "13800000000",
    }
    sketch(canvas, [(100, 700), (450, 700), (450, 1200), (100, 1200)])  # sticks out of the village: clipped
    layer = workspace.grid_layer(0)
    features = list(layer.getFeatures())
    assert len(features) == 1
    grid = features[0]
    assert grid["kind"] == "dedicated" and grid["dedicated_type"] == "school" and grid["level"] == 0
    assert grid["parent_code"] == sample.VILLAGE_A and grid["code"] == sample.VILLAGE_A + "90"
    assert shapely.covers(shapely.buffer(sample.VILLAGE_A_SHAPE, 1e-6), from_qgs(grid.geometry()))
    staff = workspace.layer("staff")
    heads = [f for f in staff.getFeatures() if f["grid_code"] == grid["code"]]
    assert len(heads) == 1
    assert heads[0]["role"] == "grid_head" and heads[0]["safety_officer"] in (True, 1) and heads[0]["name"] == "王安全"


# ---------------------------------------------------------------- robustness


def test_an_unexpected_error_is_reported_not_raised(canvas, session, workspace, qgis_iface, monkeypatch):
    use(canvas, map_tools.SubdivideTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(session.editor, "subdivide", broken)
    sketch(canvas, [(300, -100), (300, 1100)])  # would abort QGIS if the exception reached Qt
    assert any("simulated failure" in m for m in messages(qgis_iface, Qgis.MessageLevel.Critical))


def test_snapping_is_set_while_a_tool_is_active_and_restored(canvas, session, workspace):
    project = QgsProject.instance()
    before = project.snappingConfig()
    tool = use(canvas, map_tools.DrawGridTool, session, grid_ref(workspace, 1, sample.VILLAGE_A))
    config = project.snappingConfig()
    assert config.enabled()
    snapped = set(config.individualLayerSettings())
    assert workspace.grid_layer(2) in snapped and workspace.grid_layer(1) in snapped
    assert canvas.snappingUtils().config() == config
    canvas.unsetMapTool(tool)
    assert project.snappingConfig() == before
