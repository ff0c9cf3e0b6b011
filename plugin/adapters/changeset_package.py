"""Change requests on GeoPackage workspaces (§7.6): the change-set package a township sends, the county's
review, approval and rejection.

* :func:`propose_package` — the township compares its edited copy of the county's workspace with the workspace
  as it got it (``core.changesets.propose_change_set``: its own grids only) and writes a change-set package: a
  GeoPackage written by the system GDAL (the GDAL QGIS uses) with the tables of ``core.schema.CHANGE_SET_LAYERS``
  — the written application (what changes, why, who), every changed grid with its values and geometry after the
  change, and the geometries before — in the workspace's CRS. Written into a temporary file and moved into place.
* :func:`review_package` — the county audits its workspace as it would be with the set applied
  (``core.workspace_audit``) and lists the findings the change brings.
* :func:`approve_package` — with the approval reference (批复文号): in ONE transaction of the workspace file the
  grids change, ``change_log`` rows naming the reference are written (dated at approval: the 7-day filing clock
  starts there), ``code_registry`` issues and retires codes, and ``workspace_info`` records the decision; then the
  decision is written back into the package for the township. A stale set (a grid changed since it was made), a
  code already used, a set of another county or one decided before: refused, nothing written.
* :func:`reject_package` — with a reason: the decision goes into the package only; the workspace is not touched.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely
from osgeo import gdal, ogr

from ..core import changesets as core
from ..core import schema
from ..core.findings import Finding
from ..core.model import GridArray, WorkspaceData
from ..i18n import tr
from .gpkg_write import WorkspaceWrite, WriteError, _checked
from .package_io import (
    PackageError,
    create_layer,
    layer_authid,
    layer_names,
    multipolygons,
    open_gpkg,
    quiet_gdal,
    read_geometries,
    read_grid_layer,
    read_rows,
    write_rows,
)
from .workspace import _check_target, read_info

EXTRA_FIELDS = tuple(f for f in core.VALUE_FIELDS if f not in ("code", "parent_code", "name"))
INFO_PREFIX = "change_set/"  # workspace_info key + set id: the county's record of a decided change set


def translate(error: core.ChangeSetError) -> str:
    return tr(error.template).format(**error.params)


# ---------------------------------------------------------------- reading a workspace file (no QGIS needed)


def read_workspace_grids(path: str | os.PathLike) -> dict[str, GridArray]:
    """Every grid layer of a workspace (or package) file with all the schema's grid fields."""
    dataset = open_gpkg(path)
    names = layer_names(dataset)
    return {
        d.name: read_grid_layer(dataset, d.name, d.level, extra_fields=EXTRA_FIELDS)
        for d in schema.GRID_LAYERS
        if d.name in names
    }


def read_workspace_file(path: str | os.PathLike) -> WorkspaceData:
    """What the audit needs of a workspace file, read through GDAL."""
    info = read_info(path)
    dataset = open_gpkg(path)
    grids = {d.name: read_grid_layer(dataset, d.name, d.level, extra_fields=EXTRA_FIELDS) for d in schema.GRID_LAYERS}
    parts = read_geometries(dataset, schema.COUNTY_BOUNDARY.name)
    boundary = shapely.union_all(shapely.make_valid(parts)) if len(parts) else None
    return WorkspaceData(
        info=info,
        grids=grids,
        county_boundary=boundary,
        staff=read_rows(dataset, schema.STAFF.name),
        divisions=read_rows(dataset, schema.DIVISIONS.name),
        code_registry=read_rows(dataset, schema.CODE_REGISTRY.name),
        change_log=read_rows(dataset, schema.CHANGE_LOG.name),
    )


# ---------------------------------------------------------------- the package file


def write_package(cs: core.ChangeSet, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """The change-set package at ``path`` (a temporary file beside it, moved into place when complete)."""
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        path = path.with_suffix(".gpkg")
    try:
        _check_target(path, overwrite)
    except Exception as error:  # noqa: BLE001 - WorkspaceError: the same message for a package
        raise PackageError(str(error)) from error
    temporary = path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp.gpkg")
    try:
        with quiet_gdal() as errors:
            dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(temporary))
        if dataset is None:
            raise PackageError(
                tr("Could not create {path}: {error}").format(path=path, error=errors.text() or gdal.GetLastErrorMsg())
            )
        write_rows(create_layer(dataset, schema.CHANGE_SETS), [cs.row()])
        write_rows(
            create_layer(dataset, schema.CHANGE_SET_ITEMS, cs.crs),
            cs.item_rows(),
            multipolygons([i.after_geometry if i.action != core.RETIRE else None for i in cs.items]),
        )
        befores = [i for i in cs.items if i.before_geometry is not None]
        write_rows(
            create_layer(dataset, schema.CHANGE_SET_BEFORE, cs.crs),
            [{"set_id": cs.set_id, "item_no": i.item_no} for i in befores],
            multipolygons([i.before_geometry for i in befores]),
        )
        dataset.FlushCache()
        dataset = None
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return path


