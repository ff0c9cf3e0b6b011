"""Create and open grid workspaces: one GeoPackage per county, laid out by ``core.schema``.

Files are written through QGIS's own GDAL (QgsVectorFileWriter) into a temporary file beside the
target and moved into place only when complete, so a failure never leaves a half-written workspace.
A file is checked read-only (plain OGR, no update) before QGIS opens it, so a file that is not a
workspace, or is of a newer schema, is refused without being touched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from osgeo import ogr
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..core import schema
from ..core.errors import PluginError
from ..core.model import WorkspaceData
from ..i18n import tr
from .gdal_compat import quiet_gdal
from .qgis_compat import variant_type
from .styles import apply_layer_style

GPKG_SUFFIX = ".gpkg"


class WorkspaceError(PluginError):
    """A workspace could not be created or opened; the message is translated and names the problem."""


_WKB = {
    schema.GeometryKind.NONE: QgsWkbTypes.Type.NoGeometry,
    schema.GeometryKind.POINT: QgsWkbTypes.Type.Point,
    schema.GeometryKind.POLYGON: QgsWkbTypes.Type.Polygon,
    schema.GeometryKind.MULTIPOLYGON: QgsWkbTypes.Type.MultiPolygon,
}


def wkb_type(layer_def: schema.LayerDef):
    return _WKB[layer_def.geometry]


def qgs_fields(layer_def: schema.LayerDef) -> QgsFields:
    fields = QgsFields()
    for f in layer_def.fields:
        fields.append(QgsField(f.name, variant_type(f.type), len=f.length))
    return fields


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().replace(microsecond=0).isoformat()


# ---------------------------------------------------------------- writing


def _check_target(path: Path, overwrite: bool) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise WorkspaceError(tr("The folder {folder} does not exist.").format(folder=folder))
    mode = folder.stat().st_mode
    if not os.access(folder, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WorkspaceError(tr("The folder {folder} is read-only; choose another folder.").format(folder=folder))
    if path.exists() and not overwrite:
        raise WorkspaceError(tr("{path} already exists; it was left unchanged.").format(path=path))


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str = GPKG_SUFFIX):
    """Yield a temporary path beside ``target``; move it over ``target`` only if the block succeeds."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{suffix}", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # GDAL must create the file itself
    try:
        yield tmp
        for extra in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if extra.exists():
                raise WorkspaceError(tr("{path} is still open; it was not moved into place.").format(path=tmp))
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            if leftover.exists():
                leftover.unlink()


def _feature_rows(layer_def: schema.LayerDef, data: WorkspaceData | None, info: schema.WorkspaceInfo):
    """Rows to write into a layer: (attribute dict, wkb bytes or None)."""
    from . import arrays

    if layer_def is schema.WORKSPACE_INFO:
        return [({"key": k, "value": v}, None) for k, v in info.to_rows()]
    if layer_def is schema.SIZE_RULES:  # the standard's thresholds, editable per county afterwards
        from ..core import sizerules

        return [(row, None) for row in sizerules.to_rows(sizerules.default_rules())]
    if data is None:
        return []
    if layer_def.is_grid:
        grid = data.grids.get(layer_def.name)
        return arrays.grid_rows(grid) if grid is not None else []
    if layer_def is schema.COUNTY_BOUNDARY and data.county_boundary is not None:
        return arrays.geometry_rows(
            [data.county_boundary], [{"county_code": info.county_code, "county_name": info.county_name}]
        )
    if layer_def is schema.HOUSEHOLDS and data.households is not None:
        return arrays.point_rows(data.households)
    if layer_def is schema.STAFF:
        return [(row, None) for row in data.staff]
    if layer_def is schema.DIVISIONS:
        return [(row, None) for row in data.divisions]
    return []


