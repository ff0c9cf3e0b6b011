"""One-click thematic map: every level 3 grid coloured by the standard's size rules and staffing.

:func:`show_compliance` classifies the level 3 grids with :func:`core.sizerules.classify_compliance`
(the workspace's own size rules, the villages' urban-rural codes, the staff register's grid heads) and shows
the result as a **memory layer copy** — the grids' geometry, code, name, counts and a ``compliance`` field —
with a categorized renderer whose legend labels are Chinese and English and carry the number of grids.
The grid layer itself is never touched. Running it again replaces the previous copy.
"""

from __future__ import annotations

import numpy as np
import shapely
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsProject,
    QgsRendererCategory,
    QgsVectorLayer,
)

from ..core import schema
from ..core.schema import FieldType
from ..core.sizerules import COMPLIANCE_CLASSES, classify_compliance
from ..core.staffing import staffed_codes
from ..i18n import tr
from .arrays import read_grid_array, read_table
from .qgis_compat import variant_type
from .rules_store import load_rules

THEME_PROPERTY = schema.PROPERTY_THEMATIC
THEME = "compliance"
FIELD = "compliance"

# class → (Chinese label, English label, fill colour, outline colour)
CLASS_STYLE = {
    "under": ("规模偏小（低于标准下限）", "under the range", "#fdae61", "#a05a16"),
    "within": ("规模适中（符合标准）", "within the range", "#a6d96a", "#3b7a1d"),
    "over": ("规模偏大（超过标准上限）", "over the range", "#d7191c", "#7a0c0e"),
    "unstaffed": ("未配备网格长", "no grid head", "#8073ac", "#3f3566"),
}


def legend_label(cls: str, count: int | None = None) -> str:
    zh, en = CLASS_STYLE[cls][:2]
    text = f"{zh} {en[:1].upper()}{en[1:]}"
    return f"{text} ({count})" if count is not None else text


def _fields() -> QgsFields:
    fields = QgsFields()
    for name, kind, length in (
        ("code", FieldType.STRING, 32),
        ("name", FieldType.STRING, 100),
        ("households", FieldType.INTEGER, 0),
        ("population", FieldType.INTEGER, 0),
        ("relocated_households", FieldType.INTEGER, 0),
        ("area_class", FieldType.STRING, 8),
        ("settlement_type", FieldType.STRING, 16),
        (FIELD, FieldType.STRING, 16),
    ):
        fields.append(QgsField(name, variant_type(kind), len=length))
    return fields


def classify_workspace(workspace, rules=None):
    """(level 3 GridArray of the active grids, their compliance classes) for the workspace as it is now."""
    level3 = read_grid_array(workspace.grid_layer(3), 3, schema.GRID_LEVEL3.name)
    level3 = level3.subset(np.array([s != "retired" for s in level3.attribute("status", None)], dtype=bool))
    rules = load_rules(workspace) if rules is None else rules
    staff = read_table(workspace.layers[schema.STAFF.name])
    divisions = read_table(workspace.layers[schema.DIVISIONS.name])
    ur_classes = {str(d["code"]).strip(): d.get("ur_code") for d in divisions if d.get("code")}
    classes = classify_compliance(level3, rules, ur_classes, staffed_codes(staff))
    return level3, classes


def compliance_layer(workspace, rules=None) -> QgsVectorLayer:
    """A memory layer of the level 3 grids with their ``compliance`` class, styled; not added to a project."""
    level3, classes = classify_workspace(workspace, rules)
    fields = _fields()
    layer = QgsVectorLayer(
        f"MultiPolygon?crs={workspace.crs.authid()}", tr("Level 3 grids: size and staffing"), "memory"
    )
    provider = layer.dataProvider()
    provider.addAttributes(fields.toList())
    layer.updateFields()
    wkbs = shapely.to_wkb(level3.geometries) if len(level3) else []
    columns = [level3.attribute(name, None) for name in ("households", "population", "relocated_households")]
    area = level3.attribute("area_class", None)
    settlement = level3.attribute("settlement_type", None)
    features = []
    for i in range(len(level3)):
        feature = QgsFeature(layer.fields())
        feature.setAttributes(
            [
                level3.codes[i],
                level3.names[i],
                *[None if c[i] is None else int(c[i]) for c in columns],
                area[i],
                settlement[i],
                str(classes[i]),
            ]
        )
        if wkbs[i] is not None:
            geometry = QgsGeometry()
            geometry.fromWkb(wkbs[i])
            geometry.convertToMultiType()
            feature.setGeometry(geometry)
        features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    counts = {cls: int(np.count_nonzero(classes == cls)) for cls in COMPLIANCE_CLASSES}
    layer.setRenderer(_renderer(counts))
    layer.setCustomProperty(THEME_PROPERTY, THEME)
    layer.setCustomProperty(schema.PROPERTY_WORKSPACE, str(workspace.path))
    for cls, count in counts.items():
        layer.setCustomProperty(schema.PROPERTY_COMPLIANCE.format(cls=cls), count)
    return layer


def _renderer(counts: dict[str, int]) -> QgsCategorizedSymbolRenderer:
    categories = []
    for cls in COMPLIANCE_CLASSES:
        _, _, fill, outline = CLASS_STYLE[cls]
        symbol = QgsFillSymbol.createSimple(
            {"color": fill, "outline_color": outline, "outline_width": "0.2", "outline_width_unit": "MM"}
        )
        categories.append(QgsRendererCategory(cls, symbol, legend_label(cls, counts.get(cls, 0)), True))
    return QgsCategorizedSymbolRenderer(FIELD, categories)


def show_compliance(workspace, project: QgsProject | None = None, rules=None) -> QgsVectorLayer:
    """Add (or replace) the compliance map of the workspace's level 3 grids at the top of ``project``."""
    project = project or QgsProject.instance()
    layer = compliance_layer(workspace, rules)
    old = [
        lyr.id()
        for lyr in project.mapLayers().values()
        if lyr.customProperty(THEME_PROPERTY) == THEME
        and lyr.customProperty(schema.PROPERTY_WORKSPACE) == str(workspace.path)
    ]
    if old:
        project.removeMapLayers(old)
    project.addMapLayer(layer, False)
    project.layerTreeRoot().insertLayer(0, layer)
    return layer
