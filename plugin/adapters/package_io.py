"""Reading and writing GeoPackages through the system GDAL (osgeo.ogr), the GDAL QGIS itself uses.

Used by the filing export and the city's intake, which work on files rather than on QGIS layers:
grid layers are read column-wise (GDAL's Arrow stream when available, one vectorised WKB → shapely
conversion), small tables row by row, and schema layers are created with the types of ``core.schema``.
Reprojection of shapely arrays is vectorised (pyproj over PROJ; GDAL's osr as a fallback).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from osgeo import gdal, ogr, osr

from ..core import schema
from ..core.errors import PluginError
from ..core.model import GridArray
from ..i18n import tr
from .gdal_compat import open_failure, open_vector, quiet_gdal

GRID_READ_FIELDS = ("code", "parent_code", "name", "level", "kind", "status")


class PackageError(PluginError):
    """A file cannot be read or written as a package; the message is translated and names the file."""


def open_gpkg(path: str | Path, update: bool = False):
    """An OGR dataset of the GeoPackage ``path`` (read-only unless ``update``)."""
    path = Path(path)
    if not path.is_file():
        raise PackageError(tr("{path} does not exist.").format(path=path))
    dataset = open_vector(path, update)
    if dataset is None:  # it exists: say so, with GDAL's words
        raise PackageError(
            tr("{path} exists but cannot be read: it is not a GeoPackage or it is damaged ({error}).").format(
                path=path, error=open_failure(path, update) or tr("GDAL recognises no vector format in it")
            )
        )
    if dataset.GetDriver().GetName() != "GPKG":
        raise PackageError(
            tr("{path} is a {driver} file, not a GeoPackage.").format(path=path, driver=dataset.GetDriver().GetName())
        )
    return dataset


def layer_names(dataset) -> list[str]:
    return [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())]


def layer_authid(layer) -> str:
    """The layer's CRS as ``AUTHORITY:CODE`` ('' when it has none)."""
    srs = layer.GetSpatialRef()
    if srs is None:
        return ""
    srs = srs.Clone()
    with quiet_gdal():
        srs.AutoIdentifyEPSG()
    name, code = srs.GetAuthorityName(None), srs.GetAuthorityCode(None)
    return f"{name}:{code}" if name and code else srs.ExportToWkt()


def read_rows(dataset, name: str, fields=None) -> list[dict]:
    """All rows of a small table (no geometry) as dicts, with their ``fid``."""
    layer = dataset.GetLayerByName(name)
    if layer is None:
        return []
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    wanted = [n for n in (fields or names) if n in names]
    kinds = {n: defn.GetFieldDefn(defn.GetFieldIndex(n)).GetType() for n in wanted}
    rows = []
    layer.ResetReading()
    for feature in layer:
        row = {"fid": feature.GetFID()}
        for n in wanted:
            if not feature.IsFieldSetAndNotNull(n):
                row[n] = None
            elif kinds[n] in (ogr.OFTDateTime, ogr.OFTDate):
                row[n] = _iso(feature, n, kinds[n] == ogr.OFTDate)
            elif kinds[n] == ogr.OFTBinary:
                row[n] = bytes(feature.GetFieldAsBinary(n))
            else:
                row[n] = feature.GetField(n)
        rows.append(row)
    return rows


def _iso(feature, name: str, date_only: bool) -> str:
    """A date or date-time field as ISO 8601 text (UTC ones with +00:00, local ones without a zone)."""
    year, month, day, hour, minute, second, tz = feature.GetFieldAsDateTime(name)
    if date_only:
        return f"{year:04d}-{month:02d}-{day:02d}"
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{int(second):02d}"
    if tz == 100:
        text += "+00:00"
    elif tz > 100:
        offset = (tz - 100) * 15
        text += f"{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return text


def read_key_values(dataset, name: str) -> dict[str, str]:
    return {r["key"]: r.get("value") or "" for r in read_rows(dataset, name, ("key", "value")) if r.get("key")}


def feature_count(dataset, name: str) -> int:
    layer = dataset.GetLayerByName(name)
    return 0 if layer is None else layer.GetFeatureCount()


# ---------------------------------------------------------------- grid layers, column-wise


def _text_column(values) -> np.ndarray:
    """Bytes / masked arrays from Arrow as an object array of str (None for null or empty)."""
    mask = np.ma.getmaskarray(values) if isinstance(values, np.ma.MaskedArray) else None
    data = np.ma.getdata(values)
    out = np.empty(len(data), dtype=object)
    if data.dtype.kind == "S":
        decoded = np.char.decode(data, "utf-8")
        out[:] = [v.strip() or None for v in decoded.tolist()]
    else:
        out[:] = [None if v is None else (str(v).strip() or None) for v in data.tolist()]
    if mask is not None and mask.any():
        out[mask] = None
    return out


def _int_column(values) -> np.ndarray:
    mask = np.ma.getmaskarray(values) if isinstance(values, np.ma.MaskedArray) else None
    out = np.asarray(np.ma.getdata(values), dtype=object)
    if mask is not None and mask.any():
        out = out.copy()
        out[mask] = None
    return out


