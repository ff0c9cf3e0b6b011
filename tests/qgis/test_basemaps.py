"""Basemaps: Tianditu URIs with key and Referer, clear failures offline (no hang), local servers and files."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import numpy as np
import pytest
from osgeo import gdal, osr
from qgis.core import QgsProject, QgsRasterLayer, QgsSettings

from plugin.adapters import basemaps

TRANSPARENT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.fixture
def settings():
    saved = {
        k: QgsSettings().value(k, None) for k in (basemaps.SETTING_TIANDITU_KEY, basemaps.SETTING_TIANDITU_REFERER)
    }
    yield QgsSettings()
    for key, value in saved.items():
        if value is None:
            QgsSettings().remove(key)
        else:
            QgsSettings().setValue(key, value)


@pytest.fixture
def project(qgis_new_project):
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()


@pytest.fixture
def tile_server():
    """A tile server on the loopback interface that records the Referer of each request."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append((self.path, self.headers.get("Referer")))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(TRANSPARENT_PNG)))
            self.end_headers()
            self.wfile.write(TRANSPARENT_PNG)

        def log_message(self, *args):
            """Keep the test output free of the server's request log."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: a reachability check must give up on its own."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def basemap_layers(project):
    group = project.layerTreeRoot().findGroup(basemaps.BASEMAP_GROUP)
    return [] if group is None else [node.layer() for node in group.findLayers()]


# ---------------------------------------------------------------- Tianditu


def test_tianditu_uri_carries_the_referer_and_never_the_key(qgis_app):
    specs = basemaps.tianditu_specs("imagery", key="0123abcd", referer="https://grids.example.cn/")
    assert [s.name for s in specs] == ["Tianditu imagery", "Tianditu imagery labels"]
    for spec, layer_id in zip(specs, ("img", "cia")):
        uri = spec.uri()
        assert "type=xyz" in uri
        assert "http-header:referer=https://grids.example.cn/" in uri
        assert f"LAYER%3D{layer_id}" in uri and "0123abcd" not in uri and "tk" not in uri
        assert "%7Bz%7D" in uri and "TILEMATRIXSET%3Dw" in uri
        layer = QgsRasterLayer(uri, spec.name, "wms")
        assert layer.isValid()
    assert "TILEMATRIX=1&TILEROW=0&TILECOL=0" in specs[0].probe_url()
    basemaps.remove_key_injector()


def test_the_key_is_added_to_tianditu_requests_at_run_time_only(qgis_app):
    from qgis.PyQt.QtCore import QUrl
    from qgis.PyQt.QtNetwork import QNetworkRequest

    basemaps.install_key_injector("0123abcd")
    try:
        spec = basemaps.tianditu_specs("vector", key="0123abcd")[0]
        request = QNetworkRequest(QUrl(spec.probe_url()))
        basemaps.add_tianditu_key(request)
        assert request.url().toString().endswith("&tk=0123abcd")
        other = QNetworkRequest(QUrl("https://tile.openstreetmap.org/1/0/0.png"))
        basemaps.add_tianditu_key(other)
        assert "tk=" not in other.url().toString()
    finally:
        basemaps.remove_key_injector()


def test_a_saved_project_with_a_tianditu_basemap_holds_no_key(qgis_app, tmp_path):
    import zipfile

    key = "f00dfeedc0ffee1234567890abcdef12"
    project = QgsProject()
    try:
        for spec in basemaps.tianditu_specs("imagery", key=key, referer="https://grids.example.cn/"):
            layer = QgsRasterLayer(spec.uri(), spec.name, "wms")
            assert layer.isValid()
            project.addMapLayer(layer)
        path = tmp_path / "with_basemap.qgz"
        assert project.write(str(path))
        with zipfile.ZipFile(path) as archive:
            contents = b"".join(archive.read(name) for name in archive.namelist())
        assert b"t0.tianditu.gov.cn" in contents and key.encode() not in contents
        assert path.read_bytes().find(key.encode()) < 0
    finally:
        project.clear()
        basemaps.remove_key_injector()


def test_tianditu_without_a_key_is_refused(settings, project):
    settings.setValue(basemaps.SETTING_TIANDITU_KEY, "")
    with pytest.raises(basemaps.BasemapError, match="your own key"):
        basemaps.add_tianditu("vector", project)
    assert basemap_layers(project) == []


def test_tianditu_offline_fails_fast_and_adds_nothing(settings, project):
    basemaps.set_tianditu("0123abcd", "https://grids.example.cn/")
    started = time.monotonic()
    with pytest.raises(basemaps.BasemapError, match="not available") as info:
        basemaps.add_tianditu("vector", project, timeout=3000)
    assert time.monotonic() - started < 6
    assert "t0.tianditu.gov.cn" in str(info.value) and "offline" in str(info.value)
    assert basemap_layers(project) == []
    assert project.mapLayers() == {}


def test_osm_offline_fails_fast(project):
    started = time.monotonic()
    with pytest.raises(basemaps.BasemapError, match="OpenStreetMap is not available"):
        basemaps.add_osm(project, timeout=3000)
    assert time.monotonic() - started < 6
    assert project.mapLayers() == {}


def test_a_server_that_never_answers_times_out(silent_server, qgis_app):
    started = time.monotonic()
    problem = basemaps.check_reachable(silent_server + "/0/0/0.png", timeout=600)
    assert problem is not None and "no answer" in problem
    assert time.monotonic() - started < 3


# ---------------------------------------------------------------- a reachable tile server (loopback)


def test_xyz_layer_from_a_local_tile_server(tile_server, project):
    url, seen = tile_server
    layers = basemaps.add_xyz(
        "Local tiles", url + "/{z}/{x}/{y}.png", referer="https://grids.example.cn/", project=project
    )
    assert len(layers) == 1 and layers[0].isValid()
    assert seen and seen[0] == ("/0/0/0.png", "https://grids.example.cn/")
    assert basemap_layers(project) == layers
    root = project.layerTreeRoot()
    assert root.children()[-1].name() == basemaps.BASEMAP_GROUP  # at the bottom, under the grids


def test_http_error_is_reported(project):
    class Refusing(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(403)
            self.end_headers()

        def log_message(self, *args):
            """Keep the test output free of the server's request log."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(basemaps.BasemapError, match="403"):
            basemaps.add_xyz(
                "Refusing", f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png", project=project
            )
    finally:
        server.shutdown()
        server.server_close()
    assert project.mapLayers() == {}


