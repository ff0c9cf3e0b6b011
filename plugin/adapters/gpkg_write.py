"""One SQLite transaction per write: everything a Processing algorithm writes into a workspace file.

A GeoPackage is one SQLite file, so "all tables or none" is one SQLite transaction. ``WorkspaceWrite``
opens the file through GDAL's own GeoPackage driver (which provides the functions the file's rtree
triggers call, and keeps ``gpkg_ogr_contents`` right), starts one dataset transaction and applies every
change — grid attributes of all levels, ``change_log`` rows, ``code_registry`` rows, ``workspace_info``
keys, findings — before one commit. An exception, a failed commit or a killed process leaves the file as
it was (SQLite rolls the unfinished transaction back at the next open). GDAL's error messages are shown
verbatim. This path is the same with GDAL 3.6 (QGIS 3.22) and GDAL 3.10 (QGIS 3.40): plain OGR calls only.

``checkpoint(name)`` is a test hook: when the environment variable ``COMMUNITY_GRIDS_KILL_AT`` names the
checkpoint, the process kills itself there with SIGKILL (the fault tests); otherwise it does nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from datetime import date, datetime
from pathlib import Path

from osgeo import gdal, ogr

from ..core import schema
from ..core.errors import PluginError
from ..i18n import tr
from . import gdal_compat

KILL_AT = "COMMUNITY_GRIDS_KILL_AT"


def checkpoint(name: str) -> None:
    """Kill this process at ``name`` when ``$COMMUNITY_GRIDS_KILL_AT`` says so (fault tests); else nothing."""
    wanted = os.environ.get(KILL_AT)
    if wanted and wanted == name:
        os.kill(os.getpid(), signal.SIGKILL)


class WriteError(PluginError):
    """The file could not be written; nothing of the write was kept. The message names the file."""


# What SQLite and the OS say when the disk (or the user's quota) is full: SQLITE_FULL, ENOSPC, EDQUOT.
_FULL_DISK = ("disk is full", "no space left on device", "disk quota exceeded", "sqlite_full")


def is_disk_full(text: str) -> bool:
    """Whether GDAL's / SQLite's message ``text`` says that the disk is full."""
    text = (text or "").lower()
    return any(words in text for words in _FULL_DISK)


def disk_full_message(path, what: str, error: str) -> str:
    """The message for a write that failed because the disk holding ``path`` is full (``error``: verbatim)."""
    return tr(
        "The disk holding {path} is full: {what} failed and nothing was written; the file is as it was. "
        "Free some space and run it again. ({error})"
    ).format(path=path, what=what, error=error)


_recent = threading.local()


@contextlib.contextmanager
def quiet_gdal():
    """:func:`gdal_compat.quiet_gdal`, remembering what GDAL said in the block for :func:`_last_error`."""
    with gdal_compat.quiet_gdal() as errors:
        _recent.errors = errors  # filled as GDAL reports, so _last_error() inside the block sees this call's
        yield errors


def _checked(operation, argument, message: str, **names) -> None:
    """``operation(argument)``, one OGR write; on failure WriteError(``message`` with GDAL's own words)."""
    with quiet_gdal():
        gdal.ErrorReset()
        if operation(argument) != ogr.OGRERR_NONE:
            raise WriteError(message.format(error=_last_error(), **names))


checked_write = _checked  # for writers that build their own OGR features inside a WorkspaceWrite


def _last_error() -> str:
    """GDAL's own words for the last failed call (GDAL ≥ 3.9 may leave GetLastErrorMsg empty by then)."""
    errors = getattr(_recent, "errors", None)
    return (errors.text() if errors else "") or gdal.GetLastErrorMsg() or tr("no reason given by GDAL")


def _ogr_value(value, field_type: int):
    """A Python value as OGR wants it for a field of ``field_type`` (dates as ISO text)."""
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if field_type in (ogr.OFTInteger, ogr.OFTInteger64):
        return int(value)
    if field_type == ogr.OFTReal:
        return float(value)
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _geometry(wkb, wanted: int):
    """An OGR geometry from WKB, converted to the layer's type ``wanted`` when it differs (Polygon into a
    MultiPolygon layer); layers of no or any geometry type take it as it is."""
    geometry = ogr.CreateGeometryFromWkb(bytes(wkb))
    if geometry is not None and wanted not in (ogr.wkbUnknown, ogr.wkbNone) and geometry.GetGeometryType() != wanted:
        geometry = ogr.ForceTo(geometry, wanted)
    return geometry


class WorkspaceWrite:
    """``with WorkspaceWrite(path, what) as write: write.update(...); write.add(...)`` — one transaction.

    ``what`` (translated) names the operation in error messages.
    """

    def __init__(self, path: str | os.PathLike, what: str):
        self.path = Path(path)
        self.what = what
        self.dataset = None
        self._layers: dict[str, object] = {}

    # ------------------------------------------------------------ the transaction

    def __enter__(self) -> WorkspaceWrite:
        if not os.access(self.path, os.W_OK):
            raise WriteError(
                tr("{path} is read-only; {what}: nothing was written.").format(path=self.path, what=self.what)
            )
        with quiet_gdal() as errors:
            try:
                self.dataset = ogr.Open(str(self.path), 1)
            except RuntimeError as error:  # bindings that raise despite quiet_gdal()
                errors.append(str(error))
                self.dataset = None
        message = _last_error() if self.dataset is None else ""
        if self.dataset is None and is_disk_full(message):
            raise WriteError(disk_full_message(self.path, self.what, message))
        if self.dataset is None or self.dataset.GetDriver().GetName() != "GPKG":
            self.dataset = None
            raise WriteError(
                tr("{path} could not be opened for writing as a GeoPackage: {error}").format(
                    path=self.path, error=message or tr("no reason given by GDAL")
                )
            )
        with quiet_gdal():
            started = self.dataset.StartTransaction()
        if started != ogr.OGRERR_NONE:
            message = _last_error()
            self.dataset = None
            if is_disk_full(message):
                raise WriteError(disk_full_message(self.path, self.what, message))
            raise WriteError(
                tr("{path} could not be written ({what}): {error}").format(
                    path=self.path, what=self.what, error=message
                )
            )
        return self

    def __exit__(self, kind, error, traceback) -> None:
        dataset, self.dataset = self.dataset, None
        self._layers.clear()
        try:
            if kind is not None:
                with quiet_gdal():
                    dataset.RollbackTransaction()
                if issubclass(kind, WriteError) and is_disk_full(str(error)):
                    raise WriteError(disk_full_message(self.path, self.what, str(error))) from error
                return
            checkpoint("before-commit")
            with quiet_gdal():
                gdal.ErrorReset()
                committed = dataset.CommitTransaction()
                message = _last_error()
            if committed != ogr.OGRERR_NONE:
                with quiet_gdal():
                    dataset.RollbackTransaction()
                if is_disk_full(message):
                    raise WriteError(disk_full_message(self.path, self.what, message))
                raise WriteError(
                    tr("{path} could not be saved ({what}); nothing was written: {error}").format(
                        path=self.path, what=self.what, error=message
                    )
                )
            checkpoint("after-commit")
        finally:
            dataset = None

    # ------------------------------------------------------------ edits

    def layer(self, name: str):
        if name not in self._layers:
            layer = self.dataset.GetLayerByName(name)
            if layer is None:
                raise WriteError(tr("{path} has no table {table}.").format(path=self.path, table=name))
            self._layers[name] = layer
        return self._layers[name]

    def _fill(self, feature, definition, table: str, values: dict) -> None:
        for name, value in values.items():
            index = definition.GetFieldIndex(name)
            if index < 0:
                if name in ("fid", "_row"):
                    continue
                raise WriteError(tr("Table {table} has no field {field}.").format(table=table, field=name))
            if value is None or (isinstance(value, float) and value != value):
                feature.SetFieldNull(index)
                continue
            try:
                feature.SetField(index, _ogr_value(value, definition.GetFieldDefn(index).GetType()))
            except (TypeError, ValueError) as error:
                raise WriteError(
                    tr("Table {table}: the value {value!r} of {field} cannot be stored ({error}).").format(
                        table=table, value=value, field=name, error=error
                    )
                ) from error

    def update(self, table: str, changes: dict[int, dict]) -> int:
        """Change attribute values ({fid: {field: value}}); every feature must exist."""
        layer = self.layer(table)
        definition = layer.GetLayerDefn()
        for fid, values in changes.items():
            feature = self._existing(layer, table, fid)
            self._fill(feature, definition, table, values)
            self._store(layer, table, fid, feature)
        return len(changes)

    def set_geometries(self, table: str, geometries: dict[int, bytes | None]) -> int:
        """Replace the geometries of features ({fid: WKB or None}); every feature must exist. A geometry of
        another type than the layer's (a Polygon in a MultiPolygon layer) is converted, as QGIS's save does."""
        layer = self.layer(table)
        wanted = layer.GetGeomType()
        for fid, wkb in geometries.items():
            feature = self._existing(layer, table, fid)
            feature.SetGeometry(None if wkb is None else _geometry(wkb, wanted))
            self._store(layer, table, fid, feature)
        return len(geometries)

    @staticmethod
    def _existing(layer, table: str, fid):
        """Feature ``fid`` of ``table``, which must exist."""
        with quiet_gdal():
            feature = layer.GetFeature(int(fid))
        if feature is None:
            raise WriteError(tr("Table {table} has no feature {fid}.").format(table=table, fid=fid))
        return feature

    @staticmethod
    def _store(layer, table: str, fid, feature) -> None:
        """Write back a changed feature; GDAL's refusal in its own words."""
        _checked(
            layer.SetFeature,
            feature,
            tr("Could not change feature {fid} of table {table}: {error}"),
            fid=fid,
            table=table,
        )

    def add(self, table: str, rows, geometries=None, first_row: int = 1, force_type: bool = False) -> list[int]:
        """Add rows (dicts of field values; ``geometries``: WKB per row or None); returns the new fids.

        ``first_row``: the number of the first row in error messages (rows added a few at a time);
        ``force_type``: geometries converted to the layer's geometry type, as QGIS's save does."""
        layer = self.layer(table)
        definition = layer.GetLayerDefn()
        rows = list(rows)
        geometries = list(geometries) if geometries is not None else [None] * len(rows)
        fids = []
        for number, (row, wkb) in enumerate(zip(rows, geometries), start=first_row):
            feature = ogr.Feature(definition)
            self._fill(feature, definition, table, row)
            if wkb is not None:
                wanted = layer.GetGeomType() if force_type else ogr.wkbUnknown
                feature.SetGeometry(_geometry(wkb, wanted))
            _checked(
                layer.CreateFeature,
                feature,
                tr("Could not write row {row} to table {table}: {error}"),
                row=number,
                table=table,
            )
            fids.append(feature.GetFID())
        return fids

    def delete(self, table: str, fids) -> int:
        layer = self.layer(table)
        fids = [int(f) for f in fids]
        for fid in fids:
            _checked(
                layer.DeleteFeature,
                fid,
                tr("Could not delete row {fid} of table {table}: {error}"),
                fid=fid,
                table=table,
            )
        return len(fids)

    def fids(self, table: str) -> list[int]:
        layer = self.layer(table)
        layer.ResetReading()
        return [feature.GetFID() for feature in layer]

    def set_info(self, values: dict[str, str], touch: bool = True) -> None:
        """Set ``workspace_info`` keys (changed or added); with ``touch`` also the ``updated`` time."""
        from .workspace import now_iso

        values = dict(values)
        if touch:
            values.setdefault(schema.INFO_UPDATED, now_iso())
        layer = self.layer(schema.WORKSPACE_INFO.name)
        layer.ResetReading()
        existing = {feature.GetField("key"): feature.GetFID() for feature in layer}
        changes = {existing[k]: {"value": v} for k, v in values.items() if k in existing}
        self.update(schema.WORKSPACE_INFO.name, changes)
        self.add(schema.WORKSPACE_INFO.name, [{"key": k, "value": v} for k, v in values.items() if k not in existing])
