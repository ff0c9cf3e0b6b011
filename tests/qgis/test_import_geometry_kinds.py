"""Import of unusual geometry: Z and M dropped with a note, curves segmentised with a note, NaN/Inf and absurd
coordinates refused per feature; never a traceback, never a NULL geometry stored."""

from __future__ import annotations

import math

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer
from test_import import workspace  # noqa: F401 - the fixture

from plugin.adapters.importer import ImportFailure, import_boundaries

X, Y = 36_540_000.0, 3_615_000.0  # inside Hanbin (EPSG:4524)


def square_wkt(kind: str, dx: float = 0.0) -> str:
    x0, y0, x1, y1 = X + dx, Y, X + dx + 500, Y + 500
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    extra = {"Z": " 10", "M": " 5", "ZM": " 10 5", "": ""}[kind]
    coords = ", ".join(f"{x} {y}{extra}" for x, y in ring)
    return f"Polygon{' ' + kind if kind else ''} (({coords}))"


def memory_layer(wkb: str, rows) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{wkb}?crs=EPSG:4524&field=code:string", "source", "memory")
    features = []
    for code, geometry in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([code])
        feature.setGeometry(geometry)
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)
    return layer


def stored(ws):
    return {f["code"]: f.geometry() for f in ws.grid_layer(1).getFeatures()}


@pytest.mark.parametrize("kind", ["M", "ZM", "Z"])
def test_z_and_m_are_dropped_with_a_note(workspace, kind):  # noqa: F811
    layer = memory_layer(f"Polygon{kind}", [("A1", QgsGeometry.fromWkt(square_wkt(kind)))])
    result = import_boundaries(layer, workspace, 1, "code")
    assert result.added == 1 and result.skipped == []
    assert any("Z and M values of 1 features were dropped" in w for w in result.warnings)
    geometry = stored(workspace)["A1"]
    assert not geometry.isNull() and geometry.area() == pytest.approx(250_000)


def test_curves_are_segmentised_with_a_note(workspace):  # noqa: F811
    curve = QgsGeometry.fromWkt(f"CurvePolygon (CircularString ({X} {Y}, {X + 400} {Y + 400}, {X} {Y}))")
    layer = memory_layer("CurvePolygon", [("C1", curve)])
    result = import_boundaries(layer, workspace, 1, "code")
    assert result.added == 1
    assert any("curved features were converted" in w for w in result.warnings)
    geometry = stored(workspace)["C1"]
    assert geometry.area() == pytest.approx(math.pi * 80_000, rel=0.01)  # diameter 400·√2


def bad_polygon(x):
    points = [QgsPointXY(x, Y), QgsPointXY(X + 500, Y), QgsPointXY(X + 500, Y + 500), QgsPointXY(x, Y)]
    return QgsGeometry.fromPolygonXY([points])


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e15])
def test_nan_inf_and_absurd_coordinates_are_refused_per_feature(workspace, value):  # noqa: F811
    good = QgsGeometry.fromWkt(square_wkt("", dx=2000))
    layer = memory_layer("Polygon", [("OK", good), ("BAD", bad_polygon(value))])
    result = import_boundaries(layer, workspace, 1, "code")
    assert result.added == 1
    assert len(result.skipped) == 1 and "Feature 2" in result.skipped[0]
    assert any(why in result.skipped[0] for why in ("not a place on Earth", "cannot be transformed", "cannot be read"))
    assert set(stored(workspace)) == {"OK"}
    assert all(not g.isNull() for g in stored(workspace).values())


def test_undefined_crs_is_named_not_called_no_geometry(workspace, tmp_path):  # noqa: F811
    from osgeo import ogr

    path = tmp_path / "srs0.gpkg"
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = dataset.CreateLayer("b", None, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("code", ogr.OFTString))
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetField("code", "A")
    feature.SetGeometry(ogr.CreateGeometryFromWkt(square_wkt("")))
    layer.CreateFeature(feature)
    dataset = None
    source = QgsVectorLayer(f"{path}|layername=b", "b", "ogr")
    with pytest.raises(ImportFailure, match="no coordinate reference system"):
        import_boundaries(source, workspace, 1, "code")
    assert stored(workspace) == {}
