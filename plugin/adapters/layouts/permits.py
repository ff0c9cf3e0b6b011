"""The grid heads' work permits (工作证, §11.4): cards of eight to an A4 page."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

from qgis.core import (
    QgsFeature,
    QgsField,
    QgsLayoutItem,
    QgsLayoutItemPicture,
    QgsLayoutObject,
    QgsProject,
    QgsProperty,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt

from ...core import permits, schema
from ...core.model import WorkspaceData
from ..qgis_compat import variant_type
from ..workspace import Workspace
from .common import (
    GREY,
    PT_MM,
    RED,
    WRAP_SAFETY,
    PrintedLayout,
    _place,
    add_box,
    add_label,
    document_fonts,
    export_product,
    measure,
    new_layout,
    resolve_photo,
)

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
    return export_product(build_permits_layout, workspace, scope, target, options, data)
