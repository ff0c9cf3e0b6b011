"""The audit's inputs and outputs in QGIS: grids read for an audit run, findings and accepted exceptions stored.

* Reading. :func:`read_grid_source` turns any polygon layer or Processing feature source into a
  :class:`~plugin.core.model.GridArray`, refusing (with :class:`AuditStoreError`, naming the layer) what
  cannot be audited: no geometry, points or lines, no ``code`` field, no CRS or a geographic CRS.
  Invalid and null geometries are read as they are (the audit reports them). :func:`snapshot_workspace`
  captures a workspace on the main thread (thread-safe feature sources of the layers, edit buffers
  included; the small tables read at once); :meth:`AuditInputs.read` then reads the grids in a worker
  thread.
* Findings. :func:`finding_rows` gives each finding as a row of the schema's ``audit_findings``;
  :func:`write_findings_file` replaces the file's rows in one GDAL transaction (Processing),
  :func:`write_findings_layer` in one edit command of the layer (the dock, main thread).
* Exceptions. :func:`accept_finding` adds an ``audit_exceptions`` row and marks the finding's rows accepted,
  as undoable edits left in the layers' edit buffers (:func:`save_acceptances` saves them);
  :func:`read_exceptions` / :func:`read_exceptions_file` give ``{fingerprint: reason}`` for a run.
"""

from __future__ import annotations

import contextlib
import getpass
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely
from osgeo import ogr
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFields,
    QgsGeometry,
    QgsVectorLayer,
    QgsVectorLayerFeatureSource,
    QgsWkbTypes,
)

from ..core import schema
from ..core.errors import PluginError
from ..core.findings import Finding
from ..core.model import GridArray, WorkspaceData
from ..i18n import tr
from .arrays import crs_unit_problem, geometry_wkb, python_value, single_part_wkb
from .gpkg_write import WorkspaceWrite, WriteError, checked_write, checkpoint
from .layer_edits import LayerEditError, commit_layer, edit_command, qt_value, read_rows
from .workspace import qgs_fields

FINDINGS = schema.AUDIT_FINDINGS.name
EXCEPTIONS = schema.AUDIT_EXCEPTIONS.name
GRID_FIELD_NAMES = tuple(f.name for f in schema.GRID_FIELDS)
_LENGTHS = {f.name: f.length for f in schema.AUDIT_FINDINGS.fields if f.length}


class AuditStoreError(PluginError):
    """Audit input that cannot be read, or output that cannot be written; the message names the layer."""


# ---------------------------------------------------------------- reading grids


def check_crs(crs: QgsCoordinateReferenceSystem, name: str) -> None:
    """Refuse a missing, undefined, geographic or non-metre CRS: the audit measures in metres."""
    problem = crs_unit_problem(crs, name) if crs is not None and crs.isValid() else None
    if problem:
        raise AuditStoreError(problem)
    if crs is None or not crs.isValid():
        raise AuditStoreError(
            tr("Layer {layer} has no coordinate reference system; set its CRS (a projected CRS in metres).").format(
                layer=name
            )
        )
    if crs.isGeographic():
        raise AuditStoreError(
            tr(
                "Layer {layer} is in a geographic CRS ({crs}, degrees); the audit measures areas and widths in "
                "metres: reproject it to a projected CRS (e.g. CGCS2000 / 3-degree Gauss-Kruger)."
            ).format(layer=name, crs=crs.authid() or crs.description())
        )


def check_geometry_type(wkb_type, feature_count: int, name: str, boundary: bool = False) -> None:
    """Refuse a layer that is not a polygon layer (``boundary``: the county boundary, not grids)."""
    geometry_type = QgsWkbTypes.geometryType(wkb_type)
    if geometry_type == QgsWkbTypes.GeometryType.PolygonGeometry:
        return
    if geometry_type in (QgsWkbTypes.GeometryType.NullGeometry, QgsWkbTypes.GeometryType.UnknownGeometry):
        if wkb_type == QgsWkbTypes.Type.Unknown and feature_count == 0:
            return
        if boundary:
            raise AuditStoreError(
                tr("Layer {layer} has no geometry; the county boundary must be a polygon.").format(layer=name)
            )
        raise AuditStoreError(tr("Layer {layer} has no geometry; grids must be polygons.").format(layer=name))
    kind = QgsWkbTypes.geometryDisplayString(geometry_type)
    if boundary:
        raise AuditStoreError(
            tr("Layer {layer} holds {kind} geometries; the county boundary must be a polygon.").format(
                layer=name, kind=kind
            )
        )
    raise AuditStoreError(
        tr("Layer {layer} holds {kind} geometries; grids must be polygons.").format(layer=name, kind=kind)
    )


