"""The public notice map (公示图, §7.6): the county's grids on a map with the table of grid heads."""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

import shapely
from qgis.core import (
    Qgis,
    QgsFeature,
    QgsField,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutFrame,
    QgsLayoutItem,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutItemTextTable,
    QgsLayoutMeasurement,
    QgsLayoutMultiFrame,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLayoutUtils,
    QgsLegendRenderer,
    QgsLegendStyle,
    QgsPalLayerSettings,
    QgsPathResolver,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsSymbolLayerUtils,
    QgsTextBufferSettings,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from ...core import permits, schema
from ...core.model import WorkspaceData
from ..qgis_compat import variant_type
from ..styles import apply_layer_style
from ..workspace import Workspace
from .common import (
    GREY,
    MM,
    PAPERS,
    PT_MM,
    RED,
    WRAP_SAFETY,
    PrintedLayout,
    _place,
    add_box,
    add_label,
    add_line,
    add_page,
    document_fonts,
    export_product,
    measure,
    new_layout,
    qfont,
    text_format,
)

# ---------------------------------------------------------------- the public notice map


@dataclass
class NoticeOptions:
    paper: str = "A3"
    issuer: str = ""
    day: _dt.date | None = None
    language: str = "zh"
    levels: tuple[int, ...] = permits.LEVEL_ORDER
    basemap: QgsRasterLayer | None = None


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
    return export_product(build_notice_layout, workspace, scope, target, options, data)
