"""Helpers of the PostGIS tests: a small workspace with two townships."""

from __future__ import annotations

# ---------------------------------------------------------------- a small shared workspace with two townships

COUNTY = "610902"
TOWN_A, TOWN_B = "610902001", "610902002"
X0, Y0 = 36_593_000.0, 3_619_000.0


def small_data():
    """Two townships side by side (A west, B east), each one village, one section and two groups."""
    import shapely

    from plugin.core import schema
    from plugin.core.model import GridArray, WorkspaceData

    def box(x0, y0, x1, y1):
        return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)

    def grid(level, rows):
        geometries, codes, parents, names = zip(*rows)
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
                "households": [100] * n,
                "area_class": ["rural"] * n,
            },
        )

    va, vb = TOWN_A + "001", TOWN_B + "001"
    grids = {
        "grid_level1": grid(
            1, [(box(0, 0, 1000, 1000), va, TOWN_A, "甲村"), (box(1000, 0, 2000, 1000), vb, TOWN_B, "乙村")]
        ),
        "grid_level2": grid(
            2,
            [(box(0, 0, 1000, 1000), va + "01", va, "甲村一片"), (box(1000, 0, 2000, 1000), vb + "01", vb, "乙村一片")],
        ),
        "grid_level3": grid(
            3,
            [
                (box(0, 0, 500, 1000), va + "01001", va + "01", "甲一组"),
                (box(500, 0, 1000, 1000), va + "01002", va + "01", "甲二组"),
                (box(1000, 0, 1500, 1000), vb + "01001", vb + "01", "乙一组"),
                (box(1500, 0, 2000, 1000), vb + "01002", vb + "01", "乙二组"),
            ],
        ),
    }
    info = schema.WorkspaceInfo(county_code=COUNTY, county_name="汉滨区", crs="EPSG:4524")
    staff = [
        {"name": "张三", "phone": "13900000001", "role": "grid_head", "grid_code": va + "01001"},
        {"name": "李四", "phone": "13900000002", "role": "grid_head", "grid_code": vb + "01001"},
    ]
    divisions = [
        {"code": va, "name": "甲村", "town_code": TOWN_A, "town_name": "甲镇", "ur_code": "220"},
        {"code": vb, "name": "乙村", "town_code": TOWN_B, "town_name": "乙镇", "ur_code": "220"},
    ]
    return WorkspaceData(
        info=info, grids=grids, county_boundary=box(-100, -100, 2100, 1100), staff=staff, divisions=divisions
    )