def check_code_field(fields: QgsFields, name: str) -> None:
    if fields.indexFromName("code") < 0:
        raise AuditStoreError(
            tr("Layer {layer} has no field 'code' (the grid code); the audit needs it to name each grid.").format(
                layer=name
            )
        )


def _single_parts(geometries: np.ndarray) -> np.ndarray:
    if len(geometries) == 0:
        return geometries
    type_ids = shapely.get_type_id(geometries)
    one = (type_ids == 6) & (shapely.get_num_geometries(geometries) == 1)
    if one.any():
        geometries = geometries.copy()
        geometries[one] = shapely.get_geometry(geometries[one], 0)
    return geometries


def _text(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        text = None if value is None else str(value).strip()
        out[i] = text or None
    return out


def read_features(iterate, fields: QgsFields, names, feedback=None, filter_rect=None):
    """fids, {name: object array} and shapely geometries of the features ``iterate(request)`` gives."""
    indexes = {name: fields.indexFromName(name) for name in names}
    request = QgsFeatureRequest()
    request.setSubsetOfAttributes([i for i in indexes.values() if i >= 0])
    request.setInvalidGeometryCheck(QgsFeatureRequest.InvalidGeometryCheck.GeometryNoCheck)
    if filter_rect is not None:
        request.setFilterRect(filter_rect)
    fids, wkbs = [], []
    columns: dict[str, list] = {name: [] for name in names}
    for n, feature in enumerate(iterate(request)):
        if feedback is not None and n % 5000 == 0 and feedback.isCanceled():
            break
        fids.append(feature.id())
        attributes = feature.attributes()
        for name, index in indexes.items():
            columns[name].append(python_value(attributes[index]) if index >= 0 else None)
        wkbs.append(single_part_wkb(geometry_wkb(feature.geometry())))
    arrays = {}
    for name, values in columns.items():
        column = np.empty(len(values), dtype=object)
        column[:] = values
        arrays[name] = column
    geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object), on_invalid="ignore") if wkbs else np.empty(0, object)
    return np.asarray(fids, dtype=np.int64), arrays, _single_parts(np.asarray(geoms, dtype=object))


def read_grid_source(
    iterate, fields: QgsFields, wkb_type, feature_count: int, name: str, level: int, layer_name: str, feedback=None
) -> GridArray:
    """A grid layer read through ``iterate(request)`` (a layer's, a feature source's or a snapshot's
    ``getFeatures``) as a GridArray named ``layer_name``; refuses what cannot be audited."""
    check_geometry_type(wkb_type, feature_count, name)
    check_code_field(fields, name)
    fids, columns, geoms = read_features(iterate, fields, GRID_FIELD_NAMES, feedback)
    codes = _text(columns.pop("code"))
    parents = _text(columns.pop("parent_code"))
    names = columns.pop("name")
    present = set(fields.names())
    attributes = {k: v for k, v in columns.items() if k in present}
    return GridArray(layer_name, level, fids, codes, parents, names, geoms, attributes)


def read_grid_layer(layer: QgsVectorLayer, level: int, layer_name: str | None = None) -> GridArray:
    """A grid layer (edit buffer included) as a GridArray."""
    name = layer.name()
    return read_grid_source(
        layer.getFeatures,
        layer.fields(),
        layer.wkbType(),
        layer.featureCount(),
        name,
        level,
        layer_name or layer.customProperty(schema.PROPERTY_LAYER) or name,
    )


def read_boundary(iterate, wkb_type, feature_count: int, name: str):
    """The union of a boundary layer's polygons (None when it has none)."""
    check_geometry_type(wkb_type, feature_count, name, boundary=True)
    _, _, geoms = read_features(iterate, QgsFields(), ())
    geoms = geoms[~shapely.is_missing(geoms)] if len(geoms) else geoms
    if len(geoms) == 0:
        return None
    if len(geoms) == 1:
        return geoms[0]
    valid = shapely.is_valid(geoms)
    if valid.all():
        return shapely.union_all(geoms)
    return shapely.union_all(shapely.make_valid(geoms))


# ---------------------------------------------------------------- a workspace captured for a run


