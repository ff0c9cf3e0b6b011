"""`make demo`, the division step: propose the level 3 division of a few sample villages with generated roads
(scripts/division_sample.py; the sample has no surveyed roads) through the Processing algorithm, and render a
before/after map: the drawn level 3 grids on the left, the proposal on the right, coloured by size status."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely

STATUS_COLOURS = {
    "within": "#7fc97f",
    "under": "#fdc086",
    "over": "#f0027f",
    "relocation_site": "#80b1d3",
    "locked": "#bdbdbd",
}


def pick_villages(data, count: int = 3) -> list[str]:
    """A rural village with at least 3 sections and households, and its touching rural neighbours."""
    import division_sample as S

    jobs = S.parent_jobs(data)
    sections: dict[str, int] = {}
    for j in jobs:
        if j.area_class == "rural":
            sections[j.label[:12]] = sections.get(j.label[:12], 0) + 1
    l1 = data.grid(1)
    codes = [str(c) for c in l1.codes]
    first = next(c for c in sorted(sections) if sections[c] >= 3)
    geom = l1.geometries[codes.index(first)]
    touching = [c for c, g in zip(codes, l1.geometries) if c != first and c in sections and shapely.touches(g, geom)]
    return [first, *sorted(touching)[: count - 1]]


def run(workspace_path: Path, out: Path, data) -> Path:
    import division_sample as S
    import processing
    from qgis.core import (
        QgsCategorizedSymbolRenderer,
        QgsFeature,
        QgsFillSymbol,
        QgsLineSymbol,
        QgsMarkerSymbol,
        QgsRendererCategory,
        QgsSingleSymbolRenderer,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QRectF, Qt
    from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter

    from devtools.render import render_png

    villages = pick_villages(data)
    roads = S.generated_roads(data, villages=set(villages))
    crs_text = data.info.crs
    road_layer = QgsVectorLayer(f"LineString?crs={crs_text}", "generated roads", "memory")
    feats = []
    for r in roads:
        f = QgsFeature()
        f.setGeometry(_line(r))
        feats.append(f)
    road_layer.dataProvider().addFeatures(feats)
    road_layer.setRenderer(QgsSingleSymbolRenderer(QgsLineSymbol.createSimple({"color": "#444444", "width": "0.6"})))
    parents = [j.label for j in S.parent_jobs(data) if j.label[:12] in set(villages)]
    result = processing.run(
        "community_grids:propose_division",
        {
            "WORKSPACE": str(workspace_path),
            "PARENTS": ",".join(parents),
            "LINES": [road_layer],
            "OUTPUT": str(out / "division_preview.gpkg"),
        },
    )
    preview = QgsVectorLayer(result["OUTPUT"], "proposed level 3", "ogr")
    categories = [
        QgsRendererCategory(
            key,
            QgsFillSymbol.createSimple({"color": colour, "outline_color": "#222222", "outline_width": "0.3"}),
            key,
        )
        for key, colour in STATUS_COLOURS.items()
    ]
    preview.setRenderer(QgsCategorizedSymbolRenderer("status", categories))
    # the drawing from the data in memory (the workspace file stays closed to this step)
    chosen = set(villages)
    l2, l3 = data.grid(2), data.grid(3)
    in2 = np.array([str(c)[:12] in chosen for c in l2.codes], dtype=bool)
    in3 = np.array([str(c)[:12] in chosen for c in l3.codes], dtype=bool)
    in3 &= np.asarray(l3.attribute("status", "active")) != "retired"
    area = shapely.union_all(l2.geometries[in2])
    hh = data.households.points
    hh = hh[shapely.intersects(area, hh)]
    ws_layers = {
        "grid_level2": _memory("MultiPolygon", crs_text, l2.geometries[in2], "level 2"),
        "grid_level3": _memory("MultiPolygon", crs_text, l3.geometries[in3], "level 3"),
        "households": _memory("Point", crs_text, hh, "households"),
    }
    drawn = QgsFillSymbol.createSimple({"color": "#d9d9d9", "outline_color": "#222222", "outline_width": "0.3"})
    ws_layers["grid_level3"].setRenderer(QgsSingleSymbolRenderer(drawn))
    outline = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#08306b", "outline_width": "0.9"})
    ws_layers["grid_level2"].setRenderer(QgsSingleSymbolRenderer(outline))
    dots = QgsMarkerSymbol.createSimple({"name": "circle", "size": "0.7", "color": "#000000", "outline_style": "no"})
    ws_layers["households"].setRenderer(QgsSingleSymbolRenderer(dots))
    shown = _memory("LineString", crs_text, shapely.intersection(np.asarray(roads), shapely.buffer(area, 150)), "roads")
    shown.setRenderer(QgsSingleSymbolRenderer(QgsLineSymbol.createSimple({"color": "#b2182b", "width": "0.7"})))
    extent = ws_layers["grid_level2"].extent()
    crs = ws_layers["grid_level2"].crs()
    before = render_png(
        [ws_layers["households"], shown, ws_layers["grid_level2"], ws_layers["grid_level3"]],
        extent,
        crs,
        out / "division_before.png",
        1000,
        900,
    )
    after = render_png(
        [ws_layers["households"], shown, ws_layers["grid_level2"], preview],
        extent,
        crs,
        out / "division_after.png",
        1000,
        900,
    )
    combined = QImage(2000, 960, QImage.Format.Format_ARGB32)
    combined.fill(QColor("white"))
    painter = QPainter(combined)
    painter.drawImage(0, 60, QImage(str(before)))
    painter.drawImage(1000, 60, QImage(str(after)))
    painter.setFont(QFont("Noto Sans CJK SC", 16))
    painter.setPen(QColor("black"))
    painter.drawText(
        QRectF(0, 0, 1000, 60),
        Qt.AlignmentFlag.AlignCenter,
        "划分前：绘制的三级网格（红线为生成的道路） / before: drawn level 3, generated roads in red",
    )
    painter.drawText(
        QRectF(1000, 0, 1000, 60),
        Qt.AlignmentFlag.AlignCenter,
        "自动划分：绿=达标 橙=偏小 红=偏大 / proposed: green within range, orange under, red over",
    )
    painter.end()
    path = out / "division_before_after.png"
    combined.save(str(path))
    print(
        f"[7] division of {len(villages)} villages ({', '.join(villages)}), {len(parents)} sections, "
        f"{len(roads)} generated roads: {result['GRIDS']} grids proposed, {result['WITHIN']} within range, "
        f"{result['REFUSED']} parents not offered; map {path}"
    )
    ws_layers.clear()
    del preview, road_layer, shown
    return path


def _memory(kind: str, crs: str, geometries, name: str):
    from qgis.core import QgsFeature, QgsVectorLayer

    layer = QgsVectorLayer(f"{kind}?crs={crs}", name, "memory")
    feats = []
    for g in geometries:
        f = QgsFeature()
        f.setGeometry(_line(g))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    return layer


def _line(line):
    from qgis.core import QgsGeometry

    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(line))
    return g
