"""Turn QGIS layers into the core's arrays (GridArray, PointArray, rows) and back.

Reading collects each feature's attributes and WKB once, then converts all geometries to shapely in
one vectorised call; this is the only per-feature loop, and it is I/O, not geometry work.
"""

from __future__ import annotations

import numpy as np
import shapely
from qgis.core import QgsFeatureRequest, QgsGeometry, QgsUnitTypes, QgsVectorLayer, QgsWkbTypes

from ..core import schema
from ..core.errors import PluginError
from ..core.model import GridArray, PointArray, WorkspaceData
from ..i18n import tr


class LayerError(PluginError):
    """A layer cannot be read as the core expects; the message names the layer and the problem."""


def python_value(value):
    """A QVariant / Qt value as plain Python (NULL → None, QDate → ISO text)."""
    if value is None:
        return None
    if hasattr(value, "isNull") and value.isNull():
        return None
    if hasattr(value, "toString") and hasattr(value, "year"):  # QDate / QDateTime
        return value.toString("yyyy-MM-dd") if not hasattr(value, "time") else value.toString("yyyy-MM-ddTHH:mm:ss")
    if type(value).__name__ == "QVariant":
        return None if value.isNull() else value.value()
    return value


def _single_parts(geometries: np.ndarray) -> np.ndarray:
    """MultiPolygons of one part become Polygons; everything else is left as it is."""
    if len(geometries) == 0:
        return geometries
    type_ids = shapely.get_type_id(geometries)
    one_part = (type_ids == shapely.GeometryType.MULTIPOLYGON) & (shapely.get_num_geometries(geometries) == 1)
    if one_part.any():
        geometries = geometries.copy()
        geometries[one_part] = shapely.get_geometry(geometries[one_part], 0)
    return geometries


def geometry_wkb(geometry) -> bytes | None:
    """WKB of a QGIS geometry that shapely can read: curves segmentised by QGIS (None for a null geometry)."""
    if geometry is None or geometry.isNull():
        return None
    if QgsWkbTypes.isCurvedType(geometry.wkbType()):
        geometry = QgsGeometry(geometry.constGet().segmentize())
    return bytes(geometry.asWkb())


_MULTIPOLYGON_TYPES = frozenset((6, 1006, 2006, 3006))  # ISO WKB MultiPolygon, Z, M, ZM


def single_part_wkb(wkb: bytes | None) -> bytes | None:
    """The WKB of a MultiPolygon of one part as the WKB of that Polygon (a slice: its part follows the 9-byte
    header whole); anything else as it is. Saves shapely a copy of the part after reading."""
    if wkb is None or len(wkb) < 9 or wkb[0] not in (0, 1):
        return wkb
    order = "little" if wkb[0] == 1 else "big"
    if int.from_bytes(wkb[1:5], order) in _MULTIPOLYGON_TYPES and int.from_bytes(wkb[5:9], order) == 1:
        return wkb[9:]
    return wkb


def crs_unit_problem(crs, name: str) -> str | None:
    """A translated refusal when ``crs`` is not a projected CRS in metres (areas and widths are metres)."""
    from .reproject import crs_is_undefined

    if crs_is_undefined(crs):
        return tr(
            "Layer {layer} has no coordinate reference system (none, or an undefined SRS such as GeoPackage "
            "srs_id 0); set its CRS (a projected CRS in metres)."
        ).format(layer=name)
    if crs.isGeographic():
        return None  # each caller words the geographic case
    if crs.mapUnits() != QgsUnitTypes.DistanceUnit.DistanceMeters:
        return tr(
            "Layer {layer} is in a CRS measured in {unit} ({crs}); tolerances and areas are in metres: reproject it "
            "to a projected CRS in metres (e.g. CGCS2000 / 3-degree Gauss-Kruger)."
        ).format(layer=name, unit=QgsUnitTypes.toString(crs.mapUnits()), crs=crs.authid() or crs.description())
    return None


def check_layer_crs(layer: QgsVectorLayer) -> None:
    crs = layer.crs()
    if not crs.isValid():
        raise LayerError(tr("Layer {layer} has no coordinate reference system.").format(layer=layer.name()))
    problem = crs_unit_problem(crs, layer.name())
    if problem:
        raise LayerError(problem)
    if crs.isGeographic():
        raise LayerError(
            tr(
                "Layer {layer} is in a geographic CRS ({crs}, degrees); areas and distances need a projected CRS "
                "in metres — reproject it or open it through a workspace."
            ).format(layer=layer.name(), crs=crs.authid())
        )