@dataclass
class LayerSnapshot:
    """A layer captured on the main thread: a thread-safe feature source (edit buffer included) and what
    the reader needs to know about the layer."""

    source: QgsVectorLayerFeatureSource
    fields: QgsFields
    wkb_type: object
    feature_count: int
    name: str

    @classmethod
    def of(cls, layer: QgsVectorLayer) -> LayerSnapshot:
        return cls(
            QgsVectorLayerFeatureSource(layer), layer.fields(), layer.wkbType(), layer.featureCount(), layer.name()
        )


@dataclass
class AuditInputs:
    """Everything an audit run of a workspace needs, captured on the main thread; :meth:`read` (any thread)
    reads the grids."""

    info: schema.WorkspaceInfo
    grids: dict[str, LayerSnapshot]
    county: LayerSnapshot | None
    staff: list[dict] = field(default_factory=list)
    divisions: list[dict] = field(default_factory=list)
    exceptions: dict[str, str] = field(default_factory=dict)
    size_rules: list | None = None
    size_rules_problem: str = ""  # why the county's size rules could not be used (defaults used instead)
    code_registry: list[dict] | None = None  # rows of code_registry and change_log (the registry check)
    change_log: list[dict] | None = None

    def read(self, feedback=None) -> WorkspaceData:
        grids = {}
        for layer_def in schema.GRID_LAYERS:
            snap = self.grids[layer_def.name]
            grids[layer_def.name] = read_grid_source(
                snap.source.getFeatures,
                snap.fields,
                snap.wkb_type,
                snap.feature_count,
                snap.name,
                layer_def.level,
                layer_def.name,
                feedback,
            )
        county = None
        if self.county is not None:
            c = self.county
            county = read_boundary(c.source.getFeatures, c.wkb_type, c.feature_count, c.name)
        return WorkspaceData(
            info=self.info,
            grids=grids,
            county_boundary=county,
            staff=self.staff,
            divisions=self.divisions,
            code_registry=self.code_registry,
            change_log=self.change_log,
        )


def snapshot_workspace(workspace) -> AuditInputs:
    """Capture an open workspace for an audit run (main thread): grid and county layers as feature sources,
    staff, divisions and accepted exceptions as rows (edit buffers included), the county's size rules."""
    from .rules_store import RulesError, load_rules

    layers = workspace.layers
    for layer_def in (*schema.GRID_LAYERS, schema.COUNTY_BOUNDARY):
        check_crs(layers[layer_def.name].crs(), layers[layer_def.name].name())
    rules, problem = None, ""
    try:
        rules = load_rules(workspace)
    except RulesError as error:
        problem = str(error)
    staff = read_rows(layers[schema.STAFF.name])
    return AuditInputs(
        info=workspace.info,
        grids={d.name: LayerSnapshot.of(layers[d.name]) for d in schema.GRID_LAYERS},
        county=LayerSnapshot.of(layers[schema.COUNTY_BOUNDARY.name]),
        staff=staff,
        divisions=read_rows(layers[schema.DIVISIONS.name]),
        exceptions=read_exceptions(layers[EXCEPTIONS]),
        size_rules=rules,
        size_rules_problem=problem,
        code_registry=read_rows(layers[schema.CODE_REGISTRY.name]),
        change_log=read_rows(layers[schema.CHANGE_LOG.name]),
    )


# ---------------------------------------------------------------- exceptions


def _exceptions_from_rows(rows) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in rows:
        fp = row.get("fingerprint")
        if fp:
            out[str(fp).strip()] = str(row.get("reason") or "")
    return out


def read_exceptions(layer: QgsVectorLayer) -> dict[str, str]:
    """{fingerprint: reason} of an ``audit_exceptions`` layer, its edit buffer included."""
    return _exceptions_from_rows(read_rows(layer))


def read_exceptions_file(path) -> dict[str, str]:
    from .table_store import TableStoreError
    from .table_store import read_rows as read_table

    try:
        return _exceptions_from_rows(read_table(path, EXCEPTIONS))
    except TableStoreError as error:
        raise AuditStoreError(str(error)) from error


def current_user() -> str:
    name = QgsApplication.userFullName() or QgsApplication.userLoginName()
    if not name:
        with contextlib.suppress(Exception):
            name = getpass.getuser()
    return name or ""


@dataclass
class AcceptEdit:
    """An acceptance in the edit buffers of ``audit_exceptions`` (and ``audit_findings``): undoable."""

    exceptions_layer: QgsVectorLayer
    findings_layer: QgsVectorLayer | None
    fingerprint: str

    def undo(self) -> None:
        for layer in (self.findings_layer, self.exceptions_layer):
            if layer is not None and layer.isEditable() and layer.undoStack().canUndo():
                layer.undoStack().undo()


