"""Export of a workspace as a filing package for the city (§7.5, §7.6).

The package is a GeoPackage written by the system GDAL (``gdal.VectorTranslate``, the GDAL QGIS
uses) in the exchange CRS (CGCS2000, EPSG:4490 unless configured): grid layers, county boundary,
staff (personal phones blanked unless asked), households (only when asked), the change set since
the last filing, the findings of the latest audit run, the accepted exceptions, the layers' default
styles and a ``package_metadata`` table. ``core.filing`` decides what goes in and whether export
may proceed; this module moves the data.

Atomicity: everything is written into a temporary file beside the target, checked with GDAL's
GeoPackage validator, and moved over the target with ``os.replace`` only when complete — a failure,
a cancel or a killed process leaves the previous package untouched. The workspace itself is only
read, except for ``workspace_info`` rows recording the export (and an override's reason) after the
package is in place.
"""

from __future__ import annotations

import configparser
import getpass
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from osgeo import gdal, ogr

from ..core import filing as core
from ..core import schema
from ..i18n import tr
from .gdal_compat import translate_without_arrow
from .layer_edits import upsert_key_values
from .package_io import (
    PackageError,
    create_layer,
    feature_count,
    layer_names,
    open_gpkg,
    quiet_gdal,
    read_key_values,
    read_rows,
    validate_gpkg,
    write_rows,
)
from .workspace import GPKG_SUFFIX, WorkspaceError, _check_target, atomic_path, now_iso, read_info

ROOT = Path(__file__).resolve().parents[2]


class FilingRefused(PackageError):
    """Export refused because error findings remain; ``gate`` holds them."""

    def __init__(self, message: str, gate: core.AuditGate):
        super().__init__(message)
        self.gate = gate


@dataclass
class ExportResult:
    path: Path
    metadata: core.PackageMetadata
    gate: core.AuditGate
    counts: dict[str, int]
    changes: int
    validation: list[str] = field(default_factory=list)
    seconds: float = 0.0


def current_user() -> str:
    """The QGIS user's full name, else the login name, else the OS user."""
    try:
        from qgis.core import QgsApplication

        name = QgsApplication.userFullName() or QgsApplication.userLoginName()
    except Exception:  # noqa: BLE001 - outside QGIS
        name = ""
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001
            name = ""
    return name


