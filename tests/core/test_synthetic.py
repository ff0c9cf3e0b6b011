"""The synthetic city: exact nesting, valid coverages, valid codes, determinism, planted defects."""

import numpy as np
import pytest
import shapely

from devtools.synthetic import (
    COUNTY_CODES,
    DEFECT_KINDS,
    L1,
    L2,
    L3,
    LD,
    defect_plan,
    generate_city,
    load_city,
    plant_defects,
    save_city,
)
from plugin.core import capabilities
from plugin.core.coderule import CodeRule


@pytest.fixture(scope="module")
def city():
    return generate_city(1500, seed=11)


def test_exact_count_and_layers(city):
    assert len(city.grid(3)) == 1500
    assert len(city.grid(2)) > 200
    assert len(city.grid(1)) >= 25
    assert len(city.grid(0)) >= 1
    assert city.info.crs == "EPSG:4524"
    assert city.info.code_rule == "village12+2+3"


@pytest.mark.parametrize("n", [1, 2, 7, 49, 50, 51, 333])
def test_small_counts_exact(n):
    assert len(generate_city(n, seed=n).grid(3)) == n


def test_gauss_kruger_coordinates(city):
    xy = shapely.get_coordinates(city.grid(3).geometries)
    assert xy[:, 0].min() > 36_400_000 and xy[:, 0].max() < 36_700_000
    assert xy[:, 1].min() > 3_500_000 and xy[:, 1].max() < 3_700_000


def test_every_level_is_a_valid_coverage(city):
    for level in (1, 2, 3):
        geoms = city.grid(level).geometries
        assert shapely.is_valid(geoms).all()
        assert (shapely.get_type_id(geoms) == 3).all()
        assert capabilities.coverage_is_valid(geoms)
    assert shapely.is_valid(city.grid(0).geometries).all()


def test_parents_are_exactly_the_union_of_their_children(city):
    for child_level, parent_level in ((2, 1), (3, 2)):
        child, parent = city.grid(child_level), city.grid(parent_level)
        index = {c: i for i, c in enumerate(parent.codes)}
        named = np.array([index[c] for c in child.parent_codes])
        assert shapely.covers(parent.geometries[named], child.geometries).all()
        sums = np.bincount(named, weights=child.areas(), minlength=len(parent))
        np.testing.assert_allclose(sums, parent.areas(), rtol=1e-12)
        for p in range(0, len(parent), 37):
            union = capabilities.coverage_union(child.geometries[named == p])
            assert shapely.equals(union, parent.geometries[p])


def test_dedicated_grids_lie_inside_their_village(city):
    ded, l1 = city.grid(0), city.grid(1)
    index = {c: i for i, c in enumerate(l1.codes)}
    named = np.array([index[c] for c in ded.parent_codes])
    assert shapely.contains_properly(l1.geometries[named], ded.geometries).all()


def test_codes_follow_the_default_rule(city):
    rule = CodeRule.parse(city.info.code_rule)
    for level in (1, 2, 3, 0):
        g = city.grid(level)
        assert rule.valid_mask(g.codes, level, city.info.county_code).all()
        if level != 1:
            assert all(c.startswith(p) for c, p in zip(g.codes, g.parent_codes))
    every = np.concatenate([city.grid(k).codes for k in (1, 2, 3, 0)])
    assert len(set(every)) == len(every)
    assert {d["code"] for d in city.divisions} == set(city.grid(1).codes)
    assert all(d["town_code"] == d["code"][:9] for d in city.divisions)


def test_county_boundary_is_the_union_of_villages(city):
    assert shapely.equals(city.county_boundary, shapely.union_all(city.grid(1).geometries))


def test_deterministic():
    a, b = generate_city(300, seed=5), generate_city(300, seed=5)
    for level in (1, 2, 3, 0):
        assert list(a.grid(level).codes) == list(b.grid(level).codes)
        assert shapely.equals_exact(a.grid(level).geometries, b.grid(level).geometries, 0).all()
    c = generate_city(300, seed=6)
    assert not shapely.equals_exact(a.grid(3).geometries[:5], c.grid(3).geometries[:5], 0).all()


def test_plant_defects_leaves_the_input_untouched(city):
    before = city.grid(3).geometries.copy()
    data, planted = plant_defects(city, DEFECT_KINDS, seed=2)
    assert [p.kind for p in planted] == list(DEFECT_KINDS)
    assert all(p.expected for p in planted)
    assert shapely.equals_exact(city.grid(3).geometries, before, 0).all()
    assert len(data.grid(3)) != len(city.grid(3)) or not shapely.equals_exact(data.grid(3).geometries, before, 0).all()
    for name in (L1, L2, L3, LD):
        assert len(set(data.grids[name].fids)) == len(data.grids[name])


def test_plant_defects_is_deterministic(city):
    _, a = plant_defects(city, ("gap", "overlap", "contains"), seed=4)
    _, b = plant_defects(city, ("gap", "overlap", "contains"), seed=4)
    assert [p.expected for p in a] == [p.expected for p in b]


