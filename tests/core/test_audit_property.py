"""Property tests: random partitions of random parents.

* clean data (exact lattice cities, and Voronoi partitions clipped to their parents, which carry
  floating-point noise along every shared boundary) give no findings;
* the same data with planted defects give exactly the planted findings.
"""

import os
from collections import Counter

import numpy as np
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from devtools.synthetic import DEFECT_KINDS, generate_city, plant_defects
from plugin.core import schema
from plugin.core.audit import run_audit
from plugin.core.model import GridArray, WorkspaceData

X0, Y0 = 36_512_345.678, 3_598_765.4321
# AUDIT_EXAMPLES=500 for a longer hunt
SETTINGS = settings(
    max_examples=int(os.environ.get("AUDIT_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def keys(result):
    return Counter((f.rule_id, f.layer, frozenset(f.codes)) for f in result.findings)


def spaced_points(rng, region, n, spacing):
    """Up to n random points in ``region``, at least ``spacing`` apart and spacing/2 inside its boundary."""
    x0, y0, x1, y1 = region.bounds
    inner = shapely.buffer(region, -spacing / 2)
    pts: list = []
    for _ in range(n * 30):
        if len(pts) == n or inner.is_empty:
            break
        p = shapely.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if inner.contains(p) and all(p.distance(q) >= spacing for q in pts):
            pts.append(p)
    return pts


def split(rng, region, n, spacing):
    """A Voronoi partition of ``region`` (convex) into about n cells, clipped to it."""
    pts = spaced_points(rng, region, n, spacing)
    if len(pts) < 2:
        return [region]
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(pts), extend_to=region))
    cells = shapely.intersection(cells, region)
    return [c for c in cells if not c.is_empty]


def voronoi_workspace(seed, n1, n2, n3):
    rng = np.random.default_rng(seed)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 9))
    radius = rng.uniform(1500, 2500, 9)
    county = shapely.convex_hull(shapely.MultiPoint(np.c_[X0 + radius * np.cos(angles), Y0 + radius * np.sin(angles)]))
    rows = {1: [], 2: [], 3: []}
    for v, g1 in enumerate(split(rng, county, n1, 500)):
        c1 = f"610902001{201 + v:03d}"
        rows[1].append((g1, c1, "610902001"))
        for s, g2 in enumerate(split(rng, g1, n2, 150)):
            c2 = f"{c1}{s + 1:02d}"
            rows[2].append((g2, c2, c1))
            for k, g3 in enumerate(split(rng, g2, n3, 40)):
                rows[3].append((g3, f"{c2}{k + 1:03d}", c2))
    grids = {}
    for level, items in rows.items():
        name = schema.GRID_LAYER_BY_LEVEL[level].name
        grids[name] = GridArray.from_records(name, level, *zip(*items))
    info = schema.WorkspaceInfo("610902", "汉滨区", "EPSG:4524")
    return WorkspaceData(info, grids, county)


@SETTINGS
@given(
    n=st.integers(1, 400),
    seed=st.integers(0, 10_000),
    wiggle=st.integers(0, 4),
    per_village=st.integers(5, 80),
    per_section=st.floats(1.0, 12.0),
)
def test_clean_lattice_cities_have_no_findings(n, seed, wiggle, per_village, per_section):
    data = generate_city(n, seed, wiggle=wiggle, per_village=per_village, per_section=per_section, dedicated_share=0.3)
    assert run_audit(data).findings == []


@SETTINGS
@given(seed=st.integers(0, 10_000), n1=st.integers(1, 6), n2=st.integers(1, 6), n3=st.integers(1, 8))
def test_clean_voronoi_partitions_with_noise_have_no_findings(seed, n1, n2, n3):
    data = voronoi_workspace(seed, n1, n2, n3)
    # the clipped cells do not share vertices exactly: noise, which must never be reported
    result = run_audit(data)
    assert result.findings == [], [(f.rule_id, f.codes, f.measure) for f in result.findings]


@SETTINGS
@given(
    n=st.integers(300, 1500),
    seed=st.integers(0, 10_000),
    wiggle=st.integers(0, 3),
    kinds=st.lists(st.sampled_from(DEFECT_KINDS), min_size=1, max_size=4, unique=True),
)
def test_planted_defects_in_lattice_cities_are_found_exactly(n, seed, wiggle, kinds):
    city = generate_city(n, seed, wiggle=wiggle)
    try:
        data, planted = plant_defects(city, kinds, seed=seed)
    except ValueError:
        assume(False)
    found = keys(run_audit(data))
    expected = set().union(*(p.expected for p in planted))
    assert set(found) == expected
    assert sum(found.values()) == len(expected)


GEOMETRIC = [
    k
    for k in DEFECT_KINDS
    # these need exact shared boundaries to plant
    if k not in ("sliver_gap", "sliver_overlap", "strip_gap", "strip_overlap", "thin", "tiny")
]


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    n1=st.integers(2, 5),
    kinds=st.lists(st.sampled_from(GEOMETRIC), min_size=1, max_size=3, unique=True),
)
def test_planted_defects_in_noisy_partitions_are_found_exactly(seed, n1, kinds):
    data = voronoi_workspace(seed, n1, 5, 6)
    try:
        data, planted = plant_defects(data, kinds, seed=seed)
    except ValueError:
        assume(False)
    result = run_audit(data)
    found = keys(result)
    expected = set().union(*(p.expected for p in planted))
    assert set(found) == expected, [(f.rule_id, f.codes, f.measure) for f in result.findings]
    assert sum(found.values()) == len(expected)
