"""GDAL with exceptions on (GDAL 4's default; QGIS or another plugin may switch them on): same behaviour."""

from __future__ import annotations

import pytest
from osgeo import gdal, ogr, osr

from devtools.synthetic import generate_city
from plugin.adapters.basemaps import BasemapError, local_layers
from plugin.adapters.filing import export_package, read_package_metadata
from plugin.adapters.gdal_compat import open_vector, quiet_gdal
from plugin.adapters.package_io import PackageError
from plugin.adapters.workspace import WorkspaceError, create_workspace, read_info

MODULES = (gdal, ogr, osr)


@pytest.fixture
def exceptions_on():
    switched = [module for module in MODULES if not module.GetUseExceptions()]
    for module in switched:
        module.UseExceptions()
    yield
    for module in reversed(switched):  # GDAL 3.6 keeps them as a stack
        module.DontUseExceptions()


@pytest.fixture
def workspace(tmp_path, qgis_app):
    path = tmp_path / "county.gpkg"
    create_workspace(path, "610902", "汉滨区", "EPSG:4524", data=generate_city(60, seed=5))
    return path


def test_files_gdal_cannot_open_are_refused_not_raised(tmp_path, qgis_app, exceptions_on):
    text = tmp_path / "notes.gpkg"
    text.write_text("not a GeoPackage", encoding="utf-8")
    assert open_vector(text) is None
    with pytest.raises(WorkspaceError, match="is not a GeoPackage"):
        read_info(text)
    with pytest.raises(BasemapError, match="holds no raster tiles"):
        local_layers(text)
    assert all(module.GetUseExceptions() for module in MODULES)  # the caller's choice is restored


def test_export_with_exceptions_on(workspace, tmp_path, exceptions_on):
    with pytest.raises(PackageError, match="Failed to process SRS definition: EPSG:999999"):
        export_package(workspace, tmp_path / "bad.gpkg", exchange_crs="EPSG:999999", record=False)
    result = export_package(workspace, tmp_path / "package.gpkg", record=False)
    assert read_package_metadata(result.path).counts["grid_level3"] == 60
    assert all(module.GetUseExceptions() for module in MODULES)


def test_quiet_gdal_collects_the_errors_in_order(exceptions_on):
    with quiet_gdal() as errors:
        gdal.Error(gdal.CE_Failure, gdal.CPLE_AppDefined, "first")
        gdal.Error(gdal.CE_Warning, gdal.CPLE_AppDefined, "only a warning")
        srs = osr.SpatialReference()
        assert srs.SetFromUserInput("EPSG:999999") != 0  # no exception inside the block
        gdal.Error(gdal.CE_Failure, gdal.CPLE_AppDefined, "first")
    assert errors[0] == "first" and errors[-1] == "first" and "only a warning" not in errors
    assert len(errors) >= 3 and errors.text().startswith("first; ") and errors.text().count("first") == 1
    with pytest.raises(RuntimeError):  # and the caller's exceptions are back after it
        osr.SpatialReference().SetFromUserInput("EPSG:999999")
