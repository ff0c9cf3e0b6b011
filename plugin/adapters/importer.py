"""Import existing grid boundaries (SHP, GeoPackage, GeoJSON…, any CRS) into a level of a workspace.

Codes, names and parent codes come from fields the user maps. Geometries are reprojected into the
workspace CRS with QGIS's own transformation; with the GCJ-02 option, they are first taken to
longitude/latitude, corrected from GCJ-02 (the offset coordinates of Chinese web maps, in which much
boundary data arrives) to WGS84 by ``core.gcj02`` in one vectorised pass, and only then projected.

From the dock the features go into the layer's edit buffer as one undoable command; the Processing
algorithm commits them to the file. A feature that cannot be imported (no geometry, not a polygon,
a code already used) is skipped and named in the result; bad input (missing field, no CRS) changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerUtils,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate

from ..core import editing as core_editing
from ..core import gcj02, schema
from ..core.errors import PluginError
from ..i18n import tr
from .arrays import python_value
from .editing import edit_command, to_qgs
from .gpkg_write import checkpoint
from .reproject import crs_is_undefined
from .tool_compat import POLYGON_GEOMETRY

WGS84 = "EPSG:4326"


class ImportFailure(PluginError):
    """The import was refused; the message is translated. Nothing was changed."""


@dataclass
class ImportResult:
    added: int = 0
    fids: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class SourceRecords:
    ids: list
    codes: list
    names: list
    parents: list
    geometries: np.ndarray  # shapely, in the source CRS
    problems: dict = field(default_factory=dict)  # index -> why the feature's geometry is refused (translated)
    notes: list = field(default_factory=list)  # what was converted (Z/M dropped, curves segmentised), translated


# Beyond any coordinate on Earth in any CRS (metres, feet or degrees): such a value is an error, not a place.
ABSURD_COORDINATE = 1e9
ABSURD_DEGREES = (360.0, 90.0)


def _listed(fids: list, limit: int = 5) -> str:
    shown = ", ".join(str(f) for f in fids[:limit])
    return shown + (" …" if len(fids) > limit else "")


def normalise_geometry(geometry: QgsGeometry) -> tuple[QgsGeometry, bool, bool]:
    """A 2D, linear copy of ``geometry``: curves segmentised by QGIS, Z and M dropped.

    Returns (geometry, was curved, had Z or M)."""
    geometry = QgsGeometry(geometry)
    wkb_type = geometry.wkbType()
    curved = QgsWkbTypes.isCurvedType(wkb_type)
    if curved:
        geometry = QgsGeometry(geometry.constGet().segmentize())
    dimensional = QgsWkbTypes.hasZ(wkb_type) or QgsWkbTypes.hasM(wkb_type)
    if dimensional:
        geometry.get().dropZValue()
        geometry.get().dropMValue()
    return geometry, curved, dimensional


def absurd_coordinates(geometries, geographic: bool) -> np.ndarray:
    """Per geometry: True when a coordinate is NaN, infinite or beyond any place on Earth."""
    geometries = np.asarray(geometries, dtype=object)
    bad = np.zeros(len(geometries), dtype=bool)
    present = np.flatnonzero([g is not None for g in geometries])
    if not len(present):
        return bad
    coords, index = shapely.get_coordinates(geometries[present], return_index=True)
    with np.errstate(invalid="ignore"):
        if geographic:
            wrong = (np.abs(coords[:, 0]) > ABSURD_DEGREES[0]) | (np.abs(coords[:, 1]) > ABSURD_DEGREES[1])
        else:
            wrong = (np.abs(coords) > ABSURD_COORDINATE).any(axis=1)
    wrong |= ~np.isfinite(coords).all(axis=1)
    bad[present[np.unique(index[wrong])]] = True
    return bad


def read_source(features, fields, source_name: str, code_field: str, name_field: str, parent_field: str | None):
    """Attributes and geometries of a layer or Processing source (check the fields first)."""
    names = fields.names()
    for role, name in ((tr("code"), code_field), (tr("name"), name_field), (tr("parent code"), parent_field)):
        if name and name not in names:
            raise ImportFailure(
                tr("Layer {layer} has no field {field} (chosen for the {role}).").format(
                    layer=source_name, field=name, role=role
                )
            )
    if not code_field:
        raise ImportFailure(tr("Choose the field that holds the grid code."))
    ids, codes, labels, parents, wkbs = [], [], [], [], []
    curved, dimensional, problems = [], [], {}
    for feature in features:
        ids.append(feature.id())
        code = python_value(feature.attribute(code_field))
        codes.append(None if code is None else str(code).strip() or None)
        label = python_value(feature.attribute(name_field)) if name_field else None
        labels.append(None if label is None else str(label).strip() or None)
        parent = python_value(feature.attribute(parent_field)) if parent_field else None
        parents.append(None if parent is None else str(parent).strip() or None)
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isEmpty():
            wkbs.append(None)
            continue
        geometry, was_curved, had_zm = normalise_geometry(geometry)
        if was_curved:
            curved.append(feature.id())
        if had_zm:
            dimensional.append(feature.id())
        wkbs.append(bytes(geometry.asWkb()))
    geometries = np.empty(len(wkbs), dtype=object)
    for index, wkb in enumerate(wkbs):
        if wkb is None:
            continue
        try:
            geometries[index] = shapely.from_wkb(wkb)
        except Exception as error:  # noqa: BLE001 - a geometry GEOS cannot read is reported, not raised
            problems[index] = tr("Feature {fid}: its geometry cannot be read ({error}); skipped.").format(
                fid=ids[index], error=error
            )
    notes = []
    if dimensional:
        notes.append(
            tr("Layer {layer}: Z and M values of {count} features were dropped (grids are 2D): {fids}.").format(
                layer=source_name, count=len(dimensional), fids=_listed(dimensional)
            )
        )
    if curved:
        notes.append(
            tr("Layer {layer}: {count} curved features were converted to straight segments by QGIS: {fids}.").format(
                layer=source_name, count=len(curved), fids=_listed(curved)
            )
        )
    return SourceRecords(ids, codes, labels, parents, geometries, problems, notes)


def transform(
    geometries, source: QgsCoordinateReferenceSystem, target: QgsCoordinateReferenceSystem, failed: dict | None = None
) -> np.ndarray:
    """Shapely geometries reprojected by QGIS (one QgsGeometry.transform per feature).

    A geometry that cannot be transformed becomes None; its index and PROJ's error go to ``failed``."""
    geometries = np.asarray(geometries, dtype=object)
    if source == target:
        return geometries
    xform = QgsCoordinateTransform(source, target, QgsProject.instance())
    out = np.empty(len(geometries), dtype=object)
    for index, geometry in enumerate(geometries):
        if geometry is None:
            out[index] = None
            continue
        qgs = QgsGeometry()
        qgs.fromWkb(shapely.to_wkb(geometry))
        try:
            qgs.transform(xform)
        except Exception as error:  # noqa: BLE001 - QgsCsException: reported per feature
            out[index] = None
            if failed is not None:
                failed[index] = str(error)
            continue
        out[index] = shapely.from_wkb(bytes(qgs.asWkb()))
    return out