def _write_layer(
    path: Path,
    layer_def: schema.LayerDef,
    crs: QgsCoordinateReferenceSystem,
    rows,
    first: bool,
) -> None:
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer_def.name
    options.fileEncoding = "UTF-8"
    options.actionOnExistingFile = (
        QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteFile
        if first
        else QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer
    )
    options.layerOptions = [f"IDENTIFIER={layer_def.name}", f"DESCRIPTION={layer_def.title_zh} {layer_def.title_en}"]
    fields = qgs_fields(layer_def)
    writer = QgsVectorFileWriter.create(
        str(path), fields, wkb_type(layer_def), crs, QgsCoordinateTransformContext(), options
    )
    if writer.hasError() != QgsVectorFileWriter.WriterError.NoError:
        message = writer.errorMessage()
        del writer
        raise WorkspaceError(
            tr("Could not create layer {layer} in {path}: {error}").format(
                layer=layer_def.name, path=path, error=message
            )
        )
    features = []
    names = layer_def.field_names
    for attributes, wkb in rows:
        feature = QgsFeature(fields)
        feature.setAttributes([_qvalue(attributes.get(name)) for name in names])
        if wkb is not None:
            geometry = QgsGeometry()
            geometry.fromWkb(wkb)
            if layer_def.geometry is schema.GeometryKind.MULTIPOLYGON:
                geometry.convertToMultiType()
            feature.setGeometry(geometry)
        features.append(feature)
        if len(features) >= 20000:
            _add(writer, features, layer_def)
            features = []
    _add(writer, features, layer_def)
    del writer  # closes the layer


def _add(writer, features, layer_def) -> None:
    if features and not writer.addFeatures(features):
        raise WorkspaceError(
            tr("Could not write features to layer {layer}: {error}").format(
                layer=layer_def.name, error=writer.errorMessage()
            )
        )


def _qvalue(value):
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def write_workspace(
    path: str | os.PathLike,
    info: schema.WorkspaceInfo,
    data: WorkspaceData | None = None,
    overwrite: bool = False,
) -> Path:
    """Create a workspace GeoPackage at ``path`` (empty, or filled from ``data``), atomically."""
    path = Path(path)
    if path.suffix.lower() != GPKG_SUFFIX:
        raise WorkspaceError(
            tr("A workspace is a GeoPackage: the file name must end in .gpkg ({path}).").format(path=path)
        )
    _check_target(path, overwrite)
    crs = QgsCoordinateReferenceSystem(info.crs)
    if not crs.isValid():
        raise WorkspaceError(tr("{crs} is not a valid coordinate reference system.").format(crs=info.crs))
    if crs.isGeographic():
        raise WorkspaceError(
            tr("{crs} is geographic (degrees); a workspace needs a projected CRS in metres.").format(crs=info.crs)
        )
    stamp = now_iso()
    info.created = info.created or stamp
    info.updated = stamp
    info.schema_version = schema.SCHEMA_VERSION
    try:
        with atomic_path(path) as tmp:
            for index, layer_def in enumerate(schema.WORKSPACE_LAYERS):
                _write_layer(tmp, layer_def, crs, _feature_rows(layer_def, data, info), first=index == 0)
            save_default_styles(tmp)
    except OSError as error:
        raise WorkspaceError(tr("Could not write {path}: {error}").format(path=path, error=error)) from error
    return path


def save_default_styles(path: Path) -> None:
    """Store each layer's style (renderer, labels, aliases, forms) as its default in the GeoPackage."""
    for layer_def in schema.WORKSPACE_LAYERS:
        layer = QgsVectorLayer(f"{path}|layername={layer_def.name}", layer_def.name, "ogr")
        if not layer.isValid():
            raise WorkspaceError(tr("Layer {layer} of {path} did not open.").format(layer=layer_def.name, path=path))
        apply_layer_style(layer, layer_def)
        message = layer.saveStyleToDatabase(layer_def.name, layer_def.title_zh, True, "")
        if isinstance(message, tuple):  # QGIS ≥ 3.38 returns (ok, message)
            message = message[-1]
        if message:
            raise WorkspaceError(
                tr("Could not store the style of {layer}: {error}").format(layer=layer_def.name, error=message)
            )
        del layer


# ---------------------------------------------------------------- reading


