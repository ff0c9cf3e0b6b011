"""Households attachment: points and tables to level 3 grids, roll-up, boundary and outside points."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.core.findings import Severity
from plugin.core.households import (
    RULE_BAD_VALUES,
    RULE_NO_GEOMETRY,
    RULE_ON_BOUNDARY,
    RULE_ORPHAN_GRID,
    RULE_OUTSIDE,
    RULE_UNMATCHED_ROW,
    BoundaryRule,
    HouseholdMapping,
    attach_households,
    attach_table,
    attachment_findings,
    with_totals,
)
from plugin.core.model import GridArray, PointArray

X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902001003"  # a village code


def square(col: int, row: int, size: float = 100.0):
    return shapely.box(X0 + col * size, Y0 + row * size, X0 + (col + 1) * size, Y0 + (row + 1) * size)


def grids_2x2(status=None):
    """Level 3: four 100 m squares. 01, 02 (bottom row) under section 01; 03, 04 (top row) under 02."""
    l3 = GridArray.from_records(
        "grid_level3",
        3,
        [square(0, 0), square(1, 0), square(0, 1), square(1, 1)],
        [f"{V}01001", f"{V}01002", f"{V}02001", f"{V}02002"],
        [f"{V}01", f"{V}01", f"{V}02", f"{V}02"],
        ["一组", "二组", "三组", "四组"],
        attributes={"status": status or ["active"] * 4},
    )
    l2 = GridArray.from_records(
        "grid_level2",
        2,
        [shapely.box(X0, Y0, X0 + 200, Y0 + 100), shapely.box(X0, Y0 + 100, X0 + 200, Y0 + 200)],
        [f"{V}01", f"{V}02"],
        [V, V],
        ["一片", "二片"],
    )
    l1 = GridArray.from_records(
        "grid_level1", 1, [shapely.box(X0, Y0, X0 + 200, Y0 + 200)], [V], [None], ["西大街社区"]
    )
    return l3, l2, l1


def points(xy, **attributes):
    xy = np.asarray(xy, dtype=float)
    n = len(xy)
    return PointArray(
        "households",
        np.arange(101, 101 + n, dtype=np.int64),
        shapely.points(X0 + xy[:, 0], Y0 + xy[:, 1]),
        {k: np.asarray(v) if not isinstance(v, list) else np.array(v, dtype=object) for k, v in attributes.items()},
    )


def test_points_inside_grids_are_totalled_and_rolled_up():
    l3, l2, l1 = grids_2x2()
    pts = points(
        [(10, 10), (20, 20), (150, 50), (50, 150), (150, 150), (160, 160), (170, 170)],
        persons=np.array([3, 2, 4, 1, 5, 2, 2]),
    )
    att = attach_households(pts, l3, l2, l1)
    assert list(att.grid_index) == [0, 0, 1, 2, 3, 3, 3]
    assert list(att.grid_codes) == [f"{V}01001"] * 2 + [f"{V}01002", f"{V}02001"] + [f"{V}02002"] * 3
    assert list(att.level3.households) == [2, 1, 1, 3]
    assert list(att.level3.population) == [5, 4, 1, 9]
    assert list(att.level2.households) == [3, 4]
    assert list(att.level2.population) == [9, 10]
    assert list(att.level1.households) == [7]
    assert list(att.level1.population) == [19]
    assert att.assigned == 7
    assert len(att.outside_fids) == 0 and len(att.boundary_fids) == 0
    assert att.level3.as_dict()[f"{V}02002"] == {"households": 3, "population": 9, "relocated_households": 0}
    assert attachment_findings(att) == []


def test_point_on_shared_edge_goes_to_lowest_code_and_is_reported():
    l3, l2, l1 = grids_2x2()
    # (100, 50) is on the edge between 01001 and 01002; (100, 100) is the corner of all four grids.
    pts = points([(100, 50), (100, 100), (50, 50)])
    att = attach_households(pts, l3, l2, l1)
    assert list(att.grid_codes) == [f"{V}01001", f"{V}01001", f"{V}01001"]
    assert list(att.boundary_fids) == [101, 102]
    assert att.boundary_candidates[0] == (f"{V}01001", f"{V}01002")
    assert att.boundary_candidates[1] == (f"{V}01001", f"{V}01002", f"{V}02001", f"{V}02002")
    findings = attachment_findings(att)
    assert [f.rule_id for f in findings] == [RULE_ON_BOUNDARY, RULE_ON_BOUNDARY]
    f = findings[0]
    assert f.severity is Severity.INFO
    assert f.fids == (101,)
    assert f.codes == (f"{V}01001", f"{V}01002")
    assert f.location == pytest.approx((X0 + 100, Y0 + 50))
    assert "编码最小" in f.message_zh and f"{V}01001" in f.message_zh
    assert "lowest code" in f.message_en


def test_lowest_code_rule_ignores_row_order():
    l3, l2, l1 = grids_2x2()
    reversed_l3 = l3.subset(np.array([3, 2, 1, 0]))
    att = attach_households(points([(100, 50)]), reversed_l3, l2, l1)
    assert att.grid_codes[0] == f"{V}01001"
    assert att.grid_index[0] == 3


def test_nearest_centroid_rule():
    # A narrow grid (code 2) beside a wide one (code 1): a point on their edge is nearer the narrow one's centroid.
    wide = shapely.box(X0, Y0, X0 + 1000, Y0 + 100)
    narrow = shapely.box(X0 + 1000, Y0, X0 + 1010, Y0 + 100)
    l3 = GridArray.from_records("grid_level3", 3, [wide, narrow], ["1", "2"], ["P", "P"])
    pts = points([(1000, 50)])
    assert attach_households(pts, l3).grid_codes[0] == "1"
    att = attach_households(pts, l3, rule=BoundaryRule.NEAREST_CENTROID)
    assert att.grid_codes[0] == "2"
    assert list(att.boundary_fids) == [101]
    assert "nearest centroid" in attachment_findings(att)[0].message_en


def test_point_on_outer_edge_has_one_grid_and_is_not_a_boundary_point():
    l3, l2, l1 = grids_2x2()
    att = attach_households(points([(0, 50), (200, 150)]), l3, l2, l1)
    assert list(att.grid_codes) == [f"{V}01001", f"{V}02002"]
    assert len(att.boundary_fids) == 0


def test_points_outside_every_grid_are_unassigned_and_reported():
    l3, l2, l1 = grids_2x2()
    pts = points([(50, 50), (-0.001, 50), (250, 250)])
    att = attach_households(pts, l3, l2, l1)
    assert list(att.grid_index) == [0, -1, -1]
    assert list(att.grid_codes) == [f"{V}01001", None, None]
    assert list(att.outside_fids) == [102, 103]
    assert att.outside_xy[1] == pytest.approx((X0 + 250, Y0 + 250))
    assert att.level1.households[0] == 1
    findings = attachment_findings(att)
    assert [f.rule_id for f in findings] == [RULE_OUTSIDE, RULE_OUTSIDE]
    assert all(f.severity is Severity.WARNING for f in findings)
    assert findings[0].fids == (102,)
    assert "102" in findings[0].message_zh and "不在任何三级网格内" in findings[0].message_zh
    assert "outside every level 3 grid" in findings[0].message_en
    assert findings[0].geometry.equals(shapely.Point(X0 - 0.001, Y0 + 50))


def test_retired_grids_take_no_households():
    l3, l2, l1 = grids_2x2(status=["active", "retired", "active", "active"])
    att = attach_households(points([(150, 50), (100, 50)]), l3, l2, l1)
    assert list(att.grid_codes) == [None, f"{V}01001"]
    assert list(att.outside_fids) == [101]
    assert len(att.boundary_fids) == 0  # only one active candidate


def test_points_without_geometry():
    l3, l2, l1 = grids_2x2()
    pts = points([(50, 50), (60, 60)])
    pts.points[1] = None
    att = attach_households(pts, l3, l2, l1)
    assert list(att.missing_fids) == [102]
    assert len(att.outside_fids) == 0
    assert att.level3.households[0] == 1
    assert [f.rule_id for f in attachment_findings(att)] == [RULE_NO_GEOMETRY]


def test_household_counts_persons_relocated_and_absent():
    l3, l2, l1 = grids_2x2()
    pts = points(
        [(10, 10), (20, 20), (30, 30), (150, 50)],
        n=np.array([3, 1, 2, 5]),
        persons=np.array([9, 2, 6, 15]),
        moved=np.array([True, False, True, False]),
        away=[None, "是", 1, "4"],  # flags or counts, as text from a table
    )
    mapping = HouseholdMapping(households="n", persons="persons", relocated="moved", absent="away")
    att = attach_households(pts, l3, l2, l1, mapping=mapping)
    assert list(att.level3.households[:2]) == [6, 5]
    assert list(att.level3.population[:2]) == [17, 15]
    # point 1: relocated flag → 3; point 2: absent "是" → 1; point 3: relocated 2 + absent 1 capped at 2;
    # point 4: absent count 4.
    assert list(att.level3.relocated_households[:2]) == [6, 4]
    assert att.level1.relocated_households[0] == 10
    assert att.invalid_values == {}


def test_default_mapping_one_household_per_point_with_flags():
    l3, l2, l1 = grids_2x2()
    pts = points(
        [(10, 10), (20, 20), (30, 30)],
        persons=np.array([4, 3, 2]),
        relocated=np.array([True, False, False]),
        absent=np.array([True, True, False]),
    )
    att = attach_households(pts, l3, l2, l1)
    assert att.level3.households[0] == 3
    assert att.level3.population[0] == 9
    assert att.level3.relocated_households[0] == 2  # relocated and absent on one household count once


def test_invalid_values_count_as_zero_and_are_reported():
    l3, l2, l1 = grids_2x2()
    pts = points([(10, 10), (20, 20), (30, 30)], persons=["3", "abc", -2])
    att = attach_households(pts, l3, l2, l1)
    assert att.level3.population[0] == 3
    assert att.invalid_values == {"persons": 2}
    (f,) = attachment_findings(att)
    assert f.rule_id == RULE_BAD_VALUES and f.measure == 2.0
    assert "persons" in f.message_zh and "persons" in f.message_en


def test_missing_persons_field_means_population_unknown():
    l3, l2, l1 = grids_2x2()
    att = attach_households(points([(10, 10)]), l3, l2, l1)
    assert att.population_known is False
    assert att.level3.households[0] == 1 and att.level3.population[0] == 0


def test_orphan_grids_are_not_rolled_up():
    l3, l2, l1 = grids_2x2()
    l3.parent_codes[3] = f"{V}09"  # no such section
    att = attach_households(points([(150, 150), (50, 50)]), l3, l2, l1)
    assert list(att.level2.households) == [1, 0]
    assert att.level1.households[0] == 1
    assert att.orphan_codes == [("grid_level3", f"{V}02002", f"{V}09")]
    (f,) = attachment_findings(att)
    assert f.rule_id == RULE_ORPHAN_GRID and f.codes == (f"{V}02002",)


def test_without_upper_levels():
    l3, _, _ = grids_2x2()
    att = attach_households(points([(10, 10)]), l3)
    assert att.level2 is None and att.level1 is None
    assert att.level3.households[0] == 1


def test_with_totals_writes_grid_attributes():
    l3, l2, l1 = grids_2x2()
    att = attach_households(points([(10, 10), (20, 20)], persons=np.array([2, 3])), l3, l2, l1)
    filled = with_totals(l3, att.level3)
    assert list(filled.attributes["households"]) == [2, 0, 0, 0]
    assert list(filled.attributes["population"]) == [5, 0, 0, 0]
    assert "households" not in l3.attributes  # the input is not changed
    with pytest.raises(ValueError):
        with_totals(l2, att.level3)


# ---------------------------------------------------------------- tables


def test_table_joined_by_grid_code():
    l3, l2, l1 = grids_2x2()
    rows = [
        {"grid_code": f"{V}01001", "户数": "30", "人数": 95, "搬迁": 5, "_row": 2},
        {"grid_code": f"{V}01002", "户数": 12, "人数": 40, "搬迁": "否", "_row": 3},
        {"grid_code": f"{V}99999", "户数": 3, "人数": 9, "_row": 4},
        {"grid_code": "", "户数": 1, "_row": 5},
    ]
    mapping = HouseholdMapping(households="户数", persons="人数", relocated="搬迁", absent=None)
    att = attach_table(rows, l3, l2, l1, mapping)
    assert att.source == "table"
    assert list(att.level3.households) == [30, 12, 0, 0]
    assert list(att.level3.population) == [95, 40, 0, 0]
    assert list(att.level3.relocated_households) == [5, 0, 0, 0]
    assert list(att.level1.households) == [42]
    assert att.unmatched_rows == [(4, f"{V}99999", "unknown_code"), (5, "", "no_key")]
    assert att.invalid_values == {"人数": 1}  # row 5 has no persons; a blank relocated flag means "no"
    findings = attachment_findings(att)
    assert [f.rule_id for f in findings] == [RULE_UNMATCHED_ROW, RULE_UNMATCHED_ROW, RULE_BAD_VALUES]
    assert "第 4 行" in findings[0].message_zh and f"{V}99999" in findings[0].message_zh
    assert "row 4" in findings[0].message_en and "no grid has this code" in findings[0].message_en


def test_table_joined_by_group_name_with_village():
    l3, l2, l1 = grids_2x2()
    # A second village whose first group is also called 一组.
    w = "610902001004"
    l3b = GridArray.from_records(
        "grid_level3",
        3,
        [*l3.geometries, square(5, 5)],
        [*l3.codes, f"{w}01001"],
        [*l3.parent_codes, f"{w}01"],
        [*l3.names, "一组"],
    )
    l2b = GridArray.from_records(
        "grid_level2", 2, [*l2.geometries, square(5, 5)], [*l2.codes, f"{w}01"], [*l2.parent_codes, w]
    )
    l1b = GridArray.from_records(
        "grid_level1", 1, [*l1.geometries, square(5, 5)], [*l1.codes, w], [None, None], ["西大街社区", "培新街社区"]
    )
    rows = [
        {"村": "培新街社区", "组": "一组", "persons": 4},
        {"村": V, "组": " 一组 ", "persons": 3},
        {"组": "二组", "persons": 2},
        {"组": "一组", "persons": 1},  # ambiguous without the village
        {"组": "九组", "persons": 1},
    ]
    att = attach_table(rows, l3b, l2b, l1b, HouseholdMapping(grid_code=None, group_name="组", village="村"))
    assert list(att.grid_codes) == [f"{w}01001", f"{V}01001", f"{V}01002", None, None]
    assert list(att.level3.households) == [1, 1, 0, 0, 1]
    assert list(att.level1.population) == [5, 4]
    assert [u[2] for u in att.unmatched_rows] == ["ambiguous_name", "unknown_name"]
    assert att.unmatched_rows[0][0] == 4  # 1-based row index when rows carry no _row


# ---------------------------------------------------------------- properties and scale


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-2, 10), st.integers(-2, 10)), min_size=1, max_size=60))
def test_attachment_matches_brute_force(cells):
    """Points on a 25 m lattice over 4 × 4 grids of 50 m: many fall on edges and corners."""
    geoms, codes = [], []
    for r in range(4):
        for c in range(4):
            geoms.append(shapely.box(X0 + c * 50, Y0 + r * 50, X0 + (c + 1) * 50, Y0 + (r + 1) * 50))
            codes.append(f"{15 - (r * 4 + c):02d}")  # codes not in row order
    l3 = GridArray.from_records("grid_level3", 3, geoms, codes, ["P"] * 16)
    xy = np.array([(c * 25.0, r * 25.0) for c, r in cells])
    att = attach_households(points(xy), l3)
    for k, (x, y) in enumerate(xy):
        hits = [i for i, g in enumerate(geoms) if shapely.intersects(g, shapely.Point(X0 + x, Y0 + y))]
        expected = min(hits, key=lambda i: codes[i]) if hits else -1
        assert att.grid_index[k] == expected
        assert (101 + k in att.boundary_fids) == (len(hits) > 1)
        assert (101 + k in att.outside_fids) == (not hits)
    assert att.level3.households.sum() == att.assigned == len(xy) - len(att.outside_fids)


def test_many_points_many_grids():
    """A 50 × 50 grid and 20,000 random points: every assigned point lies in its grid."""
    n, size = 50, 20.0
    cols, rows = np.meshgrid(np.arange(n), np.arange(n))
    cols, rows = cols.ravel(), rows.ravel()
    geoms = shapely.box(X0 + cols * size, Y0 + rows * size, X0 + (cols + 1) * size, Y0 + (rows + 1) * size)
    codes = [f"{i:05d}" for i in range(n * n)]
    l3 = GridArray.from_records("grid_level3", 3, geoms, codes, [c[:3] for c in codes])
    l2 = GridArray.from_records("grid_level2", 2, [None] * 25, [f"{i:03d}" for i in range(25)], ["V"] * 25)
    l1 = GridArray.from_records("grid_level1", 1, [None], ["V"])
    rng = np.random.default_rng(7)
    xy = rng.uniform(-10, n * size + 10, size=(20_000, 2))
    att = attach_households(points(xy), l3, l2, l1)
    ok = att.grid_index >= 0
    inside = shapely.intersects_xy(geoms[att.grid_index[ok]], X0 + xy[ok, 0], Y0 + xy[ok, 1])
    assert inside.all()
    expected_outside = (xy[:, 0] < 0) | (xy[:, 0] > n * size) | (xy[:, 1] < 0) | (xy[:, 1] > n * size)
    assert np.array_equal(~ok, expected_outside)
    assert att.level1.households[0] == att.level3.households.sum() == ok.sum()