def to_workspace_crs(geometries, source_crs, target_crs, correct_gcj02: bool, failed: dict | None = None) -> np.ndarray:
    """Source geometries in the workspace CRS; with ``correct_gcj02`` via lon/lat and the GCJ-02 correction.

    ``failed`` collects index → error of the geometries that could not be transformed."""
    if crs_is_undefined(source_crs):
        raise ImportFailure(
            tr(
                "The source has no coordinate reference system (none, or an undefined SRS such as GeoPackage "
                "srs_id 0): set its CRS first."
            )
        )
    if correct_gcj02:
        wgs84 = QgsCoordinateReferenceSystem(WGS84)
        lonlat = transform(geometries, source_crs, wgs84, failed)
        corrected = gcj02.geometries_gcj02_to_wgs84(lonlat)
        return transform(corrected, wgs84, target_crs, failed)
    return transform(geometries, source_crs, target_crs, failed)


def clean_polygons(geometries) -> np.ndarray:
    """Valid polygonal geometries (invalid ones repaired; None where nothing polygonal is left)."""
    geometries = np.asarray(geometries, dtype=object)
    present = np.array([g is not None for g in geometries], dtype=bool)
    out = np.empty(len(geometries), dtype=object)
    if present.any():
        repaired = shapely.make_valid(geometries[present])
        out[present] = [core_editing.polygonal(g) for g in repaired]
    return np.asarray([None if g is None or shapely.is_empty(g) else g for g in out], dtype=object)