def read_info(path: str | os.PathLike) -> schema.WorkspaceInfo:
    """Check, without changing it, that ``path`` is a workspace this plugin can open; return its metadata."""
    path = Path(path)
    if not path.is_file():
        raise WorkspaceError(tr("{path} does not exist.").format(path=path))
    with quiet_gdal() as errors:
        try:
            dataset = ogr.Open(str(path), 0)
        except RuntimeError as error:  # bindings that raise despite quiet_gdal()
            errors.append(str(error))
            dataset = None
    message = errors.text()
    if dataset is None and "locked" in message:  # SQLite's "database is locked": another program is writing
        raise WorkspaceError(
            tr("{path} is locked by another program; try again when it is closed ({error}).").format(
                path=path, error=message
            )
        )
    if dataset is None:  # it exists (checked above): say so, with GDAL's words
        raise WorkspaceError(
            tr("{path} exists but cannot be read: it is not a GeoPackage or it is damaged ({error}).").format(
                path=path, error=message or tr("GDAL recognises no vector format in it")
            )
        )
    if dataset.GetDriver().GetName() != "GPKG":
        raise WorkspaceError(
            tr("{path} is a {driver} file, not a GeoPackage.").format(path=path, driver=dataset.GetDriver().GetName())
        )
    table = dataset.GetLayerByName(schema.WORKSPACE_INFO.name)
    if table is None:
        raise WorkspaceError(
            tr("{path} is a GeoPackage but not a Community Grids workspace (no {table} table).").format(
                path=path, table=schema.WORKSPACE_INFO.name
            )
        )
    rows = {f.GetField("key"): f.GetField("value") for f in table}
    if rows.get(schema.INFO_MARKER) != schema.WORKSPACE_MARKER:
        raise WorkspaceError(tr("{path} is not a Community Grids workspace.").format(path=path))
    info = schema.WorkspaceInfo.from_rows(rows)
    if info.schema_version > schema.SCHEMA_VERSION:
        raise WorkspaceError(
            tr(
                "{path} was written by a newer Community Grids (schema {found}, this plugin reads up to {supported}); "
                "update the plugin to open it."
            ).format(path=path, found=info.schema_version, supported=schema.SCHEMA_VERSION)
        )
    if info.schema_version < 1:
        raise WorkspaceError(tr("{path} has no valid schema version.").format(path=path))
    missing = [d.name for d in schema.WORKSPACE_LAYERS if dataset.GetLayerByName(d.name) is None]
    if missing:
        raise WorkspaceError(
            tr("{path} lacks the workspace layers: {layers}.").format(path=path, layers=", ".join(missing))
        )
    for layer_def in schema.WORKSPACE_LAYERS:
        defn = dataset.GetLayerByName(layer_def.name).GetLayerDefn()
        present = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
        lacking = [f.name for f in layer_def.fields if f.name not in present]
        if lacking:
            raise WorkspaceError(
                tr("Layer {layer} of {path} lacks the fields: {fields}.").format(
                    layer=layer_def.name, path=path, fields=", ".join(lacking)
                )
            )
    dataset = None
    return info


