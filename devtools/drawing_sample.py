"""A small practice workspace for the drawing tools: one township, two villages, a few sections and groups.

Used by the map-tool and dock tests, by ``scripts/screenshots_drawing.py`` and by anyone who wants to
try the tools on something small. Coordinates are in EPSG:4524 (CGCS2000 3-degree Gauss-Kruger zone
36, where Hanbin lies), a couple of kilometres across.

Layout (metres from X0, Y0)::

    1000 +---------+------+----------+
         |  A      |  B-1 |   B-2-b  |
     600 |   +-----+      |----------|  500
         |   |  (gap)     |   B-2-a  |
       0 +---+-----+------+----------+
         0  600  1000    1400       1800

A (新城村) has no children yet; B (东坝村) has sections B-1 and B-2; B-1 has one group (B-1-a, the
square 1000–1400 × 0–600) leaving a gap in its notch; B-2 has two groups, B-2-a with only 15
households (a candidate for merging, §7.3.3 c).
"""

from __future__ import annotations

from pathlib import Path

import shapely

from plugin.core import schema
from plugin.core.model import GridArray, WorkspaceData

CRS = "EPSG:4524"
X0, Y0 = 36_593_000.0, 3_619_000.0
COUNTY_CODE, COUNTY_NAME = "610902", "汉滨区"
TOWN_CODE, TOWN_NAME = "610902001", "新城街道"
VILLAGE_A, VILLAGE_B = "610902001001", "610902001002"


def _poly(*coords):
    return shapely.Polygon([(X0 + x, Y0 + y) for x, y in coords])


VILLAGE_A_SHAPE = _poly((0, 0), (1000, 0), (1000, 600), (600, 600), (600, 1000), (0, 1000))
VILLAGE_B_SHAPE = _poly((1000, 0), (1800, 0), (1800, 1000), (600, 1000), (600, 600), (1000, 600))
SECTION_B1 = _poly((1000, 0), (1400, 0), (1400, 1000), (600, 1000), (600, 600), (1000, 600))
SECTION_B2 = _poly((1400, 0), (1800, 0), (1800, 1000), (1400, 1000))
GROUP_B1A = _poly((1000, 0), (1400, 0), (1400, 600), (1000, 600))
GROUP_B2A = _poly((1400, 0), (1800, 0), (1800, 500), (1400, 500))
GROUP_B2B = _poly((1400, 500), (1800, 500), (1800, 1000), (1400, 1000))


def _grid(level: int, rows) -> GridArray:
    geometries, codes, parents, names, households = zip(*rows)
    n = len(rows)
    return GridArray.from_records(
        schema.GRID_LAYER_BY_LEVEL[level].name,
        level,
        geometries,
        codes,
        parents,
        names,
        attributes={
            "level": [level] * n,
            "kind": ["comprehensive"] * n,
            "status": ["active"] * n,
            "households": list(households),
            "area_class": ["rural"] * n,
        },
    )


def sample_data() -> WorkspaceData:
    info = schema.WorkspaceInfo(county_code=COUNTY_CODE, county_name=COUNTY_NAME, crs=CRS)
    grids = {
        "grid_level1": _grid(
            1,
            [
                (VILLAGE_A_SHAPE, VILLAGE_A, TOWN_CODE, "新城村", 420),
                (VILLAGE_B_SHAPE, VILLAGE_B, TOWN_CODE, "东坝村", 310),
            ],
        ),
        "grid_level2": _grid(
            2,
            [
                (SECTION_B1, VILLAGE_B + "01", VILLAGE_B, "东坝村一片区", 140),
                (SECTION_B2, VILLAGE_B + "02", VILLAGE_B, "东坝村二片区", 170),
            ],
        ),
        "grid_level3": _grid(
            3,
            [
                (GROUP_B1A, VILLAGE_B + "01001", VILLAGE_B + "01", "一组", 60),
                (GROUP_B2A, VILLAGE_B + "02001", VILLAGE_B + "02", "二组", 15),
                (GROUP_B2B, VILLAGE_B + "02002", VILLAGE_B + "02", "三组", 40),
            ],
        ),
    }
    county = shapely.box(X0 - 300, Y0 - 300, X0 + 2100, Y0 + 1300)
    divisions = [
        {"code": VILLAGE_A, "name": "新城村", "town_code": TOWN_CODE, "town_name": TOWN_NAME, "ur_code": "220"},
        {"code": VILLAGE_B, "name": "东坝村", "town_code": TOWN_CODE, "town_name": TOWN_NAME, "ur_code": "220"},
    ]
    return WorkspaceData(info=info, grids=grids, county_boundary=county, divisions=divisions)


def build_drawing_sample(path, overwrite: bool = False):
    """Write the practice workspace to ``path`` and open it (a ``Workspace``)."""
    from plugin.adapters.workspace import create_workspace

    return create_workspace(Path(path), COUNTY_CODE, COUNTY_NAME, CRS, data=sample_data(), overwrite=overwrite)
