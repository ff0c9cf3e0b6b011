"""Writing into QGIS layers the house way: through the layer's edit buffer, one edit command per operation.

``edit_command`` opens an undoable edit command (starting editing when needed); on an exception the
command is destroyed and the layer left as it was. ``commit=None`` (the default for the plugin's own
tables: change_log, code_registry, workspace_info) commits only when this call started editing, so
rows added while the user is editing that table wait in the edit buffer with the user's own edits.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from qgis.core import QgsFeature, QgsVectorLayer
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime, QVariant

from ..core.errors import PluginError
from ..core.schema import FieldType
from ..i18n import tr
from .qgis_compat import variant_type


class LayerEditError(PluginError):
    """An edit could not be made or saved; the message is translated and names the layer."""


@contextlib.contextmanager
def edit_command(layer: QgsVectorLayer, description: str, commit: bool | None = None):
    """``with edit_command(layer, tr("…")) as layer:`` — one undoable command; see the module docstring."""
    was_editing = layer.isEditable()
    if not was_editing and not layer.startEditing():
        raise LayerEditError(tr("Layer {layer} cannot be edited.").format(layer=layer.name()))
    layer.beginEditCommand(description)
    try:
        yield layer
    except BaseException:
        layer.destroyEditCommand()
        if not was_editing:
            layer.rollBack()
        raise
    layer.endEditCommand()
    if commit is None:
        commit = not was_editing
    if commit:
        commit_layer(layer, stop_editing=not was_editing)


def commit_layer(layer: QgsVectorLayer, stop_editing: bool = True) -> None:
    """Save the layer's edits; on failure roll back and raise with QGIS's reasons."""
    if not layer.commitChanges(stop_editing):
        errors = "; ".join(layer.commitErrors())
        layer.rollBack()
        raise LayerEditError(
            tr("Could not save the edits of layer {layer}: {error}").format(layer=layer.name(), error=errors)
        )


def qt_value(value, kind: str | None = None):
    """A Python value for a QGIS attribute: datetime → QDateTime, date → QDate, ISO text for a
    ``kind`` "datetime" / "date" field parsed; NaN and None → NULL."""
    if value is None:
        return QVariant()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)
        return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute, value.second))
    if isinstance(value, date):
        return QDate(value.year, value.month, value.day)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, str) and kind in ("datetime", "date"):
        if not value:
            return QVariant()
        if kind == "datetime":
            parsed = QDateTime.fromString(value[:19], Qt.DateFormat.ISODate)
        else:
            parsed = QDate.fromString(value[:10], Qt.DateFormat.ISODate)
        return parsed if parsed.isValid() else QVariant()
    if isinstance(value, float) and value != value:
        return QVariant()
    return value


def _field_type(layer: QgsVectorLayer, index: int) -> str | None:
    field_type = layer.fields().at(index).type()
    if field_type == variant_type(FieldType.DATETIME):
        return "datetime"
    if field_type == variant_type(FieldType.DATE):
        return "date"
    return None


def add_rows(layer: QgsVectorLayer, rows, description: str | None, commit: bool | None = None) -> int:
    """Add attribute rows (dicts, keyed by field name) in one edit command; returns how many.

    ``description`` None: no command of its own (the caller holds one open)."""
    rows = list(rows)
    if not rows:
        return 0
    fields = layer.fields()
    kinds = {
        name: (fields.indexFromName(name), _field_type(layer, fields.indexFromName(name))) for name in fields.names()
    }
    features = []
    for row in rows:
        feature = QgsFeature(fields)
        for name, value in row.items():
            index, kind = kinds.get(name, (-1, None))
            if index >= 0:
                feature.setAttribute(index, qt_value(value, kind))
        features.append(feature)
    with _command(layer, description, commit):
        if not layer.addFeatures(features):
            raise LayerEditError(tr("Could not add rows to layer {layer}.").format(layer=layer.name()))
    return len(features)


def change_values(
    layer: QgsVectorLayer, changes: dict[int, dict[str, object]], description: str | None, commit: bool | None = None
) -> int:
    """Change attribute values ({fid: {field: value}}) in one edit command; returns the features changed.

    ``description`` None: no command of its own (the caller holds one open)."""
    if not changes:
        return 0
    fields = layer.fields()
    with _command(layer, description, commit):
        for fid, values in changes.items():
            mapped = {}
            for name, value in values.items():
                index = fields.indexFromName(name)
                if index < 0:
                    raise LayerEditError(
                        tr("Layer {layer} has no field {field}.").format(layer=layer.name(), field=name)
                    )
                mapped[index] = qt_value(value, _field_type(layer, index))
            if not layer.changeAttributeValues(int(fid), mapped):
                raise LayerEditError(
                    tr("Could not change feature {fid} of layer {layer}.").format(fid=fid, layer=layer.name())
                )
    return len(changes)


def _command(layer, description, commit):
    if description is None:
        if not layer.isEditable():
            raise LayerEditError(tr("Layer {layer} cannot be edited.").format(layer=layer.name()))
        return contextlib.nullcontext(layer)
    return edit_command(layer, description, commit)


def upsert_key_values(layer: QgsVectorLayer, values: dict[str, str], description: str, commit=None) -> None:
    """Set keys of a key/value table (workspace_info): existing keys changed, new keys added, one command."""
    key_index = layer.fields().indexFromName("key")
    value_index = layer.fields().indexFromName("value")
    existing = {f[key_index]: f.id() for f in layer.getFeatures()}
    with edit_command(layer, description, commit):
        for key, value in values.items():
            if key in existing:
                layer.changeAttributeValue(existing[key], value_index, value)
            else:
                feature = QgsFeature(layer.fields())
                feature.setAttribute(key_index, key)
                feature.setAttribute(value_index, value)
                if not layer.addFeature(feature):
                    raise LayerEditError(tr("Could not add rows to layer {layer}.").format(layer=layer.name()))


def plain_value(value):
    """An attribute value as plain Python: NULL → None, QDateTime → ISO text (seconds), QDate → ISO date."""
    if value is None:
        return None
    if isinstance(value, QVariant):
        if value.isNull():
            return None
        value = value.value()
    if isinstance(value, QDateTime):
        return value.toString("yyyy-MM-ddTHH:mm:ss") if value.isValid() else None
    if isinstance(value, QDate):
        return value.toString("yyyy-MM-dd") if value.isValid() else None
    if hasattr(value, "isNull") and value.isNull():
        return None
    return value


def ensure_readable(layer: QgsVectorLayer) -> None:
    """Reopen the layer's data source when it cannot be read.

    With QGIS 3.22 / GDAL 3.6 a GeoPackage layer whose read-only connection was opened but never
    used fails every read ("unable to open database file") once another layer of the same file has
    saved edits; reloading the provider reopens it.
    """
    from .package_io import quiet_gdal

    provider = layer.dataProvider()
    if provider is None:
        return
    with quiet_gdal():  # the failed probe's GDAL error is expected
        broken = provider.featureCount() < 0
    if broken:
        provider.reloadData()


def read_rows(layer: QgsVectorLayer) -> list[dict]:
    """Every row of a table as the user sees it (edit buffer included): plain values and ``fid``."""
    ensure_readable(layer)
    names = layer.fields().names()
    rows = []
    for feature in layer.getFeatures():
        row = {name: plain_value(value) for name, value in zip(names, feature.attributes())}
        row["fid"] = feature.id()
        rows.append(row)
    return rows
