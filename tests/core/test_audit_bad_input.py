"""Bad input gives findings, never a crash: null, empty and invalid geometries, wrong geometry types,
empty or missing layers, odd attribute values, a bad county boundary or code rule."""

import numpy as np
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon

from devtools.synthetic import L1, L2, L3, LD, generate_city
from plugin.core import schema
from plugin.core.audit import run_audit
from plugin.core.model import GridArray, WorkspaceData


@pytest.fixture()
def city():
    return generate_city(150, seed=4, dedicated_share=0.5)


def rules(result):
    return sorted((f.rule_id, f.layer) for f in result.findings)


def replace(city, layer, i, geom):
    city.grids[layer].geometries[i] = geom
    return city


@pytest.mark.parametrize(
    ("geom", "rule"),
    [
        (None, "geom.null"),
        (Polygon(), "geom.null"),
        (MultiPolygon(), "geom.null"),
        (LineString([(36_500_000, 3_600_000), (36_500_100, 3_600_100)]), "geom.type"),
        (Point(36_500_000, 3_600_000), "geom.type"),
        (GeometryCollection([Point(0, 0)]), "geom.type"),
    ],
)
def test_unusable_level3_geometry_is_reported_with_the_gap_it_leaves(city, geom, rule):
    code, parent = city.grids[L3].codes[0], city.grids[L3].parent_codes[0]
    result = run_audit(replace(city, L3, 0, geom))
    assert rules(result) == [("gap", L2), (rule, L3)]
    gap = next(f for f in result.findings if f.rule_id == "gap")
    assert gap.codes == (parent,)
    assert next(f for f in result.findings if f.rule_id == rule).codes == (code,)


def test_polygon_wrapped_in_a_collection_is_a_type_error(city):
    geom = GeometryCollection([city.grids[L3].geometries[0]])
    assert ("geom.type", L3) in rules(run_audit(replace(city, L3, 0, geom)))


def test_invalid_grid_mutes_gaps_next_to_it(city):
    g = city.grids[L3].geometries[0]
    x0, y0, x1, y1 = g.bounds
    bow = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    result = run_audit(replace(city, L3, 0, bow))
    assert rules(result) == [("geom.invalid", L3)]
    assert result.findings[0].location is not None


def test_invalid_parent_skips_its_children(city):
    g = city.grids[L2].geometries[0]
    x0, y0, x1, y1 = g.bounds
    result = run_audit(replace(city, L2, 0, Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])))
    assert rules(result) == [("geom.invalid", L2)]


def test_nan_coordinates(city):
    ring = np.asarray(city.grids[L3].geometries[0].exterior.coords)
    ring[1] = np.nan
    with np.errstate(invalid="ignore"):
        bad = Polygon(ring)
    result = run_audit(replace(city, L3, 0, bad))
    assert ("geom.invalid", L3) in rules(result)


def test_missing_and_empty_layers(city):
    for drop, expected in (
        (L1, {("layer.empty", L1), ("layer.parent_missing", L2), ("layer.parent_missing", LD)}),
        (L2, {("layer.empty", L2), ("layer.parent_missing", L3)}),
        (L3, {("layer.empty", L3)}),
        (LD, set()),
    ):
        grids = {k: v for k, v in city.grids.items() if k != drop}
        data = WorkspaceData(city.info, grids, city.county_boundary, divisions=city.divisions)
        assert set(rules(run_audit(data))) == expected, drop
        grids[drop] = GridArray.empty(drop, schema.LAYER_BY_NAME[drop].level)
        assert set(rules(run_audit(data))) == expected, drop


def test_nothing_at_all():
    info = schema.WorkspaceInfo("610902", "汉滨区", "EPSG:4524")
    result = run_audit(WorkspaceData(info, {}))
    assert rules(result) == [("layer.empty", L1)]


def test_all_retired(city):
    for g in city.grids.values():
        g.attributes["status"] = np.full(len(g), "retired", dtype=object)
    assert set(rules(run_audit(city))) == {("layer.empty", L1)}


def test_odd_attribute_values(city):
    g = city.grids[L3]
    g.attributes["status"] = np.array([None, 3, "Active", "RETIRED "] + ["active"] * (len(g) - 4), dtype=object)
    g.parent_codes[5] = 12345  # not a string
    g.codes[6] = 678  # not a string
    result = run_audit(city)
    got = rules(result)
    assert ("parent.unknown", L3) in got
    assert ("code.missing", L3) in got or ("code.malformed", L3) in got
    assert ("gap", L2) in got  # the retired grid leaves a gap


def test_bad_county_boundary(city):
    city.county_boundary = LineString([(0, 0), (1, 1)])
    assert rules(run_audit(city)) == [("county.invalid", "county_boundary")]
    x0, y0, x1, y1 = shapely.bounds(city.grids[L1].geometries).T
    bow = Polygon([(x0.min(), y0.min()), (x1.max(), y1.max()), (x1.max(), y0.min()), (x0.min(), y1.max())])
    city.county_boundary = bow
    result = run_audit(city)
    assert ("county.invalid", "county_boundary") in rules(result)
    city.county_boundary = None
    assert rules(run_audit(city)) == [("county.missing", "county_boundary")]


def test_unparseable_code_rule(city):
    city.info.code_rule = "whatever"
    assert rules(run_audit(city)) == [("code.rule", "workspace_info")]


def test_duplicate_parent_codes(city):
    l2, l3 = city.grids[L2], city.grids[L3]
    old = l2.codes[1]
    l2.codes[1] = l2.codes[0]  # two sections with one code: children of either lie in "their" parent
    l3.parent_codes[l3.parent_codes == old] = l2.codes[0]
    result = run_audit(city)
    got = rules(result)
    assert ("code.duplicate", L2) in got
    assert not [r for r in got if r[0].startswith("parent.")]