@dataclass
class Workspace:
    """An open workspace: its file, metadata and one QGIS layer per schema layer."""

    path: Path
    info: schema.WorkspaceInfo
    layers: dict[str, QgsVectorLayer] = field(default_factory=dict)

    @property
    def crs(self) -> QgsCoordinateReferenceSystem:
        return QgsCoordinateReferenceSystem(self.info.crs)

    def layer(self, name: str) -> QgsVectorLayer:
        return self.layers[name]

    def grid_layer(self, level: int) -> QgsVectorLayer:
        return self.layers[schema.GRID_LAYER_BY_LEVEL[level].name]

    def add_to_project(self, project: QgsProject | None = None, group_name: str | None = None):
        """Add the layers to ``project`` in a group named after the county; return the group.

        Layers already in ``project`` (a reopened project, a second open of the same file) stay where they
        are and are never added twice; the missing ones join the group of those present.
        """
        project = project or QgsProject.instance()
        root = project.layerTreeRoot()
        present = [layer for layer in self.layers.values() if project.mapLayer(layer.id()) is layer]
        group = None
        for layer in present:
            node = root.findLayer(layer.id())
            if node is not None and node.parent() is not None:
                group = node.parent()
                break
        order = (
            schema.AUDIT_FINDINGS,
            schema.HOUSEHOLDS,
            schema.GRID_DEDICATED,
            schema.GRID_LEVEL3,
            schema.GRID_LEVEL2,
            schema.GRID_LEVEL1,
            schema.COUNTY_BOUNDARY,
            schema.STAFF,
            schema.CHANGE_LOG,
            schema.AUDIT_EXCEPTIONS,
            schema.SIZE_RULES,
            schema.CODE_REGISTRY,
            schema.DIVISIONS,
            schema.WORKSPACE_INFO,
        )
        missing = [self.layers[d.name] for d in order if project.mapLayer(self.layers[d.name].id()) is None]
        if missing and group is None:
            group = root.insertGroup(0, group_name or schema.WORKSPACE_GROUP_ZH.format(county=self.info.county_name))
        for layer in missing:
            project.addMapLayer(layer, False)
            group.addLayer(layer)
        return group

    def read_data(self) -> WorkspaceData:
        from .arrays import read_workspace_data

        return read_workspace_data(self)


def layer_file(layer) -> Path | None:
    """The file a layer reads (its data source, else the workspace property), resolved; None if neither."""
    source = layer.source().partition("|")[0] or layer.customProperty(schema.PROPERTY_WORKSPACE) or ""
    if not source:
        return None
    try:
        return Path(source).resolve()
    except (OSError, ValueError):
        return None


def project_workspace_layers(project: QgsProject) -> dict[Path, dict[str, QgsVectorLayer]]:
    """The workspace layers of ``project`` (valid layers with the plugin's layer property), by workspace file.

    Files come in layer-tree order (the first is the one highest in the Layers panel); per file, the first
    layer found for each schema layer.
    """
    tree_ids = [node.layerId() for node in project.layerTreeRoot().findLayers()]
    layers = [project.mapLayer(i) for i in tree_ids] + list(project.mapLayers().values())
    found: dict[Path, dict[str, QgsVectorLayer]] = {}
    for layer in layers:
        if not isinstance(layer, QgsVectorLayer) or not layer.isValid() or layer.providerType() != "ogr":
            continue
        name = layer.customProperty(schema.PROPERTY_LAYER)
        if name not in schema.LAYER_BY_NAME:
            continue
        path = layer_file(layer)
        if path is not None:
            found.setdefault(path, {}).setdefault(name, layer)
    return found


def open_workspace(path: str | os.PathLike, project: QgsProject | None = None) -> Workspace:
    """Open a workspace's layers in QGIS, styled from the plugin's resources and the schema.

    With ``project``, the layers of this file already in it are used as they are (with their saved style);
    only the missing ones are opened.
    """
    path = Path(path)
    info = read_info(path)
    workspace = Workspace(path, info)
    present = project_workspace_layers(project).get(path.resolve(), {}) if project is not None else {}
    for layer_def in schema.WORKSPACE_LAYERS:
        layer = present.get(layer_def.name)
        if layer is None:
            layer = QgsVectorLayer(f"{path}|layername={layer_def.name}", layer_def.title_zh, "ogr")
            if not layer.isValid():
                raise WorkspaceError(
                    tr("Layer {layer} of {path} did not open.").format(layer=layer_def.name, path=path)
                )
            apply_layer_style(layer, layer_def)  # loading a style resets custom properties: set them after
        layer.setCustomProperty(schema.PROPERTY_LAYER, layer_def.name)
        layer.setCustomProperty(schema.PROPERTY_WORKSPACE, str(path))
        workspace.layers[layer_def.name] = layer
    return workspace


def create_workspace(
    path: str | os.PathLike,
    county_code: str,
    county_name: str,
    crs: str,
    data: WorkspaceData | None = None,
    overwrite: bool = False,
) -> Workspace:
    info = schema.WorkspaceInfo(county_code=county_code, county_name=county_name, crs=crs)
    if data is not None:
        data.info = info
    write_workspace(path, info, data, overwrite)
    return open_workspace(path)
