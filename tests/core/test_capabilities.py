"""The geometry capabilities: each fallback gives what the native operation gives, and the switch works.

On a shapely/GEOS with the native operations (the development venv) both paths run and are compared; on
shapely 2.0 (``make test-fallback``) the fallbacks are all there is and are checked against fixed answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from devtools.synthetic import DEFECT_KINDS, generate_city, plant_defects
from plugin.core import capabilities
from plugin.core.audit import run_audit

ROOT = Path(__file__).resolve().parents[2]
X0, Y0 = 36_512_345.678, 3_598_765.4321  # zone-36 CGCS2000 coordinates: large numbers, like real data
PATHS = capabilities.PATHS
native_validation = pytest.mark.skipif(
    not capabilities.NATIVE.coverage_validation, reason="this shapely/GEOS has no native coverage validation"
)
native_clean = pytest.mark.skipif(
    not capabilities.NATIVE.coverage_clean, reason="this shapely/GEOS has no native coverage cleaning"
)


def shifted(geoms):
    return shapely.transform(np.asarray(geoms, dtype=object), lambda c: c + np.array([X0, Y0]))


def finding_rows(findings):
    return [(f.rule_id, f.layer, f.codes, f.fids, f.key, f.unit) for f in findings]


def assert_same_findings(native, fallback):
    assert finding_rows(native) == finding_rows(fallback)
    for a, b in zip(native, fallback):
        if a.measure is None:
            assert b.measure is None
        else:
            assert b.measure == pytest.approx(a.measure, rel=1e-9, abs=1e-9)
        if a.geometry is None or b.geometry is None:
            assert a.geometry is b.geometry
        elif shapely.is_valid(a.geometry) and shapely.is_valid(b.geometry) and shapely.area(a.geometry) > 0:
            moved = shapely.area(shapely.symmetric_difference(a.geometry, b.geometry))
            assert moved <= 1e-6 * shapely.area(a.geometry)
        else:  # an invalid grid's own geometry (geom.invalid …): given back as it came
            assert shapely.equals_exact(shapely.normalize(a.geometry), shapely.normalize(b.geometry), 1e-6)


# ---------------------------------------------------------------- the switch


def test_describe_names_the_versions_and_each_path():
    text = capabilities.describe()
    assert text.startswith(f"shapely {shapely.__version__} / GEOS {shapely.geos_version_string}")
    for name in ("coverage validation", "coverage clean", "ordered voronoi", "inscribed circle"):
        assert f"{name} native" in text or f"{name} fallback" in text
    with capabilities.fallback():
        forced = capabilities.describe()
        assert capabilities.path() == "fallback"
        assert "native" not in forced.split(":", 1)[1]
    assert capabilities.describe() == text  # the context restores the path


def test_the_environment_variable_forces_the_fallback_once_at_import():
    code = "from plugin.core import capabilities as c; print(c.path()); print(c.describe())"
    env = {**os.environ, capabilities.ENV: "fallback"}
    forced = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[0] == "fallback"
    env.pop(capabilities.ENV)
    default = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    expected = "native" if all(vars(capabilities.NATIVE).values()) else "mixed"
    if capabilities.NATIVE == capabilities.FALLBACK:
        expected = "fallback"
    assert default.stdout.splitlines()[0] == expected


# ---------------------------------------------------------------- coverage validation

A = box(0, 0, 10, 10)
B = box(10, 0, 20, 10)
FRAME = Polygon(box(0, 0, 30, 30).exterior.coords, [box(10, 10, 20, 20).exterior.coords])
# name: polygons and the flags GEOS's coverage validator gives them
CASES = {
    "matching neighbours": ([A, B], [False, False]),
    "neighbours at one corner": ([A, box(10, 10, 20, 20)], [False, False]),
    "duplicate beside a neighbour": ([A, A, B], [True, True, False]),
    "one inside the other": ([A, box(2, 2, 5, 5), B], [False, True, False]),
    "partial overlap": ([A, box(5, 0, 15, 10), B], [True, True, True]),
    "vertex on the neighbour's edge (not noded alike)": (
        [A, Polygon([(10, 0), (20, 0), (20, 10), (10, 10), (10, 5)])],
        [True, True],
    ),
    "shorter edge along the neighbour's": ([A, box(10, 2, 20, 8)], [True, True]),
    "island filling a hole": ([FRAME, box(10, 10, 20, 20)], [False, False]),
    "island crossing the hole's edge": ([FRAME, box(10, 10, 21, 20)], [True, True]),
    "multipolygon parts with neighbours": (
        [MultiPolygon([A, box(30, 0, 40, 10)]), box(20, 0, 30, 10), B],
        [False, False, False],
    ),
    "same polygon, vertices in another order": ([A, Polygon([(10, 10), (10, 0), (0, 0), (0, 10)])], [True, True]),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", list(CASES))
def test_coverage_flags_on_known_cases(case, path):
    geoms, expected = CASES[case]
    with capabilities.fallback(path == "fallback"):
        flags = capabilities.coverage_invalid(shifted(geoms))
        valid = capabilities.coverage_is_valid(shifted(geoms))
    assert flags.tolist() == expected
    assert valid == (not any(expected))


def _partition(seed: int, n: int, defect: str):
    """Voronoi cells clipped to a square (shared edges noded alike), then one cell damaged by ``defect``."""
    rng = np.random.default_rng(seed)
    frame = box(0, 0, 1000, 1000)
    pts = shapely.multipoints(rng.uniform(0, 1000, (n, 2)))
    cells = shapely.intersection(capabilities.voronoi_polygons(pts, extend_to=frame), frame)
    k = int(rng.integers(n))
    cell = cells[k]
    if defect == "shift":
        cells[k] = shapely.transform(cell, lambda c: c + rng.uniform(-0.5, 0.5, 2))
    elif defect == "grow":
        cells[k] = shapely.buffer(cell, 0.2, join_style="mitre")
    elif defect == "extra vertex":  # a vertex added on one side of a shared edge only
        ring = shapely.get_coordinates(shapely.get_exterior_ring(cell))
        mid = (ring[0] + ring[1]) / 2.0
        cells[k] = Polygon(np.vstack([ring[:1], [mid], ring[1:]]))
    elif defect == "duplicate":
        cells = np.append(cells, cell)
    return shifted(cells)


@native_validation
@settings(max_examples=30, derandomize=True, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 60),
    defect=st.sampled_from(["none", "shift", "grow", "extra vertex", "duplicate"]),
)
def test_fallback_flags_equal_geos_on_damaged_partitions(seed, n, defect):
    geoms = _partition(seed, n, defect)
    native = capabilities.coverage_invalid(geoms)
    with capabilities.fallback():
        fallback = capabilities.coverage_invalid(geoms)
    assert fallback.tolist() == native.tolist()
    if defect == "none":
        assert not native.any()
    elif defect in ("shift", "grow", "duplicate"):  # an extra vertex on the frame's edge breaks nothing
        assert native.any()


def test_fallback_flags_on_the_planted_city_layers():
    city = generate_city(2500, seed=101, wiggle=2)
    data, _ = plant_defects(city, DEFECT_KINDS, seed=1)
    flagged = 0
    for level in (0, 1, 2, 3):
        geoms = data.grid(level).geometries
        geoms = geoms[~shapely.is_missing(geoms) & shapely.is_valid(geoms)]
        with capabilities.fallback():
            fallback = capabilities.coverage_invalid(geoms)
        with capabilities.fallback(False):
            native = capabilities.coverage_invalid(geoms)
        assert fallback.tolist() == native.tolist()
        flagged += int(fallback.sum())
    assert flagged > 0  # the planted overlaps are flagged


# ---------------------------------------------------------------- the audit on both paths


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_audit_gives_the_same_findings_on_both_paths(seed):
    city = generate_city(2500, seed=100 + seed, wiggle=seed + 1)
    data, planted = plant_defects(city, DEFECT_KINDS, seed=seed)
    with capabilities.fallback(False):
        native = run_audit(data).findings
    with capabilities.fallback():
        fallback = run_audit(data).findings
    assert len(fallback) == len(set().union(*(p.expected for p in planted)))
    assert_same_findings(native, fallback)


def test_parallel_threads_only_where_geos_computes_envelopes_eagerly():
    major, minor = (int(x) for x in shapely.__version__.split(".")[:2])
    assert capabilities.NATIVE.parallel_reads == (shapely.geos_version >= (3, 12, 0) and (major, minor) >= (2, 2))
    with capabilities.fallback(False):
        assert capabilities.parallel_workers(2) == (2 if capabilities.NATIVE.parallel_reads else 1)
        assert capabilities.parallel_workers(0) == 1
    with capabilities.fallback():
        assert capabilities.parallel_workers(8) == 1
        assert "threads one" in capabilities.describe()


def _audit_threads(data, monkeypatch) -> list[str]:
    import threading

    started = []
    real_start = threading.Thread.start

    def spy(thread):
        started.append(thread.name)
        return real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", spy)
    run_audit(data, workers=2)
    monkeypatch.setattr(threading.Thread, "start", real_start)
    return started


def test_the_audit_shares_nothing_between_threads_on_geos_3_11_or_shapely_2_1(monkeypatch):
    """GEOS 3.11 fills a geometry's envelope on its first read: two threads reading one level-1 grid (the
    county check beside the nesting of level 2) freed each other's envelope and crashed CI with shapely 2.0.7;
    shapely 2.0/2.1 make the arrays of a call read-only. There the audit runs in the calling thread only,
    with the same findings."""
    city = generate_city(2500, seed=7, wiggle=2)
    data, _planted = plant_defects(city, DEFECT_KINDS, seed=7)
    with capabilities.fallback():
        assert _audit_threads(data, monkeypatch) == []
        single = run_audit(data, workers=1).findings
        assert_same_findings(single, run_audit(data, workers=2).findings)
    if capabilities.NATIVE.parallel_reads:
        with capabilities.fallback(False):
            assert _audit_threads(data, monkeypatch)  # the county check and the pool share the work
            assert_same_findings(run_audit(data, workers=1).findings, run_audit(data, workers=2).findings)


def test_the_audit_leaves_the_callers_county_boundary_as_it_was():
    city = generate_city(400, seed=3, wiggle=1)
    county = city.county_boundary
    shapely.prepare(county)
    run_audit(city)
    assert shapely.is_prepared(county)  # a prepared boundary stays prepared (the audit prepared a copy)
    shapely.destroy_prepared(county)
    run_audit(city)
    assert not shapely.is_prepared(county)


# ---------------------------------------------------------------- union


def test_coverage_union_falls_back_to_union_all_when_geos_refuses(monkeypatch):
    geoms = shifted([A, Polygon([(10, 0), (20, 0), (20, 10), (10, 10), (10, 5)])])

    def refuse(*args, **kwargs):
        raise shapely.errors.GEOSException("TopologyException: CoverageUnion cannot process incorrectly noded inputs.")

    monkeypatch.setattr(shapely, "coverage_union_all", refuse)
    union = capabilities.coverage_union(geoms, grid_size=1e-6)
    assert shapely.area(union) == pytest.approx(200.0)
    assert shapely.get_num_geometries(union) == 1 and shapely.is_valid(union)


def test_coverage_union_of_nothing_is_empty():
    assert shapely.is_empty(capabilities.coverage_union(np.empty(0, dtype=object)))


# ---------------------------------------------------------------- cleaning

BUMP = Polygon([(10, 0), (20, 0), (20, 10), (10, 10), (10, 6), (9, 5), (10, 4)])
CLEAN_CASES = {
    "overlapping strip": [A, box(9.5, 0, 20, 10)],
    "bump into the neighbour": [A, BUMP],
    "vertex 1e-9 off the shared edge": [Polygon([(0, 0), (10, 0), (10 + 1e-9, 5), (10, 10), (0, 10)]), B],
    "gap thinner than the snapping distance": [Polygon([(0, 0), (10, 0), (10 - 1e-9, 5), (10, 10), (0, 10)]), B],
    "three overlapping": [A, B, box(5, 5, 15, 15)],
}
# the area each polygon has after cleaning (overlaps to the longest border, thin gaps snapped shut)
CLEAN_AREAS = {
    "overlapping strip": [100, 100],
    "bump into the neighbour": [100, 100],
    "vertex 1e-9 off the shared edge": [100, 100],
    "gap thinner than the snapping distance": [100, 100],
    "three overlapping": [100, 100, 50],
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", list(CLEAN_CASES))
def test_coverage_clean_contract(case, path):
    geoms = shifted(CLEAN_CASES[case])
    with capabilities.fallback(path == "fallback"):
        clean = capabilities.coverage_clean(geoms)
        assert capabilities.coverage_is_valid(clean)
    assert len(clean) == len(geoms)
    assert shapely.is_valid(clean).all() and not shapely.is_empty(clean).any()
    assert shapely.area(clean) == pytest.approx(CLEAN_AREAS[case], abs=1e-6)
    assert shapely.area(shapely.union_all(clean)) == pytest.approx(shapely.area(shapely.union_all(geoms)), abs=1e-6)


@native_clean
@pytest.mark.parametrize("case", list(CLEAN_CASES))
def test_coverage_clean_fallback_matches_geos(case):
    geoms = shifted(CLEAN_CASES[case])
    native = capabilities.coverage_clean(geoms)
    with capabilities.fallback():
        fallback = capabilities.coverage_clean(geoms)
    assert (shapely.area(shapely.symmetric_difference(native, fallback)) <= 1e-6).all()


# ---------------------------------------------------------------- constructions


@pytest.mark.parametrize("path", PATHS)
def test_voronoi_cells_come_in_the_points_order(path):
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 1000, (200, 2)) + np.array([X0, Y0])
    frame = shapely.box(X0 - 100, Y0 - 100, X0 + 1100, Y0 + 1100)
    with capabilities.fallback(path == "fallback"):
        cells = capabilities.voronoi_polygons(shapely.multipoints(xy), extend_to=frame)
    assert len(cells) == len(xy)
    assert shapely.contains_xy(cells, xy[:, 0], xy[:, 1]).all()
    assert shapely.covers(shapely.union_all(cells), frame)
    with capabilities.fallback(path != "fallback"):
        other = capabilities.voronoi_polygons(shapely.multipoints(xy), extend_to=frame)
    assert shapely.equals_exact(cells, other, 0.0).all()


SHAPES = {
    "rectangle": (box(0, 0, 100, 40), 20.0),
    "square with a square hole": (
        Polygon(box(0, 0, 100, 100).exterior.coords, [box(40, 40, 60, 60).exterior.coords]),
        40 * 2**0.5 / (1 + 2**0.5),  # in a corner, touching two outer sides and the hole's corner
    ),
    "L shape": (Polygon([(0, 0), (100, 0), (100, 30), (30, 30), (30, 100), (0, 100)]), None),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_maximum_inscribed_circle(shape, path):
    geom, radius = SHAPES[shape]
    geom = shifted([geom])[0]
    tolerance = 100 / 1000.0  # shapely's default: max(width, height) / 1000
    with capabilities.fallback(path == "fallback"):
        line = capabilities.maximum_inscribed_circle(geom)
    centre = shapely.get_point(line, 0)
    assert shapely.contains(geom, centre)
    assert line.length == pytest.approx(shapely.distance(centre, shapely.boundary(geom)), abs=1e-9)
    if radius is not None:
        assert line.length == pytest.approx(radius, abs=tolerance)
    with capabilities.fallback(path != "fallback"):
        other = capabilities.maximum_inscribed_circle(geom)
    assert line.length == pytest.approx(other.length, abs=2 * tolerance)