# ---------------------------------------------------------------- local files


def _raster(path, driver, options=()):
    """A small RGB raster in EPSG:3857 around Ankang, written with GDAL."""
    mem = gdal.GetDriverByName("MEM").Create("", 256, 256, 3, gdal.GDT_Byte)
    mem.SetGeoTransform((12_135_000, 20, 0, 3_855_000, 0, -20))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3857)
    mem.SetProjection(srs.ExportToWkt())
    for band in range(1, 4):
        mem.GetRasterBand(band).WriteArray(np.full((256, 256), 60 * band, dtype=np.uint8))
    out = gdal.Translate(str(path), mem, format=driver, creationOptions=list(options))
    assert out is not None
    out = None
    return path


@pytest.mark.parametrize(
    ("name", "driver", "options"),
    [("ortho.tif", "GTiff", ()), ("tiles.mbtiles", "MBTiles", ()), ("tiles.gpkg", "GPKG", ("RASTER_TABLE=ortho",))],
)
def test_local_basemaps(tmp_path, project, name, driver, options):
    path = _raster(tmp_path / name, driver, options)
    layers = basemaps.add_local(path, project)
    assert len(layers) == 1 and layers[0].isValid()
    assert basemap_layers(project) == layers


def test_bad_local_file_is_refused(tmp_path, project):
    bad = tmp_path / "notes.mbtiles"
    bad.write_text("not tiles")
    with pytest.raises(basemaps.BasemapError, match="could not be opened"):
        basemaps.add_local(bad, project)
    with pytest.raises(basemaps.BasemapError, match="does not exist"):
        basemaps.add_local(tmp_path / "missing.tif", project)
    assert project.mapLayers() == {}


# ---------------------------------------------------------------- from the dock