def accept_finding(workspace, finding: Finding, reason: str, accepted_by: str | None = None) -> AcceptEdit:
    """Accept ``finding`` as an exception with ``reason``: one edit command adds (or updates) its row in
    ``audit_exceptions``, one marks its rows in ``audit_findings``; both stay in the edit buffers."""
    reason = (reason or "").strip()
    if not reason:
        raise AuditStoreError(tr("Give a reason for accepting the finding."))
    fingerprint = finding.fingerprint
    layer = workspace.layers[EXCEPTIONS]
    fp_index = layer.fields().indexFromName("fingerprint")
    existing = [f.id() for f in layer.getFeatures() if python_value(f.attributes()[fp_index]) == fingerprint]
    values = {
        "fingerprint": fingerprint,
        "rule_id": finding.rule_id,
        "codes": _clip(",".join(c for c in finding.codes if c), 255),
        "reason": _clip(reason, 255),
        "accepted_by": _clip(accepted_by if accepted_by is not None else current_user(), 50),
        "accepted_at": datetime.now().replace(microsecond=0),
    }
    text = tr("Accept audit finding {rule} ({codes})").format(rule=finding.rule_id, codes=values["codes"] or "—")
    try:
        with edit_command(layer, text, commit=False):
            if existing:
                changes = {
                    layer.fields().indexFromName(k): qt_value(v) for k, v in values.items() if k != "fingerprint"
                }
                for fid in existing:
                    if not layer.changeAttributeValues(fid, changes):
                        raise LayerEditError(
                            tr("Could not change feature {fid} of layer {layer}.").format(fid=fid, layer=layer.name())
                        )
            else:
                feature = QgsFeature(layer.fields())
                for name, value in values.items():
                    feature.setAttribute(layer.fields().indexFromName(name), qt_value(value))
                if not layer.addFeature(feature):
                    raise LayerEditError(tr("Could not add rows to layer {layer}.").format(layer=layer.name()))
        findings_layer = workspace.layers.get(FINDINGS)
        marked = _mark_findings(findings_layer, fingerprint, True, values["reason"], text)
    except LayerEditError as error:
        raise AuditStoreError(str(error)) from error
    finding.accepted = True
    finding.accepted_reason = values["reason"]
    return AcceptEdit(layer, findings_layer if marked else None, fingerprint)


def revoke_acceptance(workspace, finding: Finding) -> int:
    """Delete the finding's rows from ``audit_exceptions`` and clear its accepted mark (one undoable edit
    command per layer, left in the edit buffer); returns the rows deleted."""
    fingerprint = finding.fingerprint
    layer = workspace.layers[EXCEPTIONS]
    fp_index = layer.fields().indexFromName("fingerprint")
    fids = [f.id() for f in layer.getFeatures() if python_value(f.attributes()[fp_index]) == fingerprint]
    text = tr("Revoke acceptance of audit finding {rule}").format(rule=finding.rule_id)
    try:
        if fids:
            with edit_command(layer, text, commit=False):
                if not layer.deleteFeatures(fids):
                    raise LayerEditError(tr("Could not delete rows of layer {layer}.").format(layer=layer.name()))
        _mark_findings(workspace.layers.get(FINDINGS), fingerprint, False, "", text)
    except LayerEditError as error:
        raise AuditStoreError(str(error)) from error
    finding.accepted = False
    finding.accepted_reason = ""
    return len(fids)


def _mark_findings(layer, fingerprint: str, accepted: bool, reason: str, text: str) -> bool:
    if layer is None:
        return False
    fields = layer.fields()
    fp_index = fields.indexFromName("fingerprint")
    if fp_index < 0:
        return False
    request = QgsFeatureRequest().setFilterExpression(f"\"fingerprint\" = '{fingerprint}'")
    request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    fids = [f.id() for f in layer.getFeatures(request)]
    if not fids:
        return False
    changes = {fields.indexFromName("accepted"): accepted, fields.indexFromName("accepted_reason"): reason or None}
    changes = {k: qt_value(v) for k, v in changes.items() if k >= 0}
    with edit_command(layer, text, commit=False):
        for fid in fids:
            if not layer.changeAttributeValues(fid, changes):
                raise LayerEditError(
                    tr("Could not change feature {fid} of layer {layer}.").format(fid=fid, layer=layer.name())
                )
    return True


