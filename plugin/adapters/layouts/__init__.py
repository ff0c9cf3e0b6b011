"""Print layouts: the public notice map (公示图, §7.6) and the grid heads' work permits (工作证, §11.4).

The content (titles, rows, card lines, line breaks) comes from :mod:`plugin.core.permits`; this package
places it on paper with QgsPrintLayout items and exports PDF through QgsLayoutExporter, headless.
Every PDF is written to a temporary file beside the target and moved into place only when complete.

Layouts get their own QgsProject (the user's project is never touched); the returned objects keep the
project and layers alive for as long as the layout is used.

``common`` holds the shared helpers, ``notice_map`` the notice map, ``permits`` the work permits; the
public names stay importable from ``plugin.adapters.layouts``.
"""

from __future__ import annotations

from .common import (
    DARK,
    FONT_CANDIDATES,
    GREY,
    LATIN_FONT_CANDIDATES,
    MM,
    PAPERS,
    PDF_SUFFIX,
    PT_MM,
    RED,
    WRAP_SAFETY,
    LayoutError,
    PrintedLayout,
    add_box,
    add_label,
    add_line,
    add_page,
    cjk_family,
    document_fonts,
    export_pdf,
    latin_family,
    measure,
    new_layout,
    qfont,
    read_publication_data,
    resolve_photo,
    text_format,
)
from .notice_map import NoticeOptions, build_notice_layout, export_notice, memory_grid_layer
from .permits import (
    PERMIT_CARD,
    PERMIT_GRID,
    PERMIT_LINES,
    PERMIT_PAGE,
    PERMITS_PER_PAGE,
    PermitOptions,
    build_permits_layout,
    export_permits,
)

__all__ = [
    "DARK",
    "FONT_CANDIDATES",
    "GREY",
    "LATIN_FONT_CANDIDATES",
    "MM",
    "PAPERS",
    "PDF_SUFFIX",
    "PERMITS_PER_PAGE",
    "PERMIT_CARD",
    "PERMIT_GRID",
    "PERMIT_LINES",
    "PERMIT_PAGE",
    "PT_MM",
    "RED",
    "WRAP_SAFETY",
    "LayoutError",
    "NoticeOptions",
    "PermitOptions",
    "PrintedLayout",
    "add_box",
    "add_label",
    "add_line",
    "add_page",
    "build_notice_layout",
    "build_permits_layout",
    "cjk_family",
    "document_fonts",
    "export_notice",
    "export_pdf",
    "export_permits",
    "latin_family",
    "measure",
    "memory_grid_layer",
    "new_layout",
    "qfont",
    "read_publication_data",
    "resolve_photo",
    "text_format",
]