def _read_arrow(layer, fields: list[str]):
    batches = list(layer.GetArrowStreamAsNumPy())
    geom_name = layer.GetGeometryColumn() or "wkb_geometry"
    fid_name = layer.GetFIDColumn() or "OGC_FID"
    if not batches:
        return np.zeros(0, np.int64), {f: np.empty(0, dtype=object) for f in fields}, np.empty(0, dtype=object)
    fids = np.concatenate([np.asarray(b[fid_name], dtype=np.int64) for b in batches])
    columns = {}
    for f in fields:
        parts = [b[f] for b in batches if f in b]
        if not parts:
            columns[f] = np.full(len(fids), None, dtype=object)
            continue
        conv = _int_column if np.ma.getdata(parts[0]).dtype.kind in "iuf" else _text_column
        columns[f] = np.concatenate([conv(p) for p in parts])
    wkbs = np.concatenate([np.asarray(b[geom_name], dtype=object) for b in batches])
    return fids, columns, wkbs


def _read_loop(layer, fields: list[str]):
    fids, wkbs = [], []
    columns = {f: [] for f in fields}
    layer.ResetReading()
    for feature in layer:
        fids.append(feature.GetFID())
        for f in fields:
            value = feature.GetField(f) if feature.IsFieldSetAndNotNull(f) else None
            if isinstance(value, str):
                value = value.strip() or None
            columns[f].append(value)
        geometry = feature.GetGeometryRef()
        wkbs.append(None if geometry is None else bytes(geometry.ExportToIsoWkb()))
    out = {}
    for f, values in columns.items():
        column = np.empty(len(values), dtype=object)
        column[:] = values
        out[f] = column
    wkb = np.empty(len(wkbs), dtype=object)
    wkb[:] = wkbs
    return np.asarray(fids, dtype=np.int64), out, wkb


def read_grid_layer(dataset, name: str, level: int | None = None, extra_fields=()) -> GridArray:
    """One grid layer of a file as a GridArray in the file's CRS (attributes: level, kind, status …)."""
    layer = dataset.GetLayerByName(name)
    if level is None:
        layer_def = schema.LAYER_BY_NAME.get(name)
        level = layer_def.level if layer_def is not None and layer_def.level is not None else 1
    if layer is None:
        return GridArray.empty(name, level)
    defn = layer.GetLayerDefn()
    present = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    if "code" not in present:
        raise PackageError(tr("Layer {layer} has no field 'code' (grid code).").format(layer=name))
    fields = [f for f in (*GRID_READ_FIELDS, *extra_fields) if f in present]
    layer.SetIgnoredFields([f for f in present if f not in fields])
    try:
        if hasattr(layer, "GetArrowStreamAsNumPy"):
            fids, columns, wkbs = _read_arrow(layer, fields)
        else:  # GDAL < 3.6
            fids, columns, wkbs = _read_loop(layer, fields)
    finally:
        layer.SetIgnoredFields([])
    geometries = shapely.from_wkb(wkbs, on_invalid="ignore") if len(wkbs) else np.empty(0, dtype=object)
    n = len(fids)

    def column(f):
        return columns[f] if f in columns else np.full(n, None, dtype=object)

    attributes = {f: columns[f] for f in fields if f not in ("code", "parent_code", "name")}
    return GridArray(name, level, fids, column("code"), column("parent_code"), column("name"), geometries, attributes)


def read_geometries(dataset, name: str) -> np.ndarray:
    layer = dataset.GetLayerByName(name)
    if layer is None:
        return np.empty(0, dtype=object)
    wkbs = []
    layer.ResetReading()
    for feature in layer:
        geometry = feature.GetGeometryRef()
        if geometry is not None:
            wkbs.append(bytes(geometry.ExportToIsoWkb()))
    return shapely.from_wkb(np.asarray(wkbs, dtype=object)) if wkbs else np.empty(0, dtype=object)


# ---------------------------------------------------------------- reprojection


def reproject(geometries, source: str, target: str) -> np.ndarray:
    """Shapely geometries from ``source`` to ``target`` (authority ids), x = easting/longitude."""
    geometries = np.asarray(geometries, dtype=object)
    if not len(geometries) or source == target:
        return geometries
    try:
        from ..core import reference

        return reference.transform_geometry(geometries, target, source)
    except ImportError:  # no pyproj: GDAL's own transformation
        transform = osr.CoordinateTransformation(_srs(source), _srs(target))

        def apply(coords):
            if not len(coords):
                return coords
            return np.asarray(transform.TransformPoints(coords), dtype=float)[:, :2]

        return shapely.transform(geometries, apply)


def _srs(authid: str):
    srs = osr.SpatialReference()
    srs.SetFromUserInput(authid)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def srs_of(authid: str):
    return _srs(authid)


# ---------------------------------------------------------------- writing schema tables

