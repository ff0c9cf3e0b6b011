"""Fix helpers: gaps go to the neighbour with the longest shared boundary (or become a grid), overlaps stay with
the grid they belong to more; results valid, single-part, no sliver left, union unchanged."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.synthetic import L2, L3, generate_city, plant_defects
from plugin.core import fixes
from plugin.core.audit import Tolerances, run_audit
from plugin.core.fixes import AUTO, NEIGHBOUR, NEW_GRID, FixRefused, Grid, fix_gap, fix_overlap, plan_for_finding
from plugin.core.model import GridArray

X0, Y0 = 36_500_000.0, 3_600_000.0
TOL = Tolerances()


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def assert_clean(geom):
    assert geom.is_valid and not geom.is_empty
    assert geom.geom_type in ("Polygon", "MultiPolygon")


def noise_free(geom, tol=TOL):
    """No significant piece (all area at or below noise, or thinner than the noise width)."""
    parts = fixes._significant(fixes._polygonal(geom), tol)
    return len(parts) == 0


# ---------------------------------------------------------------- gaps


def three_children():
    """Parent 300 × 100; A fills x 0–100, B x 100–200 below y 60, C x 210–300: the gap is B's top plus a
    10 m strip; it shares 160 m with B, 100 m with C, 40 m with A."""
    parent = box(0, 0, 300, 100)
    kids = [
        Grid(1, "P01", box(0, 0, 100, 100), "P"),
        Grid(2, "P02", box(100, 0, 200, 60), "P"),
        Grid(3, "P03", box(210, 0, 300, 100), "P"),
    ]
    return parent, kids


def test_gap_goes_to_the_neighbour_with_the_longest_shared_boundary():
    parent, kids = three_children()
    plan = fix_gap(parent, kids, shapely.Point(X0 + 205, Y0 + 50), NEIGHBOUR, parent_code="P")
    assert plan.action == "gap_to_neighbour"
    assert plan.receiver.code == "P02"
    assert plan.shared_length == pytest.approx(160, abs=0.01)
    assert plan.area == pytest.approx(5000)
    assert set(plan.changes) == {2}
    new = plan.changes[2]
    assert_clean(new)
    assert new.geom_type == "Polygon"  # single part, as it was
    union_before = shapely.union_all([k.geometry for k in kids] + [box(100, 60, 210, 100), box(200, 0, 210, 60)])
    union_after = shapely.union_all([kids[0].geometry, new, kids[2].geometry])
    assert shapely.area(shapely.symmetric_difference(union_before, union_after)) < 1e-6
    assert shapely.area(shapely.difference(parent, union_after)) < 1e-6  # the gap is gone, no sliver left
    for other in (kids[0].geometry, kids[2].geometry):
        assert shapely.area(shapely.intersection(new, other)) < 1e-6


def test_gap_only_goes_to_children_of_the_same_parent():
    parent, kids = three_children()
    kids[1].parent_code = "OTHER"
    plan = fix_gap(parent, kids, shapely.Point(X0 + 205, Y0 + 50), NEIGHBOUR, parent_code="P")
    assert plan.receiver.code == "P03"


def test_gap_as_a_new_grid_and_auto_without_a_neighbour():
    parent, kids = three_children()
    plan = fix_gap(parent, kids, shapely.Point(X0 + 205, Y0 + 50), NEW_GRID, parent_code="P")
    assert plan.action == "gap_new_grid" and not plan.changes
    assert plan.new_grid.geom_type == "Polygon"
    assert shapely.area(plan.new_grid) == pytest.approx(5000)
    # no sibling at all: NEIGHBOUR refuses, AUTO makes a new grid
    strangers = [Grid(k.fid, k.code, k.geometry, "ELSEWHERE") for k in kids]
    with pytest.raises(FixRefused) as refused:
        fix_gap(parent, strangers, shapely.Point(X0 + 205, Y0 + 50), NEIGHBOUR, parent_code="P")
    assert refused.value.reason == fixes.R_NO_NEIGHBOUR
    plan = fix_gap(parent, strangers, shapely.Point(X0 + 205, Y0 + 50), AUTO, parent_code="P")
    assert plan.action == "gap_new_grid"


def test_a_sliver_gap_does_not_become_a_grid_of_its_own():
    parent = box(0, 0, 200, 100)
    kids = [Grid(1, "A", box(0, 0, 100, 100), "P"), Grid(2, "B", box(100.3, 0, 200, 100), "P")]
    with pytest.raises(FixRefused) as refused:
        fix_gap(parent, kids, shapely.Point(X0 + 100.15, Y0 + 50), NEW_GRID, parent_code="P")
    assert refused.value.reason == fixes.R_GAP_TOO_SMALL
    plan = fix_gap(parent, kids, shapely.Point(X0 + 100.15, Y0 + 50), NEIGHBOUR, parent_code="P")
    assert plan.receiver.code == "A"  # tie in length: the lowest code
    new = plan.changes[1]
    assert new.geom_type == "Polygon" and shapely.area(new) == pytest.approx(10030)


def test_gap_that_is_no_longer_there_is_refused():
    parent, kids = three_children()
    with pytest.raises(FixRefused) as refused:
        fix_gap(parent, kids, shapely.Point(X0 + 50, Y0 + 50), NEIGHBOUR, parent_code="P")
    assert refused.value.reason == fixes.R_GAP_GONE


def test_invalid_neighbour_is_refused_with_its_name():
    parent, kids = three_children()
    kids[0] = Grid(1, "P01", shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)]), "P")
    with pytest.raises(FixRefused) as refused:
        fix_gap(parent, kids, shapely.Point(X0 + 205, Y0 + 50), NEIGHBOUR, parent_code="P")
    assert refused.value.reason == fixes.R_BAD_GEOMETRY and refused.value.params["grid"] == "P01"


def test_gap_touching_the_neighbour_only_at_a_corner_is_not_given_to_it():
    parent = box(0, 0, 200, 200)
    kids = [
        Grid(1, "A", box(0, 0, 100, 100), "P"),
        Grid(2, "B", box(100, 0, 200, 100), "P"),
        Grid(3, "C", box(0, 100, 100, 200), "P"),
    ]
    # the gap (top right quarter) shares 100 m with B and C each, only a corner with A
    plan = fix_gap(parent, kids, shapely.Point(X0 + 150, Y0 + 150), NEIGHBOUR, parent_code="P")
    assert plan.receiver.code == "B"  # tie between B and C: the lowest code


# ---------------------------------------------------------------- overlaps


def test_a_bump_goes_back_to_the_grid_it_intrudes_into():
    a = Grid(1, "A", shapely.union(box(0, 0, 100, 100), shapely.buffer(shapely.Point(X0 + 100, Y0 + 50), 20)))
    b = Grid(2, "B", box(100, 0, 200, 100))
    plan = fix_overlap(a, b)
    assert set(plan.changes) == {1}  # only A changes: the bump is B's
    new_a = plan.changes[1]
    assert_clean(new_a)
    assert new_a.geom_type == "Polygon"
    assert plan.removed_from[1] == pytest.approx(shapely.area(shapely.intersection(a.geometry, b.geometry)))
    assert shapely.area(shapely.intersection(new_a, b.geometry)) < 1e-6
    before = shapely.union(a.geometry, b.geometry)
    after = shapely.union(new_a, b.geometry)
    assert shapely.area(shapely.symmetric_difference(before, after)) < 1e-6


def test_an_overlap_piece_stays_with_the_grid_whose_land_surrounds_it_more():
    # B's corner pokes 30 × 30 m into A's interior edge: the piece is bordered by A's own land on two sides
    a = Grid(1, "A", box(0, 0, 100, 100))
    b = Grid(2, "B", shapely.union(box(100, 0, 200, 100), box(70, 40, 100, 70)))
    plan = fix_overlap(a, b)
    assert set(plan.changes) == {2}
    assert plan.changes[2].equals(box(100, 0, 200, 100))


def test_a_tie_is_taken_from_the_larger_grid():
    a = Grid(1, "A", box(0, 0, 102, 100))  # overshoots by a 2 m strip
    b = Grid(2, "B", box(100, 0, 200, 100))
    plan = fix_overlap(a, b)
    assert set(plan.changes) == {1}
    assert plan.changes[1].equals(box(0, 0, 100, 100))


def test_contained_and_splitting_overlaps_are_refused():
    with pytest.raises(FixRefused) as refused:
        fix_overlap(Grid(1, "OUT", box(0, 0, 100, 100)), Grid(2, "IN", box(10, 10, 20, 20)))
    assert refused.value.reason == fixes.R_CONTAINED and refused.value.params["inner"] == "IN"
    # a band across A: the piece is A's (its land borders it along 200 m), removing it splits B in two
    with pytest.raises(FixRefused) as refused:
        fix_overlap(Grid(1, "A", box(0, 0, 100, 100)), Grid(2, "B", box(40, -10, 60, 110)))
    assert refused.value.reason == fixes.R_WOULD_SPLIT and refused.value.params["grid"] == "B"
    with pytest.raises(FixRefused) as refused:
        fix_overlap(Grid(1, "A", box(0, 0, 100, 100)), Grid(2, "B", box(100, 0, 200, 100)))
    assert refused.value.reason == fixes.R_OVERLAP_GONE


def test_several_overlap_pieces_each_go_their_own_way():
    a = Grid(1, "A", shapely.union_all([box(0, 0, 100, 100), box(100, 10, 110, 20)]))  # A's tab into B
    b = Grid(2, "B", shapely.union_all([box(100, 0, 200, 100), box(80, 70, 100, 80)]))  # B's tab into A
    plan = fix_overlap(a, b)
    assert plan.changes[1].equals(shapely.difference(a.geometry, box(100, 10, 110, 20)))
    assert plan.changes[2].equals(shapely.difference(b.geometry, box(80, 70, 100, 80)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cx=st.floats(5, 95),
    cy=st.floats(5, 95),
    r=st.floats(0.05, 30),
    dx=st.floats(-3, 3),
    wiggle=st.floats(-1, 1),
)
def test_overlap_fix_properties(cx, cy, r, dx, wiggle):
    """Random discs pushed over a wiggled shared boundary: any plan is valid, single-part, overlap-free,
    union-preserving; a refusal names a reason."""
    shared = [(X0 + 100, Y0), (X0 + 100 + wiggle, Y0 + 50), (X0 + 100, Y0 + 100)]
    a_geom = shapely.Polygon([(X0, Y0), *shared, (X0, Y0 + 100)])
    b_geom = shapely.Polygon([*shared, (X0 + 200, Y0 + 100), (X0 + 200, Y0)][::-1])
    disc = shapely.buffer(shapely.Point(X0 + 100 + dx, Y0 + cy), r)
    a_geom = shapely.union(a_geom, shapely.intersection(disc, shapely.union(a_geom, b_geom)))
    a, b = Grid(1, "A", a_geom), Grid(2, "B", b_geom)
    try:
        plan = fix_overlap(a, b)
    except FixRefused as refused:
        assert refused.reason in (fixes.R_OVERLAP_GONE, fixes.R_WOULD_SPLIT, fixes.R_CONTAINED)
        return
    new_a = plan.changes.get(1, a_geom)
    new_b = plan.changes.get(2, b_geom)
    for geom in (new_a, new_b):
        assert_clean(geom)
        assert geom.geom_type == "Polygon"
    assert noise_free(shapely.intersection(new_a, new_b))
    assert noise_free(shapely.symmetric_difference(shapely.union(new_a, new_b), shapely.union(a_geom, b_geom)))


# ---------------------------------------------------------------- on an audited city


@pytest.fixture(scope="module")
def city():
    return generate_city(600, seed=7)


def apply(data, layer, plan, parent_code=None):
    grids = data.grids[layer]
    for fid, geom in plan.changes.items():
        i = int(np.flatnonzero(grids.fids == fid)[0])
        grids.geometries[i] = geom
    if plan.new_grid is not None:
        n = len(grids)
        extra = GridArray.from_records(
            layer, grids.level, [plan.new_grid], ["NEW"], [parent_code], ["new"], fids=[int(grids.fids.max()) + 1]
        )
        data.grids[layer] = GridArray(
            layer,
            grids.level,
            np.r_[grids.fids, extra.fids],
            np.r_[grids.codes, extra.codes],
            np.r_[grids.parent_codes, extra.parent_codes],
            np.r_[grids.names, extra.names],
            np.r_[grids.geometries, extra.geometries],
            {
                k: np.r_[v, np.array(["active"] if k == "status" else [None], dtype=object)]
                for k, v in grids.attributes.items()
            },
        )
        assert len(data.grids[layer]) == n + 1


@pytest.mark.parametrize(
    "kind", ["overlap", "gap", "notch", "sliver_gap", "sliver_overlap", "strip_gap", "strip_overlap", "section_overlap"]
)
def test_fixing_a_planted_defect_leaves_a_clean_audit(city, kind):
    data, _ = plant_defects(city, [kind], seed=4)
    before = run_audit(data)
    target = next(f for f in before.findings if fixes.fix_kind(f))
    layer = fixes.edited_layer(target)
    parents = data.grids.get(target.layer)
    plan = plan_for_finding(target, data.grids[layer], parents, data.county_boundary, NEIGHBOUR)
    for geom in plan.changes.values():
        assert_clean(geom)
    apply(data, layer, plan)
    after = run_audit(data)
    remaining = [(f.rule_id, f.codes) for f in after.findings]
    # section_overlap also leaves level 3 grids beyond their new parent: only those may remain
    allowed = {"parent.outside", "parent.sliver", "gap", "gap.sliver"} if kind == "section_overlap" else set()
    assert all(rule in allowed for rule, _ in remaining), remaining
    assert not any(f.rule_id.startswith("overlap") for f in after.findings)
    if kind != "section_overlap":
        assert after.findings == []


def test_gap_as_new_grid_on_an_audited_city(city):
    data, _ = plant_defects(city, ["gap"], seed=4)
    finding = next(f for f in run_audit(data).findings if f.rule_id == "gap")
    plan = plan_for_finding(finding, data.grids[L3], data.grids[L2], None, NEW_GRID)
    assert plan.new_grid.geom_type == "Polygon"
    apply(data, L3, plan, parent_code=finding.codes[0])
    rules = {f.rule_id for f in run_audit(data).findings}
    assert "gap" not in rules and not any(r.startswith("overlap") for r in rules)


def test_contained_findings_are_refused(city):
    data, _ = plant_defects(city, ["contains"], seed=4)
    finding = next(f for f in run_audit(data).findings if f.rule_id == "overlap.contains")
    assert fixes.fix_kind(finding) is None
    with pytest.raises(FixRefused) as refused:
        plan_for_finding(finding, data.grids[L3])
    assert refused.value.reason == fixes.R_CONTAINED
