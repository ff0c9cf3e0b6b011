"""Read and write the workspace's plain tables (size_rules, staff) in one GeoPackage transaction.

Writing goes through GDAL's own GeoPackage driver (so the file's triggers and feature counts stay right)
inside one dataset transaction: either every row is written or, on any failure, none is and the table is
as it was. QGIS layers open on the table are reloaded by the callers.
"""

from __future__ import annotations

import os
from pathlib import Path

from osgeo import ogr

from ..core.errors import PluginError
from ..i18n import tr
from .gdal_compat import open_vector
from .gpkg_write import WorkspaceWrite, WriteError, checkpoint


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
    ``updated`` time is set in the same transaction. The write is :class:`gpkg_write.WorkspaceWrite`'s, so
    a full disk, a locked file or any other failure is reported in GDAL's / SQLite's own words.
    """

    path = Path(path)
    if not os.access(path, os.W_OK):
        raise TableStoreError(tr("{path} is read-only; table {table} was not changed.").format(path=path, table=table))
    try:
        with WorkspaceWrite(path, tr("Write table {table}").format(table=table)) as write:
            layer = write.layer(table)
            definition = layer.GetLayerDefn()
            if replace:
                write.delete(table, write.fids(table))
            for number, row in enumerate(rows, start=1):
                feature = ogr.Feature(definition)
                for name, value in row.items():
                    _set(feature, definition, name, value, table, number)
                write.add(table, [{k: v for k, v in row.items() if definition.GetFieldIndex(k) >= 0}], first_row=number)
            if touch:
                write.set_info({})
            checkpoint(f"table:{table}-written")
    except WriteError as error:
        raise TableStoreError(str(error)) from error
    checkpoint(f"table:{table}-committed")
    return len(rows)


def commit_table_edits(layer, path: str | os.PathLike, table: str) -> int:
    """Save the edit buffer of ``layer`` (a QGIS layer of the plain table ``table`` of the workspace file
    ``path``: deleted, added and changed rows) in ONE transaction of the file, as :func:`write_rows` writes;
    then the buffer is dropped and the layer reloaded. Returns the rows touched.

    QGIS's own save of a GeoPackage layer writes deletions, additions and changes one after the other, so
    a replaced register killed half-way would lose its old rows; this save keeps all-old or all-new. On
    failure (TableStoreError, in GDAL's / SQLite's words) the edits stay in the buffer, the file as it was."""
    from .arrays import python_value

    buffer = layer.editBuffer() if layer.isEditable() else None
    if buffer is None:
        return 0
    names = layer.fields().names()
    added = buffer.addedFeatures()
    deleted = sorted(int(fid) for fid in buffer.deletedFeatureIds() if fid >= 0)
    rows = [
        {name: python_value(value) for name, value in zip(names, feature.attributes())}
        for _, feature in sorted(added.items(), key=lambda item: -item[0])  # added ids count down from -1
    ]
    changes = {
        int(fid): {names[index]: python_value(value) for index, value in values.items() if 0 <= index < len(names)}
        for fid, values in buffer.changedAttributeValues().items()
        if fid >= 0 and int(fid) not in deleted
    }
    rows = [{k: v for k, v in row.items() if k != "fid"} for row in rows]
    changes = {fid: {k: v for k, v in values.items() if k != "fid"} for fid, values in changes.items()}
    if not (rows or deleted or changes):
        layer.rollBack()
        return 0
    path = Path(path)
    if not os.access(path, os.W_OK):
        raise TableStoreError(tr("{path} is read-only; table {table} was not changed.").format(path=path, table=table))
    try:
        with WorkspaceWrite(path, tr("Write table {table}").format(table=table)) as write:
            write.delete(table, deleted)
            write.update(table, changes)
            checkpoint(f"table:{table}-edits-half-written")
            write.add(table, rows)
            write.set_info({})
    except WriteError as error:
        raise TableStoreError(str(error)) from error
    layer.rollBack()
    layer.reload()
    return len(rows) + len(deleted) + len(changes)