_OGR_TYPES = {
    schema.FieldType.STRING: (ogr.OFTString, ogr.OFSTNone),
    schema.FieldType.INTEGER: (ogr.OFTInteger, ogr.OFSTNone),
    schema.FieldType.REAL: (ogr.OFTReal, ogr.OFSTNone),
    schema.FieldType.DATE: (ogr.OFTDate, ogr.OFSTNone),
    schema.FieldType.DATETIME: (ogr.OFTDateTime, ogr.OFSTNone),
    schema.FieldType.BOOLEAN: (ogr.OFTInteger, ogr.OFSTBoolean),
    schema.FieldType.BINARY: (ogr.OFTBinary, ogr.OFSTNone),
}
_OGR_GEOMETRY = {
    schema.GeometryKind.NONE: ogr.wkbNone,
    schema.GeometryKind.POINT: ogr.wkbPoint,
    schema.GeometryKind.POLYGON: ogr.wkbPolygon,
    schema.GeometryKind.MULTIPOLYGON: ogr.wkbMultiPolygon,
}


def create_layer(dataset, layer_def: schema.LayerDef, crs: str | None = None):
    """A new layer laid out by ``layer_def`` (fields, types, widths, geometry type)."""
    srs = _srs(crs) if crs and layer_def.geometry is not schema.GeometryKind.NONE else None
    options = [f"IDENTIFIER={layer_def.name}", f"DESCRIPTION={layer_def.title_zh} {layer_def.title_en}"]
    if layer_def.geometry is not schema.GeometryKind.NONE:
        options.append("GEOMETRY_NAME=geom")
    layer = dataset.CreateLayer(layer_def.name, srs, _OGR_GEOMETRY[layer_def.geometry], options=options)
    if layer is None:
        raise PackageError(tr("Could not create layer {layer}: {error}").format(layer=layer_def.name, error=""))
    for f in layer_def.fields:
        ftype, subtype = _OGR_TYPES[f.type]
        defn = ogr.FieldDefn(f.name, ftype)
        defn.SetSubType(subtype)
        if f.length and f.type is schema.FieldType.STRING:
            defn.SetWidth(f.length)
        layer.CreateField(defn)
    return layer


def write_rows(layer, rows, geometries=None) -> None:
    """Add rows (dicts; unknown keys ignored) and optional shapely geometries, in one transaction."""
    defn = layer.GetLayerDefn()
    names = {defn.GetFieldDefn(i).GetName(): defn.GetFieldDefn(i) for i in range(defn.GetFieldCount())}
    wkbs = shapely.to_wkb(np.asarray(geometries, dtype=object), output_dimension=2) if geometries is not None else None
    layer.StartTransaction()
    try:
        for k, row in enumerate(rows):
            feature = ogr.Feature(defn)
            for key, value in row.items():
                if key not in names or value is None:
                    continue
                if hasattr(value, "item"):
                    value = value.item()
                if isinstance(value, bool) or names[key].GetSubType() == ogr.OFSTBoolean:
                    value = int(bool(value))
                if isinstance(value, float) and value != value:
                    continue
                if isinstance(value, (bytes, bytearray, memoryview)):
                    feature.SetFieldBinaryFromHexString(key, bytes(value).hex())
                    continue
                feature.SetField(key, value)
            if wkbs is not None and wkbs[k] is not None:
                feature.SetGeometry(ogr.CreateGeometryFromWkb(wkbs[k]))
            if layer.CreateFeature(feature) != 0:
                raise PackageError(
                    tr("Could not write features to layer {layer}: {error}").format(
                        layer=layer.GetName(), error=gdal.GetLastErrorMsg()
                    )
                )
        layer.CommitTransaction()
    except Exception:
        layer.RollbackTransaction()
        raise


def multipolygons(geometries) -> np.ndarray:
    """Polygonal parts of each geometry as a MultiPolygon (None where nothing polygonal is left)."""
    geometries = np.asarray(geometries, dtype=object)
    out = np.full(len(geometries), None, dtype=object)
    if not len(geometries):
        return out
    parts, index = shapely.get_parts(geometries, return_index=True)
    for _ in range(3):  # unpack nested multi-geometries and collections
        nested = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))
        if not nested.any():
            break
        sub, sub_index = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        index = np.concatenate([index[~nested], index[nested][sub_index]])
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    if keep.any():
        rows, compact = np.unique(index[keep], return_inverse=True)
        out[rows] = shapely.multipolygons(parts[keep], indices=compact)
    return out


def validate_gpkg(path: str | Path) -> list[str]:
    """GDAL's GeoPackage validator (osgeo_utils.samples.validate_gpkg): the errors, [] when valid."""
    try:
        from osgeo_utils.samples import validate_gpkg as validator
    except ImportError:  # GDAL without its Python utilities: cannot check here
        return []
    import io
    from contextlib import redirect_stdout

    with redirect_stdout(io.StringIO()):
        errors = validator.check(str(path), abort_at_first_error=False, warning_msg=False)
    return [f"Req {req}: {msg}" if req else str(msg) for req, msg in errors]
