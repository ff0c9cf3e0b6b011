"""Export of a workspace as a filing package for the city (§7.5, §7.6).

The package is a GeoPackage written by the system GDAL (``gdal.VectorTranslate``, the GDAL QGIS
uses) in the exchange CRS (CGCS2000, EPSG:4490 unless configured): grid layers, county boundary,
staff (personal phones blanked unless asked), households (only when asked), the change set since
the last filing, the findings of the latest audit run, the accepted exceptions, the layers' default
styles and a ``package_metadata`` table. ``core.filing`` decides what goes in and whether export
may proceed; this module moves the data.

Atomicity: everything is written into a temporary file beside the target
(``.<stem>.<pid>-<random>.tmp.gpkg``), checked with GDAL's GeoPackage validator; then the workspace's
``workspace_info`` rows recording the export (and an override's reason) are written in one transaction
whose commit is immediately followed by ``os.replace`` of the package. A failure, a cancel, a read-only
or locked workspace or a killed process before that commit leaves the previous package untouched and the
workspace as it was. A process killed between the commit and the move leaves the recorded package
complete in its temporary file: the next export moves it into place (:func:`remove_stale_temporaries`),
and removes the other temporary files of dead exports, whatever their age.
"""

from __future__ import annotations

import configparser
import contextlib
import getpass
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from osgeo import gdal

from ..core import filing as core
from ..core import schema
from ..i18n import tr
from .gdal_compat import translate_without_arrow
from .gpkg_write import WorkspaceWrite, WriteError, checkpoint
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
from .workspace import GPKG_SUFFIX, WorkspaceError, _check_target, now_iso, read_info

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
    include_names: bool = True,
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

    Personal data: without ``include_phones`` the staff's personal phones, without ``include_names`` their
    names, are left out of every table and message of the package (:func:`withhold_personal_data`).

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
    staff_rows = read_rows(source, schema.STAFF.name) if schema.STAFF.name in present else []
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

    remove_stale_temporaries(output, info_rows)
    values = {
        core.INFO_LAST_PACKAGE_AT: created,
        core.INFO_LAST_PACKAGE_VERSION: version,
        core.INFO_LAST_PACKAGE_FILE: output.name,
    }
    if gate.blocked:
        values[core.override_key(created)] = core.override_record(override_reason, user, output.name, version, gate)
    tmp = temporary_path(output)
    try:
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
            names_included=include_names,
            changes_since=str(since or last_at or ""),
            changes_count=len(changes),
            source_file=workspace_path.name,
            plugin_version=plugin_version(),
        )
        table = create_layer(package, schema.PACKAGE_METADATA)
        write_rows(table, [{"key": k, "value": v} for k, v in metadata.to_rows()])
        package = None
        _copy_styles(tmp, workspace_path, [n for n in counts if n != schema.PACKAGE_METADATA.name])
        withhold_personal_data(tmp, staff_rows, include_phones, include_names)
        if progress is not None and progress(0.95) is False:
            raise PackageError(tr("Export cancelled; {path} was left unchanged.").format(path=output))
        validation = validate_gpkg(tmp) if validate else []
        if validation:
            raise PackageError(
                tr("The package failed GDAL's GeoPackage validation: {errors}").format(errors="; ".join(validation[:5]))
            )
        for extra in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if extra.exists():
                raise PackageError(tr("{path} is still open; it was not moved into place.").format(path=tmp))
        checkpoint("export:package-written")
        # The workspace records the new package in one transaction whose commit comes right before the swap:
        # when the workspace cannot be written, the old package stays as it was.
        if record:
            try:
                with WorkspaceWrite(workspace_path, tr("Record filing package")) as write:
                    write.set_info(values)
            except WriteError as error:
                raise PackageError(
                    tr("The package was not moved into place, {path} is unchanged: {error}").format(
                        path=output, error=error
                    )
                ) from error
        checkpoint("export:recorded")
        os.replace(tmp, output)
        checkpoint("export:replaced")
    except OSError as error:
        raise PackageError(tr("Could not write {path}: {error}").format(path=output, error=error)) from error
    finally:
        _remove_files(tmp)
    return ExportResult(output, metadata, gate, counts, len(changes), validation, time.perf_counter() - started)


TEMPORARY_SUFFIX = ".tmp" + GPKG_SUFFIX


def temporary_path(output: Path) -> Path:
    """A new temporary file name beside ``output``: ``.<stem>.<pid>-<random>.tmp.gpkg`` (the owner's PID in
    the name tells a later run whether the export that wrote it is still running)."""
    fd, name = tempfile.mkstemp(prefix=f".{output.stem}.{os.getpid()}-", suffix=TEMPORARY_SUFFIX, dir=output.parent)
    os.close(fd)
    path = Path(name)
    path.unlink()  # GDAL must create the file itself
    return path


