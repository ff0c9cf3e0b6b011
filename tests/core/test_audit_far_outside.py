"""A grid far outside the county (a wrong CRS, a coordinate typed 1e15) is a finding of its own."""

import numpy as np
import pytest
import shapely

from devtools.synthetic import L1, L3, generate_city
from plugin.core.audit import run_audit


@pytest.fixture()
def city():
    return generate_city(60, seed=4)


@pytest.mark.parametrize("dx", [1e15, 5e6, -1e9])
def test_far_outside_grid_is_reported_with_its_distance(city, dx):
    grid = city.grids[L3]
    code = grid.codes[3]
    grid.geometries[3] = shapely.affinity.translate(grid.geometries[3], xoff=dx)
    result = run_audit(city)
    far = [f for f in result.findings if f.rule_id == "county.far_outside"]
    assert [f.codes for f in far] == [(code,)]
    assert far[0].measure == pytest.approx(abs(dx), rel=0.01)
    assert far[0].severity.value == "error" and "far outside the county" in far[0].message_en


def test_non_finite_coordinates_are_reported(city):
    grid = city.grids[L1]
    ring = np.array(shapely.get_coordinates(grid.geometries[0]))
    ring[1, 0] = np.inf
    grid.geometries[0] = shapely.polygons(ring)
    result = run_audit(city)
    bad = [f for f in result.findings if "not finite" in f.message_en]
    assert [(f.rule_id, f.codes) for f in bad] == [("geom.invalid", (grid.codes[0],))]


def test_grids_in_place_give_no_far_outside_finding(city):
    assert not [f for f in run_audit(city).findings if f.rule_id == "county.far_outside"]