def read_features(layer: QgsVectorLayer, field_names, with_geometry: bool = True):
    """fids, {field: object array}, wkb list (None for a null geometry)."""
    fields = layer.fields()
    indexes = {name: fields.indexFromName(name) for name in field_names}
    request = QgsFeatureRequest()
    wanted = [i for i in indexes.values() if i >= 0]
    request.setSubsetOfAttributes(wanted)
    if not with_geometry:
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    fids, wkbs = [], []
    columns = {name: [] for name in field_names}
    for feature in layer.getFeatures(request):
        fids.append(feature.id())
        attributes = feature.attributes()
        for name, index in indexes.items():
            columns[name].append(python_value(attributes[index]) if index >= 0 else None)
        if with_geometry:
            wkbs.append(single_part_wkb(geometry_wkb(feature.geometry())))
    arrays = {name: np.asarray(values, dtype=object) for name, values in columns.items()}
    for name, values in arrays.items():
        if values.ndim != 1:  # a column of lists would broadcast; keep one object per row
            column = np.empty(len(columns[name]), dtype=object)
            column[:] = columns[name]
            arrays[name] = column
    return np.asarray(fids, dtype=np.int64), arrays, wkbs


def read_grid_array(layer: QgsVectorLayer, level: int, layer_name: str | None = None) -> GridArray:
    """A grid layer (any polygon layer with at least a code field) as a GridArray."""
    layer_name = layer_name or layer.customProperty(schema.PROPERTY_LAYER) or layer.name()
    geometry_type = QgsWkbTypes.geometryType(layer.wkbType())
    if geometry_type != QgsWkbTypes.GeometryType.PolygonGeometry and layer.featureCount() > 0:
        raise LayerError(
            tr("Layer {layer} holds {kind} geometries; grids must be polygons.").format(
                layer=layer.name(), kind=QgsWkbTypes.geometryDisplayString(geometry_type)
            )
        )
    names = layer.fields().names()
    if "code" not in names:
        raise LayerError(tr("Layer {layer} has no field 'code' (grid code).").format(layer=layer.name()))
    wanted = [f.name for f in schema.GRID_FIELDS]
    fids, columns, wkbs = read_features(layer, wanted)
    geometries = _single_parts(shapely.from_wkb(np.asarray(wkbs, dtype=object), on_invalid="ignore"))
    return GridArray(
        layer=layer_name,
        level=level,
        fids=fids,
        codes=_text(columns.pop("code")),
        parent_codes=_text(columns.pop("parent_code")),
        names=columns.pop("name"),
        geometries=geometries,
        attributes=columns,
    )


def _text(values: np.ndarray) -> np.ndarray:
    """Codes as stripped text; empty text is None."""
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        text = None if value is None else str(value).strip()
        out[i] = text or None
    return out


def read_points(layer: QgsVectorLayer) -> PointArray:
    fids, columns, wkbs = read_features(layer, layer.fields().names())
    points = shapely.from_wkb(np.asarray(wkbs, dtype=object), on_invalid="ignore")
    return PointArray(layer.name(), fids, points, columns)


def read_table(layer: QgsVectorLayer) -> list[dict]:
    names = layer.fields().names()
    fids, columns, _ = read_features(layer, names, with_geometry=False)
    return [{name: columns[name][i] for name in names} | {"fid": int(fids[i])} for i in range(len(fids))]


def read_workspace_data(workspace) -> WorkspaceData:
    grids = {
        layer_def.name: read_grid_array(workspace.layers[layer_def.name], layer_def.level, layer_def.name)
        for layer_def in schema.GRID_LAYERS
    }
    boundary_layer = workspace.layers[schema.COUNTY_BOUNDARY.name]
    _, _, wkbs = read_features(boundary_layer, [])
    boundaries = [g for g in shapely.from_wkb(np.asarray(wkbs, dtype=object)) if g is not None]
    boundary = shapely.union_all(boundaries) if boundaries else None
    return WorkspaceData(
        info=workspace.info,
        grids=grids,
        county_boundary=boundary,
        households=read_points(workspace.layers[schema.HOUSEHOLDS.name]),
        staff=read_table(workspace.layers[schema.STAFF.name]),
        divisions=read_table(workspace.layers[schema.DIVISIONS.name]),
        code_registry=read_table(workspace.layers[schema.CODE_REGISTRY.name]),
        change_log=read_table(workspace.layers[schema.CHANGE_LOG.name]),
    )


# ---------------------------------------------------------------- rows for writers


def _wkbs(geometries) -> list:
    geometries = np.asarray(geometries, dtype=object)
    if len(geometries) == 0:
        return []
    return list(shapely.to_wkb(geometries))


def grid_rows(grid: GridArray) -> list[tuple[dict, bytes | None]]:
    wkbs = _wkbs(grid.geometries)
    rows = []
    attribute_names = [f.name for f in schema.GRID_FIELDS if f.name in grid.attributes]
    for i in range(len(grid)):
        attributes = {name: grid.attributes[name][i] for name in attribute_names}
        attributes.update(code=grid.codes[i], parent_code=grid.parent_codes[i], name=grid.names[i])
        attributes.setdefault("level", grid.level)
        rows.append((attributes, wkbs[i]))
    return rows


def point_rows(points: PointArray) -> list[tuple[dict, bytes | None]]:
    wkbs = _wkbs(points.points)
    names = list(points.attributes)
    return [({name: points.attributes[name][i] for name in names}, wkbs[i]) for i in range(len(points))]


def geometry_rows(geometries, attributes: list[dict]) -> list[tuple[dict, bytes | None]]:
    return list(zip(attributes, _wkbs(geometries)))
