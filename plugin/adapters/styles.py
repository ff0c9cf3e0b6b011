"""Layer styles and forms.

Symbology and labels come from ``resources/styles/<layer>.qml`` (made by ``scripts/make_styles.py``);
field aliases, value lists, widgets, defaults and constraints always come from ``core.schema``, so the
forms can never drift from the schema.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsDefaultValue,
    QgsEditorWidgetSetup,
    QgsFieldConstraints,
    QgsMapLayer,
    QgsVectorLayer,
)

from ..core import schema

STYLES_DIR = Path(__file__).resolve().parents[2] / "resources" / "styles"


def style_path(layer_def: schema.LayerDef) -> Path | None:
    if layer_def.style is None:
        return None
    return STYLES_DIR / layer_def.style


def apply_layer_style(layer: QgsVectorLayer, layer_def: schema.LayerDef, language: str = "zh") -> None:
    """Symbology and labels from the layer's .qml, then the schema's aliases and form widgets."""
    qml = style_path(layer_def)
    if qml is not None and qml.exists():
        categories = QgsMapLayer.StyleCategory.Symbology | QgsMapLayer.StyleCategory.Labeling
        categories |= QgsMapLayer.StyleCategory.Rendering
        message, ok = layer.loadNamedStyle(str(qml), categories)
        if not ok:
            raise RuntimeError(f"style {qml} did not load: {message}")
    apply_schema_form(layer, layer_def, language)


def apply_schema_form(layer: QgsVectorLayer, layer_def: schema.LayerDef, language: str = "zh") -> None:
    fields = layer.fields()
    for field_def in layer_def.fields:
        index = fields.indexFromName(field_def.name)
        if index < 0:
            continue
        layer.setFieldAlias(index, field_def.alias_zh if language == "zh" else field_def.alias_en)
        layer.setEditorWidgetSetup(index, _widget(field_def, language))
        if field_def.default is not None:
            default = field_def.default
            expression = repr(default) if isinstance(default, str) else str(default).lower()
            if isinstance(default, bool):
                expression = "true" if default else "false"
            layer.setDefaultValueDefinition(index, QgsDefaultValue(expression))
        if field_def.required:
            layer.setFieldConstraint(
                index,
                QgsFieldConstraints.Constraint.ConstraintNotNull,
                QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard,
            )


def _widget(field_def: schema.FieldDef, language: str) -> QgsEditorWidgetSetup:
    if field_def.options:
        label = (lambda o: o.label_zh) if language == "zh" else (lambda o: o.label_en)
        value_map = [{label(option): option.key} for option in field_def.options]
        return QgsEditorWidgetSetup("ValueMap", {"map": value_map})
    if field_def.type is schema.FieldType.BOOLEAN:
        return QgsEditorWidgetSetup("CheckBox", {"CheckedState": "", "UncheckedState": "", "TextDisplayMethod": 1})
    if field_def.type is schema.FieldType.DATE:
        return QgsEditorWidgetSetup(
            "DateTime",
            {"field_format": "yyyy-MM-dd", "display_format": "yyyy-MM-dd", "calendar_popup": True, "allow_null": True},
        )
    if field_def.type is schema.FieldType.DATETIME:
        return QgsEditorWidgetSetup(
            "DateTime",
            {
                "field_format": "yyyy-MM-ddTHH:mm:ss",
                "display_format": "yyyy-MM-dd HH:mm",
                "calendar_popup": True,
                "allow_null": True,
            },
        )
    if field_def.type is schema.FieldType.INTEGER:
        return QgsEditorWidgetSetup(
            "Range", {"AllowNull": True, "Min": 0, "Max": 2147483647, "Step": 1, "Style": "SpinBox"}
        )
    return QgsEditorWidgetSetup("TextEdit", {"IsMultiline": field_def.length > 200, "UseHtml": False})
