"""What the print layouts share: paper, fonts, text and boxes on a QgsPrintLayout, PDF export, the data read."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsFillSymbol,
    QgsLayoutExporter,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemPage,
    QgsLayoutItemPolyline,
    QgsLayoutItemShape,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLineSymbol,
    QgsPrintLayout,
    QgsProject,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import QPointF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPolygonF

from ...core import schema
from ...core.errors import PluginError
from ...core.model import WorkspaceData
from ...i18n import tr
from ..arrays import read_grid_array, read_table
from ..workspace import Workspace, atomic_path

PDF_SUFFIX = ".pdf"
PAPERS = {"A3": (420.0, 297.0), "A4": (297.0, 210.0)}  # landscape width, height in mm
LATIN_FONT_CANDIDATES = ("Noto Sans", "Source Sans Pro", "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica")
FONT_CANDIDATES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
)
PT_MM = 25.4 / 72  # one typographic point in millimetres
WRAP_SAFETY = 0.93  # text is pre-wrapped to this share of its box, so that Qt never wraps it again
RED = "#b71c1c"
DARK = "#1a1a1a"
GREY = "#6b6b6b"

try:  # QGIS ≥ 3.30 / QGIS 4
    MM = Qgis.LayoutUnit.Millimeters
except AttributeError:  # QGIS 3.22
    from qgis.core import QgsUnitTypes

    MM = QgsUnitTypes.LayoutUnit.LayoutMillimeters


class LayoutError(PluginError):
    """A layout could not be made or exported; the message is translated."""


# ---------------------------------------------------------------- small helpers


_installed: set[str] | None = None
_families: list[str] = []  # the fonts of the document being built (see document_fonts)


def _installed_families() -> set[str]:
    global _installed
    if _installed is None:
        try:
            _installed = set(QFontDatabase.families())  # Qt 6: static
        except TypeError:
            _installed = set(QFontDatabase().families())  # Qt 5
    return _installed


def cjk_family() -> str:
    """The first installed font family of FONT_CANDIDATES (Chinese glyphs), else the default family."""
    return next((f for f in FONT_CANDIDATES if f in _installed_families()), QFont().family())


def latin_family() -> str | None:
    return next((f for f in LATIN_FONT_CANDIDATES if f in _installed_families()), None)


@contextlib.contextmanager
def document_fonts(language: str):
    """The fonts of a document: the Chinese font alone for Chinese; a Latin font first for English.

    (In Latin text, Noto CJK's digits come out of Qt's PDF writer without their characters: a Latin font
    keeps the PDF's text searchable. Chinese characters of an English document fall back to the CJK font.)
    """
    global _families
    previous = _families
    latin = latin_family() if language != "zh" else None
    _families = [f for f in (latin, cjk_family()) if f]
    _measures.clear()
    try:
        yield
    finally:
        _families = previous
        _measures.clear()


def qfont(size: float, bold: bool = False) -> QFont:
    families = _families or [cjk_family()]
    font = QFont(families[0])
    if len(families) > 1 and hasattr(font, "setFamilies"):
        font.setFamilies(families)
    font.setBold(bold)
    font.setPointSizeF(size)
    return font


_measures: dict[bool, QFontMetricsF] = {}


def measure(text: str, bold: bool = False) -> float:
    """The width of ``text`` in em, from the document font's metrics."""
    metrics = _measures.get(bold)
    if metrics is None:
        font = qfont(10, bold)
        font.setPixelSize(1000)
        metrics = _measures[bold] = QFontMetricsF(font)
    return metrics.horizontalAdvance(text) / 1000.0


def text_format(size: float, bold: bool = False, color: str = DARK) -> QgsTextFormat:
    font = qfont(size, bold)
    fmt = QgsTextFormat()
    fmt.setFont(font)
    if hasattr(fmt, "setFamilies") and len(_families) > 1:
        fmt.setFamilies(_families)
    fmt.setSize(size)
    fmt.setSizeUnit(_render_unit_points())
    fmt.setColor(QColor(color))
    return fmt


def _render_unit_points():
    try:
        return Qgis.RenderUnit.Points  # QGIS ≥ 3.30
    except AttributeError:
        from qgis.core import QgsUnitTypes

        return QgsUnitTypes.RenderUnit.RenderPoints


def _place(item: QgsLayoutItem, x: float, y: float, w: float, h: float, page: int = 0) -> None:
    item.attemptResize(QgsLayoutSize(w, h, MM))
    item.attemptMove(QgsLayoutPoint(x, y, MM), True, False, page)


def add_label(
    layout,
    text: str,
    rect: tuple[float, float, float, float],
    size: float,
    page: int = 0,
    bold: bool = False,
    color: str = DARK,
    halign=Qt.AlignmentFlag.AlignLeft,
    valign=Qt.AlignmentFlag.AlignTop,
) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    fmt = text_format(size, bold, color)
    if hasattr(label, "setTextFormat"):  # QGIS ≥ 3.24
        label.setTextFormat(fmt)
    else:
        label.setFont(qfont(size, bold))
        label.setFontColor(QColor(color))
    label.setHAlign(halign)
    label.setVAlign(valign)
    label.setMargin(0)
    layout.addLayoutItem(label)
    _place(label, *rect, page)
    return label


def add_box(
    layout,
    rect: tuple[float, float, float, float],
    page: int = 0,
    fill: str | None = None,
    stroke: str | None = DARK,
    width: float = 0.3,
    dashed: bool = False,
    ellipse: bool = False,
) -> QgsLayoutItemShape:
    shape = QgsLayoutItemShape(layout)
    shape.setShapeType(QgsLayoutItemShape.Shape.Ellipse if ellipse else QgsLayoutItemShape.Shape.Rectangle)
    shape.setSymbol(
        QgsFillSymbol.createSimple(
            {
                "color": fill or "0,0,0,0",
                "style": "solid" if fill else "no",
                "outline_color": stroke or "0,0,0,0",
                "outline_style": ("dash" if dashed else "solid") if stroke else "no",
                "outline_width": str(width),
                "outline_width_unit": "MM",
            }
        )
    )
    layout.addLayoutItem(shape)
    _place(shape, *rect, page)
    return shape


def add_line(layout, x1: float, y1: float, x2: float, y2: float, page: int = 0, color=RED, width=0.5):
    polygon = QPolygonF([QPointF(x1, y1), QPointF(x2, y2)])
    line = QgsLayoutItemPolyline(polygon, layout)
    line.setSymbol(QgsLineSymbol.createSimple({"color": color, "width": str(width), "width_unit": "MM"}))
    layout.addLayoutItem(line)
    point = layout.pageCollection().pagePositionToLayoutPosition(page, QgsLayoutPoint(x1, y1 - width, MM))
    line.attemptMove(QgsLayoutPoint(point.x(), point.y(), MM), True, False, -1)
    return line


def add_page(layout, width: float, height: float) -> int:
    page = QgsLayoutItemPage(layout)
    page.setPageSize(QgsLayoutSize(width, height, MM))
    layout.pageCollection().addPage(page)
    return layout.pageCollection().pageCount() - 1


def new_layout(project: QgsProject, name: str, width: float, height: float) -> QgsPrintLayout:
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name)
    layout.pageCollection().page(0).setPageSize(QgsLayoutSize(width, height, MM))
    return layout


