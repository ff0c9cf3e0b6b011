"""Read and write the workspace's plain tables (size_rules, staff) in one GeoPackage transaction.

Writing goes through GDAL's own GeoPackage driver (so the file's triggers and feature counts stay right)
inside one dataset transaction: either every row is written or, on any failure, none is and the table is
as it was. QGIS layers open on the table are reloaded by the callers.
"""

from __future__ import annotations

import os
from pathlib import Path

from osgeo import gdal, ogr

from ..core import schema
from ..core.errors import PluginError
from ..i18n import tr
from .gdal_compat import open_vector
from .gpkg_write import checkpoint


class TableStoreError(PluginError):
    """A table could not be read or written; the message is translated and names the file and table."""


def _open(path: Path, update: bool):
    dataset = open_vector(path, update)
    if dataset is None or dataset.GetDriver().GetName() != "GPKG":
        raise TableStoreError(tr("{path} could not be opened as a GeoPackage.").format(path=path))
    return dataset


def _layer(dataset, path: Path, name: str):
    layer = dataset.GetLayerByName(name)
    if layer is None:
        raise TableStoreError(tr("{path} has no table {table}.").format(path=path, table=name))
    return layer


def _value(feature, index: int):
    if not feature.IsFieldSetAndNotNull(index):
        return None
    return feature.GetField(index)


def read_rows(path: str | os.PathLike, table: str) -> list[dict]:
    """Every row of ``table`` as a dict of its fields, plus ``fid``; in fid order."""
    path = Path(path)
    dataset = _open(path, update=False)
    try:
        layer = _layer(dataset, path, table)
        definition = layer.GetLayerDefn()
        names = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
        rows = []
        layer.ResetReading()
        for feature in layer:
            row = {name: _value(feature, i) for i, name in enumerate(names)}
            row["fid"] = feature.GetFID()
            rows.append(row)
        rows.sort(key=lambda r: r["fid"])
        return rows
    finally:
        dataset = None


def _set(feature, definition, name: str, value, table: str, number: int) -> None:
    index = definition.GetFieldIndex(name)
    if index < 0:
        return
    if value is None:
        feature.SetFieldNull(index)
        return
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        value = int(value)
    field_type = definition.GetFieldDefn(index).GetType()
    try:
        if field_type in (ogr.OFTInteger, ogr.OFTInteger64):
            value = int(value)
        elif field_type == ogr.OFTReal:
            value = float(value)
        else:
            value = str(value)
    except (TypeError, ValueError) as error:
        raise TableStoreError(
            tr("Table {table}, row {row}: the value {value!r} of {field} cannot be stored ({error}).").format(
                table=table, row=number, value=value, field=name, error=error
            )
        ) from error
    feature.SetField(index, value)


def write_rows(path: str | os.PathLike, table: str, rows: list[dict], replace: bool, touch: bool = True) -> int:
    """Append ``rows`` to ``table`` (or replace its rows) in one transaction; returns the rows written.

    Keys that are not fields of the table (``fid``, ``_row``) are ignored. With ``touch`` the workspace's
    ``updated`` time is set in the same transaction.
    """

    path = Path(path)
    if not os.access(path, os.W_OK):
        raise TableStoreError(tr("{path} is read-only; table {table} was not changed.").format(path=path, table=table))
    dataset = _open(path, update=True)
    try:
        layer = _layer(dataset, path, table)
        definition = layer.GetLayerDefn()
        if dataset.StartTransaction() != ogr.OGRERR_NONE:
            raise TableStoreError(tr("{path} is locked by another program; try again.").format(path=path))
        try:
            if replace:
                layer.ResetReading()
                fids = [feature.GetFID() for feature in layer]
                for fid in fids:
                    if layer.DeleteFeature(fid) != ogr.OGRERR_NONE:
                        raise TableStoreError(
                            tr("Could not delete row {fid} of table {table}.").format(fid=fid, table=table)
                        )
            for number, row in enumerate(rows, start=1):
                feature = ogr.Feature(definition)
                for name, value in row.items():
                    if name in ("fid", "_row"):
                        continue
                    _set(feature, definition, name, value, table, number)
                if layer.CreateFeature(feature) != ogr.OGRERR_NONE:
                    raise TableStoreError(
                        tr("Could not write row {row} to table {table}: {error}").format(
                            row=number, table=table, error=gdal.GetLastErrorMsg()
                        )
                    )
            if touch:
                _touch(dataset, path)
            checkpoint(f"table:{table}-written")
            if dataset.CommitTransaction() != ogr.OGRERR_NONE:
                raise TableStoreError(
                    tr("Could not save table {table} in {path}: {error}").format(
                        table=table, path=path, error=gdal.GetLastErrorMsg()
                    )
                )
        except BaseException:
            dataset.RollbackTransaction()
            raise
        checkpoint(f"table:{table}-committed")
        return len(rows)
    finally:
        dataset = None


def _touch(dataset, path: Path) -> None:
    from .workspace import now_iso

    info = dataset.GetLayerByName(schema.WORKSPACE_INFO.name)
    if info is None:
        return
    info.SetAttributeFilter(f"key = '{schema.INFO_UPDATED}'")
    for feature in info:
        feature.SetField("value", now_iso())
        info.SetFeature(feature)
    info.SetAttributeFilter(None)
