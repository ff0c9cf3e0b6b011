"""The map of a change request (§7.6 "with a map"): a PNG rendered by QGIS of the grids before (grey) and after
(red), codes labelled — its size as asked, not blank, red where the change is, white where nothing is."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from qgis.PyQt.QtGui import QColor, QImage

from plugin.adapters.changeset_map import AFTER_OUTLINE, MAP_SIZE, render_change_map
from plugin.core import changesets as core
from plugin.core.model import GridArray

X0, Y0 = 36_593_000.0, 3_619_000.0
TOWN = "610902001"
V = TOWN + "001"


def grids(border: float):
    """Two level 2 grids of one village, side by side, the border between them at ``border`` metres."""
    return {
        "grid_level2": GridArray.from_records(
            "grid_level2",
            2,
            [shapely.box(X0, Y0, X0 + border, Y0 + 1000), shapely.box(X0 + border, Y0, X0 + 1000, Y0 + 1000)],
            [V + "01", V + "02"],
            parent_codes=[V, V],
            names=["一片", "二片"],
            attributes={"status": np.array(["active", "active"], dtype=object)},
        )
    }


def pixels(png: bytes) -> tuple[QImage, np.ndarray]:
    image = QImage.fromData(png, "PNG").convertToFormat(QImage.Format.Format_RGB32)
    raw = image.constBits()
    raw.setsize(image.sizeInBytes() if hasattr(image, "sizeInBytes") else image.byteCount())
    array = np.frombuffer(bytes(raw), dtype=np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return image, array[:, : image.width(), :3][..., ::-1]  # BGRA → RGB


@pytest.mark.parametrize("size", [MAP_SIZE, (640, 480)])
def test_the_map_has_the_size_asked_and_shows_the_change(qgis_app, size):
    before, after = grids(500), grids(600)
    cs = core.propose_change_set(before, after, TOWN, "道路调整", crs="EPSG:4524")
    png = render_change_map(cs, before, size=size)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image, rgb = pixels(png)
    assert (image.width(), image.height()) == size
    colours = {tuple(c) for c in rgb.reshape(-1, 3)[::7]}
    assert len(colours) > 20  # not blank: fills, outlines, labels, legend
    # the changed grids are filled light red in the middle of the map; a corner of the margin stays white
    centre = rgb[int(size[1] * 0.3), int(size[0] * 0.4)]  # inside the first grid, away from its label
    assert centre[0] > 200 and centre[1] < 215 and centre[0] - centre[1] > 40, centre
    assert tuple(rgb[size[1] // 2, 3]) == (255, 255, 255)
    red = QColor(AFTER_OUTLINE)
    outline = np.all(np.abs(rgb.astype(int) - (red.red(), red.green(), red.blue())) < 40, axis=-1)
    assert outline.sum() > size[1]  # the red outlines of the changed grids are drawn


def test_a_retirement_is_drawn_from_the_grid_before(qgis_app):
    before = grids(500)
    after = grids(500)
    after["grid_level2"].attributes["status"] = np.array(["active", "retired"], dtype=object)
    cs = core.propose_change_set(before, after, TOWN, "撤销", crs="EPSG:4524")
    assert [i.action for i in cs.items] == [core.RETIRE]
    image, rgb = pixels(render_change_map(cs, before))
    assert (image.width(), image.height()) == MAP_SIZE
    assert len({tuple(c) for c in rgb.reshape(-1, 3)[::7]}) > 10


def test_a_request_without_geometry_has_no_map(qgis_app):
    before = grids(500)
    after = grids(500)
    after["grid_level2"].names[0] = "改名"
    cs = core.propose_change_set(before, after, TOWN, "改名", crs="EPSG:4524")
    for item in cs.items:
        item.before_geometry = item.after_geometry = None
    assert render_change_map(cs, before) == b""
