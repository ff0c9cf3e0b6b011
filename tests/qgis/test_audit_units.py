"""The audit's input: CRS units (a US-feet CRS is refused, not read as metres), undefined SRS named as such,
curved grids read (segmentised by QGIS), never a traceback."""

from __future__ import annotations

import math

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsFeature, QgsGeometry, QgsVectorLayer

from plugin.adapters.audit_store import AuditStoreError, check_crs, read_grid_layer


@pytest.mark.parametrize("authid", ["EPSG:2227", "EPSG:2263", "EPSG:3361"])  # US survey feet, feet
def test_a_crs_in_feet_is_refused_with_its_unit(qgis_app, authid):
    crs = QgsCoordinateReferenceSystem(authid)
    assert crs.isValid()
    with pytest.raises(AuditStoreError, match=r"grids is in a CRS measured in .*feet"):
        check_crs(crs, "grids")


def test_metre_crs_passes_and_undefined_srs_is_named(qgis_app, tmp_path):
    check_crs(QgsCoordinateReferenceSystem("EPSG:4524"), "grids")
    from osgeo import ogr

    path = tmp_path / "srs0.gpkg"
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    dataset.CreateLayer("g", None, ogr.wkbPolygon)
    dataset = None
    layer = QgsVectorLayer(f"{path}|layername=g", "g", "ogr")
    with pytest.raises(AuditStoreError, match=r"Layer g has no coordinate reference system") as refusal:
        check_crs(layer.crs(), "g")
    if layer.crs().isValid():  # QGIS 3.22 reads srs_id 0 as "Undefined geographic SRS"; 3.40 as no CRS
        assert "undefined SRS" in str(refusal.value)


def test_curved_grids_are_read_as_segmented_polygons(qgis_app):
    layer = QgsVectorLayer("CurvePolygon?crs=EPSG:4524&field=code:string", "curves", "memory")
    feature = QgsFeature(layer.fields())
    feature.setAttributes(["61090200100101001"])
    x, y = 36_540_000, 3_615_000
    feature.setGeometry(QgsGeometry.fromWkt(f"CurvePolygon (CircularString ({x} {y}, {x + 400} {y}, {x} {y}))"))
    assert layer.dataProvider().addFeatures([feature])
    grids = read_grid_layer(layer, 3)
    assert grids.geometries[0] is not None
    assert grids.geometries[0].area == pytest.approx(math.pi * 200**2, rel=0.01)