def save_acceptances(workspace) -> None:
    """Save the edit buffers of ``audit_exceptions`` and ``audit_findings``."""
    try:
        for name in (EXCEPTIONS, FINDINGS):
            layer = workspace.layers.get(name)
            if layer is not None and layer.isEditable():
                commit_layer(layer, stop_editing=True)
    except LayerEditError as error:
        raise AuditStoreError(str(error)) from error


def has_unsaved_acceptances(workspace) -> bool:
    layer = workspace.layers.get(EXCEPTIONS)
    return bool(layer is not None and layer.isModified())


# ---------------------------------------------------------------- findings stored by an earlier run


@dataclass
class StoredFinding(Finding):
    """A finding read back from ``audit_findings``: its fingerprint is the stored one (the stored geometry
    is a MultiPolygon copy, whose own hash may differ from the original's)."""

    stored_fingerprint: str = ""

    @property
    def fingerprint(self) -> str:  # type: ignore[override]
        return self.stored_fingerprint or Finding.fingerprint.fget(self)


def read_stored_findings(layer: QgsVectorLayer) -> tuple[str, list[Finding]]:
    """The run id and findings stored in an ``audit_findings`` layer (edit buffer included)."""
    from ..core.findings import Severity

    names = layer.fields().names()
    fids, columns, geoms = read_features(layer.getFeatures, layer.fields(), names)
    findings: list[Finding] = []
    run_ids = set()
    for i in range(len(fids)):
        row = {name: columns[name][i] for name in names}
        try:
            severity = Severity(str(row.get("severity") or "").strip().lower())
        except ValueError:
            severity = Severity.WARNING
        x, y = row.get("location_x"), row.get("location_y")
        ids = []
        for part in str(row.get("feature_ids") or "").split(","):
            part = part.strip()
            if part.lstrip("-").isdigit():
                ids.append(int(part))
        measure = row.get("measure")
        findings.append(
            StoredFinding(
                rule_id=str(row.get("rule_id") or ""),
                severity=severity,
                layer=str(row.get("layer") or ""),
                codes=tuple(c for c in str(row.get("codes") or "").split(",") if c),
                fids=tuple(ids),
                geometry=geoms[i],
                measure=float(measure) if measure is not None else None,
                unit=str(row.get("unit") or ""),
                message_zh=str(row.get("message_zh") or ""),
                message_en=str(row.get("message_en") or ""),
                location=(float(x), float(y)) if x is not None and y is not None else None,
                accepted=bool(row.get("accepted")),
                accepted_reason=str(row.get("accepted_reason") or ""),
                stored_fingerprint=str(row.get("fingerprint") or ""),
            )
        )
        if row.get("run_id"):
            run_ids.add(str(row["run_id"]))
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    findings.sort(key=lambda f: (order[f.severity], f.rule_id, f.layer, f.codes, f.fids))
    return (sorted(run_ids)[-1] if run_ids else ""), findings


# ---------------------------------------------------------------- findings as rows


def _clip(text, length: int):
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= length else text[: max(0, length - 1)] + "…"


def _polygonal_wkb(geometry) -> bytes | None:
    """WKB of the polygonal part of a finding's geometry (as a MultiPolygon), or None."""
    if geometry is None or shapely.is_missing(geometry) or shapely.is_empty(geometry):
        return None
    tid = shapely.get_type_id(geometry)
    if tid == 3:
        return shapely.to_wkb(shapely.MultiPolygon([geometry]), output_dimension=2)
    if tid == 6:
        return shapely.to_wkb(geometry, output_dimension=2)
    if tid == 7:
        parts = shapely.get_parts(geometry)
        polys = [p for p in parts if shapely.get_type_id(p) == 3] + [
            q for p in parts if shapely.get_type_id(p) == 6 for q in shapely.get_parts(p)
        ]
        return shapely.to_wkb(shapely.MultiPolygon(polys), output_dimension=2) if polys else None
    return None


def finding_rows(result) -> list[tuple[dict, bytes | None]]:
    """Each finding of an audit result as (``audit_findings`` attributes, MultiPolygon WKB or None).

    Findings without a polygonal geometry (a missing grid, a line, a staff row) get no geometry; their
    location, if any, is in ``location_x`` / ``location_y``."""
    return list(iter_finding_rows(result))