def existing_codes(layer: QgsVectorLayer) -> set[str]:
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    request.setSubsetOfAttributes(["code"], layer.fields())
    return {str(c) for c in (python_value(f.attribute("code")) for f in layer.getFeatures(request)) if c}


def plan_import(records: SourceRecords, geometries, target_layer, level: int, county_boundary=None):
    """(features to add as (geometry, attributes)), ImportResult with the skipped and warnings."""
    result = ImportResult()
    used = existing_codes(target_layer)
    seen: set[str] = set()
    rows = []
    for index, geometry in enumerate(geometries):
        fid = records.ids[index]
        code = records.codes[index]
        if index in records.problems:
            result.skipped.append(records.problems[index])
            continue
        if geometry is None:
            result.skipped.append(tr("Feature {fid}: no polygon geometry; skipped.").format(fid=fid))
            continue
        if code and (code in used or code in seen):
            result.skipped.append(
                tr("Feature {fid}: code {code} is already used in layer {layer}; skipped.").format(
                    fid=fid, code=code, layer=target_layer.name()
                )
            )
            continue
        if code:
            seen.add(code)
        attributes = {
            "code": code,
            "name": records.names[index] or code or tr("Imported grid {fid}").format(fid=fid),
            "parent_code": records.parents[index],
            "level": level,
            "kind": "dedicated" if level == schema.LEVEL_DEDICATED else "comprehensive",
            "status": "active",
            "valid_from": QDate.currentDate(),
        }
        rows.append((geometry, attributes))
    if county_boundary is not None and rows:
        imported = shapely.union_all(np.asarray([g for g, _ in rows], dtype=object))
        inside = shapely.area(shapely.intersection(imported, county_boundary)) / max(shapely.area(imported), 1e-9)
        if inside < 0.5:
            result.warnings.append(
                tr(
                    "Only {share:.0%} of the imported area lies inside the county boundary: check the source CRS, "
                    "and whether the data are GCJ-02 web-map coordinates that need correcting."
                ).format(share=inside)
            )
    return rows, result


def _features(layer: QgsVectorLayer, rows):
    fields = layer.fields()
    out = []
    for geometry, attributes in rows:
        by_index = {fields.indexFromName(k): v for k, v in attributes.items() if fields.indexFromName(k) >= 0}
        out.append(QgsVectorLayerUtils.createFeature(layer, to_qgs(geometry), by_index))
    return out