def test_dock_reports_an_offline_basemap(qgis_iface, project, settings):
    from plugin.gui.dock import GridDock

    qgis_iface.messageBar().clear_messages()
    dock = GridDock(qgis_iface)
    QgsSettings().setValue(basemaps.SETTING_TIMEOUT_MS, 2000)
    try:
        assert dock.add_basemap("osm") == []
        basemaps.set_tianditu("")
        assert dock.add_basemap("tianditu_imagery") == []
    finally:
        QgsSettings().remove(basemaps.SETTING_TIMEOUT_MS)
        dock.cleanup()
        dock.deleteLater()
    warnings = qgis_iface.messageBar().get_messages(1)
    assert any("OpenStreetMap is not available" in m for m in warnings)
    assert any("your own key" in m for m in warnings)
    assert project.mapLayers() == {}


OLD_KEY = "0ldk3y0ldk3y0ldk3y0ldk3y0ldk3y99"


def old_project_with_a_key(path) -> None:
    """A project as older versions saved it: Tianditu layers whose URL carries ``tk=…``."""
    project = QgsProject()
    try:
        for layer_name, title in basemaps.TIANDITU_KINDS["vector"]:
            url = basemaps.TIANDITU_TEMPLATE.format(layer=layer_name) + f"&tk={OLD_KEY}"
            layer = QgsRasterLayer(basemaps.xyz_uri(url, 1, 18, "https://grids.example.cn/"), title, "wms")
            assert layer.isValid()
            project.addMapLayer(layer)
        assert project.write(str(path))
    finally:
        project.clear()


def project_bytes(path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_strip_key_keeps_the_rest_of_the_url():
    template = basemaps.TIANDITU_TEMPLATE.format(layer="vec")
    assert basemaps.strip_key(template + "&tk=abc") == (template, "abc")
    assert basemaps.strip_key("https://t0.tianditu.gov.cn/x?tk=abc&LAYER=vec") == (
        "https://t0.tianditu.gov.cn/x?LAYER=vec",
        "abc",
    )
    assert basemaps.strip_key("https://t0.tianditu.gov.cn/x?A=1&TK=abc&B=2") == (
        "https://t0.tianditu.gov.cn/x?A=1&B=2",
        "abc",
    )
    assert basemaps.strip_key(template) == (template, "")


def test_an_old_project_with_a_key_in_its_urls_is_saved_again_without_it(settings, tmp_path, qgis_app):
    old = tmp_path / "old.qgz"
    old_project_with_a_key(old)
    assert OLD_KEY.encode() in project_bytes(old)  # the project as it was saved before
    settings.setValue(basemaps.SETTING_TIANDITU_KEY, "")
    project = QgsProject()
    try:
        assert project.read(str(old))
        assert sorted(basemaps.move_project_keys(project)) == sorted(
            layer.name() for layer in project.mapLayers().values()
        )
        assert basemaps.tianditu_key() == OLD_KEY  # kept in the QGIS settings, the injector adds it
        for layer in project.mapLayers().values():
            assert layer.isValid() and OLD_KEY not in layer.source() and "tianditu.gov.cn" in layer.source()
            assert "TILECOL" in layer.source()  # the rest of the URL is intact
        assert project.isDirty()
        again = tmp_path / "again.qgz"
        assert project.write(str(again))
        assert OLD_KEY.encode() not in project_bytes(again) and OLD_KEY.encode() not in again.read_bytes()
        assert b"tianditu.gov.cn" in project_bytes(again)
        assert basemaps.move_project_keys(project) == []  # nothing left to move
    finally:
        project.clear()
        basemaps.remove_key_injector()


def test_a_stored_key_is_not_replaced_by_the_projects(settings, tmp_path, qgis_app):
    old = tmp_path / "old.qgz"
    old_project_with_a_key(old)
    basemaps.set_tianditu("mine0123")
    project = QgsProject()
    try:
        assert project.read(str(old))
        assert len(basemaps.move_project_keys(project)) == 2
        assert basemaps.tianditu_key() == "mine0123"
        assert all(OLD_KEY not in layer.source() for layer in project.mapLayers().values())
    finally:
        project.clear()
        basemaps.remove_key_injector()
