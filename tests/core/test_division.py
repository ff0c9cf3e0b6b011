"""Automatic level 3 division (plugin/core/division.py): exact partitions, size rules, sites, locked grids,
the boundary rule, bad input, and the audit of the proposal."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.core import capabilities, division
from plugin.core.division import DivisionError, propose_division

X0, Y0 = 36_590_000.0, 3_610_000.0  # CGCS2000 zone 36 coordinates, as in the sample county


def village(seed: int, households: int = 300, roads: int = 3, clusters: int = 5):
    """A random star-shaped village boundary, clustered households inside, straight roads crossing it."""
    rng = np.random.default_rng(seed)
    ang = np.sort(rng.uniform(0, 2 * np.pi, 14))
    rad = rng.uniform(500, 1100, 14)
    parent = shapely.make_valid(shapely.Polygon(np.c_[X0 + rad * np.cos(ang), Y0 + rad * np.sin(ang)]))
    parent = max(shapely.get_parts(parent), key=lambda g: g.area)
    centres = np.c_[X0, Y0] + rng.uniform(-400, 400, (clusters, 2))
    pts = np.zeros((0, 2))
    while len(pts) < households:
        c = centres[rng.integers(clusters, size=households)] + rng.normal(0, 110, (households, 2))
        c = c[shapely.contains_xy(parent, c[:, 0], c[:, 1])]
        pts = np.vstack([pts, c])[:households]
    lines = []
    for _ in range(roads):
        a = rng.uniform(0, np.pi)
        d = np.array([np.cos(a), np.sin(a)])
        c = np.array([X0, Y0]) + rng.uniform(-300, 300, 2)
        lines.append(shapely.LineString([c - d * 3000, c + d * 3000]))
    persons = rng.integers(1, 6, len(pts))
    return parent, pts, persons, lines


def assert_partition(parent, prop, n_households):
    assert not division.partition_defect(parent, prop.geometries)
    assert capabilities.coverage_is_valid(prop.geometries)
    assert (shapely.get_type_id(prop.geometries) == 3).all()
    assert prop.households.sum() == n_households
    assert (prop.household_grid >= 0).all()
    counted = np.bincount(prop.household_grid, minlength=len(prop))
    assert (counted == prop.households).all()


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(60, 700),
    roads=st.integers(0, 4),
    area=st.sampled_from(["rural", "urban"]),
)
def test_generated_villages_are_exact_partitions_in_range(seed, n, roads, area):
    parent, xy, persons, lines = village(seed, n, roads)
    prop = propose_division(parent, xy, persons=persons, lines=lines, area_class=area, seed=seed)
    assert_partition(parent, prop, n)
    t = prop.target
    assert (t.lo, t.hi) == ((30, 50) if area == "rural" else (50, 80))
    proposed = prop.kinds == division.KIND_PROPOSED
    if prop.feasible:
        within = (prop.status[proposed] == division.STATUS_WITHIN).mean()
        assert within >= 0.8, (prop.households, prop.status)
    # every grid says what it meets or why not
    assert all(prop.reason_zh) and all(prop.reason_en)
    assert ((prop.compactness > 0) & (prop.compactness <= 1)).all()
    # nothing the audit would report
    findings, new = division.audit_proposal(parent, prop)
    assert new == [], [f.message_en for f in new]
    assert not [f for f in findings if not f.rule_id.startswith("size.")]


def test_deterministic_for_a_seed():
    parent, xy, _, lines = village(3, 400, 3)
    a = propose_division(parent, xy, lines=lines, seed=5)
    b = propose_division(parent, xy, lines=lines, seed=5)
    assert len(a) == len(b)
    assert all(shapely.equals_exact(a.geometries, b.geometries, 0.0))
    assert (a.households == b.households).all()


def test_most_grids_in_range_over_many_villages():
    within = total = 0
    for seed in range(30):
        parent, xy, _, lines = village(seed, 120 + 23 * seed, seed % 4)
        prop = propose_division(parent, xy, lines=lines)
        if prop.feasible:
            within += int((prop.status == division.STATUS_WITHIN).sum())
            total += len(prop)
    assert within / total >= 0.95


def test_a_village_of_20_households_gives_one_grid():
    parent, xy, _, lines = village(11, 20, 2)
    prop = propose_division(parent, xy, lines=lines)
    assert len(prop) == 1
    assert prop.households[0] == 20
    assert shapely.equals(prop.geometries[0], parent) or not division.partition_defect(parent, prop.geometries)
    assert prop.status[0] == division.STATUS_UNDER
    assert not prop.feasible
    assert "20" in prop.reason_zh[0] and "7.3.3" in prop.reason_zh[0]


def test_relocation_site_of_45_households_gets_its_own_grid():
    parent, xy, _, lines = village(5, 200, 2)
    # a compact site of 45 households near the centre
    rng = np.random.default_rng(1)
    site_xy = np.array([X0 + 40, Y0 - 30]) + rng.uniform(-25, 25, (45, 2))
    site = shapely.box(X0 + 10, Y0 - 60, X0 + 70, Y0)
    inside = shapely.contains_xy(site, xy[:, 0], xy[:, 1])
    xy = np.vstack([xy[~inside], site_xy])
    prop = propose_division(parent, xy, lines=lines, sites=[site])
    assert_partition(parent, prop, len(xy))
    sites = np.flatnonzero(prop.kinds == division.KIND_SITE)
    assert len(sites) == 1
    g = prop.geometries[sites[0]]
    assert prop.households[sites[0]] == 45
    assert shapely.area(shapely.symmetric_difference(g, site)) < 1e-6
    assert prop.status[sites[0]] == division.STATUS_SITE and "7.3.3 g" in prop.reason_zh[sites[0]]


def test_relocation_site_as_a_point_with_its_count():
    parent, xy, _, _ = village(6, 150, 0)
    pt = shapely.Point(X0 + 5, Y0 + 5)
    prop = propose_division(parent, xy, sites=[pt], site_households=[45])
    assert prop.households.sum() == 150 + 45
    sites = np.flatnonzero(prop.kinds == division.KIND_SITE)
    assert len(sites) == 1 and prop.households[sites[0]] == 45
    assert shapely.contains(prop.geometries[sites[0]], pt)


def test_small_relocation_site_stays_with_its_group():
    parent, xy, _, _ = village(7, 150, 0)
    site = shapely.box(X0 - 20, Y0 - 20, X0 + 20, Y0 + 20)
    prop = propose_division(parent, xy, sites=[site])
    assert not (prop.kinds == division.KIND_SITE).any()
    assert [n.key for n in prop.notes] == ["site_small"]


def test_locked_grids_are_kept_and_the_rest_redivided():
    parent, xy, _, lines = village(8, 400, 2)
    first = propose_division(parent, xy, lines=lines)
    keep = first.geometries[2]
    again = propose_division(parent, xy, lines=lines, locked=[keep])
    assert_partition(parent, again, len(xy))
    locked = np.flatnonzero(again.kinds == division.KIND_LOCKED)
    assert len(locked) == 1
    kept = again.geometries[locked[0]]
    assert shapely.area(shapely.symmetric_difference(kept, keep)) < 1e-6
    assert shapely.hausdorff_distance(kept, keep) < 1e-6
    assert again.households[locked[0]] == first.households[2]
    assert again.status[locked[0]] == division.STATUS_LOCKED
    # the others cover the rest
    others = again.geometries[again.kinds != division.KIND_LOCKED]
    rest = shapely.difference(parent, keep)
    assert shapely.area(shapely.symmetric_difference(capabilities.coverage_union(others), rest)) < 1e-3


def test_boundaries_follow_a_road_and_a_household_on_it_is_assigned_once():
    parent = shapely.box(X0, Y0, X0 + 400, Y0 + 200)
    rng = np.random.default_rng(2)
    west = np.c_[rng.uniform(X0 + 10, X0 + 190, 40), rng.uniform(Y0 + 10, Y0 + 190, 40)]
    east = np.c_[rng.uniform(X0 + 210, X0 + 390, 39), rng.uniform(Y0 + 10, Y0 + 190, 39)]
    on_road = np.array([[X0 + 200, Y0 + 100]])
    xy = np.vstack([west, east, on_road])
    road = shapely.LineString([(X0 + 200, Y0 - 50), (X0 + 200, Y0 + 250)])
    prop = propose_division(parent, xy, lines=[road])
    assert len(prop) == 2 and prop.line_cuts == 1
    q = division.measure([parent], [prop], [road])
    assert q.line_share == pytest.approx(1.0)
    # the point on the shared boundary counts in the grid first in numbering order (the west one here)
    west_grid = int(np.argmin(shapely.get_coordinates(shapely.centroid(prop.geometries))[:, 0]))
    assert prop.household_grid[-1] == west_grid == 0
    assert sorted(prop.households.tolist()) == [39, 41]
    # the road runs outside the parent: said in a note, only its inside part followed
    assert [n.key for n in prop.notes] == ["line_outside"]
    assert "超出上级网格" in prop.notes[0].message_zh


def test_existing_groups_large_split_small_merged():
    parent = shapely.box(X0, Y0, X0 + 600, Y0 + 300)
    groups = [shapely.box(X0, Y0, X0 + 100, Y0 + 300), shapely.box(X0 + 100, Y0, X0 + 600, Y0 + 300)]
    rng = np.random.default_rng(4)
    small = np.c_[rng.uniform(X0 + 5, X0 + 95, 12), rng.uniform(Y0 + 5, Y0 + 295, 12)]
    large = np.c_[rng.uniform(X0 + 105, X0 + 595, 150), rng.uniform(Y0 + 5, Y0 + 295, 150)]
    prop = propose_division(parent, np.vstack([small, large]), groups=groups)
    assert_partition(parent, prop, 162)
    assert (prop.status == division.STATUS_WITHIN).all()
    # the small group is not a grid of its own
    assert not any(shapely.equals(g, groups[0]) for g in prop.geometries)


def test_many_parents_with_progress_and_cancel():
    jobs, all_xy = [], []
    for s in range(4):
        parent, xy, _, _ = village(20 + s, 150, 1)
        shift = np.array([5000.0 * s, 0.0])
        jobs.append(division.ParentJob(f"P{s}", shapely.affinity.translate(parent, *shift), "rural"))
        all_xy.append(xy + shift)
    seen = []
    props, errors = division.propose_many(jobs, np.vstack(all_xy), progress=lambda f, t: seen.append(f))
    assert errors == [None] * 4 and all(p.households.sum() == 150 for p in props)
    assert seen[-1] == 1.0 and len(seen) == 4
    with pytest.raises(division.DivisionCancelled):
        division.propose_many(jobs, np.vstack(all_xy), is_cancelled=lambda: True)


# ---------------------------------------------------------------- bad input


def _problem(excinfo, key):
    keys = [p.key for p in excinfo.value.problems]
    assert key in keys, keys
    p = excinfo.value.problems[keys.index(key)]
    assert p.message_zh and p.message_en and any("\u4e00" <= ch <= "\u9fff" for ch in p.message_zh)
    return p


def test_parent_without_households():
    parent, _, _, _ = village(1, 10, 0)
    with pytest.raises(DivisionError) as e:
        propose_division(parent, np.zeros((0, 2)), parent_label="61090210020101")
    p = _problem(e, "no_households")
    assert "61090210020101" in p.message_zh


def test_households_outside_the_parent():
    parent, xy, _, _ = village(1, 50, 0)
    xy = np.vstack([xy, [[X0 + 5000, Y0]]])
    with pytest.raises(DivisionError) as e:
        propose_division(parent, xy)
    p = _problem(e, "households_outside")
    assert p.fids == (51,) and "51" in p.message_zh


def test_invalid_parent():
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    with pytest.raises(DivisionError) as e:
        propose_division(bowtie, np.array([[X0 + 10, Y0 + 50]]))
    _problem(e, "parent_invalid")


def test_empty_parent_and_unknown_area_class():
    with pytest.raises(DivisionError) as e:
        propose_division(shapely.Polygon(), np.zeros((0, 2)))
    _problem(e, "parent_empty")
    with pytest.raises(DivisionError) as e:
        propose_division(shapely.box(0, 0, 1, 1), np.array([[0.5, 0.5]]), area_class="")
    _problem(e, "area_class")


def test_lines_wholly_outside_are_named_and_ignored():
    parent, xy, _, _ = village(2, 100, 0)
    far = shapely.LineString([(X0 + 9000, Y0), (X0 + 9500, Y0)])
    prop = propose_division(parent, xy, lines=[far], line_fids=[77])
    assert prop.notes[0].key == "line_outside" and prop.notes[0].fids == (77,)
    assert_partition(parent, prop, 100)


def test_locked_grid_outside_the_parent_is_refused():
    parent, xy, _, _ = village(2, 100, 0)
    with pytest.raises(DivisionError) as e:
        propose_division(parent, xy, locked=[shapely.box(X0 + 5000, Y0, X0 + 5100, Y0 + 100)])
    _problem(e, "locked_outside")


def test_grid_count_rule():
    t = division.size_target("rural")
    assert (t.lo, t.hi, t.merge_below, t.site_alone, t.site_max) == (30, 50, 20, 40, 100)
    assert division.grid_count(20, t) == (1, False)
    assert division.grid_count(45, t) == (1, True)
    assert division.grid_count(100, t) == (3, True)
    k, ok = division.grid_count(55, t)
    assert not ok and k in (1, 2)
    u = division.size_target("urban")
    assert (u.lo, u.hi) == (50, 80)
