"""Package diff on hand-made grid sets, and the city's merge checks over two counties."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from plugin.core.diff import CITY_RULES, check_merged_counties, diff_layers, diff_packages
from plugin.core.findings import Finding, Severity
from plugin.core.model import GridArray

L1, L2 = "grid_level1", "grid_level2"


def layer(name, level, geoms, codes, fids=None, status=None):
    attributes = {"status": np.asarray(status, dtype=object)} if status is not None else None
    return GridArray.from_records(name, level, geoms, codes, fids=fids, attributes=attributes)


def cells(n=3, size=100.0):
    return [box(x * size, y * size, (x + 1) * size, (y + 1) * size) for y in range(n) for x in range(n)]


def before_package():
    codes = [f"P{k:02d}" for k in range(9)]
    return {
        L2: layer(L2, 2, cells(), codes),
        L1: layer(L1, 1, [box(0, 0, 300, 300)], ["V"]),
    }


def after_package():
    geoms = cells()
    codes = [f"P{k:02d}" for k in range(9)]
    status = ["active"] * 9
    geoms[0] = box(0, 0, 110, 100)  # P00 reshaped: +1000 m²
    geoms[1] = box(110, 0, 200, 100)  # P01 reshaped: -1000 m²
    codes[2] = "Q02"  # P02 re-coded
    status[3] = "retired"  # P03 retired
    del geoms[4], codes[4], status[4]  # P04 removed
    geoms.append(box(400, 0, 500, 100))  # P99 added
    codes.append("P99")
    status.append("active")
    return {
        L2: layer(L2, 2, geoms, codes, fids=[1, 2, 3, 4, 6, 7, 8, 9, 20], status=status),
        L1: layer(L1, 1, [box(0, 0, 300, 300)], ["V"]),
    }


def test_diff_counts_are_exact():
    diff = diff_packages(before_package(), after_package())
    assert diff.counts[L2] == {"added": 1, "removed": 1, "retired": 1, "recoded": 1, "reshaped": 2, "unchanged": 4}
    assert diff.counts[L1] == {"added": 0, "removed": 0, "retired": 0, "recoded": 0, "reshaped": 0, "unchanged": 1}
    assert diff.count("unchanged") == 5 and diff.has_changes
    kinds = {(i.kind, i.old_code, i.new_code) for i in diff.items}
    assert kinds == {
        ("reshaped", "P00", "P00"),
        ("reshaped", "P01", "P01"),
        ("recoded", "P02", "Q02"),
        ("retired", "P03", "P03"),
        ("removed", "P04", None),
        ("added", None, "P99"),
    }


def test_reshaped_items_carry_areas_and_the_changed_geometry():
    diff = diff_packages(before_package(), after_package())
    reshaped = {i.old_code: i for i in diff.by_kind("reshaped")}
    p00, p01 = reshaped["P00"], reshaped["P01"]
    assert (p00.area_before, p00.area_after, p00.changed_area) == (10000.0, 11000.0, 1000.0)
    assert (p01.area_before, p01.area_after, p01.changed_area) == (10000.0, 9000.0, 1000.0)
    assert shapely.equals(p00.changed_geometry, box(100, 0, 110, 100))
    assert p00.before_fid == 1 and p00.after_fid == 1


def test_identical_packages_and_noise_are_unchanged():
    before = before_package()
    assert not diff_packages(before, before).has_changes
    noisy = before_package()
    noisy[L2].geometries[5] = shapely.Polygon([(200, 100), (300.000001, 100), (300, 200), (200, 200)])
    diff = diff_packages(before, noisy)
    assert diff.counts[L2]["unchanged"] == 9 and not diff.has_changes


def test_duplicated_codes_fall_back_to_geometry():
    before = layer(L2, 2, [box(0, 0, 10, 10), box(10, 0, 20, 10), box(20, 0, 30, 10)], ["X", "X", "Y"])
    after = layer(L2, 2, [box(10, 0, 20, 10), box(0, 0, 10, 12), box(20, 0, 30, 10)], ["X", "X", "Z"])
    items, counts = diff_layers(before, after, keep_unchanged=True)
    assert counts == {"added": 0, "removed": 0, "retired": 0, "recoded": 1, "reshaped": 1, "unchanged": 1}
    unchanged = next(i for i in items if i.kind == "unchanged")
    assert (unchanged.before_fid, unchanged.after_fid) == (2, 1)
    reshaped = next(i for i in items if i.kind == "reshaped")
    assert (reshaped.before_fid, reshaped.after_fid, reshaped.changed_area) == (1, 2, 20.0)


def test_layers_present_on_one_side_only():
    before = before_package()
    after = {L1: before[L1]}
    diff = diff_packages(before, after)
    assert diff.counts[L2]["removed"] == 9
    diff = diff_packages(after, before)
    assert diff.counts[L2]["added"] == 9


def test_json_and_summary_texts():
    diff = diff_packages(before_package(), after_package())
    data = json.loads(diff.to_json_text())
    assert data["totals"]["reshaped"] == 2 and data["counts"][L2]["added"] == 1
    reshaped = [i for i in data["items"] if i["kind"] == "reshaped"]
    assert reshaped[0]["changed_geometry_wkt"].startswith("POLYGON")
    zh = diff.summary_text("zh")
    en = diff.summary_text("en")
    assert "二级网格（片区）：新增 1，删除 1，撤销 1，重新编码 1，调整边界 2，未变 4" in zh
    assert "合计变动 6 个网格，未变 5 个。" in zh
    assert "Level 2 grids (sections): added 1, removed 1, retired 1, re-coded 1, reshaped 2, unchanged 4" in en
    assert "In all 6 grids changed, 5 unchanged." in en


# ---------------------------------------------------------------- city merge checks

A, B, C = "610902", "610921", "610922"


def counties():
    """County A: x 0–1000; B: x 1000–2000 (they share the border x = 1000); C far away.

    Planted: A's second grid stops at y = 800 (a 200 m x 500 m gap at the border); B's first grid
    reaches 10 m into A for y 0–400 (4 000 m² overlap); B's second grid reuses A's first code;
    A's first grid has a hole (a gap inside A, not at the border); C has an internal gap too.
    """
    a1 = box(0, 0, 500, 1000).difference(box(100, 100, 200, 200))
    a2 = box(500, 0, 1000, 800)
    b1 = shapely.union(box(990, 0, 1500, 400), box(1000, 400, 1500, 1000))
    b2 = box(1500, 0, 2000, 1000)
    c1 = box(5000, 0, 5500, 1000)
    grids = {
        A: {L1: layer(L1, 1, [a1, a2], [A + "001001", A + "001002"], fids=[1, 2])},
        B: {L1: layer(L1, 1, [b1, b2], [B + "001001", A + "001001"], fids=[1, 2])},
        C: {L1: layer(L1, 1, [c1], [C + "001001"], fids=[7])},
    }
    bounds = {A: box(0, 0, 1000, 1000), B: box(1000, 0, 2000, 1000), C: box(5000, 0, 6000, 1000)}
    return grids, bounds


def by_rule(findings, rule_id):
    return [f for f in findings if f.rule_id == rule_id]


def test_merge_finds_the_planted_overlap_gap_and_duplicate():
    grids, bounds = counties()
    findings = check_merged_counties(grids, bounds)
    assert all(isinstance(f, Finding) for f in findings)

    dup = by_rule(findings, "city.duplicate_code")
    assert len(dup) == 1
    assert dup[0].codes == (A + "001001",) and dup[0].severity is Severity.ERROR
    assert dup[0].extra["counties"] == [A, B] and dup[0].measure == 2.0
    assert "2 个县重复" in dup[0].message_zh and "used in 2 counties" in dup[0].message_en

    overlap = by_rule(findings, "city.border_overlap")
    assert len(overlap) == 1
    assert overlap[0].measure == pytest.approx(4000.0)
    assert set(overlap[0].codes) == {A + "001002", B + "001001"}
    assert shapely.equals(overlap[0].geometry, box(990, 0, 1000, 400))
    assert overlap[0].unit == "m2" and "重叠 4000.0 平方米" in overlap[0].message_zh

    gaps = by_rule(findings, "city.border_gap")
    assert len(gaps) == 1  # the hole in A and the gap in C are not at a border
    assert gaps[0].measure == pytest.approx(100000.0)
    assert shapely.equals(gaps[0].geometry, box(500, 800, 1000, 1000))
    assert gaps[0].extra["counties"] == [A, B]
    assert set(gaps[0].codes) >= {A + "001001", A + "001002", B + "001001"}
    assert "100000.0 平方米" in gaps[0].message_zh and "100000.0 m²" in gaps[0].message_en

    foreign = by_rule(findings, "city.code_outside_county")
    assert [(f.codes, f.extra["counties"]) for f in foreign] == [((A + "001001",), [B])]
    assert set(f.rule_id for f in findings) <= set(CITY_RULES)


def test_merge_without_boundaries_reports_no_gaps_and_clean_counties_nothing():
    grids, bounds = counties()
    assert by_rule(check_merged_counties(grids), "city.border_gap") == []
    clean = {
        A: {L1: layer(L1, 1, [box(0, 0, 1000, 1000)], [A + "001001"])},
        B: {L1: layer(L1, 1, [box(1000, 0, 2000, 1000)], [B + "001001"])},
    }
    assert check_merged_counties(clean, bounds) == []


def test_retired_grids_take_no_part_in_merge_checks():
    grids, bounds = counties()
    b = grids[B][L1]
    grids[B][L1] = GridArray.from_records(
        L1,
        1,
        b.geometries,
        b.codes,
        fids=b.fids,
        attributes={"status": np.asarray(["active", "retired"], dtype=object)},
    )
    findings = check_merged_counties(grids, bounds)
    assert by_rule(findings, "city.duplicate_code") == []
    assert by_rule(findings, "city.code_outside_county") == []
