"""Print layouts: the public notice map (公示图, §7.6) and the grid heads' work permits (工作证, §11.4).

The content (titles, rows, card lines, line breaks) comes from :mod:`plugin.core.permits`; this module
places it on paper with QgsPrintLayout items and exports PDF through QgsLayoutExporter, headless.
Every PDF is written to a temporary file beside the target and moved into place only when complete.

Layouts get their own QgsProject (the user's project is never touched); the returned objects keep the
project and layers alive for as long as the layout is used.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from qgis.core import (
    Qgis,
    QgsFeature,
    QgsField,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemPolyline,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutItemTextTable,
    QgsLayoutMeasurement,
    QgsLayoutMultiFrame,
    QgsLayoutObject,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLayoutUtils,
    QgsLegendRenderer,
    QgsLegendStyle,
    QgsLineSymbol,
    QgsPalLayerSettings,
    QgsPathResolver,
    QgsPrintLayout,
    QgsProject,
    QgsProperty,
    QgsRasterLayer,
    QgsRectangle,
    QgsSymbolLayerUtils,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QPointF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPolygonF

from ..core import permits, schema
from ..core.errors import PluginError
from ..core.model import WorkspaceData
from ..i18n import tr
from .arrays import read_grid_array, read_table
from .qgis_compat import variant_type
from .styles import apply_layer_style
from .workspace import Workspace, atomic_path

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


# ---------------------------------------------------------------- the public notice map


@dataclass
class NoticeOptions:
    paper: str = "A3"
    issuer: str = ""
    day: _dt.date | None = None
    language: str = "zh"
    levels: tuple[int, ...] = permits.LEVEL_ORDER
    basemap: QgsRasterLayer | None = None


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


# sizes per paper: title, subtitle, table text, footer, map labels (level 1, 2, 3, dedicated)
_NOTICE_SIZES = {
    "A3": {"title": 30, "sub": 11, "table": 8, "head": 8.5, "footer": 9, "labels": (11, 7.5, 6, 6)},
    "A4": {"title": 22, "sub": 9, "table": 6.5, "head": 7, "footer": 7.5, "labels": (9, 6.5, 5, 5)},
}
_LEVEL_LABEL_COLORS = {1: "#7f0000", 2: "#8a4500", 3: "#163a66", 0: "#4b1464"}
_SHORT_NAME_EXPRESSION = (
    "regexp_replace(regexp_replace(\"name\", '(村民委员会|村委会)$', '村'), "
    "'(社区)?(社区居民委员会|社区居委会|居民委员会|居委会)$', '社区')"
)


_MEMORY_FIELDS = ("code", "name", "level")


def memory_grid_layer(data: WorkspaceData, level: int, crs_authid: str, title: str, keep) -> QgsVectorLayer:
    """A memory layer of the active grids of ``level`` whose code passes ``keep(code)``, styled like the workspace."""
    layer_def = schema.GRID_LAYER_BY_LEVEL[level]
    layer = QgsVectorLayer(f"MultiPolygon?crs={crs_authid}", title, "memory")
    provider = layer.dataProvider()
    provider.addAttributes([QgsField(name, variant_type(schema.FieldType.STRING)) for name in _MEMORY_FIELDS])
    layer.updateFields()
    grid = data.grids.get(layer_def.name)
    features = []
    if grid is not None and len(grid):
        status = grid.attribute("status", "active")
        for i in range(len(grid)):
            code = "" if grid.codes[i] is None else str(grid.codes[i])
            if status[i] == "retired" or grid.geometries[i] is None or not keep(code):
                continue
            feature = QgsFeature(layer.fields())
            feature.setAttributes([code, "" if grid.names[i] is None else str(grid.names[i]), str(level)])
            geometry = QgsGeometry()
            # 2D WKB: inside QGIS, shapely may run on QGIS's older GEOS, which refuses its default of 4 dimensions
            geometry.fromWkb(shapely.to_wkb(grid.geometries[i], output_dimension=2))
            geometry.convertToMultiType()
            feature.setGeometry(geometry)
            features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    apply_layer_style(layer, layer_def)
    return layer


def _labels(expression: str, size: float, color: str, priority: int, bold=False, inside=False):
    settings = QgsPalLayerSettings()
    settings.fieldName = expression
    settings.isExpression = True
    fmt = text_format(size, bold, color)
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.7)
    buffer.setColor(QColor(255, 255, 255, 220))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    settings.priority = priority
    try:
        settings.placement = Qgis.LabelPlacement.Horizontal  # QGIS ≥ 3.26
    except AttributeError:
        settings.placement = QgsPalLayerSettings.Placement.Horizontal
    settings.centroidInside = True
    settings.fitInPolygonOnly = inside
    return QgsVectorLayerSimpleLabeling(settings)


def _nice_scale(scale: float) -> float:
    """The next round map scale at or above ``scale`` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ)."""
    if scale <= 0 or not math.isfinite(scale):
        return scale
    power = 10 ** math.floor(math.log10(scale))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= scale * 0.999:
            return step * power
    return 10 * power


def _north_arrow_path() -> str | None:
    try:
        path = QgsSymbolLayerUtils.svgSymbolNameToPath("arrows/NorthArrow_02.svg", QgsPathResolver())
    except Exception:  # noqa: BLE001 - an optional decoration
        return None
    return path if path and Path(path).exists() else None


def build_notice_layout(
    workspace: Workspace, data: WorkspaceData, scope: permits.Scope, options: NoticeOptions | None = None
) -> PrintedLayout:
    """The public notice map of a township or village: map, grid heads' table, title, issuer, date, pages."""
    options = options or NoticeOptions()
    with document_fonts(options.language):
        return _build_notice_layout(workspace, data, scope, options)


