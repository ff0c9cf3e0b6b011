"""The city's intake of county filing packages: merge them into one city workspace, compare two packages.

Reading is column-wise through the system GDAL (``package_io``); all checks and comparisons run in a
metric CRS — the user's, or the CGCS2000 3-degree Gauss-Kruger zone of the packages' centre
(``core.crs.gk3_epsg``) — with geometries reprojected in one vectorised call per layer.

``merge_packages`` writes a city workspace (the workspace layout of ``core.schema``, readable by
``open_workspace``), in the metric CRS: every county's grids, boundary, staff, households, change
log and findings with a ``county_code`` and ``source_fid`` column added, plus ``city_findings``
(``core.diff.check_merged_counties``: codes used in two counties, level 1 grids overlapping across a
border, gaps along borders, level 1 codes outside their county) and ``city_packages`` (the inputs).
Written with GDAL into a temporary file and moved into place when complete and valid.

``compare_packages`` runs ``core.diff.diff_packages`` on two packages; the changed grids and a
report (text, HTML or JSON) are written by the caller (the Processing algorithm) or ``write_report``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely
from osgeo import gdal

from ..core import filing as core
from ..core import schema
from ..core.crs import gk3_epsg
from ..core.diff import DIFF_KINDS, PackageDiff, check_merged_counties, diff_packages
from ..core.findings import Finding
from ..core.model import GridArray
from ..i18n import tr
from .gdal_compat import translate_without_arrow
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
    read_key_values,
    reproject,
    srs_of,
    validate_gpkg,
    write_rows,
)
from .workspace import GPKG_SUFFIX, _check_target, atomic_path, now_iso

GRID_NAMES = schema.PACKAGE_GRID_LAYERS
MERGED_TABLES = (
    schema.COUNTY_BOUNDARY.name,
    schema.STAFF.name,
    schema.HOUSEHOLDS.name,
    schema.CHANGE_LOG.name,
    schema.AUDIT_FINDINGS.name,
)


@dataclass
class PackageData:
    """One package (or workspace) read for the city: grids and boundary in the file's CRS."""

    path: Path
    source: core.PackageSource
    metadata: dict[str, str]
    crs: str
    grids: dict[str, GridArray]
    boundary: object | None

    def to_metric(self, crs: str) -> tuple[dict[str, GridArray], object | None]:
        """Grids and boundary reprojected to ``crs`` (new arrays; this object is left as it is)."""
        grids = {}
        for name, grid in self.grids.items():
            geometries = reproject(grid.geometries, self.crs, crs)
            grids[name] = GridArray(
                grid.layer,
                grid.level,
                grid.fids,
                grid.codes,
                grid.parent_codes,
                grid.names,
                geometries,
                grid.attributes,
            )
        boundary = None
        if self.boundary is not None:
            boundary = reproject(np.asarray([self.boundary], dtype=object), self.crs, crs)[0]
        return grids, boundary


def read_package(path: str | os.PathLike) -> PackageData:
    """A filing package — or a workspace — with its county, metadata, grid layers and boundary."""
    path = Path(path)
    dataset = open_gpkg(path)
    names = layer_names(dataset)
    metadata = read_key_values(dataset, schema.PACKAGE_METADATA.name) if schema.PACKAGE_METADATA.name in names else {}
    if not metadata and schema.WORKSPACE_INFO.name in names:
        metadata = read_key_values(dataset, schema.WORKSPACE_INFO.name)
    grid_names = [n for n in GRID_NAMES if n in names]
    if not grid_names:
        raise PackageError(tr("{path} holds no grid layers; it is not a filing package.").format(path=path))
    crs = layer_authid(dataset.GetLayerByName(grid_names[0]))
    grids = {name: read_grid_layer(dataset, name) for name in grid_names}
    boundary = None
    if schema.COUNTY_BOUNDARY.name in names:
        parts = read_geometries(dataset, schema.COUNTY_BOUNDARY.name)
        if len(parts):
            boundary = shapely.union_all(shapely.make_valid(parts))
    source = core.PackageSource(
        str(path),
        (metadata.get("county_code") or "").strip(),
        metadata.get("county_name", ""),
        metadata.get("version", ""),
        metadata.get("created_at", ""),
        crs,
    )
    dataset = None
    return PackageData(path, source, metadata, crs, grids, boundary)


