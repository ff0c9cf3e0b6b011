"""Workspace GeoPackages: created from the schema, round-trip, and bad files refused untouched."""

from __future__ import annotations

import hashlib
import sqlite3
import stat

import pytest
from osgeo import ogr
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsFields,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)

from plugin.adapters.workspace import WorkspaceError, _write_layer, create_workspace, open_workspace, read_info
from plugin.core import schema


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_created_workspace_round_trips(empty_workspace):
    ws = open_workspace(empty_workspace.path)
    assert ws.info.county_code == "610902"
    assert ws.info.county_name == "汉滨区"
    assert ws.info.crs == "EPSG:4524"
    assert ws.info.schema_version == schema.SCHEMA_VERSION
    assert set(ws.layers) == {d.name for d in schema.WORKSPACE_LAYERS}
    for layer_def in schema.WORKSPACE_LAYERS:
        layer = ws.layers[layer_def.name]
        assert layer.isValid()
        names = layer.fields().names()
        for field_def in layer_def.fields:
            assert field_def.name in names, (layer_def.name, field_def.name)
            index = layer.fields().indexFromName(field_def.name)
            assert layer.attributeAlias(index) == field_def.alias_zh
        if layer_def.geometry is schema.GeometryKind.NONE:
            assert layer.wkbType() == QgsWkbTypes.Type.NoGeometry
        else:
            assert layer.crs().authid() == "EPSG:4524"
    level1 = ws.layers["grid_level1"]
    assert level1.wkbType() == QgsWkbTypes.Type.MultiPolygon
    assert level1.labelsEnabled()
    kind = level1.editorWidgetSetup(level1.fields().indexFromName("kind"))
    assert kind.type() == "ValueMap"
    labels = {next(iter(entry)) for entry in kind.config()["map"]}
    assert labels == {"综合网格", "专属网格"}


def test_default_styles_are_stored_in_the_geopackage(empty_workspace):
    """Opened without the plugin (plain QGIS), a layer still gets its style and aliases from layer_styles."""
    path = empty_workspace.path
    with sqlite3.connect(path) as db:
        styled = {row[0] for row in db.execute("select f_table_name from layer_styles where useAsDefault")}
    assert {"grid_level1", "grid_level2", "grid_level3", "grid_dedicated", "audit_findings"} <= styled
    plain = QgsVectorLayer(f"{path}|layername=grid_level3", "plain", "ogr")
    plain.loadDefaultStyle()
    assert plain.attributeAlias(plain.fields().indexFromName("code")) == "网格编码"
    assert plain.labelsEnabled()


def test_styles_distinguish_levels(empty_workspace):
    colors = set()
    widths = set()
    for level in (1, 2, 3, 0):
        symbol = empty_workspace.grid_layer(level).renderer().symbol()
        layer = symbol.symbolLayer(0)
        colors.add(layer.strokeColor().name())
        widths.add(round(layer.strokeWidth(), 2))
    assert len(colors) == 4
    assert len(widths) >= 3


def test_not_a_geopackage_is_refused_untouched(tmp_path, qgis_app):
    path = tmp_path / "notes.gpkg"
    path.write_text("this is not a database")
    before = digest(path)
    with pytest.raises(WorkspaceError, match="not a GeoPackage"):
        open_workspace(path)
    assert digest(path) == before


def test_geopackage_of_another_schema_is_refused_untouched(tmp_path, qgis_app):
    path = tmp_path / "other.gpkg"
    driver = ogr.GetDriverByName("GPKG")
    dataset = driver.CreateDataSource(str(path))
    layer = dataset.CreateLayer("roads", geom_type=ogr.wkbLineString)
    layer.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    dataset = None
    before = digest(path)
    with pytest.raises(WorkspaceError, match="not a Community Grids workspace"):
        open_workspace(path)
    assert digest(path) == before
    assert not (tmp_path / "other.gpkg-wal").exists()


def test_newer_schema_is_refused_untouched(empty_workspace):
    path = empty_workspace.path
    with sqlite3.connect(path) as db:
        db.execute(
            "update workspace_info set value = ? where key = 'schema_version'", (str(schema.SCHEMA_VERSION + 1),)
        )
    before = digest(path)
    with pytest.raises(WorkspaceError, match="newer Community Grids"):
        open_workspace(path)
    assert digest(path) == before