def _build_notice_layout(workspace, data, scope, options: NoticeOptions) -> PrintedLayout:
    lang = options.language
    page_w, page_h = PAPERS.get(options.paper, PAPERS["A3"])
    sizes = _NOTICE_SIZES.get(options.paper, _NOTICE_SIZES["A3"])
    margin = 12.0 if options.paper == "A3" else 9.0
    gap = 7.0 if options.paper == "A3" else 5.0

    grids = permits.grids_in_scope(data, scope, options.levels)
    heads = permits.grid_heads(data, grids)
    title = permits.notice_title(scope, lang)
    issuer = options.issuer or permits.default_issuer(scope, lang)

    project = QgsProject()
    project.setCrs(workspace.crs)
    metadata = project.metadata()
    metadata.setTitle(title)
    metadata.setAuthor(issuer)
    project.setMetadata(metadata)
    layout = new_layout(project, title, page_w, page_h)
    result = PrintedLayout(layout, project, grids=len(grids), heads=sum(not h.vacant for h in heads))

    # -- header: title, a red double rule, the counts
    title_h = sizes["title"] * PT_MM * 1.5
    add_label(
        layout,
        title,
        (margin, margin - 2, page_w - 2 * margin, title_h),
        sizes["title"],
        bold=True,
        color=RED,
        halign=Qt.AlignmentFlag.AlignHCenter,
        valign=Qt.AlignmentFlag.AlignVCenter,
    )
    rule_y = margin - 2 + title_h + 1.5
    add_line(layout, margin, rule_y, page_w - margin, rule_y, width=0.8)
    add_line(layout, margin, rule_y + 1.3, page_w - margin, rule_y + 1.3, width=0.25)
    sub_h = sizes["sub"] * PT_MM * 1.6
    add_label(
        layout,
        permits.notice_counts(scope, grids, lang),
        (margin, rule_y + 2.5, page_w - 2 * margin, sub_h),
        sizes["sub"],
        color=GREY,
        halign=Qt.AlignmentFlag.AlignHCenter,
        valign=Qt.AlignmentFlag.AlignVCenter,
    )
    top = rule_y + 2.5 + sub_h + 2.5
    footer_h = sizes["footer"] * PT_MM * 1.5 * 2 + 3
    bottom = page_h - margin - footer_h

    # -- the table's columns and rows: duties once above the table, or marked, or (many texts) in full
    note = permits.duties_note(heads, lang)
    columns = ["code", "name", "level", "head", "phone", "supervision"]
    if permits.duty_markers(heads):
        columns.append("duty_marker")
    elif note is None and any(h.duties for h in heads):
        columns.append("duties")
    em = sizes["table"] * PT_MM
    head_em = sizes["head"] * PT_MM
    limits = {"name": 11.0, "duties": 16.0 if options.paper == "A3" else 14.0}
    headers = permits.notice_headers(columns, lang)
    plain = permits.notice_rows(heads, columns, lang)
    widths_em = {}
    for index, column in enumerate(columns):
        widest = max([measure(r[index]) for r in plain] + [0.0])
        header = measure(headers[index], True) * head_em / em + 0.3
        widths_em[column] = min(max(widest, header), limits.get(column, 99.0))
    wrap = {c: widths_em[c] for c in ("name", "duties") if c in widths_em}
    rows = permits.notice_rows(heads, columns, lang, wrap, measure=measure)
    cell_margin = 1.0
    col_mm = [widths_em[c] * em / WRAP_SAFETY + 0.5 for c in columns]
    table_w = sum(col_mm) + 2 * cell_margin * len(columns) + 0.5

    usable_w = page_w - 2 * margin
    map_w = max(usable_w - table_w - gap, usable_w * 0.4)
    table_x = margin + map_w + gap
    if table_x + table_w > page_w - margin + 0.01:
        table_w = page_w - margin - table_x  # very long names: let the table use what is left

    # -- the map
    map_rect = (margin, top, map_w, bottom - top)
    result.layers = _notice_map(layout, workspace, data, scope, options, map_rect, sizes)

    # -- the table column on page 1: shared duties, table title, table
    y = top
    if note:
        width_em = WRAP_SAFETY * (table_w - 3) / (sizes["table"] * PT_MM * 1.05)
        wrapped = permits.wrap_text(note, width_em, measure=measure)
        height = (wrapped.count("\n") + 1) * sizes["table"] * 1.05 * PT_MM * 1.45 + 3
        add_box(layout, (table_x, y, table_w, height), fill="#fbf3f3", stroke="#e3c4c4", width=0.2)
        add_label(layout, wrapped, (table_x + 1.5, y + 1.5, table_w - 3, height - 3), sizes["table"] * 1.05)
        y += height + 2.5
    table_title_h = sizes["head"] * PT_MM * 1.8
    add_label(
        layout,
        permits.doc_text("table_title", lang),
        (table_x, y, table_w, table_title_h),
        sizes["head"] * 1.15,
        bold=True,
        valign=Qt.AlignmentFlag.AlignVCenter,
    )
    y += table_title_h + 0.5
    table = _notice_table(layout, columns, headers, rows, col_mm, sizes, cell_margin)

    frames = [(table_x, y, table_w, bottom - y, 0)]
    cont_top = margin + sizes["sub"] * PT_MM * 2.2 + 3
    cont_cols = max(1, int((usable_w + gap) // (table_w + gap)))
    cont_x0 = margin + (usable_w - (cont_cols * table_w + (cont_cols - 1) * gap)) / 2
    # enough frames for the worst case (rows taller than they will be): the table drops those it does not need
    line_h = sizes["table"] * PT_MM * 1.6
    row_h = [(max(cell.count("\n") for cell in row) + 1) * line_h + 2 * cell_margin for row in rows]
    header_row = sizes["head"] * PT_MM * 1.6 + 2 * cell_margin
    first_room = bottom - y - header_row
    spare = sum(row_h)
    used = 0.0
    for height in row_h:  # what the first frame holds at least
        if used + height > first_room:
            break
        used += height
    spare -= used
    room = max(bottom - cont_top - header_row, line_h)
    extra_pages = math.ceil(spare / (room * cont_cols)) + 1 if spare > 0 else 0
    for _ in range(extra_pages):
        page = add_page(layout, page_w, page_h)
        for c in range(cont_cols):
            frames.append((cont_x0 + c * (table_w + gap), cont_top, table_w, bottom - cont_top, page))
    for x, fy, w, h, page in frames:
        frame = QgsLayoutFrame(layout, table)
        _place(frame, x, fy, w, h, page)
        table.addFrame(frame, False)
    table.setResizeMode(QgsLayoutMultiFrame.ResizeMode.ExtendToNextPage)
    table.recalculateFrameSizes()
    _drop_empty_pages(layout, table)
    pages = layout.pageCollection().pageCount()
    result.pages = pages

    # -- continuation headers and every page's footer
    for page in range(pages):
        if page:
            add_label(
                layout,
                permits.doc_text("notice_continued", lang, title=title),
                (margin, margin - 2, usable_w, sizes["sub"] * PT_MM * 2.2),
                sizes["sub"] * 1.3,
                page=page,
                bold=True,
                color=RED,
                halign=Qt.AlignmentFlag.AlignHCenter,
                valign=Qt.AlignmentFlag.AlignVCenter,
            )
            line_y = margin - 2 + sizes["sub"] * PT_MM * 2.2 + 1
            add_line(layout, margin, line_y, page_w - margin, line_y, page=page, width=0.4)
        _notice_footer(layout, page, pages, issuer, options, sizes, margin, page_w, page_h, footer_h)
    return result


def _drop_empty_pages(layout, table) -> None:
    used = {table.frame(i).page() for i in range(table.frameCount())}
    collection = layout.pageCollection()
    for index in range(collection.pageCount() - 1, 0, -1):
        if index not in used and index > max(used):
            collection.deletePage(index)


def _notice_table(layout, columns, headers, rows, col_mm, sizes, cell_margin) -> QgsLayoutItemTextTable:
    table = QgsLayoutItemTextTable(layout)
    layout.addMultiFrame(table)
    table_columns = []
    for heading, width in zip(headers, col_mm):
        column = QgsLayoutTableColumn(heading)
        column.setWidth(width)
        column.setVAlignment(Qt.AlignmentFlag.AlignVCenter)
        table_columns.append(column)
    table.setColumns(table_columns)
    table.setHeaderTextFormat(text_format(sizes["head"], True, "#ffffff"))
    table.setContentTextFormat(text_format(sizes["table"]))
    table.setHeaderHAlignment(QgsLayoutTable.HeaderHAlignment.HeaderCenter)
    table.setHeaderMode(QgsLayoutTable.HeaderMode.AllFrames)
    table.setCellMargin(cell_margin)
    table.setGridStrokeWidth(0.15)
    table.setGridColor(QColor("#9e9e9e"))
    table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)
    table.setEmptyTableBehavior(QgsLayoutTable.EmptyTableMode.ShowMessage)
    header_style = _cell_style(RED)
    table.setCellStyle(QgsLayoutTable.CellStyleGroup.HeaderRow, header_style)
    table.setCellStyle(QgsLayoutTable.CellStyleGroup.EvenRows, _cell_style("#f6f1f1"))
    table.setContents(rows)
    return table


def _cell_style(color: str):
    from qgis.core import QgsLayoutTableStyle

    style = QgsLayoutTableStyle()
    style.enabled = True
    style.cellBackgroundColor = QColor(color)
    return style


def _notice_map(layout, workspace, data, scope, options, rect, sizes) -> list:
    lang = options.language
    crs = workspace.info.crs
    layers = {}
    shown = set(options.levels) | {1}
    labels = dict(zip(permits.LEVEL_ORDER, sizes["labels"]))
    township = not scope.is_village
    if township:  # a township map is dense: smaller labels
        labels[1] *= 0.82
        labels[3] *= 0.85
    for level in (0, 3, 2, 1):
        if level not in shown:
            continue
        title = permits.doc_text(f"legend_{level}", lang)
        layer = memory_grid_layer(data, level, crs, title, lambda code: code.startswith(scope.code))
        name = _SHORT_NAME_EXPRESSION if level == 1 else '"name"'
        layer.setLabeling(
            _labels(
                f"{name} || '\\n' || \"code\"",
                labels[level],
                _LEVEL_LABEL_COLORS[level],
                {1: 10, 2: 7, 0: 6, 3: 4}[level],
                bold=level == 1,
                inside=level in (2, 3),
            )
        )
        layer.setLabelsEnabled(True)
        layers[level] = layer
    title = permits.doc_text("legend_context", lang)
    context = memory_grid_layer(data, 1, crs, title, lambda code: not code.startswith(scope.code))
    context.renderer().setSymbol(
        QgsFillSymbol.createSimple(
            {"color": "238,238,238,255", "outline_color": "170,170,170,255", "outline_width": "0.25"}
        )
    )
    context.setLabeling(_labels(_SHORT_NAME_EXPRESSION, labels[1] * 0.7, "#9a9a9a", 1, inside=True))
    context.setLabelsEnabled(True)
    ordered = [layers[level] for level in (0, 3, 2, 1) if level in layers] + [context]
    if options.basemap is not None and options.basemap.isValid():
        ordered.append(options.basemap)
        for layer in layers.values():  # the basemap shows through the grids' fills
            layer.setOpacity(0.85)
        context.setOpacity(0.5)
    layout.project().addMapLayers([layer for layer in ordered if layer is not options.basemap], False)

    x, y, w, h = rect
    # the legend in a strip under the map (measured first), the scale bar at the strip's right end
    legend_layers = [layers[level] for level in (1, 2, 3, 0) if level in layers] + [context]
    legend = _legend(layout, legend_layers, x, y + h, w * 0.72, sizes, lang)
    strip = legend.sizeWithUnits().height() + 2
    map_h = h - strip
    item = QgsLayoutItemMap(layout)
    item.setCrs(workspace.crs)
    item.setLayers(ordered)
    item.setKeepLayerSet(True)
    item.setFrameEnabled(True)
    item.setFrameStrokeWidth(QgsLayoutMeasurement(0.4, MM))
    item.setBackgroundColor(QColor("#ffffff"))
    layout.addLayoutItem(item)
    _place(item, x, y, w, map_h)
    legend.setLinkedMap(item)
    bounds = permits.scope_bounds(data, scope)
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        extent = QgsRectangle(minx, miny, maxx, maxy)
        extent.scale(1.08)
        item.zoomToExtent(extent)
        item.setScale(_nice_scale(item.scale()))

    arrow = _north_arrow_path()
    if arrow:
        picture = QgsLayoutItemPicture(layout)
        picture.setPicturePath(arrow)
        picture.setLinkedMap(item)
        layout.addLayoutItem(picture)
        side = 11 if options.paper == "A3" else 8
        _place(picture, x + w - side - 4, y + 4, side, side * 1.5)
    scalebar = QgsLayoutItemScaleBar(layout)
    scalebar.setStyle("Single Box")
    scalebar.setLinkedMap(item)
    scalebar.applyDefaultSize(_kilometres())
    scalebar.setUnitLabel(permits.doc_text("scale_unit", lang))
    scalebar.setTextFormat(text_format(sizes["labels"][1]))
    layout.addLayoutItem(scalebar)
    scalebar.setReferencePoint(QgsLayoutItem.ReferencePoint.LowerRight)
    scalebar.attemptMove(QgsLayoutPoint(x + w, y + h - 1, MM))
    scalebar.refresh()
    return ordered


def _kilometres():
    try:
        return Qgis.DistanceUnit.Kilometers  # QGIS ≥ 3.30
    except AttributeError:
        from qgis.core import QgsUnitTypes

        return QgsUnitTypes.DistanceUnit.DistanceKilometers


def _legend(layout, layers, x, bottom, max_w, sizes, lang) -> QgsLayoutItemLegend:
    """A legend of ``layers`` in columns, its lower left corner at (x, bottom)."""
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle(permits.doc_text("legend_title", lang))
    layout.addLayoutItem(legend)
    legend.setAutoUpdateModel(False)  # the legend now holds its own copy of the project's tree: fill that
    root = legend.model().rootGroup()
    root.removeAllChildren()
    for layer in layers:
        root.addLayer(layer)
    legend.setBackgroundEnabled(False)
    legend.setFrameEnabled(False)
    legend.setColumnCount(3)
    legend.setSplitLayer(False)
    legend.setBoxSpace(0.5)
    size = sizes["labels"][1]
    for style, bold, factor in (
        (QgsLegendStyle.Style.Title, True, 1.2),
        (QgsLegendStyle.Style.Subgroup, False, 1.0),
        (QgsLegendStyle.Style.SymbolLabel, False, 1.0),
    ):
        rstyle = legend.rstyle(style)
        if hasattr(rstyle, "setTextFormat"):  # QGIS ≥ 3.30
            rstyle.setTextFormat(text_format(size * factor, bold))
        else:
            rstyle.setFont(qfont(size * factor, bold))
    legend.setSymbolWidth(7)
    legend.setSymbolHeight(3.5)
    legend.setReferencePoint(QgsLayoutItem.ReferencePoint.LowerLeft)
    size = _legend_size(legend)
    if size.width() > max_w:  # long labels: fewer columns
        legend.setColumnCount(2)
        size = _legend_size(legend)
    # a legend sizes itself only when first painted: give it its size now, so the map can make room
    legend.attemptResize(QgsLayoutSize(size.width(), size.height(), MM))
    legend.attemptMove(QgsLayoutPoint(x, bottom, MM))
    return legend


def _legend_size(legend: QgsLayoutItemLegend):
    renderer = QgsLegendRenderer(legend.model(), legend.legendSettings())
    context = QgsLayoutUtils.createRenderContextForLayout(legend.layout(), None)
    context.setFlag(_render_flag_antialiasing(), True)
    return renderer.minimumSize(context)


def _render_flag_antialiasing():
    try:
        return Qgis.RenderContextFlag.Antialiasing  # QGIS ≥ 3.22 (Qgis.RenderContextFlag)
    except AttributeError:
        from qgis.core import QgsRenderContext

        return QgsRenderContext.Flag.Antialiasing


def _notice_footer(layout, page, pages, issuer, options, sizes, margin, page_w, page_h, footer_h) -> None:
    lang = options.language
    size = sizes["footer"]
    line_h = size * PT_MM * 1.5
    y0 = page_h - margin - footer_h + 2
    add_line(layout, margin, y0, page_w - margin, y0, page=page, color="#9e9e9e", width=0.2)
    width = (page_w - 2 * margin) / 3
    row1 = y0 + 1.2
    add_label(
        layout,
        permits.doc_text("issuer", lang, issuer=issuer),
        (margin, row1, width * 1.4, line_h),
        size,
        page=page,
        bold=True,
    )
    add_label(
        layout,
        permits.doc_text("page", lang, page=page + 1, pages=pages),
        (margin + width, row1, width, line_h),
        size * 0.9,
        page=page,
        color=GREY,
        halign=Qt.AlignmentFlag.AlignHCenter,
    )
    add_label(
        layout,
        permits.doc_text("notice_date", lang, date=permits.format_date(options.day, lang)),
        (margin + 2 * width, row1, width, line_h),
        size,
        page=page,
        halign=Qt.AlignmentFlag.AlignRight,
    )
    add_label(
        layout,
        permits.doc_text("footer_note", lang),
        (margin, row1 + line_h, page_w - 2 * margin, line_h),
        size * 0.85,
        page=page,
        color=GREY,
    )


def export_notice(
    workspace: Workspace,
    scope: permits.Scope,
    target: str | os.PathLike,
    options: NoticeOptions | None = None,
    data: WorkspaceData | None = None,
) -> tuple[Path, PrintedLayout]:
    data = data or read_publication_data(workspace)
    printed = build_notice_layout(workspace, data, scope, options)
    try:
        return export_pdf(printed.layout, target), printed
    finally:
        printed.release()


# ---------------------------------------------------------------- work permits

PERMIT_PAGE = (210.0, 297.0)  # A4 portrait
PERMIT_CARD = (92.0, 68.0)
PERMIT_GRID = (2, 4)  # columns, rows
PERMITS_PER_PAGE = PERMIT_GRID[0] * PERMIT_GRID[1]
PERMIT_LINES = 5  # lines under the name: position, grid, code, phone, supervision phone
_CARD = {  # geometry of a card, in mm from its top left corner
    "header": 9.5,
    "photo": (5.0, 13.0, 24.0, 32.0),
    "label_x": 33.0,
    "label_w": 15.5,
    "name_y": 12.6,
    "lines_y": 19.2,
    "line_h": 5.2,
    "duties": (5.0, 46.4, 63.0, 11.0),  # three lines of 7 pt (Noto CJK's line spacing is about 1.45 em)
    "issuer_y": 58.4,
    "seal": 17.0,
}
_SIZES = {"name": (12.5, 9.5), "value": (9.0, 7.0), "duties": 7.0}


@dataclass
class PermitOptions:
    issuer: str = ""
    day: _dt.date | None = None
    language: str = "zh"
    levels: tuple[int, ...] = permits.LEVEL_ORDER


def build_permits_layout(
    workspace: Workspace, data: WorkspaceData, scope: permits.Scope, options: PermitOptions | None = None
) -> PrintedLayout:
    """Work permits of every grid head in the scope: 8 cards (92 × 66 mm) per A4 page, cut along the borders.

    One page of eight card slots is laid out once; an atlas over a memory layer with one feature per sheet
    fills the slots (expressions in the labels), so that a township's hundreds of cards stay fast to make.
    """
    options = options or PermitOptions()
    with document_fonts(options.language):
        return _build_permits_layout(workspace, data, scope, options)


def _fit(text: str, width_mm: float, sizes: tuple[float, float], bold: bool = False) -> tuple[str, str]:
    """(text at the normal size, text at the small size): one of them empty; shortened when even small is too long."""
    normal, small = sizes
    width_em = measure(text, bold)
    if width_em * normal * PT_MM <= width_mm * WRAP_SAFETY:
        return text, ""
    if width_em * small * PT_MM <= width_mm * WRAP_SAFETY:
        return "", text
    limit = width_mm * WRAP_SAFETY / (small * PT_MM)
    return "", permits.wrap_text(text, limit, max_lines=1, measure=lambda t: measure(t, bold))


def _card_fields(slot: int) -> list[str]:
    names = [f"n{slot}", f"ns{slot}", f"d{slot}", f"ph{slot}"]
    for line in range(PERMIT_LINES):
        names += [f"l{slot}_{line}", f"v{slot}_{line}", f"s{slot}_{line}"]
    return names


def _card_values(card: permits.PermitCard, photo: Path | None) -> dict[str, str | None]:
    w = PERMIT_CARD[0]
    value_w = w - 3 - _CARD["label_x"] - _CARD["label_w"]
    name, name_small = _fit(card.name, value_w, _SIZES["name"], bold=True)
    values: dict[str, str | None] = {"n": name or None, "ns": name_small or None}
    duties = f"{card.duties_label}：{card.duties}" if card.duties else ""
    width_em = WRAP_SAFETY * _CARD["duties"][2] / (_SIZES["duties"] * PT_MM)
    values["d"] = permits.wrap_text(duties, width_em, max_lines=3, measure=measure) if duties else None
    values["ph"] = str(photo) if photo is not None else None
    for line in range(PERMIT_LINES):
        label, value = card.lines[line] if line < len(card.lines) else ("", "")
        normal, small = _fit(value, value_w, _SIZES["value"])
        values[f"l_{line}"] = label or None
        values[f"v_{line}"] = normal or None
        values[f"s_{line}"] = small or None
    return values


def _permit_pages_layer(sheets: list[list[dict]], headers: list[str], crs_authid: str) -> QgsVectorLayer:
    """One feature per sheet: the page header and, per card slot, the card's texts (NULL for an empty slot)."""
    layer = QgsVectorLayer("None", "permit_sheets", "memory")
    names = ["page", "header"] + [name for slot in range(PERMITS_PER_PAGE) for name in _card_fields(slot)]
    provider = layer.dataProvider()
    provider.addAttributes([QgsField(name, variant_type(schema.FieldType.STRING)) for name in names])
    layer.updateFields()
    features = []
    for page, (sheet, header) in enumerate(zip(sheets, headers)):
        row = {"page": f"{page:05d}", "header": header}
        for slot, values in enumerate(sheet):
            for key, value in values.items():
                base, _, line = key.partition("_")
                row[f"{base}{slot}_{line}" if line else f"{base}{slot}"] = value
        feature = QgsFeature(layer.fields())
        feature.setAttributes([row.get(name) for name in names])
        features.append(feature)
    provider.addFeatures(features)
    return layer


def _build_permits_layout(workspace, data, scope, options: PermitOptions) -> PrintedLayout:
    lang = options.language
    grids = permits.grids_in_scope(data, scope, options.levels)
    holders = permits.permit_holders(permits.grid_heads(data, grids))
    issuer = options.issuer or permits.default_issuer(scope, lang)
    page_w, page_h = PERMIT_PAGE
    card_w, card_h = PERMIT_CARD
    cols, rows = PERMIT_GRID
    gap_x = page_w - 2 * 10.0 - cols * card_w
    gap_y = 3.0
    x0 = (page_w - cols * card_w - (cols - 1) * gap_x) / 2
    y0 = (page_h - rows * card_h - (rows - 1) * gap_y) / 2

    title = f"{scope.name} {permits.doc_text('permit_title', lang)}"
    project = QgsProject()
    metadata = project.metadata()
    metadata.setTitle(title)
    metadata.setAuthor(issuer)
    project.setMetadata(metadata)
    layout = new_layout(project, title, page_w, page_h)
    chunks = permits.chunks(holders, PERMITS_PER_PAGE)
    result = PrintedLayout(layout, project, pages=len(chunks), grids=len(grids), heads=len(holders))

    sheets, headers = [], []
    for page, chunk in enumerate(chunks):
        headers.append(f"{title}　{permits.doc_text('page', lang, page=page + 1, pages=len(chunks))}")
        sheet = []
        for head in chunk:
            photo = resolve_photo(workspace.path, head.photo_path)
            if head.photo_path and photo is None:
                result.missing_photos.append(head.photo_path)
            sheet.append(_card_values(permits.permit_card(head, issuer, options.day, lang), photo))
        sheets.append(sheet)
    coverage = _permit_pages_layer(sheets, headers, workspace.info.crs)
    project.addMapLayer(coverage, False)
    result.layers = [coverage]
    atlas = layout.atlas()
    atlas.setCoverageLayer(coverage)
    atlas.setSortFeatures(True)
    atlas.setSortExpression('"page"')
    atlas.setEnabled(True)

    add_label(
        layout,
        _field("header"),
        (x0, y0 - 6, page_w - 2 * x0, 4),
        7,
        color=GREY,
        halign=Qt.AlignmentFlag.AlignRight,
    )
    wording = permits.HeadEntry(permits.GridEntry("", "", 1, None, ""), "")  # the words every card shares
    card = permits.permit_card(wording, issuer, options.day, lang)
    for slot in range(PERMITS_PER_PAGE):
        col, row = slot % cols, slot // cols
        _permit_card_slot(layout, slot, card, x0 + col * (card_w + gap_x), y0 + row * (card_h + gap_y))
    return result


def _field(name: str) -> str:
    return f"[% coalesce(\"{name}\", '') %]"


def _only_if(item: QgsLayoutItem, expression: str) -> QgsLayoutItem:
    """Leave ``item`` out of the export unless ``expression`` holds for the atlas feature."""
    item.dataDefinedProperties().setProperty(
        QgsLayoutObject.DataDefinedProperty.ExcludeFromExports, QgsProperty.fromExpression(f"NOT ({expression})")
    )
    return item


def _permit_card_slot(layout, slot: int, card: permits.PermitCard, x: float, y: float) -> None:
    """The items of card slot ``slot``: fixed wording, and expressions reading the sheet's fields."""
    w, h = PERMIT_CARD
    used = f'"n{slot}" IS NOT NULL OR "ns{slot}" IS NOT NULL'
    _only_if(add_box(layout, (x, y, w, h), fill="#ffffff", stroke="#8b1a1a", width=0.35), used)
    _only_if(add_box(layout, (x, y, w, _CARD["header"]), fill=RED, stroke=None), used)
    title = add_label(
        layout,
        card.title,
        (x, y, w, _CARD["header"]),
        14,
        bold=True,
        color="#ffffff",
        halign=Qt.AlignmentFlag.AlignHCenter,
        valign=Qt.AlignmentFlag.AlignVCenter,
    )
    _only_if(title, used)
    # the photo, or a placeholder the size of a one-inch photo
    px, py, pw, ph = _CARD["photo"]
    photo = f'"ph{slot}" IS NOT NULL'
    picture = QgsLayoutItemPicture(layout)
    picture.setResizeMode(QgsLayoutItemPicture.ResizeMode.Zoom)
    picture.dataDefinedProperties().setProperty(
        QgsLayoutObject.DataDefinedProperty.PictureSource, QgsProperty.fromField(f"ph{slot}")
    )
    layout.addLayoutItem(picture)
    _place(picture, x + px, y + py, pw, ph)
    _only_if(picture, photo)
    _only_if(add_box(layout, (x + px, y + py, pw, ph), stroke="#9e9e9e", width=0.2), photo)
    empty = f"({used}) AND NOT ({photo})"
    _only_if(
        add_box(layout, (x + px, y + py, pw, ph), fill="#f2f2f2", stroke="#b0b0b0", width=0.25, dashed=True), empty
    )
    placeholder = add_label(
        layout,
        card.photo_label,
        (x + px, y + py, pw, ph),
        9,
        color="#9e9e9e",
        halign=Qt.AlignmentFlag.AlignHCenter,
        valign=Qt.AlignmentFlag.AlignVCenter,
    )
    _only_if(placeholder, empty)
    # the name, and the lines under it (each at a normal and a small size: one of the two is empty)
    lx, label_w = x + _CARD["label_x"], _CARD["label_w"]
    vx, value_w = lx + label_w, w - 3 - _CARD["label_x"] - label_w
    middle = Qt.AlignmentFlag.AlignVCenter
    name_label = add_label(
        layout, card.name_label, (lx, y + _CARD["name_y"] + 0.5, label_w, 5), 8, color=GREY, valign=middle
    )
    _only_if(name_label, used)
    name_rect = (vx, y + _CARD["name_y"], value_w, 6)
    add_label(layout, _field(f"n{slot}"), name_rect, _SIZES["name"][0], bold=True, valign=middle)
    add_label(layout, _field(f"ns{slot}"), name_rect, _SIZES["name"][1], bold=True, valign=middle)
    line_y = y + _CARD["lines_y"]
    for line in range(PERMIT_LINES):
        rect = (vx, line_y, value_w, _CARD["line_h"])
        add_label(
            layout, _field(f"l{slot}_{line}"), (lx, line_y, label_w, _CARD["line_h"]), 8, color=GREY, valign=middle
        )
        add_label(layout, _field(f"v{slot}_{line}"), rect, _SIZES["value"][0], valign=middle)
        add_label(layout, _field(f"s{slot}_{line}"), rect, _SIZES["value"][1], valign=middle)
        line_y += _CARD["line_h"]
    # duties, issuer, date and the place of the seal
    dx, dy, dw, dh = _CARD["duties"]
    add_label(layout, _field(f"d{slot}"), (x + dx, y + dy, dw, dh), _SIZES["duties"])
    _only_if(add_label(layout, card.issuer, (x + 5, y + _CARD["issuer_y"], w - 28, 4), 7.5, bold=True), used)
    _only_if(add_label(layout, card.date, (x + 5, y + _CARD["issuer_y"] + 4, w - 28, 4), 7, color=GREY), used)
    seal = _CARD["seal"]
    sx, sy = x + w - seal - 4, y + h - seal - 2
    _only_if(add_box(layout, (sx, sy, seal, seal), stroke="#d32f2f", width=0.3, dashed=True, ellipse=True), used)
    seal_label = add_label(
        layout,
        card.seal,
        (sx, sy, seal, seal),
        8,
        color="#d32f2f",
        halign=Qt.AlignmentFlag.AlignHCenter,
        valign=Qt.AlignmentFlag.AlignVCenter,
    )
    _only_if(seal_label, used)


def export_permits(
    workspace: Workspace,
    scope: permits.Scope,
    target: str | os.PathLike,
    options: PermitOptions | None = None,
    data: WorkspaceData | None = None,
) -> tuple[Path, PrintedLayout]:
    data = data or read_publication_data(workspace)
    printed = build_permits_layout(workspace, data, scope, options)
    try:
        return export_pdf(printed.layout, target), printed
    finally:
        printed.release()