def centre_longitude(packages: list[PackageData]) -> float:
    """Longitude of the centre of the packages' level 1 grids (all grids when there are none)."""
    boxes = []
    for package in packages:
        level1 = package.grids.get(schema.GRID_LEVEL1.name)
        grids = [level1] if level1 is not None and len(level1) else [g for g in package.grids.values() if len(g)]
        for grid in grids:
            geoms = grid.geometries[~shapely.is_missing(grid.geometries)]
            if not len(geoms):
                continue
            xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
            centre = shapely.points([(xmin + xmax) / 2], [(ymin + ymax) / 2])
            centre = reproject(centre, package.crs, core.EXCHANGE_CRS)[0]
            boxes.append((centre.x, centre.y))
    if not boxes:
        raise PackageError(tr("The packages hold no grid geometries; choose the CRS for the checks."))
    return float(np.mean([b[0] for b in boxes]))


def metric_crs(packages: list[PackageData], crs: str | None = None) -> str:
    """``crs`` when given (must be projected), else the Gauss-Kruger zone of the packages' centre."""
    if crs:
        srs = srs_of(crs)
        if srs.IsGeographic():
            raise PackageError(
                tr("{crs} is geographic (degrees); the checks need a projected CRS in metres.").format(crs=crs)
            )
        return crs
    try:
        return gk3_epsg(centre_longitude(packages))
    except ValueError as error:
        raise PackageError(
            tr("No Gauss-Kruger zone fits the packages ({error}); choose the CRS for the checks.").format(error=error)
        ) from error


# ---------------------------------------------------------------- comparing two packages


@dataclass
class Comparison:
    diff: PackageDiff
    crs: str
    before: PackageData
    after: PackageData
    seconds: float = 0.0

    def changed_features(self) -> list[tuple[dict, object]]:
        """(attributes, geometry in the *after* package's CRS) of every changed grid.

        The geometry is the grid after the change (before it for removed and retired grids)."""
        rows = []
        after_index = {name: {int(f): i for i, f in enumerate(g.fids)} for name, g in self.after.grids.items()}
        before_index = {name: {int(f): i for i, f in enumerate(g.fids)} for name, g in self.before.grids.items()}
        before_rows = []
        for item in self.diff.items:
            if item.kind == "unchanged":
                continue
            attributes = {
                "kind": item.kind,
                "kind_label": f"{DIFF_KINDS[item.kind][0]} {DIFF_KINDS[item.kind][1]}",
                "layer": item.layer,
                "old_code": item.old_code,
                "new_code": item.new_code,
                "before_fid": item.before_fid,
                "after_fid": item.after_fid,
                "area_before": item.area_before,
                "area_after": item.area_after,
                "changed_area": item.changed_area,
            }
            geometry = None
            if item.after_fid is not None and item.kind not in ("removed", "retired"):
                i = after_index.get(item.layer, {}).get(int(item.after_fid))
                if i is not None:
                    geometry = self.after.grids[item.layer].geometries[i]
            elif item.before_fid is not None:
                i = before_index.get(item.layer, {}).get(int(item.before_fid))
                if i is not None:
                    before_rows.append(len(rows))
                    geometry = self.before.grids[item.layer].geometries[i]
            rows.append([attributes, geometry])
        if before_rows and self.before.crs != self.after.crs:
            idx = np.asarray(before_rows)
            moved = reproject(np.asarray([rows[k][1] for k in idx], dtype=object), self.before.crs, self.after.crs)
            for k, g in zip(idx, moved):
                rows[k][1] = g
        return [(a, g) for a, g in rows]

    def report(self, fmt: str = "text") -> str:
        def meta(p: PackageData) -> dict:
            return {
                "file": p.path.name,
                "county_code": p.source.county_code,
                "county_name": p.source.county_name,
                "version": p.source.version,
                "created_at": p.source.created_at,
            }

        return core.diff_report(self.diff, meta(self.before), meta(self.after), self.crs, fmt)


