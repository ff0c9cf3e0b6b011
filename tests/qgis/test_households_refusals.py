"""Attach households never zeroes the counts silently: no CRS, all outside, few valid rows, partial tables."""

from __future__ import annotations

import pytest
from osgeo import ogr
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingException, QgsVectorLayer
from test_households_qgis import C1, C2, C3, C4, RETIRED, X0, Y0, V, build_workspace, counts

STORED = {C1: (99, 5, 0), C2: (99, 5, 0), C3: (99, 5, 0), C4: (99, 5, 0), RETIRED: (77, 5, 0)}


@pytest.fixture
def workspace(tmp_path, qgis_app):
    ws = build_workspace(tmp_path / "ws.gpkg")
    yield ws
    ws.layers.clear()


def srs0_points(path, xy):
    """A GeoPackage of points whose srs_id is 0: what GDAL writes for "no CRS"."""
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = dataset.CreateLayer("hh", None, ogr.wkbPoint)
    for x, y in xy:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({x} {y})"))
        layer.CreateFeature(feature)
    dataset = None
    return f"{path}|layername=hh"


def run(parameters):
    import processing

    return processing.run("community_grids:attach_households", parameters)


def test_points_without_crs_are_refused_unless_a_crs_is_given(workspace, provider, tmp_path):
    path = str(workspace.path)
    xy = [(X0 + 10 + i * 0.2, Y0 + 10) for i in range(380)] + [(X0 + 150, Y0 + 150)] * 20
    source = srs0_points(tmp_path / "srs0.gpkg", xy)
    with pytest.raises(QgsProcessingException, match=r"Layer srs0 has no coordinate reference system"):
        run({"WORKSPACE": path, "INPUT": source})
    assert counts(path, "grid_level3") == STORED
    run({"WORKSPACE": path, "INPUT": source, "SOURCE_CRS": "EPSG:4524"})
    got = counts(path, "grid_level3")
    assert got[C1] == (380, 0, 0) and got[C4] == (20, 0, 0) and got[C2] == (0, 0, 0)


def test_points_outside_every_grid_are_refused_with_the_reason(workspace, provider, tmp_path):
    path = str(workspace.path)
    layer = QgsVectorLayer("Point?crs=EPSG:4524", "far", "memory")
    features = []
    for i in range(5):
        feature = QgsFeature()
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(X0 + 50_000 + i, Y0)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    with pytest.raises(QgsProcessingException) as raised:
        run({"WORKSPACE": path, "INPUT": layer})
    text = str(raised.value)
    assert "Nothing was written" in text and "far" in text and "5 of its 5 points lie outside" in text
    assert counts(path, "grid_level3") == STORED
    run({"WORKSPACE": path, "INPUT": layer, "CONFIRM": True})  # the planner confirms: zeroes
    assert counts(path, "grid_level3")[C1] == (0, 0, 0)


def table(rows):
    layer = QgsVectorLayer("None?field=code:string&field=hh:integer&field=people:integer", "register", "memory")
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(list(row))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def table_parameters(path, layer, **extra):
    return {
        "WORKSPACE": path,
        "INPUT": layer,
        "HOUSEHOLDS_FIELD": "hh",
        "PERSONS_FIELD": "people",
        "GRID_CODE_FIELD": "code",
    } | extra


def test_partial_table_updates_only_the_grids_it_names(workspace, provider):
    path = str(workspace.path)
    run(table_parameters(path, table([(C1, 90, 200), ("no-such-code", 1, 1)])))
    got = counts(path, "grid_level3")
    assert got[C1] == (90, 200, 0)
    assert got[C2] == got[C3] == got[C4] == (99, 5, 0)  # not named: kept
    assert counts(path, "grid_level1") == {V: (90 + 3 * 99, 200 + 15, 0)}


def test_few_valid_rows_replacing_all_are_refused(workspace, provider):
    path = str(workspace.path)
    rows = [(C1, 13, 30)] + [(f"bad{i}", 5, 5) for i in range(40)]
    with pytest.raises(QgsProcessingException) as raised:
        run(table_parameters(path, table(rows), REPLACE_ALL=True))
    text = str(raised.value)
    assert "from 396 to 13" in text and "40 of its 41 rows match no grid" in text
    assert counts(path, "grid_level3") == STORED
    run(table_parameters(path, table(rows), REPLACE_ALL=True, CONFIRM=True))
    assert counts(path, "grid_level1") == {V: (13, 30, 0)}


def test_the_threshold_is_the_planners(workspace, provider):
    path = str(workspace.path)
    rows = [(C1, 50, 1), (C2, 99, 5), (C3, 99, 5), (C4, 99, 5)]  # 396 → 347: a 12 % drop
    with pytest.raises(QgsProcessingException, match="from 396 to 347"):
        run(table_parameters(path, table(rows), MAX_DROP=10))
    assert counts(path, "grid_level3") == STORED
    run(table_parameters(path, table(rows)))  # default 20 %
    assert counts(path, "grid_level3")[C1] == (50, 1, 0)
