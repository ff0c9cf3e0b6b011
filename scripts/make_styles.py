"""Write resources/styles/<layer>.qml for every styled workspace layer (run by `make styles`).

The .qml files are committed; this script is how they are made, so a style is changed here and
regenerated, never edited by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qgis.core import (  # noqa: E402
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont  # noqa: E402


def label(
    expression: str, size: float, color: str, max_scale: float, bold: bool = False
) -> QgsVectorLayerSimpleLabeling:
    settings = QgsPalLayerSettings()
    settings.fieldName = expression
    settings.isExpression = True
    text = QgsTextFormat()
    font = QFont("Noto Sans CJK SC")
    font.setBold(bold)
    text.setFont(font)
    text.setSize(size)
    text.setColor(QColor(color))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("white"))
    text.setBuffer(buffer)
    settings.setFormat(text)
    settings.scaleVisibility = True
    settings.minimumScale = max_scale  # labels shown at scales larger than 1:max_scale
    settings.maximumScale = 0
    settings.placement = QgsPalLayerSettings.Placement.Horizontal if hasattr(QgsPalLayerSettings, "Placement") else 0
    settings.centroidInside = True
    settings.fitInPolygonOnly = False
    return QgsVectorLayerSimpleLabeling(settings)


def fill(fill_color: str, outline: str, width: float, style: str = "solid", brush: str = "solid") -> QgsFillSymbol:
    return QgsFillSymbol.createSimple(
        {
            "color": fill_color,
            "style": brush,
            "outline_color": outline,
            "outline_width": str(width),
            "outline_width_unit": "MM",
            "outline_style": style,
            "joinstyle": "round",
        }
    )


def grid_style(layer, fill_color, outline, width, style, label_size, label_color, label_scale, bold=False):
    layer.setRenderer(QgsSingleSymbolRenderer(fill(fill_color, outline, width, style)))
    layer.setLabeling(label(""""code" || '\\n' || "name\"""", label_size, label_color, label_scale, bold))
    layer.setLabelsEnabled(True)


def main() -> None:
    from plugin.core import schema

    out = ROOT / "resources" / "styles"
    out.mkdir(parents=True, exist_ok=True)
    geometry = {"polygon": "MultiPolygon", "multipolygon": "MultiPolygon", "point": "Point"}
    for layer_def in schema.WORKSPACE_LAYERS:
        if layer_def.style is None:
            continue
        layer = QgsVectorLayer(f"{geometry[layer_def.geometry.value]}?crs=EPSG:4524", layer_def.name, "memory")
        if layer_def is schema.GRID_LEVEL1:
            grid_style(layer, "255,245,230,60", "176,24,24,255", 0.9, "solid", 10, "#7f0000", 150000, bold=True)
        elif layer_def is schema.GRID_LEVEL2:
            grid_style(layer, "0,0,0,0", "230,120,20,255", 0.5, "dash", 8.5, "#8a4500", 40000)
        elif layer_def is schema.GRID_LEVEL3:
            grid_style(layer, "120,170,220,40", "40,90,160,255", 0.25, "solid", 7.5, "#163a66", 15000)
        elif layer_def is schema.GRID_DEDICATED:
            symbol = fill("130,60,170,70", "110,40,150,255", 0.6, "solid", "solid")
            layer.setRenderer(QgsSingleSymbolRenderer(symbol))
            layer.setLabeling(label(""""code" || '\\n' || "name\"""", 7.5, "#4b1464", 25000))
            layer.setLabelsEnabled(True)
        elif layer_def is schema.COUNTY_BOUNDARY:
            layer.setRenderer(QgsSingleSymbolRenderer(fill("0,0,0,0", "40,40,40,255", 1.4, "dash dot")))
        elif layer_def is schema.HOUSEHOLDS:
            symbol = QgsMarkerSymbol.createSimple(
                {"name": "circle", "color": "90,90,90,200", "size": "0.9", "outline_style": "no"}
            )
            layer.setRenderer(QgsSingleSymbolRenderer(symbol))
            layer.setScaleBasedVisibility(True)
            layer.setMinimumScale(30000)
            layer.setMaximumScale(0)
        elif layer_def is schema.AUDIT_FINDINGS:
            colors = {"error": "228,26,28", "warning": "255,160,0", "info": "55,126,184"}
            categories = []
            for option in schema.SEVERITIES:
                symbol = fill(f"{colors[option.key]},110", f"{colors[option.key]},255", 0.8)
                categories.append(QgsRendererCategory(option.key, symbol, f"{option.label_zh} {option.label_en}"))
            layer.setRenderer(QgsCategorizedSymbolRenderer("severity", categories))
        message, ok = layer.saveNamedStyle(str(out / layer_def.style))
        if not ok:
            raise SystemExit(f"could not write {layer_def.style}: {message}")
        print(f"wrote {out / layer_def.style}")


if __name__ == "__main__":
    from devtools.qgis_app import start_qgis  # noqa: E402

    start_qgis(with_processing=False)
    main()
