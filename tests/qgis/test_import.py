"""Importing boundaries: any CRS, field mapping, GCJ-02 correction, undo, the Processing algorithm, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsGeometry,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QEvent

from plugin.adapters.editing import from_qgs
from plugin.adapters.importer import ImportFailure, import_boundaries, transform
from plugin.adapters.workspace import create_workspace
from plugin.core import schema
from plugin.core.model import WorkspaceData

ROOT = Path(__file__).resolve().parents[2]
WGS84_FILE = ROOT / "resources" / "data" / "ankang_counties_wgs84.geojson"  # copies of ../shared/data
GCJ02_FILE = ROOT / "tests" / "data" / "ankang_counties_gcj02.geojson"
WORKSPACE_CRS = "EPSG:4524"


@pytest.fixture
def workspace(tmp_path, qgis_new_project):
    hanbin = reference_geometries()["610902000000"]
    data = WorkspaceData(info=schema.WorkspaceInfo("610902", "汉滨区", WORKSPACE_CRS), grids={}, county_boundary=hanbin)
    ws = create_workspace(tmp_path / "import.gpkg", "610902", "汉滨区", WORKSPACE_CRS, data=data)
    ws.add_to_project(QgsProject.instance())
    yield ws
    for layer in ws.layers.values():
        if layer.isEditable():
            layer.rollBack()
    QgsProject.instance().removeAllMapLayers()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def reference_geometries():
    """The WGS84 county boundaries projected into the workspace CRS, by code."""
    features = json.loads(WGS84_FILE.read_text(encoding="utf-8"))["features"]
    codes = [f["properties"]["code12"] for f in features]
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    projected = transform(geoms, QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem(WORKSPACE_CRS))
    return dict(zip(codes, projected))


def write_reprojected(source: Path, target: Path, crs: str) -> QgsVectorLayer:
    """The GeoJSON ``source`` rewritten into ``crs`` by the test (QGIS's writer reprojects)."""
    layer = QgsVectorLayer(str(source), "source", "ogr")
    assert layer.isValid()
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GeoJSON"
    options.ct = __import__("qgis.core", fromlist=["QgsCoordinateTransform"]).QgsCoordinateTransform(
        layer.crs(), QgsCoordinateReferenceSystem(crs), QgsProject.instance()
    )
    options.layerOptions = ["RFC7946=NO", "COORDINATE_PRECISION=3"]
    error = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(target), QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.WriterError.NoError, error
    out = QgsVectorLayer(str(target), target.stem, "ogr")
    assert out.isValid() and out.crs().authid() == crs
    return out


def imported(layer) -> dict:
    return {f["code"]: from_qgs(f.geometry()) for f in layer.getFeatures()}


def test_import_from_web_mercator_into_level1(workspace, tmp_path):
    source = write_reprojected(WGS84_FILE, tmp_path / "counties_3857.geojson", "EPSG:3857")
    layer = workspace.grid_layer(1)
    result = import_boundaries(source, workspace, 1, "code12", "name", None)
    assert result.added == 10 and result.skipped == []
    assert layer.featureCount() == 10
    reference = reference_geometries()
    got = imported(layer)
    assert set(got) == set(reference)
    for code, geometry in got.items():
        assert shapely.hausdorff_distance(geometry, reference[code]) < 0.05, code  # 3 decimals of a metre in 3857
    names = {f["code"]: f["name"] for f in layer.getFeatures()}
    assert names["610902000000"] == "汉滨区"
    feature, *_ = list(layer.getFeatures())  # the iterator is consumed: no statement left open on the file
    assert feature["level"] == 1 and feature["kind"] == "comprehensive" and feature["status"] == "active"
    # nine of the ten counties lie outside this workspace's county (Hanbin): the import warns
    assert any("inside the county boundary" in w for w in result.warnings)
    # one undoable edit
    assert layer.undoStack().count() == 1
    layer.undoStack().undo()
    assert layer.featureCount() == 0


def test_gcj02_boundaries_are_corrected_to_within_metres(workspace):
    gcj = QgsVectorLayer(str(GCJ02_FILE), "gcj", "ogr")
    layer = workspace.grid_layer(1)
    reference = reference_geometries()
    import_boundaries(gcj, workspace, 1, "code12", "name", correct_gcj02=False)
    raw = imported(layer)
    layer.undoStack().undo()
    import_boundaries(gcj, workspace, 1, "code12", "name", correct_gcj02=True)
    corrected = imported(layer)
    for code in reference:
        before = shapely.hausdorff_distance(raw[code], reference[code])
        after = shapely.hausdorff_distance(corrected[code], reference[code])
        assert before > 300, (code, before)  # the web-map offset, hundreds of metres
        assert after < 5, (code, after)  # corrected to within a few metres
        assert shapely.area(corrected[code]) == pytest.approx(shapely.area(reference[code]), rel=1e-3)


def test_gcj02_correction_from_projected_web_mercator(workspace, tmp_path):
    """GCJ-02 data delivered in web Mercator (as tiles and many web exports are) are corrected too."""
    source = write_reprojected(GCJ02_FILE, tmp_path / "gcj_3857.geojson", "EPSG:3857")
    import_boundaries(source, workspace, 1, "code12", "name", correct_gcj02=True)
    reference = reference_geometries()
    for code, geometry in imported(workspace.grid_layer(1)).items():
        assert shapely.hausdorff_distance(geometry, reference[code]) < 5


def test_parent_field_level_and_duplicates(workspace, tmp_path):
    path = tmp_path / "sections.geojson"
    squares = [
        ("61090200100101", "一片区", "610902001001", shapely.box(108.99, 32.69, 109.00, 32.70)),
        ("61090200100102", "二片区", "610902001001", shapely.box(109.00, 32.69, 109.01, 32.70)),
        ("61090200100102", "重复", "610902001001", shapely.box(109.01, 32.69, 109.02, 32.70)),
        ("61090200100103", "无形", "610902001001", None),
    ]
    features = [
        {
            "type": "Feature",
            "properties": {"BM": code, "MC": name, "SJBM": parent},
            "geometry": None if geom is None else json.loads(shapely.to_geojson(geom)),
        }
        for code, name, parent, geom in squares
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    source = QgsVectorLayer(str(path), "sections", "ogr")
    result = import_boundaries(source, workspace, 2, "BM", "MC", "SJBM")
    assert result.added == 2
    assert len(result.skipped) == 2
    assert any("61090200100102" in m and "already used" in m for m in result.skipped)
    assert any("no polygon" in m for m in result.skipped)
    rows = {f["code"]: (f["name"], f["parent_code"], f["level"]) for f in workspace.grid_layer(2).getFeatures()}
    assert rows == {
        "61090200100101": ("一片区", "610902001001", 2),
        "61090200100102": ("二片区", "610902001001", 2),
    }


def test_bad_input_changes_nothing(workspace, tmp_path):
    layer = workspace.grid_layer(1)
    source = QgsVectorLayer(str(WGS84_FILE), "counties", "ogr")
    with pytest.raises(ImportFailure, match="has no field 编码"):
        import_boundaries(source, workspace, 1, "编码", "name")
    points = QgsVectorLayer("Point?crs=EPSG:4326&field=code:string", "points", "memory")
    with pytest.raises(ImportFailure, match="holds no polygons"):
        import_boundaries(points, workspace, 1, "code", None)
    no_crs = QgsVectorLayer("Polygon?field=code:string", "no crs", "memory")
    no_crs.setCrs(QgsCoordinateReferenceSystem())
    feature = QgsFeature(no_crs.fields())
    feature.setAttributes(["x"])
    feature.setGeometry(QgsGeometry.fromWkt("POLYGON((0 0, 1 0, 1 1, 0 0))"))
    no_crs.dataProvider().addFeatures([feature])
    with pytest.raises(ImportFailure, match="no coordinate reference system"):
        import_boundaries(no_crs, workspace, 1, "code", None)
    assert layer.featureCount() == 0
    assert layer.undoStack().count() == 0


def test_processing_algorithm_writes_the_file(workspace, tmp_path, qgis_processing):
    import processing

    from plugin.processing.provider import PROVIDER_ID, CommunityGridsProvider

    registry = QgsApplication.processingRegistry()
    provider = None
    if registry.providerById(PROVIDER_ID) is None:
        provider = CommunityGridsProvider()
        registry.addProvider(provider)
    try:
        result = processing.run(
            f"{PROVIDER_ID}:import_grid_boundaries",
            {
                "INPUT": str(GCJ02_FILE),
                "WORKSPACE": str(workspace.path),
                "LEVEL": 0,
                "CODE_FIELD": "code12",
                "NAME_FIELD": "name",
                "PARENT_FIELD": None,
                "GCJ02": True,
            },
        )
    finally:
        if provider is not None:
            registry.removeProvider(provider)
    assert result["ADDED"] == 10 and result["SKIPPED"] == 0
    on_disk = QgsVectorLayer(f"{workspace.path}|layername=grid_level1", "check", "ogr")
    assert on_disk.featureCount() == 10
    reference = reference_geometries()
    for code, geometry in imported(on_disk).items():
        assert shapely.hausdorff_distance(geometry, reference[code]) < 5
    del on_disk


def test_import_dialog_adds_to_the_edit_buffer(workspace, qgis_iface, tmp_path):
    from plugin.gui.import_dialog import ImportDialog
    from plugin.gui.session import EditSession

    source = QgsVectorLayer(str(GCJ02_FILE), "web map counties", "ogr")
    QgsProject.instance().addMapLayer(source)
    session = EditSession(qgis_iface, workspace)
    dialog = ImportDialog(qgis_iface, session)
    dialog.layer_combo.setLayer(source)
    assert dialog.code_combo.currentField() == "code12"  # guessed from the field names
    assert dialog.name_combo.currentField() == "name"
    dialog.level_combo.setCurrentIndex(0)
    dialog.gcj_check.setChecked(True)
    dialog.run()
    layer = workspace.grid_layer(1)
    assert layer.featureCount() == 10 and layer.isModified()
    reference = reference_geometries()
    distances = [shapely.hausdorff_distance(g, reference[c]) for c, g in imported(layer).items()]
    assert np.max(distances) < 5
    layer.undoStack().undo()
    assert layer.featureCount() == 0


def test_import_dialog_names_a_damaged_file_as_unreadable_not_missing(workspace, qgis_iface, tmp_path):
    from plugin.gui.import_dialog import ImportDialog
    from plugin.gui.session import EditSession

    damaged = tmp_path / "boundaries.gpkg"
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20)
    session = EditSession(qgis_iface, workspace)
    dialog = ImportDialog(qgis_iface, session)
    try:
        dialog.file_widget.setFilePath(str(damaged))
        text = session.messages[-1][1]
        assert "exists but cannot be read" in text and "file is not a database" in text
        assert dialog.file_layer is None
        dialog.file_widget.setFilePath(str(tmp_path / "missing.gpkg"))
        assert session.messages[-1][1].endswith("does not exist.")
    finally:
        dialog.deleteLater()