def test_missing_layer_is_named(empty_workspace):
    path = empty_workspace.path
    dataset = ogr.Open(str(path), 1)
    dataset.DeleteLayer(dataset.GetLayerByName("households").GetName() and _index(dataset, "households"))
    dataset = None
    with pytest.raises(WorkspaceError, match="households"):
        read_info(path)


def _index(dataset, name):
    return next(i for i in range(dataset.GetLayerCount()) if dataset.GetLayer(i).GetName() == name)


def test_read_only_folder_is_refused(tmp_path, qgis_app):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(WorkspaceError, match="read-only"):
            create_workspace(folder / "ws.gpkg", "610902", "汉滨区", "EPSG:4524")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(stat.S_IRWXU)


def test_existing_file_is_not_overwritten(empty_workspace):
    path = empty_workspace.path
    before = digest(path)
    with pytest.raises(WorkspaceError, match="already exists"):
        create_workspace(path, "610902", "汉滨区", "EPSG:4524")
    assert digest(path) == before


def test_geographic_crs_is_refused(tmp_path, qgis_app):
    with pytest.raises(WorkspaceError, match="geographic"):
        create_workspace(tmp_path / "ws.gpkg", "610902", "汉滨区", "EPSG:4490")
    assert not (tmp_path / "ws.gpkg").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_file_writer_error_reaches_the_user_verbatim(tmp_path):
    """QgsVectorFileWriter's own error message is part of the WorkspaceError, word for word."""
    target = tmp_path / "no such folder" / "workspace.gpkg"
    crs = QgsCoordinateReferenceSystem("EPSG:4524")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = schema.STAFF.name
    writer = QgsVectorFileWriter.create(
        str(target), QgsFields(), QgsWkbTypes.Type.NoGeometry, crs, QgsCoordinateTransformContext(), options
    )
    expected = writer.errorMessage()
    assert writer.hasError() != QgsVectorFileWriter.WriterError.NoError and expected
    del writer
    with pytest.raises(WorkspaceError) as failed:
        _write_layer(target, schema.STAFF, crs, [], first=True)
    assert expected in str(failed.value) and schema.STAFF.name in str(failed.value)
    assert not target.parent.exists()


def test_a_workspace_rewritten_in_place_is_read_anew_by_open_and_new_layers(tmp_path, qgis_app):
    """write_workspace(overwrite=True) swaps a new file in (same path, new inode): layers opened before the
    swap and read through QGIS's pooled connections, and layers opened after it, read the new file."""
    import os

    from devtools import drawing_sample as sample
    from plugin.adapters.workspace import write_workspace

    path = tmp_path / "drawing.gpkg"
    data = sample.sample_data()
    write_workspace(path, data.info, data)
    old = QgsVectorLayer(f"{path}|layername=grid_level3", "before", "ogr")
    assert len(list(old.getFeatures())) == 3  # a pooled read-only connection to the first file
    inode = os.stat(path).st_ino
    rewritten = sample.sample_data()
    del rewritten.grids["grid_level3"]
    write_workspace(path, rewritten.info, rewritten, overwrite=True)
    assert os.stat(path).st_ino != inode
    new = QgsVectorLayer(f"{path}|layername=grid_level3", "after", "ogr")
    assert new.isValid()
    assert len(list(new.getFeatures())) == 0
    assert len(list(old.getFeatures())) == 0
    assert read_info(path).county_code == sample.COUNTY_CODE
    del old, new


def test_a_locked_workspace_is_reported_as_locked_not_as_a_foreign_file(empty_workspace):
    """A workspace in DELETE journal mode (its state on disk once QGIS closed it) that another program holds
    an exclusive lock on cannot be read at all: the message says so, in SQLite's words."""
    path = empty_workspace.path
    with sqlite3.connect(path) as db:
        assert db.execute("pragma journal_mode").fetchone()[0] == "delete"
    locker = sqlite3.connect(path, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(WorkspaceError, match="locked by another program") as raised:
            read_info(path)
    finally:
        locker.rollback()
        locker.close()
    assert "database is locked" in str(raised.value)
    assert read_info(path).county_code == "610902"