def iter_finding_rows(result):
    """:func:`finding_rows` one at a time: the writers stream them rather than hold them all."""
    run_at = result.started.replace(microsecond=0)
    for f in result.findings:
        attributes = {
            "run_id": result.run_id,
            "run_at": run_at,
            "rule_id": f.rule_id,
            "severity": f.severity.value,
            "layer": f.layer,
            "codes": ",".join(c for c in f.codes if c),
            "feature_ids": ",".join(str(int(x)) for x in f.fids),
            "measure": None if f.measure is None or not np.isfinite(f.measure) else float(f.measure),
            "unit": f.unit,
            "location_x": f.location[0] if f.location else None,
            "location_y": f.location[1] if f.location else None,
            "message_zh": f.message_zh,
            "message_en": f.message_en,
            "fingerprint": f.fingerprint,
            "accepted": bool(f.accepted),
            "accepted_reason": f.accepted_reason or None,
        }
        for name, length in _LENGTHS.items():
            if isinstance(attributes.get(name), str):
                attributes[name] = _clip(attributes[name], length)
        yield attributes, _polygonal_wkb(f.geometry)


def findings_fields() -> QgsFields:
    return qgs_fields(schema.AUDIT_FINDINGS)


def finding_features(result, fields: QgsFields | None = None) -> list[QgsFeature]:
    return list(iter_finding_features(result, fields))


def iter_finding_features(result, fields: QgsFields | None = None):
    """The findings as QgsFeatures one at a time (a sink takes them as they come)."""
    fields = fields or findings_fields()
    names = fields.names()
    for attributes, wkb in iter_finding_rows(result):
        feature = QgsFeature(fields)
        feature.setAttributes([qt_value(attributes.get(name), _kind(name)) for name in names])
        if wkb is not None:
            geometry = QgsGeometry()
            geometry.fromWkb(wkb)
            feature.setGeometry(geometry)
        yield feature


def _kind(name: str) -> str | None:
    return "datetime" if name == "run_at" else None


def write_findings_layer(layer: QgsVectorLayer, result) -> int:
    """Replace the rows of an ``audit_findings`` layer with ``result``'s, in one edit command (main thread).

    Saved at once unless the layer was already being edited (then it waits in the edit buffer)."""
    features = finding_features(result, layer.fields())
    text = tr("Audit run {run}").format(run=result.run_id)
    try:
        with edit_command(layer, text):
            old = [f.id() for f in layer.getFeatures(QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry))]
            if old and not layer.deleteFeatures(old):
                raise LayerEditError(tr("Could not delete rows of layer {layer}.").format(layer=layer.name()))
            if features and not layer.addFeatures(features):
                raise LayerEditError(tr("Could not add rows to layer {layer}.").format(layer=layer.name()))
    except LayerEditError as error:
        raise AuditStoreError(str(error)) from error
    return len(features)


def write_findings_file(path, result) -> int:
    """Replace the rows of the workspace file's ``audit_findings`` with ``result``'s, in one transaction:
    readers see the previous run or the whole new one. ``audit_exceptions`` is left as it is. The write is
    :class:`gpkg_write.WorkspaceWrite`'s: a full disk or a locked file is reported in SQLite's own words."""
    path = Path(path)
    if not os.access(path, os.W_OK):
        raise AuditStoreError(tr("{path} is read-only; the findings were not written.").format(path=path))
    rows = iter_finding_rows(result)  # streamed into the transaction
    number = 0
    try:
        with WorkspaceWrite(path, tr("Write the audit findings")) as write:
            layer = write.layer(FINDINGS)
            definition = layer.GetLayerDefn()
            write.delete(FINDINGS, write.fids(FINDINGS))
            checkpoint("audit:old-findings-deleted")
            for number, (attributes, wkb) in enumerate(rows, start=1):
                feature = ogr.Feature(definition)
                for name, value in attributes.items():
                    index = definition.GetFieldIndex(name)
                    if index < 0 or value is None:
                        continue
                    if isinstance(value, datetime):
                        value = value.isoformat()
                    elif isinstance(value, bool):
                        value = int(value)
                    feature.SetField(index, value)
                if wkb is not None:
                    feature.SetGeometry(ogr.ForceToMultiPolygon(ogr.CreateGeometryFromWkb(wkb)))
                checked_write(
                    layer.CreateFeature,
                    feature,
                    tr("Could not write row {row} to table {table}: {error}"),
                    row=number,
                    table=FINDINGS,
                )
            checkpoint("audit:findings-written")
    except WriteError as error:
        raise AuditStoreError(str(error)) from error
    return number
