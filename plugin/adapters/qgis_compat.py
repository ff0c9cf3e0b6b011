"""The few places where QGIS 3.22 (Qt 5) and QGIS ≥ 3.38 / QGIS 4 (Qt 6) spell things differently."""

from __future__ import annotations

from qgis.core import Qgis
from qgis.PyQt.QtCore import QMetaType

from ..core.schema import FieldType

QGIS_VERSION_INT = Qgis.QGIS_VERSION_INT if hasattr(Qgis, "QGIS_VERSION_INT") else Qgis.versionInt()
USE_QMETATYPE = QGIS_VERSION_INT >= 33800

_QMETATYPE = {
    FieldType.STRING: "QString",
    FieldType.INTEGER: "Int",
    FieldType.REAL: "Double",
    FieldType.DATE: "QDate",
    FieldType.DATETIME: "QDateTime",
    FieldType.BOOLEAN: "Bool",
    FieldType.BINARY: "QByteArray",
}
_QVARIANT = {
    FieldType.STRING: "String",
    FieldType.INTEGER: "Int",
    FieldType.REAL: "Double",
    FieldType.DATE: "Date",
    FieldType.DATETIME: "DateTime",
    FieldType.BOOLEAN: "Bool",
    FieldType.BINARY: "ByteArray",
}


def variant_type(field_type: FieldType):
    """The type argument QgsField expects on this QGIS."""
    if USE_QMETATYPE:
        return getattr(QMetaType.Type, _QMETATYPE[field_type])
    from qgis.PyQt.QtCore import QVariant

    return getattr(QVariant.Type, _QVARIANT[field_type])
