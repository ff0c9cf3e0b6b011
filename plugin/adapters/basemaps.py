"""Basemaps for drawing: Tianditu (vector or imagery, with labels), OpenStreetMap, and local tiles.

Network basemaps are XYZ layers of QGIS's "wms" provider. Tianditu needs the user's own key
(stored in the QGIS settings, never in the plugin) and, since 2023, a Referer header matching the
key's registered site, passed as ``http-header:referer`` in the layer URI (and the older ``referer``
parameter for QGIS < 3.24). Before a network layer is added, one tile is requested through
QgsNetworkAccessManager with a short timeout: offline, or with a refused key, the user gets a clear
message and nothing is added; nothing waits longer than the timeout.

Local basemaps for offline work: any raster GDAL reads (GeoTIFF…), MBTiles (raster, or vector
tiles), and the raster tile tables of a GeoPackage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qgis.core import (
    QgsDataSourceUri,
    QgsNetworkAccessManager,
    QgsProject,
    QgsRasterLayer,
    QgsSettings,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QEventLoop, QTimer, QUrl, QUrlQuery
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from ..core import schema
from ..core.errors import PluginError
from ..i18n import tr
from .gdal_compat import open_raster

SETTING_TIANDITU_KEY = "CommunityGrids/tianditu_key"
SETTING_TIANDITU_REFERER = "CommunityGrids/tianditu_referer"
SETTING_TIMEOUT_MS = "CommunityGrids/basemap_timeout_ms"
DEFAULT_REFERER = "https://www.tianditu.gov.cn/"
DEFAULT_TIMEOUT_MS = 5000
BASEMAP_GROUP = "Basemaps"
PROPERTY = schema.PROPERTY_BASEMAP

TIANDITU_TEMPLATE = (
    "https://t0.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}"
)
TIANDITU_HOST = "tianditu.gov.cn"
TIANDITU_KINDS = {
    "vector": (("vec", "Tianditu vector map"), ("cva", "Tianditu labels")),
    "imagery": (("img", "Tianditu imagery"), ("cia", "Tianditu imagery labels")),
}
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_REFERER = "https://www.openstreetmap.org/"


class BasemapError(PluginError):
    """A basemap could not be added; the message is translated and says why. Nothing was added."""


@dataclass(frozen=True)
class XyzSpec:
    name: str  # translated display name
    url: str  # template with {x} {y} {z}
    zmin: int = 0
    zmax: int = 18
    referer: str | None = None
    probe: tuple[int, int, int] = (0, 0, 0)  # z, x, y of the tile that tests reachability

    def uri(self) -> str:
        return xyz_uri(self.url, self.zmin, self.zmax, self.referer)

    def probe_url(self) -> str:
        z, x, y = self.probe
        return self.url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


def xyz_uri(url: str, zmin: int = 0, zmax: int = 18, referer: str | None = None) -> str:
    """The data source of an XYZ layer, encoded as QGIS expects (url percent-encoded)."""
    uri = QgsDataSourceUri()
    uri.setParam("type", "xyz")
    uri.setParam("url", url)
    uri.setParam("zmin", str(zmin))
    uri.setParam("zmax", str(zmax))
    if referer:
        uri.setParam("http-header:referer", referer)  # QGIS ≥ 3.24
        uri.setParam("referer", referer)  # QGIS 3.22
    return bytes(uri.encodedUri()).decode("utf-8")


# ---------------------------------------------------------------- settings


def tianditu_key() -> str:
    return str(QgsSettings().value(SETTING_TIANDITU_KEY, "", type=str) or "").strip()


def tianditu_referer() -> str:
    return str(QgsSettings().value(SETTING_TIANDITU_REFERER, DEFAULT_REFERER, type=str) or DEFAULT_REFERER).strip()


def set_tianditu(key: str, referer: str | None = None) -> None:
    settings = QgsSettings()
    settings.setValue(SETTING_TIANDITU_KEY, (key or "").strip())
    _injector["key"] = (key or "").strip()
    if referer is not None:
        settings.setValue(SETTING_TIANDITU_REFERER, referer.strip() or DEFAULT_REFERER)


def timeout_ms() -> int:
    return int(QgsSettings().value(SETTING_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, type=int))


# ---------------------------------------------------------------- the key, added to requests at run time

# The Tianditu key lives in the user's QGIS settings (profile), never in a layer's URL: a saved project,
# a package, a report or a log holds the URL without it. A request pre-processor of QGIS's network manager
# (QgsNetworkAccessManager.setRequestPreprocessor, QGIS ≥ 3.22) adds tk=… to each request for the Tianditu
# host as it leaves, in whatever thread fetches the tiles.
_injector: dict = {"id": None, "key": ""}


def add_tianditu_key(request) -> None:
    """Add ``tk`` to a QNetworkRequest for the Tianditu host that has none (the pre-processor)."""
    key = _injector["key"]
    url = request.url()
    if not key or not url.host().lower().endswith(TIANDITU_HOST):
        return
    query = QUrlQuery(url)
    if query.hasQueryItem("tk"):
        return
    query.addQueryItem("tk", key)
    url.setQuery(query)
    request.setUrl(url)


def install_key_injector(key: str | None = None) -> None:
    """Register the pre-processor once (idempotent); ``key``: the key to add (default: the stored one)."""
    _injector["key"] = (key if key is not None else tianditu_key()).strip()
    if _injector["id"] is None:
        _injector["id"] = QgsNetworkAccessManager.setRequestPreprocessor(add_tianditu_key)


def remove_key_injector() -> None:
    """Unregister the pre-processor (plugin unload)."""
    if _injector["id"] is not None:
        QgsNetworkAccessManager.removeRequestPreprocessor(_injector["id"])
        _injector["id"] = None
    _injector["key"] = ""


# ---------------------------------------------------------------- keys in old projects

_KEY_IN_URL = re.compile(r"([?&])tk=([^&]*)&?", re.IGNORECASE)


def strip_key(url: str) -> tuple[str, str]:
    """(``url`` without its ``tk=…`` query item, the key or "")."""
    match = _KEY_IN_URL.search(url)
    if match is None:
        return url, ""
    key = QUrl.fromPercentEncoding(match.group(2).encode()).strip()
    rest = url[: match.start()] + (match.group(1) if match.group(0).endswith("&") else "") + url[match.end() :]
    return rest.rstrip("?&"), key


def move_project_keys(project: QgsProject | None = None) -> list[str]:
    """Take the Tianditu key out of the project's basemap layers (projects saved before the key moved out
    of the URL carry ``tk=…`` in each layer's source): each layer's source is set again without it, the key
    goes to the QGIS settings when none is stored there, and the run-time injector adds it to the requests.
    The project, saved again, holds no key. Returns the names of the layers changed."""
    from qgis.core import QgsDataProvider

    project = project or QgsProject.instance()
    changed, found = [], ""
    for layer in project.mapLayers().values():
        if layer.providerType() != "wms" or TIANDITU_HOST not in layer.source().lower():
            continue
        uri = QgsDataSourceUri()
        uri.setEncodedUri(layer.source())
        url, key = strip_key(uri.param("url")) if uri.hasParam("url") else ("", "")
        if not key:
            continue
        uri.removeParam("url")
        uri.setParam("url", url)
        source = bytes(uri.encodedUri()).decode("utf-8")
        layer.setDataSource(source, layer.name(), layer.providerType(), QgsDataProvider.ProviderOptions())
        changed.append(layer.name())
        found = found or key
    if found:
        if not tianditu_key():
            set_tianditu(found)
        install_key_injector()
        project.setDirty(True)
    return changed


# ---------------------------------------------------------------- specs


def tianditu_specs(kind: str, key: str | None = None, referer: str | None = None) -> list[XyzSpec]:
    """The base layer and its label layer for ``kind`` 'vector' or 'imagery'."""
    key = (key if key is not None else tianditu_key()).strip()
    if not key:
        raise BasemapError(
            tr("Tianditu needs your own key: enter it under Basemaps → Tianditu key… (get one at tianditu.gov.cn).")
        )
    if kind not in TIANDITU_KINDS:
        raise BasemapError(tr("Unknown Tianditu map {kind}.").format(kind=kind))
    referer = referer or tianditu_referer()
    install_key_injector(key)
    return [
        XyzSpec(tr(title), TIANDITU_TEMPLATE.format(layer=layer), 1, 18, referer, probe=(1, 0, 0))
        for layer, title in TIANDITU_KINDS[kind]
    ]


def osm_spec() -> XyzSpec:
    return XyzSpec(tr("OpenStreetMap"), OSM_URL, 0, 19, OSM_REFERER)


# ---------------------------------------------------------------- network


def check_reachable(url: str, referer: str | None = None, timeout: int | None = None) -> str | None:
    """None if one GET of ``url`` succeeds within ``timeout`` ms, else a translated reason."""
    timeout = timeout_ms() if timeout is None else timeout
    request = QNetworkRequest(QUrl(url))
    if referer:
        request.setRawHeader(b"Referer", referer.encode("utf-8"))
    reply = QgsNetworkAccessManager.instance().get(request)
    loop = QEventLoop()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    reply.finished.connect(loop.quit)
    timer.start(timeout)
    if not reply.isFinished():
        loop.exec()
    timer.stop()
    try:
        if not reply.isFinished():
            reply.abort()
            return tr("no answer within {seconds:g} s").format(seconds=timeout / 1000)
        status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
        if reply.error() != QNetworkReply.NetworkError.NoError:
            if status:
                return tr("HTTP {status}: {error}").format(status=int(status), error=reply.errorString())
            return reply.errorString()
        if status is not None and int(status) >= 400:
            return tr("HTTP {status}").format(status=int(status))
        return None
    finally:
        reply.deleteLater()


def network_layers(specs: list[XyzSpec], timeout: int | None = None) -> list[QgsRasterLayer]:
    """XYZ layers for ``specs`` after checking that their server answers; raises BasemapError."""
    layers = []
    for spec in specs:
        problem = check_reachable(spec.probe_url(), spec.referer, timeout)
        if problem is not None:
            host = QUrl(spec.url).host()
            raise BasemapError(
                tr(
                    "{name} is not available ({problem}). Check the network connection to {host}"
                    " or use a local basemap for offline work; nothing was added."
                ).format(name=spec.name, problem=problem, host=host)
            )
        layer = QgsRasterLayer(spec.uri(), spec.name, "wms")
        if not layer.isValid():
            raise BasemapError(tr("QGIS could not open {name} as a tile layer.").format(name=spec.name))
        layers.append(layer)
    return layers


# ---------------------------------------------------------------- local files


LOCAL_FILTER = "Tiles and rasters (*.mbtiles *.gpkg *.tif *.tiff *.jpg *.png *.vrt *.img);;All files (*)"


def local_layers(path: str | Path) -> list:
    """Layers for a local basemap file: raster (GDAL), MBTiles (raster or vector tiles), GeoPackage tiles."""
    path = Path(path)
    if not path.is_file():
        raise BasemapError(tr("{path} does not exist.").format(path=path))
    name = path.stem
    layers = []
    if path.suffix.lower() == ".gpkg":
        dataset = open_raster(path)
        if dataset is None:
            raise BasemapError(tr("{path} holds no raster tiles (it may be a vector GeoPackage).").format(path=path))
        subdatasets = dataset.GetSubDatasets()
        dataset = None
        sources = [(uri, description.split(" - ")[0]) for uri, description in subdatasets] or [(str(path), name)]
        for uri, title in sources:
            table = uri.rsplit(":", 1)[-1] if uri.startswith("GPKG:") else title
            layers.append(QgsRasterLayer(uri, f"{name} {table}".strip(), "gdal"))
    elif path.suffix.lower() == ".mbtiles":
        raster = QgsRasterLayer(str(path), name, "gdal")
        if raster.isValid():
            layers.append(raster)
        else:
            layers.append(QgsVectorTileLayer(f"type=mbtiles&url={path}", name))
    else:
        layers.append(QgsRasterLayer(str(path), name, "gdal"))
    bad = [layer for layer in layers if not layer.isValid()]
    if bad or not layers:
        raise BasemapError(tr("{path} could not be opened as a basemap.").format(path=path))
    return layers


# ---------------------------------------------------------------- project


def add_to_project(layers, project: QgsProject | None = None) -> list:
    """Add basemap layers at the bottom of the layer tree, in a 'Basemaps' group; the last given is drawn on top."""
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    group = root.findGroup(tr(BASEMAP_GROUP))
    if group is None:
        group = root.addGroup(tr(BASEMAP_GROUP))
    for layer in layers:
        layer.setCustomProperty(PROPERTY, True)
        project.addMapLayer(layer, False)
        group.insertLayer(0, layer)
    return list(layers)


def add_tianditu(kind: str, project: QgsProject | None = None, timeout: int | None = None) -> list:
    specs = tianditu_specs(kind)
    layers = network_layers(specs, timeout)
    return add_to_project(layers, project)  # the labels come last: on top


def add_osm(project: QgsProject | None = None, timeout: int | None = None) -> list:
    return add_to_project(network_layers([osm_spec()], timeout), project)


def add_xyz(name: str, url: str, referer: str | None = None, project=None, timeout: int | None = None, zmax: int = 18):
    """Any XYZ tile service (a company or provincial tile server, or a local one)."""
    return add_to_project(network_layers([XyzSpec(name, url, 0, zmax, referer)], timeout), project)


def add_local(path, project: QgsProject | None = None) -> list:
    return add_to_project(local_layers(path), project)