def _remove_files(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _recorded_package(candidate: Path, output: Path, info_rows: dict | None) -> bool:
    """Whether ``candidate`` is the complete package the workspace records as its last one at ``output``
    (an export killed between recording it and moving it into place)."""
    if not info_rows or info_rows.get(core.INFO_LAST_PACKAGE_FILE) != output.name:
        return False
    try:
        metadata = read_package_metadata(candidate)
    except (PackageError, ValueError, KeyError):
        return False
    return metadata.version == info_rows.get(core.INFO_LAST_PACKAGE_VERSION) and metadata.created_at == info_rows.get(
        core.INFO_LAST_PACKAGE_AT
    )


def remove_stale_temporaries(output: Path, info_rows: dict | None = None, older_than_s: float = 600.0) -> list[Path]:
    """Clear up after earlier exports to ``output`` that were killed mid-write; returns the files handled.

    Temporary files ``.<stem>.<pid>-<random>.tmp.gpkg`` whose process is gone are removed at once,
    whatever their age — except the package the workspace (``info_rows``) already records as its last one
    at ``output``: that export was killed between recording and moving, so it is moved into place now.
    Files named without a PID (older versions) are removed when untouched for ``older_than_s`` seconds,
    so an export running in parallel is never disturbed."""
    handled = []
    now = time.time()
    pattern = re.compile(rf"^\.{re.escape(output.stem)}\.(\d+)-[^/]*{re.escape(TEMPORARY_SUFFIX)}$")
    for candidate in sorted(output.parent.glob(f".{output.stem}.*{TEMPORARY_SUFFIX}")):
        try:
            match = pattern.match(candidate.name)
            if match is not None:
                if _pid_alive(int(match.group(1))):
                    continue
                if _recorded_package(candidate, output, info_rows):
                    for extra in ("-wal", "-shm", "-journal"):  # a complete package has none
                        with contextlib.suppress(FileNotFoundError):
                            Path(f"{candidate}{extra}").unlink()
                    os.replace(candidate, output)
                else:
                    _remove_files(candidate)
            elif now - candidate.stat().st_mtime > older_than_s:
                _remove_files(candidate)
            else:
                continue
            handled.append(candidate)
        except OSError:
            continue
    return handled


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
    """Set ``workspace_info`` keys of a workspace (added or changed) in one transaction of the file."""
    try:
        with WorkspaceWrite(workspace_path, tr("Record filing package")) as write:
            write.set_info(values)
    except WriteError as error:
        raise WorkspaceError(str(error)) from error


def withhold_personal_data(path: Path, staff_rows: list[dict], include_phones: bool, include_names: bool) -> int:
    """Leave the staff's personal phones and/or names out of every table and message of a package.

    The staff table's phone column is cleared (and, for names, each name becomes ``S<fid>`` and the photo
    path is cleared); in every other text column of every table (audit messages, remarks, reasons,
    metadata …) each phone or name of the register is replaced by ``***``. SQLite's secure delete and a
    final VACUUM leave no old copy in the file's free pages. Returns the number of cells changed.
    """
    if include_phones and include_names:
        return 0
    scrub = core.Scrubber(core.personal_values(staff_rows, not include_phones, not include_names))
    updates: list[str] = []
    staff = schema.STAFF.name
    cleared: list[str] = []  # the staff table's statements, run after the cell-by-cell replacements
    if not include_phones:
        cleared += [f'UPDATE "{staff}" SET "{name}" = NULL' for name in schema.PHONE_FIELDS]
    if not include_names:
        cleared.append(f'UPDATE "{staff}" SET "name" = \'S\' || fid, "photo_path" = NULL')
    changed = 0
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in reader.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith(("gpkg_", "rtree_", "sqlite_"))
        ]
        for table in tables:
            columns = [
                row[1]
                for row in reader.execute(f"PRAGMA table_info({_ident(table)})")
                if "CHAR" in str(row[2]).upper() or "TEXT" in str(row[2]).upper() or not row[2]
            ]
            for column in columns:
                if column in KEY_COLUMNS:
                    continue
                query = f"SELECT rowid, {_ident(column)} FROM {_ident(table)} WHERE {_ident(column)} IS NOT NULL"
                for rowid, value in reader.execute(query):
                    clean = scrub(value)
                    if isinstance(value, str) and clean != value:
                        updates.append(
                            f"UPDATE {_ident(table)} SET {_ident(column)} = {_quote(clean)} WHERE rowid = {int(rowid)}"
                        )
                        changed += 1
    finally:
        reader.close()
    updates += cleared
    dataset = open_gpkg(path, update=True)
    try:
        dataset.ExecuteSQL("PRAGMA secure_delete = ON")
        dataset.StartTransaction()
        for statement in updates:
            dataset.ExecuteSQL(statement)
        if dataset.CommitTransaction() != 0:
            raise PackageError(
                tr("Could not leave personal data out of {path}: {error}").format(
                    path=path, error=gdal.GetLastErrorMsg()
                )
            )
        dataset.ExecuteSQL("VACUUM")
    finally:
        dataset = None
    return changed


# identifiers, not text: never rewritten (a phone's digits could occur inside a grid code)
KEY_COLUMNS = frozenset(
    {"code", "parent_code", "grid_code", "old_code", "new_code", "codes", "feature_ids", "fingerprint", "rule_id"}
    | {"run_id", "severity", "status", "kind", "role", "change_kind", "layer", "f_table_name"}
)


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'