def import_boundaries(
    source,
    workspace,
    level: int,
    code_field: str,
    name_field: str | None = None,
    parent_field: str | None = None,
    correct_gcj02: bool = False,
    commit: bool = False,
    target_layer: QgsVectorLayer | None = None,
    source_name: str | None = None,
) -> ImportResult:
    """Import polygons of ``source`` (a vector layer or Processing feature source) into ``level``.

    ``commit=False`` puts them into the workspace layer's edit buffer as one undoable command;
    ``commit=True`` writes them to the file (Processing).
    """
    if level not in schema.GRID_LAYER_BY_LEVEL:
        raise ImportFailure(tr("There is no grid level {level}.").format(level=level))
    source_name = source_name or (source.name() if hasattr(source, "name") else str(source))
    wkb_type = source.wkbType()
    if QgsWkbTypes.geometryType(wkb_type) != POLYGON_GEOMETRY:
        raise ImportFailure(
            tr("Layer {layer} holds no polygons; grid boundaries must be polygons.").format(layer=source_name)
        )
    source_crs = source.sourceCrs() if hasattr(source, "sourceCrs") else source.crs()
    target = target_layer or workspace.grid_layer(level)
    records = read_source(source.getFeatures(), source.fields(), source_name, code_field, name_field, parent_field)
    check_coordinates(records, source_crs.isGeographic(), source_name)
    failed: dict = {}
    projected = to_workspace_crs(records.geometries, source_crs, target.crs(), correct_gcj02, failed)
    for index, error in failed.items():
        records.problems.setdefault(
            index,
            tr("Feature {fid}: it cannot be transformed into the workspace CRS ({error}); skipped.").format(
                fid=records.ids[index], error=error
            ),
        )
    projected = np.asarray(projected, dtype=object)
    projected[[i for i in records.problems if i < len(projected)]] = None
    check_coordinates(records, target.crs().isGeographic(), source_name, projected)
    geometries = clean_polygons(projected)
    boundary = _county_boundary(workspace, target.crs())
    rows, result = plan_import(records, geometries, target, level, boundary)
    result.warnings[:0] = records.notes
    if not rows:
        result.warnings.append(tr("Nothing was imported from {layer}.").format(layer=source_name))
        return result
    features = _features(target, rows)
    if commit:
        if target.isEditable():
            raise ImportFailure(
                tr("Layer {layer} is being edited: save or discard its edits before importing into the file.").format(
                    layer=target.name()
                )
            )
        if not target.startEditing():
            raise ImportFailure(
                tr("Layer {layer} cannot be edited (is the file read-only?).").format(layer=target.name())
            )
        added = target.addFeatures(features)
        checkpoint("import:features-added")
        if not added or not target.commitChanges():
            errors = "; ".join(target.commitErrors())
            target.rollBack()
            raise ImportFailure(
                tr("Could not write to layer {layer}: {error}").format(layer=target.name(), error=errors)
            )
        checkpoint("import:committed")
        result.added = len(features)
        return result
    with edit_command(target, tr("Import grid boundaries")):
        for feature in features:
            if not target.addFeature(feature):
                raise ImportFailure(tr("Could not add a feature to layer {layer}.").format(layer=target.name()))
            result.fids.append(feature.id())
    result.added = len(features)
    return result


def check_coordinates(records: SourceRecords, geographic: bool, source_name: str, geometries=None) -> None:
    """Refuse, per feature, geometries with NaN, infinite or absurd coordinates (nothing else changes)."""
    geometries = records.geometries if geometries is None else geometries
    for index in np.flatnonzero(absurd_coordinates(geometries, geographic)):
        records.problems.setdefault(
            int(index),
            tr(
                "Feature {fid}: its coordinates are not a place on Earth (NaN, infinite or absurdly large); skipped."
            ).format(fid=records.ids[index]),
        )
        records.geometries[index] = None
        geometries[index] = None


def _county_boundary(workspace, crs):
    if workspace is None or not hasattr(workspace, "layer"):
        return None
    try:
        layer = workspace.layer(schema.COUNTY_BOUNDARY.name)
    except KeyError:
        return None
    wkbs = [bytes(f.geometry().asWkb()) for f in layer.getFeatures() if not f.geometry().isNull()]
    if not wkbs:
        return None
    geometries = shapely.from_wkb(np.asarray(wkbs, dtype=object))
    return shapely.union_all(transform(geometries, layer.crs(), crs))


class FileWorkspace:
    """Just enough of a workspace for a Processing import: the grid layer and county boundary of a file."""

    def __init__(self, path: str):
        from .workspace import WorkspaceError, read_info

        try:
            self.info = read_info(path)
        except WorkspaceError as error:
            raise ImportFailure(str(error)) from error
        self.path = path
        self._layers: dict[str, QgsVectorLayer] = {}

    def layer(self, name: str) -> QgsVectorLayer:
        if name not in self._layers:
            layer = QgsVectorLayer(f"{self.path}|layername={name}", name, "ogr")
            if not layer.isValid():
                raise ImportFailure(tr("Layer {layer} of {path} did not open.").format(layer=name, path=self.path))
            self._layers[name] = layer
        return self._layers[name]

    def grid_layer(self, level: int) -> QgsVectorLayer:
        return self.layer(schema.GRID_LAYER_BY_LEVEL[level].name)