def compare_packages(
    before: str | os.PathLike, after: str | os.PathLike, *, crs: str | None = None, tolerance_m2: float = 0.01
) -> Comparison:
    """What changed from the ``before`` package to the ``after`` package, in metres."""
    import time

    started = time.perf_counter()
    b, a = read_package(before), read_package(after)
    target = metric_crs([a, b], crs)
    bg, _ = b.to_metric(target)
    ag, _ = a.to_metric(target)
    diff = diff_packages(bg, ag, tolerance_m2)
    return Comparison(diff, target, b, a, time.perf_counter() - started)


def report_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".html": "html", ".htm": "html"}.get(suffix, "text")


def write_report(comparison: Comparison, path: str | os.PathLike) -> Path:
    """The comparison report, format from the suffix (.json, .html, else text), written atomically."""
    path = Path(path)
    text = comparison.report(report_format(path))
    _check_target(path, overwrite=True)
    with atomic_path(path, suffix=path.suffix) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- merging county packages


@dataclass
class MergeResult:
    path: Path
    crs: str
    plan: core.MergePlan
    findings: list[Finding]
    counts: dict[str, int] = field(default_factory=dict)
    validation: list[str] = field(default_factory=list)

    @property
    def findings_uri(self) -> str:
        return f"{self.path}|layername={schema.CITY_FINDINGS.name}"


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _append(target: Path, package: PackageData, layer: str, crs: str, county: str, add_county: bool) -> None:
    columns = "*"
    if add_county:
        columns += f", {_quote(county)} AS county_code"
    columns += ", fid AS source_fid"
    with quiet_gdal() as errors, translate_without_arrow():
        dataset = gdal.VectorTranslate(
            str(target),
            str(package.path),
            format="GPKG",
            SQLStatement=f'SELECT {columns} FROM "{layer}"',
            SQLDialect="SQLITE",
            layerName=layer,
            accessMode="append",
            addFields=True,
            dstSRS=crs,
            reproject=True,
        )
    message = errors.text()
    if dataset is None:
        raise PackageError(
            tr("Could not copy layer {layer} of {path}: {error}").format(layer=layer, path=package.path, error=message)
        )
    dataset = None


def _fingerprint(finding: Finding) -> str:
    """The finding's fingerprint; '' where the GEOS in use cannot compute it.

    Inside QGIS (qgis_process, the desktop) the system GEOS may serve shapely's calls, and GEOS < 3.12
    refuses ``shapely.to_wkb``'s default output dimension used by ``Finding.fingerprint``."""
    try:
        return finding.fingerprint
    except shapely.errors.GEOSException:
        return ""


def finding_rows(findings: list[Finding], run_id: str, run_at: str) -> list[dict]:
    rows = []
    for f in findings:
        rows.append(
            {
                "run_id": run_id,
                "run_at": run_at,
                "rule_id": f.rule_id,
                "severity": f.severity.value,
                "layer": f.layer,
                "codes": ",".join(c for c in f.codes if c)[:255],
                "feature_ids": ",".join(str(i) for i in f.fids)[:255],
                "measure": f.measure,
                "unit": f.unit,
                "location_x": f.location[0] if f.location else None,
                "location_y": f.location[1] if f.location else None,
                "message_zh": f.message_zh[:500],
                "message_en": f.message_en[:500],
                "fingerprint": _fingerprint(f),
                "accepted": False,
                "counties": ",".join(f.extra.get("counties", []))[:100],
            }
        )
    return rows


