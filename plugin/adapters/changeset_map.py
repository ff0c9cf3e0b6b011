"""The map of a change request (§7.6: the written application "with a map"): a PNG rendered by QGIS.

The grids around the change in light grey outline, the grids as they were (modified or retired) in dark grey
dashed outline, the grids as they will be (added or modified) highlighted in red, each changed grid labelled
with its code (a retired one "code 撤销"), a caption naming the request and the township, a small legend.
Rendered through ``QgsMapSettings`` + ``QgsMapRendererCustomPainterJob.renderSynchronously`` onto a
``QImage`` (no window, any thread: the proposal runs in a task), memory layers in the request's CRS.
"""

from __future__ import annotations

import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsField,
    QgsFillSymbol,
    QgsGeometry,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsPalLayerSettings,
    QgsRectangle,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QImage, QPainter, QPen, QTextOption

from ..core import changesets as core
from ..core.model import GridArray
from .layouts.common import qfont, text_format
from .qgis_compat import variant_type

MAP_SIZE = (1200, 900)  # pixels
MARGIN = 0.15  # share of the change's extent added around it
CONTEXT_OUTLINE = "#b0b0b0"
BEFORE_OUTLINE = "#555555"
AFTER_FILL = "229,57,53,90"
AFTER_OUTLINE = "#c62828"


def _layer(title: str, crs: str, rows, symbol: dict, labels: bool, size: float = 10.0) -> QgsVectorLayer:
    """A memory layer of ``rows`` = [(shapely geometry, label)] drawn with ``symbol``, labelled when asked."""
    from ..core import schema

    layer = QgsVectorLayer("MultiPolygon" + (f"?crs={crs}" if crs else ""), title, "memory")
    provider = layer.dataProvider()
    provider.addAttributes([QgsField("label", variant_type(schema.FieldType.STRING))])
    layer.updateFields()
    features = []
    for geometry, label in rows:
        if geometry is None or shapely.is_empty(geometry):
            continue
        feature = QgsFeature(layer.fields())
        feature.setAttributes([label])
        qgs = QgsGeometry()
        qgs.fromWkb(shapely.to_wkb(geometry, output_dimension=2))
        qgs.convertToMultiType()
        feature.setGeometry(qgs)
        features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(symbol)))
    if labels:
        settings = QgsPalLayerSettings()
        settings.fieldName = "label"
        fmt = text_format(size, True, "#1a1a1a")
        buffer = QgsTextBufferSettings()
        buffer.setEnabled(True)
        buffer.setSize(1.0)
        buffer.setColor(QColor(255, 255, 255, 230))
        fmt.setBuffer(buffer)
        settings.setFormat(fmt)
        settings.centroidInside = True
        try:
            from qgis.core import Qgis

            settings.placement = Qgis.LabelPlacement.Horizontal  # QGIS ≥ 3.26
        except AttributeError:
            settings.placement = QgsPalLayerSettings.Placement.Horizontal
        layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        layer.setLabelsEnabled(True)
    return layer


def _extent(geometries) -> QgsRectangle | None:
    parts = [g for g in geometries if g is not None and not shapely.is_empty(g)]
    if not parts:
        return None
    x0, y0, x1, y1 = shapely.total_bounds(parts)
    pad = max(x1 - x0, y1 - y0, 100.0) * MARGIN
    return QgsRectangle(x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def render_change_map(
    cs: core.ChangeSet, context: dict[str, GridArray] | None = None, size: tuple[int, int] = MAP_SIZE
) -> bytes:
    """The PNG of the change request ``cs``; ``context`` (the grids as they are) gives the grids around it.

    Returns b"" when the request changes no geometry (nothing to draw)."""
    crs = cs.crs
    before = [
        (i.before_geometry, f"{i.before_code or i.label()} 撤销" if i.action == core.RETIRE else "")
        for i in cs.items
        if i.before_geometry is not None
    ]
    after = [
        (i.after_geometry, i.code or i.label())
        for i in cs.items
        if i.action != core.RETIRE and i.after_geometry is not None
    ]
    extent = _extent([g for g, _ in before + after])
    if extent is None:
        return b""
    layers_used = {i.layer for i in cs.items}
    around = []
    if context:
        box = shapely.box(extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
        for name, grid in context.items():
            if name not in layers_used or not len(grid):
                continue
            geometries = grid.geometries
            hit = shapely.intersects(geometries, box) if len(geometries) else []
            around += [(g, "") for g, h in zip(geometries, hit) if h and g is not None]
    context_layer = _layer(
        "context", crs, around, {"color": "0,0,0,0", "outline_color": CONTEXT_OUTLINE, "outline_width": "0.3"}, False
    )
    before_layer = _layer(
        "before",
        crs,
        before,
        {"color": "0,0,0,0", "outline_color": BEFORE_OUTLINE, "outline_width": "0.6", "outline_style": "dash"},
        True,
        9.0,
    )
    after_layer = _layer(
        "after", crs, after, {"color": AFTER_FILL, "outline_color": AFTER_OUTLINE, "outline_width": "0.7"}, True
    )
    settings = QgsMapSettings()
    settings.setLayers([before_layer, after_layer, context_layer])  # the first is drawn on top
    if crs:
        settings.setDestinationCrs(QgsCoordinateReferenceSystem(crs))
    settings.setOutputSize(QSize(*size))
    settings.setOutputDpi(96)
    settings.setBackgroundColor(QColor("white"))
    settings.setExtent(extent)
    image = QImage(QSize(*size), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        job = QgsMapRendererCustomPainterJob(settings, painter)
        job.renderSynchronously()
        _caption(painter, cs, size)
    finally:
        painter.end()
    del context_layer, before_layer, after_layer
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def _caption(painter: QPainter, cs: core.ChangeSet, size: tuple[int, int]) -> None:
    """The request and township at the top left; the legend at the bottom left."""
    width, height = size
    painter.setFont(qfont(11, True))
    painter.setPen(QColor("#1a1a1a"))
    title = f"网格变更申请 {cs.set_id[:8]} · 乡镇/街道 {cs.township_code}"
    if cs.title:
        title += f" · {cs.title}"
    back = QColor(255, 255, 255, 220)
    painter.fillRect(QRectF(8, 8, width - 16, 30), back)
    painter.drawText(QRectF(14, 8, width - 28, 30), title, QTextOption(Qt.AlignmentFlag.AlignVCenter))
    painter.setFont(qfont(9))
    painter.fillRect(QRectF(8, height - 38, 330, 30), back)
    entries = (
        (QColor(0, 0, 0, 0), QPen(QColor(BEFORE_OUTLINE), 1.5, Qt.PenStyle.DashLine), "变更前"),
        (QColor(*map(int, AFTER_FILL.split(","))), QPen(QColor(AFTER_OUTLINE), 1.5), "变更后"),
        (QColor(0, 0, 0, 0), QPen(QColor(CONTEXT_OUTLINE), 1.0), "周边网格"),
    )
    x = 16
    for fill, pen, text in entries:
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRect(QRectF(x, height - 30, 22, 14))
        painter.setPen(QColor("#1a1a1a"))
        painter.drawText(QRectF(x + 28, height - 36, 70, 26), text, QTextOption(Qt.AlignmentFlag.AlignVCenter))
        x += 105