def read_package(path: str | os.PathLike) -> core.ChangeSet:
    """The change set of a change-set package."""
    path = Path(path)
    dataset = open_gpkg(path)
    names = layer_names(dataset)
    missing = [d.name for d in schema.CHANGE_SET_LAYERS if d.name not in names]
    if missing:
        raise PackageError(
            tr("{path} is not a change-set package (no table {table}).").format(path=path, table=", ".join(missing))
        )
    rows = read_rows(dataset, schema.CHANGE_SETS.name)
    if len(rows) != 1:
        raise PackageError(
            tr("{path} holds {count} change requests; a change-set package holds one.").format(
                path=path, count=len(rows)
            )
        )
    items_layer = dataset.GetLayerByName(schema.CHANGE_SET_ITEMS.name)
    items, after = _rows_with_geometry(items_layer)
    before_rows, before_geoms = _rows_with_geometry(dataset.GetLayerByName(schema.CHANGE_SET_BEFORE.name))
    before = {int(r["item_no"]): g for r, g in zip(before_rows, before_geoms)}
    cs = core.ChangeSet.from_rows(rows[0], items, after, before)
    cs.crs = cs.crs or layer_authid(items_layer)
    return cs


def _rows_with_geometry(layer) -> tuple[list[dict], list]:
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    rows, wkbs = [], []
    layer.ResetReading()
    for feature in layer:
        rows.append({n: (feature.GetField(n) if feature.IsFieldSetAndNotNull(n) else None) for n in names})
        geometry = feature.GetGeometryRef()
        wkbs.append(None if geometry is None else bytes(geometry.ExportToIsoWkb()))
    order = sorted(range(len(rows)), key=lambda k: rows[k].get("item_no") or 0)
    geometries = [None if wkbs[k] is None else shapely.from_wkb(wkbs[k]) for k in order]
    return [rows[k] for k in order], geometries


def record_decision(path: str | os.PathLike, cs: core.ChangeSet) -> None:
    """Write the decision (status, decided by/at, reference or reason) into the package's change_sets row."""
    path = Path(path)
    row = cs.row()
    with WorkspaceWrite(path, tr("record the decision on a change request")) as write:
        layer = write.layer(schema.CHANGE_SETS.name)
        layer.ResetReading()
        fids = [feature.GetFID() for feature in layer]
        keys = ("status", "decided_by", "decided_at", "approval_ref", "rejection_reason")
        write.update(schema.CHANGE_SETS.name, {fid: {k: row[k] for k in keys} for fid in fids})


# ---------------------------------------------------------------- the township: propose


def propose_package(
    base: str | os.PathLike,
    edited: str | os.PathLike,
    output: str | os.PathLike,
    township_code: str,
    reason: str,
    *,
    title: str = "",
    proposed_by: str = "",
    proposed_at: datetime | None = None,
    township_area=None,
    overwrite: bool = False,
) -> tuple[Path, core.ChangeSet]:
    """The change set from ``base`` (the county's workspace as the township got it) to ``edited`` (its edited
    copy), written as a change-set package at ``output``."""
    info = read_info(base)
    read_info(edited)
    base_grids = read_workspace_grids(base)
    cs = core.propose_change_set(
        base_grids,
        read_workspace_grids(edited),
        township_code,
        reason,
        county_code=info.county_code,
        title=title,
        proposed_by=proposed_by,
        proposed_at=proposed_at,
        township_area=township_area,
        crs=info.crs,
    )
    from .changeset_map import render_change_map

    cs.map_png = render_change_map(cs, base_grids) or None
    return write_package(cs, output, overwrite), cs


# ---------------------------------------------------------------- the county: review, approve, reject


@dataclass
class Review:
    change_set: core.ChangeSet
    findings: list[Finding]  # the audit of the workspace with the set applied
    new_findings: list[Finding]  # those the current workspace does not have
    counts: dict[str, int] = field(default_factory=dict)


def _check_for_workspace(cs: core.ChangeSet, workspace: Path) -> WorkspaceData:
    data = read_workspace_file(workspace)
    if cs.county_code and data.info.county_code and cs.county_code != data.info.county_code:
        raise core.ChangeSetError(
            core.MSG_WRONG_COUNTY, set_id=cs.set_id, found=cs.county_code, expected=data.info.county_code
        )
    decided = read_info(workspace).extra.get(INFO_PREFIX + cs.set_id)
    if decided:
        status = json.loads(decided).get("status", core.APPROVED)
        raise core.ChangeSetError(core.MSG_NOT_PROPOSED, set_id=cs.set_id, status=status)
    return data


