"""Attach households in QGIS: the Processing algorithm on a workspace file, and the undoable GUI path."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from qgis.core import QgsProcessingFeedback, QgsVectorLayer

from plugin.adapters.arrays import python_value
from plugin.adapters.household_edits import HouseholdError, attach_to_workspace, resolve_mapping
from plugin.adapters.workspace import create_workspace, open_workspace
from plugin.core import schema
from plugin.core.households import RULE_ON_BOUNDARY, RULE_OUTSIDE, HouseholdMapping
from plugin.core.model import GridArray, PointArray, WorkspaceData

X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902001003"
C1, C2, C3, C4 = f"{V}01001", f"{V}01002", f"{V}02001", f"{V}02002"
RETIRED = f"{V}02009"


def square(col, row, size=100.0):
    return shapely.box(X0 + col * size, Y0 + row * size, X0 + (col + 1) * size, Y0 + (row + 1) * size)


def grids():
    """Level 3: four 100 m squares (01001, 01002 bottom row in section 01; 02001, 02002 top row in 02) and a
    retired grid far away; level 2: the two rows; level 1: the village."""
    l3 = GridArray.from_records(
        "grid_level3",
        3,
        [square(0, 0), square(1, 0), square(0, 1), square(1, 1), square(5, 5)],
        [C1, C2, C3, C4, RETIRED],
        [f"{V}01", f"{V}01", f"{V}02", f"{V}02", f"{V}02"],
        ["一组", "二组", "三组", "四组", "旧组"],
        attributes={
            "status": np.array(["active"] * 4 + ["retired"], dtype=object),
            "households": np.array([99, 99, 99, 99, 77]),
            "population": np.array([5, 5, 5, 5, 5]),
            "relocated_households": np.array([0, 0, 0, 0, 0]),
        },
    )
    l2 = GridArray.from_records(
        "grid_level2",
        2,
        [shapely.box(X0, Y0, X0 + 200, Y0 + 100), shapely.box(X0, Y0 + 100, X0 + 200, Y0 + 200)],
        [f"{V}01", f"{V}02"],
        [V, V],
        ["一片", "二片"],
        attributes={"status": np.array(["active"] * 2, dtype=object)},
    )
    l1 = GridArray.from_records(
        "grid_level1",
        1,
        [shapely.box(X0, Y0, X0 + 200, Y0 + 200)],
        [V],
        ["610902001"],
        ["西大街社区"],
        attributes={"status": np.array(["active"], dtype=object)},
    )
    return {"grid_level3": l3, "grid_level2": l2, "grid_level1": l1}


# household points: (x, y, persons, relocated, absent)
POINTS = [
    (10, 10, 3, True, False),  # C1
    (20, 20, 2, False, False),  # C1
    (30, 30, 4, False, True),  # C1, absent
    (150, 50, 1, False, False),  # C2
    (50, 150, 2, True, False),  # C3
    (60, 160, 3, False, False),  # C3
    (100, 50, 5, False, False),  # on the C1 | C2 boundary → C1 (lowest code)
    (900, 900, 4, False, False),  # outside every grid
]


def build_workspace(path):
    xy = np.array([(p[0], p[1]) for p in POINTS], dtype=float)
    points = PointArray(
        "households",
        np.arange(1, len(POINTS) + 1),
        shapely.points(X0 + xy[:, 0], Y0 + xy[:, 1]),
        {
            "household_no": np.array([f"H{i}" for i in range(len(POINTS))], dtype=object),
            "persons": np.array([p[2] for p in POINTS]),
            "relocated": np.array([p[3] for p in POINTS]),
            "absent": np.array([p[4] for p in POINTS]),
        },
    )
    info = schema.WorkspaceInfo(county_code="610902", county_name="汉滨区", crs="EPSG:4524")
    data = WorkspaceData(info=info, grids=grids(), households=points)
    return create_workspace(path, "610902", "汉滨区", "EPSG:4524", data=data)


def counts(path, layer_name):
    layer = QgsVectorLayer(f"{path}|layername={layer_name}", layer_name, "ogr")
    return {f["code"]: (f["households"], f["population"], f["relocated_households"]) for f in layer.getFeatures()}


@pytest.fixture
def workspace(tmp_path, qgis_app):
    ws = build_workspace(tmp_path / "ws.gpkg")
    yield ws
    ws.layers.clear()  # release the layers while QGIS still runs (pytest keeps fixture values to the end)


EXPECTED_L3 = {
    C1: (4, 14, 2),  # 3 points + the boundary point; persons 3+2+4+5; relocated 1 + absent 1
    C2: (1, 1, 0),
    C3: (2, 5, 1),
    C4: (0, 0, 0),
    RETIRED: (77, 5, 0),  # retired: left alone
}


def test_attach_households_algorithm_counts_rolls_up_and_reports(workspace, provider, tmp_path):
    import processing

    path = str(workspace.path)
    findings_path = str(tmp_path / "findings.gpkg")
    result = processing.run(
        "community_grids:attach_households",
        {
            "WORKSPACE": path,
            "INPUT": f"{path}|layername=households",
            "BOUNDARY_RULE": 0,
            "FINDINGS": findings_path,
            "CONFIRM": True,  # 396 stored households become 7
        },
    )
    assert result["ASSIGNED"] == 7
    assert result["OUTSIDE"] == 1
    assert result["ON_BOUNDARY"] == 1
    assert result["HOUSEHOLDS"] == 7
    assert result["POPULATION"] == 20
    assert counts(path, "grid_level3") == EXPECTED_L3
    assert counts(path, "grid_level2") == {f"{V}01": (5, 15, 2), f"{V}02": (2, 5, 1)}
    assert counts(path, "grid_level1") == {V: (7, 20, 3)}

    findings = QgsVectorLayer(result["FINDINGS"], "findings", "ogr")
    rows = {f["rule_id"]: f for f in findings.getFeatures()}
    assert set(rows) == {RULE_OUTSIDE, RULE_ON_BOUNDARY}
    outside = rows[RULE_OUTSIDE]
    assert outside["source_fid"] == 8
    assert outside.geometry().asPoint().x() == pytest.approx(X0 + 900)
    boundary = rows[RULE_ON_BOUNDARY]
    assert boundary["codes"] == f"{C1},{C2}"
    assert C1 in boundary["message_en"] and "lowest code" in boundary["message_en"]


def test_nearest_centroid_rule_and_dry_run(workspace, provider):
    import processing

    path = str(workspace.path)
    result = processing.run(
        "community_grids:attach_households",
        {"WORKSPACE": path, "INPUT": f"{path}|layername=households", "BOUNDARY_RULE": 1, "WRITE": False},
    )
    assert result["GRIDS_CHANGED"] == 0
    assert counts(path, "grid_level3")[C1] == (99, 5, 0)  # nothing written
    processing.run(
        "community_grids:attach_households",
        {"WORKSPACE": path, "INPUT": f"{path}|layername=households", "BOUNDARY_RULE": 1, "CONFIRM": True},
    )
    # (100, 50) is equally near both centroids: the tie goes to the lowest code
    assert counts(path, "grid_level3")[C1][0] == 4


def test_building_points_with_household_counts_in_another_crs(workspace, provider, tmp_path):
    """Building points in WGS 84 with a household count field are transformed into the workspace CRS."""
    import processing
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsFeature,
        QgsGeometry,
        QgsPointXY,
        QgsProject,
    )

    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=hh:integer&field=people:integer", "buildings", "memory")
    transform = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4524"), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance()
    )
    features = []
    for x, y, hh, people in ((50, 50, 12, 30), (150, 150, 20, 61)):
        f = QgsFeature(layer.fields())
        f.setAttributes([hh, people])
        f.setGeometry(QgsGeometry.fromPointXY(transform.transform(QgsPointXY(X0 + x, Y0 + y))))
        features.append(f)
    layer.dataProvider().addFeatures(features)
    path = str(workspace.path)
    processing.run(
        "community_grids:attach_households",
        {"WORKSPACE": path, "INPUT": layer, "HOUSEHOLDS_FIELD": "hh", "PERSONS_FIELD": "people", "CONFIRM": True},
    )
    got = counts(path, "grid_level3")
    assert got[C1] == (12, 30, 0) and got[C4] == (20, 61, 0) and got[C2] == (0, 0, 0)


def test_table_joined_by_code_or_group_name(workspace, provider):
    import processing
    from qgis.core import QgsFeature

    table = QgsVectorLayer(
        "None?field=code:string&field=group:string&field=village:string&field=hh:integer&field=people:integer",
        "register",
        "memory",
    )
    rows = [
        (C1, None, None, 40, 120),
        (None, "三组", "西大街社区", 35, 90),
        ("610902001003099", None, None, 10, 20),  # unknown code
        (None, "九组", None, 5, 5),  # unknown name
    ]
    features = []
    for row in rows:
        f = QgsFeature(table.fields())
        f.setAttributes(list(row))
        features.append(f)
    table.dataProvider().addFeatures(features)
    path = str(workspace.path)
    result = processing.run(
        "community_grids:attach_households",
        {
            "WORKSPACE": path,
            "INPUT": table,
            "HOUSEHOLDS_FIELD": "hh",
            "PERSONS_FIELD": "people",
            "GRID_CODE_FIELD": "code",
            "GROUP_NAME_FIELD": "group",
            "VILLAGE_FIELD": "village",
            "REPLACE_ALL": True,
            "CONFIRM": True,
        },
    )
    assert result["UNMATCHED"] == 2 and result["ASSIGNED"] == 2
    got = counts(path, "grid_level3")
    assert got[C1] == (40, 120, 0) and got[C3] == (35, 90, 0)
    assert counts(path, "grid_level1") == {V: (75, 210, 0)}


def test_bad_mapping_is_refused_with_the_layer_and_field(workspace, provider):
    import processing
    from qgis.core import QgsProcessingException

    path = str(workspace.path)
    table = QgsVectorLayer("None?field=hh:integer", "register", "memory")
    with pytest.raises(QgsProcessingException, match=r"register cannot be joined.*grid code field"):
        processing.run("community_grids:attach_households", {"WORKSPACE": path, "INPUT": table, "MODE": 2})
    layer = QgsVectorLayer(f"{path}|layername=households", "households", "ogr")
    with pytest.raises(HouseholdError, match="households has no field hh"):
        resolve_mapping(layer.fields(), "households", False, households="hh")
    assert counts(path, "grid_level3")[C1] == (99, 5, 0)


def test_gui_path_is_one_undoable_edit_per_layer(workspace):
    ws = open_workspace(workspace.path)
    points = ws.layers["households"]
    mapping = resolve_mapping(points.fields(), points.name(), False)
    assert mapping == HouseholdMapping(None, "persons", "relocated", "absent", None, None, None)
    result = attach_to_workspace(ws, points, mapping, confirm=True)
    assert result.assigned == 7
    assert {f.rule_id for f in result.findings} == {RULE_OUTSIDE, RULE_ON_BOUNDARY}
    level3, level2, level1 = ws.grid_layer(3), ws.grid_layer(2), ws.grid_layer(1)

    def buffered(layer):
        names = ("households", "population", "relocated_households")
        return {f["code"]: tuple(python_value(f[n]) for n in names) for f in layer.getFeatures()}

    assert buffered(level3) == EXPECTED_L3
    assert buffered(level1) == {V: (7, 20, 3)}
    for layer in (level3, level2, level1):
        assert layer.isEditable() and layer.undoStack().count() == 1
    # nothing is written to the file until the user saves
    assert counts(workspace.path, "grid_level3")[C1] == (99, 5, 0)

    result.edit.undo()
    assert buffered(level3)[C1] == (99, 5, 0)
    assert buffered(level3)[C4] == (99, 5, 0)
    assert buffered(level1)[V] == (None, None, None)  # the village had no counts before
    for layer in (level3, level2, level1):
        assert not layer.isModified()


class Recorder(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.errors = []

    def reportError(self, error, fatalError=False):  # noqa: N802, N803 - Qt's names
        self.errors.append(error)


def test_unsaved_edits_in_the_project_are_protected_and_project_layers_refreshed(workspace, provider):
    import processing
    from qgis.core import QgsProcessingException, QgsProject

    project = QgsProject.instance()
    ws = open_workspace(workspace.path)
    level3 = ws.grid_layer(3)
    project.addMapLayer(level3)
    try:
        level3.startEditing()
        fid = next(f.id() for f in level3.getFeatures() if f["code"] == C2)
        level3.changeAttributeValue(fid, level3.fields().indexFromName("remarks"), "draft")
        parameters = {
            "WORKSPACE": str(workspace.path),
            "INPUT": f"{workspace.path}|layername=households",
            "CONFIRM": True,
        }
        feedback = Recorder()
        with pytest.raises(QgsProcessingException):
            processing.run("community_grids:attach_households", parameters, feedback=feedback)
        assert any("Layer 三级网格" in e and "unsaved edits" in e for e in feedback.errors)
        assert counts(workspace.path, "grid_level3")[C1] == (99, 5, 0)
        level3.rollBack()
        processing.run("community_grids:attach_households", parameters)
        shown = {f["code"]: f["households"] for f in level3.getFeatures()}
        assert shown[C1] == 4  # the project's layer shows the committed counts
    finally:
        if level3.isEditable():
            level3.rollBack()
        project.removeMapLayer(level3.id())


def test_bulk_read_of_a_geopackage_matches_the_qgis_iterator(workspace):
    from osgeo import ogr

    from plugin.adapters.household_edits import read_household_points, read_points_bulk

    layer = QgsVectorLayer(f"{workspace.path}|layername=households", "households", "ogr")
    mapping = resolve_mapping(layer.fields(), "households", False)
    bulk = read_points_bulk(layer, mapping, workspace.crs)
    assert bulk is not None
    layer.setSubsetString("fid > 0")
    assert read_points_bulk(layer, mapping, workspace.crs) is None  # a filtered layer goes through QGIS
    slow = read_household_points(layer, mapping, workspace.crs)
    assert list(bulk.fids) == list(slow.fids)
    assert shapely.equals(bulk.points, slow.points).all()
    for name in ("persons", "relocated", "absent"):
        assert [v for v in bulk.attributes[name]] == list(slow.attributes[name]), name
    assert bulk.attributes["relocated"].dtype == bool  # flags stay flags

    dataset = ogr.Open(str(workspace.path), 1)
    dataset.ExecuteSQL("UPDATE households SET persons = NULL WHERE fid = 2")
    dataset = None
    layer.setSubsetString("")
    assert read_points_bulk(layer, mapping, workspace.crs) is None  # nulls: the iterator keeps them as None
    assert read_household_points(layer, mapping, workspace.crs).attributes["persons"][1] is None