def export_pdf(layout: QgsPrintLayout, target: str | os.PathLike, dpi: int = 300) -> Path:
    """Export ``layout`` as one PDF (text kept as text, so it can be searched), atomically."""
    target = Path(target)
    if target.suffix.lower() != PDF_SUFFIX:
        target = target.with_suffix(PDF_SUFFIX)
    if not target.parent.is_dir():
        raise LayoutError(tr("The folder {folder} does not exist.").format(folder=target.parent))
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = dpi
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = True
    settings.exportMetadata = True
    settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
    atlas = layout.atlas()
    with atomic_path(target, PDF_SUFFIX) as tmp:
        if atlas.enabled() and atlas.coverageLayer() is not None:
            # every atlas feature is one page of the same PDF
            result, error = QgsLayoutExporter.exportToPdf(atlas, str(tmp), settings)
        else:
            exporter = QgsLayoutExporter(layout)
            result = exporter.exportToPdf(str(tmp), settings)
            error = ""
            if result != QgsLayoutExporter.ExportResult.Success:
                message = getattr(exporter, "errorMessage", None)  # QGIS ≥ 3.34
                error = (message() if message else "") or exporter.errorFile()
        if result != QgsLayoutExporter.ExportResult.Success or not tmp.exists():
            raise LayoutError(
                tr("Could not export {path} (error {code}): {error}").format(path=target, code=int(result), error=error)
            )
    return target


# ---------------------------------------------------------------- reading what the documents need


def read_publication_data(workspace: Workspace) -> WorkspaceData:
    """The grids, staff and divisions of a workspace (not its households, which the documents do not need)."""
    grids = {
        layer_def.name: read_grid_array(workspace.layers[layer_def.name], layer_def.level, layer_def.name)
        for layer_def in schema.GRID_LAYERS
    }
    return WorkspaceData(
        info=workspace.info,
        grids=grids,
        staff=read_table(workspace.layers[schema.STAFF.name]),
        divisions=read_table(workspace.layers[schema.DIVISIONS.name]),
    )


def resolve_photo(workspace_path: Path, photo: str) -> Path | None:
    """A staff photo: an absolute path, or one relative to the workspace's folder; None when missing."""
    if not photo:
        return None
    path = Path(photo).expanduser()
    if not path.is_absolute():
        path = workspace_path.parent / path
    return path if path.is_file() else None


@dataclass
class PrintedLayout:
    """A layout with everything it needs alive, and what it shows."""

    layout: QgsPrintLayout
    project: QgsProject
    layers: list = field(default_factory=list)
    pages: int = 1
    grids: int = 0
    heads: int = 0
    missing_photos: list[str] = field(default_factory=list)

    def release(self) -> None:
        """Delete the layout, then its layers and project, in that order (never the other way round)."""
        if self.layout is not None:
            self.layout.clear()  # items first: the legend and map refer to the project's layers
            self.layout = None
        self.layers = []
        if self.project is not None:
            self.project.removeAllMapLayers()
            self.project = None


def export_product(build, workspace: Workspace, scope, target: str | os.PathLike, options=None, data=None):
    """``build(workspace, data, scope, options)`` (a printed product's layout builder) exported to the PDF
    ``target``; the publication data read from ``workspace`` unless given. (path, the printed layout)."""
    data = data or read_publication_data(workspace)
    printed = build(workspace, data, scope, options)
    try:
        return export_pdf(printed.layout, target), printed
    finally:
        printed.release()