def test_plant_defects_refuses_when_there_is_no_room():
    tiny = generate_city(3, seed=1)
    with pytest.raises(ValueError):
        plant_defects(tiny, ("dedicated_split",), seed=0)


@pytest.fixture(scope="module")
def counties_city():
    return generate_city(2400, seed=7, counties=3)


def test_several_counties_have_valid_codes(counties_city):
    city = counties_city
    assert len(city.grid(3)) == 2400
    assert city.info.county_code == "6109"
    rule = CodeRule.parse(city.info.code_rule)
    for level in (1, 2, 3, 0):
        g = city.grid(level)
        assert rule.valid_mask(g.codes, level, city.info.county_code).all()  # the city's prefix
        for county in COUNTY_CODES[:3]:  # and each code valid in its own county
            mine = np.array([str(c).startswith(county) for c in g.codes])
            assert rule.valid_mask(g.codes[mine], level, county).all()
        assert {str(c)[:6] for c in g.codes} <= set(COUNTY_CODES[:3])
        if level != 1:
            assert all(c.startswith(p) for c, p in zip(g.codes, g.parent_codes))
    villages = city.grid(1).codes
    assert {str(c)[:6] for c in villages} == set(COUNTY_CODES[:3])
    every = np.concatenate([city.grid(k).codes for k in (1, 2, 3, 0)])
    assert len(set(every)) == len(every)
    assert {d["code"] for d in city.divisions} == set(villages)
    assert all(d["town_code"] == d["code"][:9] for d in city.divisions)
    # each county numbers its own townships from 001
    for county in COUNTY_CODES[:3]:
        towns = sorted({str(c)[6:9] for c in villages if str(c).startswith(county)})
        assert towns[0] == "001"


def test_several_counties_are_an_exact_coverage(counties_city):
    city = counties_city
    for level in (1, 2, 3):
        geoms = city.grid(level).geometries
        assert shapely.is_valid(geoms).all()
        assert capabilities.coverage_is_valid(geoms)
    for child_level, parent_level in ((2, 1), (3, 2)):
        child, parent = city.grid(child_level), city.grid(parent_level)
        index = {c: i for i, c in enumerate(parent.codes)}
        named = np.array([index[c] for c in child.parent_codes])
        sums = np.bincount(named, weights=child.areas(), minlength=len(parent))
        np.testing.assert_allclose(sums, parent.areas(), rtol=1e-12)
    # each county is one block of columns: its villages' union is one polygon, sharing borders with the next
    l1 = city.grid(1)
    parts = [
        capabilities.coverage_union(l1.geometries[[str(c).startswith(county) for c in l1.codes]])
        for county in COUNTY_CODES[:3]
    ]
    assert all(shapely.get_type_id(p) == 3 for p in parts)
    assert shapely.length(shapely.intersection(parts[0], parts[1])) > 0
    assert shapely.equals(city.county_boundary, shapely.union_all(l1.geometries))
    assert abs(sum(p.area for p in parts) - city.county_boundary.area) < 1e-6 * city.county_boundary.area


def test_one_county_is_unchanged_by_the_counties_option():
    a, b = generate_city(400, seed=9), generate_city(400, seed=9, counties=1)
    assert list(a.grid(3).codes) == list(b.grid(3).codes)
    assert shapely.equals_exact(a.grid(3).geometries, b.grid(3).geometries, 0).all()


def test_too_many_townships_for_one_county_is_refused():
    # about 15,000 villages of two grids: over 999 townships of 15 villages in one county, half as many in two
    with pytest.raises(ValueError, match="more counties"):
        generate_city(30_000, seed=1, per_village=2)
    assert len(generate_city(30_000, seed=1, per_village=2, counties=2).grid(1)) > 999 * 15
    with pytest.raises(ValueError, match="counties"):
        generate_city(50, seed=1, counties=11)


def test_planted_defects_in_several_counties(counties_city):
    data, planted = plant_defects(counties_city, defect_plan(2400, 60), seed=3, skip_unplaced=True)
    assert len(planted) >= len(DEFECT_KINDS)
    rule = CodeRule.parse(data.info.code_rule)
    added = [c for c in data.grid(3).codes if c and c not in set(counties_city.grid(3).codes)]
    assert added and all(str(c)[:6] in COUNTY_CODES[:3] for c in added)
    assert rule.valid_mask(np.array(added, dtype=object), 3, data.info.county_code).sum() >= 1


def test_save_and_load_city(tmp_path, counties_city):
    path = tmp_path / "city.bin"
    save_city(counties_city, path, extra={"planted": 3})
    data, extra = load_city(path)
    assert extra == {"planted": 3}
    assert data.info == counties_city.info
    assert data.divisions == counties_city.divisions
    assert shapely.equals_exact(data.county_boundary, counties_city.county_boundary, 0)
    for level in (1, 2, 3, 0):
        a, b = counties_city.grid(level), data.grid(level)
        assert list(a.codes) == list(b.codes) and list(a.parent_codes) == list(b.parent_codes)
        assert (a.fids == b.fids).all()
        assert shapely.equals_exact(a.geometries, b.geometries, 0).all()
        assert a.attributes.keys() == b.attributes.keys()