def merge_packages(
    paths,
    output: str | os.PathLike,
    *,
    crs: str | None = None,
    min_area_m2: float = 1.0,
    border_tolerance_m: float = 1.0,
    progress: Callable[[float], bool] | None = None,
) -> MergeResult:
    """Merge county packages into one city workspace at ``output``; see the module docstring."""
    from .workspace import write_workspace

    output = Path(output)
    if output.suffix.lower() != GPKG_SUFFIX:
        raise PackageError(
            tr("A city workspace is a GeoPackage: the file name must end in .gpkg ({path}).").format(path=output)
        )
    _check_target(output, overwrite=True)
    packages = [read_package(p) for p in paths]
    if any(p.path.resolve() == output.resolve() for p in packages):
        raise PackageError(tr("The output {path} is one of the inputs; choose another file.").format(path=output))
    try:
        plan = core.merge_plan([p.source for p in packages], "")
    except core.FilingError as error:
        raise PackageError(tr(error.template).format(**error.params)) from error
    target_crs = metric_crs(packages, crs)
    plan.crs = target_crs
    by_county = {p.source.county_code: p for p in packages}
    counties, boundaries = {}, {}
    for county in plan.counties:
        grids, boundary = by_county[county].to_metric(target_crs)
        counties[county] = grids
        if boundary is not None:
            boundaries[county] = boundary
    if progress is not None:
        progress(0.3)
    findings = check_merged_counties(
        counties, boundaries, min_area_m2=min_area_m2, border_tolerance_m=border_tolerance_m
    )
    run_at = now_iso()
    run_id = "city-" + datetime.now().strftime("%Y%m%dT%H%M%S")
    names = "、".join(p.source.county_name or p.source.county_code for p in (by_county[c] for c in plan.counties))
    info = schema.WorkspaceInfo(
        county_code=plan.city_code,
        county_name=names[:50],
        crs=target_crs,
        extra={"merged_counties": ",".join(plan.counties), "merged_at": run_at},
    )
    try:
        with atomic_path(output) as tmp:
            write_workspace(tmp, info, None)
            for k, county in enumerate(plan.counties):
                package = by_county[county]
                present = set(layer_names(open_gpkg(package.path)))
                for layer in (*GRID_NAMES, *MERGED_TABLES):
                    if layer in present:
                        _append(tmp, package, layer, target_crs, county, layer != schema.COUNTY_BOUNDARY.name)
                if progress is not None and progress(0.3 + 0.5 * (k + 1) / len(plan.counties)) is False:
                    raise PackageError(tr("Merge cancelled; {path} was left unchanged.").format(path=output))
            dataset = open_gpkg(tmp, update=True)
            table = create_layer(dataset, schema.CITY_FINDINGS, target_crs)
            geometries = multipolygons([f.geometry for f in findings])
            write_rows(table, finding_rows(findings, run_id, run_at), geometries)
            table = create_layer(dataset, schema.CITY_PACKAGES)
            write_rows(
                table,
                [
                    {
                        "county_code": s.county_code,
                        "county_name": s.county_name,
                        "file": Path(s.path).name,
                        "version": s.version,
                        "created_at": s.created_at,
                        "grids": sum(len(g) for g in by_county[s.county_code].grids.values()),
                    }
                    for s in plan.sources
                ],
            )
            _copy_style(dataset, schema.AUDIT_FINDINGS.name, schema.CITY_FINDINGS.name)
            counts = {name: dataset.GetLayerByName(name).GetFeatureCount() for name in layer_names(dataset)}
            dataset = None
            validation = validate_gpkg(tmp)
            if validation:
                raise PackageError(
                    tr("The city workspace failed GDAL's GeoPackage validation: {errors}").format(
                        errors="; ".join(validation[:5])
                    )
                )
    except OSError as error:
        raise PackageError(tr("Could not write {path}: {error}").format(path=output, error=error)) from error
    return MergeResult(output, target_crs, plan, findings, counts, validation)


def _copy_style(dataset, source: str, target: str) -> None:
    """Give ``target`` the default style of ``source`` (QGIS's layer_styles table), if there is one."""
    if "layer_styles" not in layer_names(dataset):
        return
    columns = (
        "f_table_catalog, f_table_schema, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
        "description, owner, ui, update_time"
    )
    with quiet_gdal():
        dataset.ExecuteSQL(
            f"INSERT INTO layer_styles (f_table_name, {columns}) SELECT {_quote(target)}, {columns} "
            f"FROM layer_styles WHERE f_table_name = {_quote(source)} AND useAsDefault"
        )