def plugin_version() -> str:
    """The plugin's version from metadata.txt ("" when it cannot be read), recorded in filing packages."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "metadata.txt", encoding="utf-8")
    return parser.get("general", "version", fallback="").strip()


def translate(error: core.FilingError) -> str:
    return tr(error.template).format(**error.params)


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


class _Cancelled(Exception):
    """The progress callback stopped a GDAL translation."""


def _translate_layers(target: Path, source: Path, layers, *, crs=None, where=None, create=False, callback=None):
    options = {
        "format": "GPKG",
        "layers": list(layers),
        "accessMode": None if create else "update",
        "options": ["-preserve_fid"],
        "layerCreationOptions": ["SPATIAL_INDEX=YES"],
        "callback": callback,
    }
    if crs:
        options.update(dstSRS=crs, reproject=True)
    if where is not None:
        options["where"] = where
    cancelled = []
    if callback is not None:
        user_callback = callback

        def callback(fraction, message, data):
            going_on = user_callback(fraction, message, data)
            if not going_on:
                cancelled.append(True)
            return going_on

        options["callback"] = callback
    with quiet_gdal() as errors, translate_without_arrow():
        try:
            dataset = gdal.VectorTranslate(str(target), str(source), **options)
        except RuntimeError as error:  # bindings that raise despite quiet_gdal()
            errors.append(str(error))
            dataset = None
    # GDAL's own words reach the user; "cancelled" only when the progress callback did cancel.
    message = errors.text()
    if dataset is None:
        if cancelled:  # the errors GDAL reports then are the cancellation's own
            raise _Cancelled
        raise PackageError(
            tr("Could not write {layers} into {path}: {error}").format(
                layers=", ".join(layers), path=target, error=message
            )
        )
    dataset = None


def export_package(
    workspace_path: str | os.PathLike,
    output: str | os.PathLike,
    *,
    exchange_crs: str = core.EXCHANGE_CRS,
    include_households: bool = False,
    include_phones: bool = False,
    override_reason: str = "",
    author: str = "",
    version: str | None = None,
    since=None,
    all_changes: bool = False,
    validate: bool = True,
    record: bool = True,
    progress: Callable[[float], bool] | None = None,
) -> ExportResult:
    """Write the filing package of ``workspace_path`` to ``output``; see the module docstring.

    ``progress(fraction)`` is called while writing; returning False cancels (nothing is replaced).
    Raises FilingRefused while error findings of the latest audit run are not accepted and no
    ``override_reason`` is given; PackageError / WorkspaceError for unusable inputs or outputs.
    """
    started = time.perf_counter()
    workspace_path = Path(workspace_path)
    output = Path(output)
    info = read_info(workspace_path)
    if output.suffix.lower() != GPKG_SUFFIX:
        raise PackageError(
            tr("A filing package is a GeoPackage: the file name must end in .gpkg ({path}).").format(path=output)
        )
    if output.exists() and output.resolve() == workspace_path.resolve():
        raise PackageError(
            tr("The package cannot replace its own workspace {path}; choose another file.").format(path=output)
        )
    _check_target(output, overwrite=True)
    if output.exists():
        target = open_gpkg(output)
        is_workspace = schema.WORKSPACE_INFO.name in layer_names(target)
        target = None
        if is_workspace:
            raise PackageError(
                tr("{path} is a grid workspace, not a filing package; it was left unchanged.").format(path=output)
            )

    source = open_gpkg(workspace_path)
    findings = read_rows(
        source,
        schema.AUDIT_FINDINGS.name,
        ("run_id", "run_at", "rule_id", "severity", "layer", "codes", "feature_ids", "fingerprint", "accepted"),
    )
    exceptions = read_rows(source, schema.AUDIT_EXCEPTIONS.name, ("fingerprint",))
    change_rows = read_rows(source, schema.CHANGE_LOG.name)
    info_rows = read_key_values(source, schema.WORKSPACE_INFO.name)
    present = set(layer_names(source))
    source = None

    gate = core.audit_gate(findings, exceptions)
    override_reason = (override_reason or "").strip()
    if gate.blocked and not override_reason:
        raise FilingRefused(translate(gate.refusal()), gate)

    last_at = info_rows.get(core.INFO_LAST_PACKAGE_AT) or None
    changes = core.change_set(change_rows, last_package_at=last_at, since=since, all_changes=all_changes)
    change_fids = [int(r["fid"]) for r in changes]
    user = current_user()
    version = (version or "").strip() or core.next_version(info_rows.get(core.INFO_LAST_PACKAGE_VERSION))
    created = now_iso()

    spatial = [*schema.PACKAGE_GRID_LAYERS, schema.COUNTY_BOUNDARY.name]
    if include_households:
        spatial.append(schema.HOUSEHOLDS.name)
    tables = [schema.STAFF.name, schema.AUDIT_EXCEPTIONS.name]
    steps = [(spatial, {"crs": exchange_crs}), (tables, {})]
    steps.append(
        ([schema.CHANGE_LOG.name], {"where": f"fid IN ({','.join(map(str, change_fids))})" if change_fids else "0 = 1"})
    )
    steps.append(
        (
            [schema.AUDIT_FINDINGS.name],
            {
                "crs": exchange_crs,
                "where": f"run_id = {_quote(gate.run_id)}" if gate.run_id else "0 = 1",
            },
        )
    )
    missing = [name for names, _ in steps for name in names if name not in present]
    if missing:
        raise PackageError(
            tr("{path} lacks the workspace layers: {layers}.").format(path=workspace_path, layers=", ".join(missing))
        )
    total = sum(len(names) for names, _ in steps)

    remove_stale_temporaries(output)
    try:
        with atomic_path(output) as tmp:
            done = 0
            for k, (names, kwargs) in enumerate(steps):
                share = len(names) / total
                start = done / total

                def callback(fraction, _message, _data, start=start, share=share):
                    if progress is None:
                        return 1
                    return 1 if progress(min(0.9, 0.9 * (start + share * fraction))) is not False else 0

                try:
                    _translate_layers(tmp, workspace_path, names, create=k == 0, callback=callback, **kwargs)
                except _Cancelled:
                    raise PackageError(tr("Export cancelled; {path} was left unchanged.").format(path=output)) from None
                done += len(names)
            package = open_gpkg(tmp, update=True)
            if not include_phones:
                for name in schema.PHONE_FIELDS:
                    package.ExecuteSQL(f'UPDATE "{schema.STAFF.name}" SET "{name}" = NULL')
            counts = {name: feature_count(package, name) for name in layer_names(package)}
            metadata = core.PackageMetadata(
                county_code=info.county_code,
                county_name=info.county_name,
                version=version,
                author=(author or "").strip() or user,
                created_at=created,
                exchange_crs=exchange_crs,
                workspace_crs=info.crs,
                code_rule=info.code_rule,
                counts=counts,
                audit=gate.summary(),
                override_reason=override_reason if gate.blocked else "",
                override_by=user if gate.blocked else "",
                phones_included=include_phones,
                households_included=include_households,
                changes_since=str(since or last_at or ""),
                changes_count=len(changes),
                source_file=workspace_path.name,
                plugin_version=plugin_version(),
            )
            table = create_layer(package, schema.PACKAGE_METADATA)
            write_rows(table, [{"key": k, "value": v} for k, v in metadata.to_rows()])
            package = None
            _copy_styles(tmp, workspace_path, [n for n in counts if n != schema.PACKAGE_METADATA.name])
            if progress is not None and progress(0.95) is False:
                raise PackageError(tr("Export cancelled; {path} was left unchanged.").format(path=output))
            validation = validate_gpkg(tmp) if validate else []
            if validation:
                raise PackageError(
                    tr("The package failed GDAL's GeoPackage validation: {errors}").format(
                        errors="; ".join(validation[:5])
                    )
                )
    except OSError as error:
        raise PackageError(tr("Could not write {path}: {error}").format(path=output, error=error)) from error

    if record:
        values = {
            core.INFO_LAST_PACKAGE_AT: created,
            core.INFO_LAST_PACKAGE_VERSION: version,
            core.INFO_LAST_PACKAGE_FILE: output.name,
        }
        if gate.blocked:
            values[core.override_key(created)] = core.override_record(override_reason, user, output.name, version, gate)
        write_workspace_info(workspace_path, values)
    return ExportResult(output, metadata, gate, counts, len(changes), validation, time.perf_counter() - started)


def remove_stale_temporaries(output: Path, older_than_s: float = 600.0) -> list[Path]:
    """Delete temporary files of earlier exports to ``output`` that were killed mid-write.

    They are named ``.<stem>.<random>.tmp.gpkg`` (``atomic_path``); only those untouched for
    ``older_than_s`` seconds are removed, so an export running in parallel is never disturbed."""
    removed = []
    now = time.time()
    for candidate in output.parent.glob(f".{output.stem}.*.tmp{GPKG_SUFFIX}*"):
        try:
            if now - candidate.stat().st_mtime > older_than_s:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue
    return removed


def _copy_styles(package: Path, workspace_path: Path, names) -> None:
    """The workspace's default layer styles for the layers of the package (QGIS's layer_styles table)."""
    source = open_gpkg(workspace_path)
    has = "layer_styles" in layer_names(source)
    source = None
    if not has or not names:
        return
    where = "f_table_name IN ({}) AND useAsDefault".format(",".join(_quote(n) for n in names))
    with quiet_gdal():
        dataset = gdal.VectorTranslate(
            str(package), str(workspace_path), format="GPKG", layers=["layer_styles"], accessMode="update", where=where
        )
    if dataset is None:
        return  # styles are a convenience; the data are complete without them


def read_package_metadata(path: str | os.PathLike) -> core.PackageMetadata:
    dataset = open_gpkg(path)
    rows = read_key_values(dataset, schema.PACKAGE_METADATA.name)
    if rows.get("package") != core.PACKAGE_MARKER:
        raise PackageError(tr("{path} is not a Community Grids filing package.").format(path=path))
    return core.PackageMetadata.from_rows(rows)


# ---------------------------------------------------------------- workspace_info rows


def write_workspace_info(workspace_path: str | os.PathLike, values: dict[str, str]) -> None:
    """Set ``workspace_info`` keys of a workspace (added or changed), committed at once.

    Uses the workspace's own workspace_info layer when it is open in the project (its edit buffer,
    then commit, unless the user is editing it: then the rows wait in the buffer), else a fresh
    QgsVectorLayer of the file; without a running QGIS, an OGR transaction.
    """
    path = Path(workspace_path)
    layer = _project_layer(path, schema.WORKSPACE_INFO.name)
    if layer is None:
        layer = _file_layer(path, schema.WORKSPACE_INFO.name)
    if layer is None:
        _write_info_ogr(path, values)
        return
    upsert_key_values(layer, values, tr("Record filing package"))


def _project_layer(path: Path, name: str):
    try:
        from qgis.core import QgsProject
    except ImportError:
        return None
    for layer in QgsProject.instance().mapLayers().values():
        if layer.customProperty("community_grids/layer") != name:
            continue
        owner = layer.customProperty("community_grids/workspace")
        if owner and Path(owner).resolve() == path.resolve():
            return layer
    return None


def _file_layer(path: Path, name: str):
    try:
        from qgis.core import QgsApplication, QgsVectorLayer
    except ImportError:
        return None
    if QgsApplication.instance() is None:
        return None
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    return layer if layer.isValid() else None


def _write_info_ogr(path: Path, values: dict[str, str]) -> None:
    dataset = open_gpkg(path, update=True)
    layer = dataset.GetLayerByName(schema.WORKSPACE_INFO.name)
    if layer is None:
        raise WorkspaceError(tr("{path} is not a Community Grids workspace.").format(path=path))
    existing = {r["key"]: r["fid"] for r in read_rows(dataset, schema.WORKSPACE_INFO.name, ("key",))}
    layer.StartTransaction()
    for key, value in values.items():
        if key in existing:
            feature = layer.GetFeature(existing[key])
            feature.SetField("value", value)
            layer.SetFeature(feature)
        else:
            feature = ogr.Feature(layer.GetLayerDefn())
            feature.SetField("key", key)
            feature.SetField("value", value)
            layer.CreateFeature(feature)
    layer.CommitTransaction()
    dataset = None