def review_package(workspace: str | os.PathLike, package: str | os.PathLike) -> Review:
    """Audit the workspace as it would be with the change set applied; the findings the change brings."""
    from ..core.workspace_audit import audit_workspace

    cs = read_package(package)
    data = _check_for_workspace(cs, Path(workspace))
    core.check_current(cs, data.grids)
    before = audit_workspace(data, check_staffing=False).findings
    changed = WorkspaceData(
        info=data.info,
        grids=core.apply_to(data.grids, cs),
        county_boundary=data.county_boundary,
        staff=data.staff,
        divisions=data.divisions,
    )
    after = audit_workspace(changed, check_staffing=False).findings
    known = {(f.rule_id, tuple(sorted(c or "" for c in f.codes))) for f in before}
    new = [f for f in after if (f.rule_id, tuple(sorted(c or "" for c in f.codes))) not in known]
    return Review(cs, after, new, cs.counts())


@dataclass
class Decision:
    change_set: core.ChangeSet
    change_log: int = 0
    grids_changed: int = 0
    grids_added: int = 0
    codes_issued: int = 0
    codes_retired: int = 0


def approve_package(
    workspace: str | os.PathLike,
    package: str | os.PathLike,
    approval_ref: str,
    *,
    decided_by: str = "",
    decided_at: datetime | None = None,
) -> Decision:
    """Approve the package's change set into the workspace file in one transaction (see the module's doc)."""
    workspace, package = Path(workspace), Path(package)
    cs = read_package(package)
    data = _check_for_workspace(cs, workspace)
    core.check_current(cs, data.grids)
    cs = core.approve(cs, approval_ref, decided_by, decided_at)
    registry = {r.get("code"): r for r in data.code_registry or [] if r.get("code")}
    plan = core.approval_plan(cs, set(registry))
    result = Decision(cs, change_log=len(plan.change_log))
    with WorkspaceWrite(workspace, tr("approve change request {id}").format(id=cs.set_id)) as write:
        for layer, updates in plan.updates.items():
            for fid, (values, geometry) in updates.items():
                _set_feature(write, layer, fid, values, geometry)
                result.grids_changed += 1
        for layer, additions in plan.additions.items():
            geometries = multipolygons([g for _, g in additions])
            write.add(layer, [v for v, _ in additions], [_wkb(g) for g in geometries])
            result.grids_added += len(additions)
        write.add(schema.CHANGE_LOG.name, plan.change_log)
        write.add(schema.CODE_REGISTRY.name, plan.registry_issue)
        result.codes_issued = len(plan.registry_issue)
        day = cs.decided_at.date().isoformat()
        retire = {
            registry[c]["fid"]: {"status": "retired", "retired_on": day} for c in plan.registry_retire if c in registry
        }
        write.update(schema.CODE_REGISTRY.name, retire)
        result.codes_retired = len(retire)
        write.set_info({INFO_PREFIX + cs.set_id: _decision_text(cs)})
    record_decision(package, cs)
    return result


def reject_package(
    workspace: str | os.PathLike,
    package: str | os.PathLike,
    reason: str,
    *,
    decided_by: str = "",
    decided_at: datetime | None = None,
) -> Decision:
    """Reject the package's change set: the decision goes into the package; the workspace is not touched."""
    package = Path(package)
    cs = read_package(package)
    _check_for_workspace(cs, Path(workspace))
    cs = core.reject(cs, reason, decided_by, decided_at)
    record_decision(package, cs)
    return Decision(cs)


def _decision_text(cs: core.ChangeSet) -> str:
    return json.dumps(
        {
            "status": cs.status,
            "approval_ref": cs.approval_ref,
            "decided_at": cs.decided_at.isoformat(timespec="seconds"),
            "decided_by": cs.decided_by,
            "township": cs.township_code,
        },
        ensure_ascii=False,
    )


def _wkb(geometry):
    return None if geometry is None else shapely.to_wkb(geometry, output_dimension=2)


def _set_feature(write: WorkspaceWrite, table: str, fid: int, values: dict, geometry) -> None:
    """Change a grid's values and (unless None) its geometry, in the write's transaction."""
    layer = write.layer(table)
    with quiet_gdal():
        feature = layer.GetFeature(int(fid))
    if feature is None:
        raise WriteError(tr("Table {table} has no feature {fid}.").format(table=table, fid=fid))
    write._fill(feature, layer.GetLayerDefn(), table, values)
    if geometry is not None:
        (multi,) = multipolygons(np.asarray([geometry], dtype=object))
        if multi is not None:
            feature.SetGeometry(ogr.CreateGeometryFromWkb(_wkb(multi)))
    _checked(
        layer.SetFeature, feature, tr("Could not change feature {fid} of table {table}: {error}"), fid=fid, table=table
    )
