"""A workspace rendered in background threads while a layer of the same file enters and leaves edit mode.

QGIS 3.22 (GDAL ≥ 3.4.2) opens read-only GeoPackage connections without file locks (``NOLOCK=ON``) and,
unless ``OGR_SQLITE_JOURNAL`` is set, rewrites the file's journal mode to WAL when a layer enters edit mode
and back to DELETE when it leaves. A render thread (or a pooled connection) reading at that moment sees a
changing file: GDAL reports "unable to open database file", "At least one of the required GeoPackage
tables, gpkg_spatial_ref_sys or gpkg_contents, is missing", "Invalid index", and reads come back empty.
That made the map-tool tests fail now and then (a subdivision found no parent, so no children).

The test session runs with ``OGR_SQLITE_JOURNAL=DELETE`` (tests/conftest.py), QGIS's own switch for this:
this test renders while entering and leaving edit mode repeatedly and requires not one GDAL error and every
read complete. Without the setting it fails (dozens of GDAL errors in a few iterations).
"""

from __future__ import annotations

import os

from osgeo import gdal
from qgis.core import QgsCoordinateReferenceSystem, QgsMapRendererParallelJob, QgsMapSettings, QgsRectangle
from qgis.PyQt.QtCore import QSize

from devtools import drawing_sample as sample
from devtools.drawing_sample import X0, Y0


def test_the_suite_keeps_geopackages_out_of_wal_mode():
    assert os.environ.get("OGR_SQLITE_JOURNAL", "").upper() == "DELETE"
    assert gdal.GetConfigOption("OGR_SQLITE_JOURNAL", "").upper() == "DELETE"


def test_rendering_while_entering_and_leaving_edit_mode_reads_everything(tmp_path, qgis_app):
    workspace = sample.build_drawing_sample(tmp_path / "drawing.gpkg")
    settings = QgsMapSettings()
    settings.setLayers([workspace.grid_layer(level) for level in (0, 3, 2, 1)])
    settings.setOutputSize(QSize(300, 300))
    settings.setDestinationCrs(QgsCoordinateReferenceSystem(sample.CRS))
    settings.setExtent(QgsRectangle(X0 - 100, Y0 - 300, X0 + 1900, Y0 + 1300))
    errors: list[str] = []
    gdal.SetErrorHandler(lambda klass, number, message: errors.append(message))  # every thread's errors
    try:
        counts = []
        for _ in range(10):
            job = QgsMapRendererParallelJob(settings)
            job.start()
            assert workspace.grid_layer(2).startEditing()
            counts.append((len(list(workspace.grid_layer(1).getFeatures())), workspace.grid_layer(2).featureCount()))
            job.waitForFinished()
            job = QgsMapRendererParallelJob(settings)
            job.start()
            workspace.grid_layer(2).rollBack()
            counts.append((len(list(workspace.grid_layer(1).getFeatures())), workspace.grid_layer(2).featureCount()))
            job.waitForFinished()
    finally:
        gdal.SetErrorHandler("CPLDefaultErrorHandler")
        workspace.layers.clear()
    assert errors == []
    assert counts == [(2, 2)] * 20
    assert sorted(os.listdir(tmp_path)) == ["drawing.gpkg"]  # no -wal / -shm left beside it
