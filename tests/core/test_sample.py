"""The embedded Hanbin sample: real codes, exact nesting, consistent households, planted defects.

The checks on planted defects are a small independent audit: every defect of each kind found in the
data must be one of the planted ones, and every planted one must show in the data.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
import shapely

from plugin.core import capabilities, reference, schema
from plugin.core.sample import DEFAULT_SEED, PLANTED_KINDS, SPECIAL_KINDS, build_sample, chinese_number

L1, L2, L3, LD = (layer.name for layer in schema.GRID_LAYERS)
GEOMETRY_KINDS = {"overlap", "sliver_overlap", "gap", "notch_gap", "invalid_geometry"}
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0915-\d{7}$")
TEST_DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def built():
    start = time.perf_counter()
    result = build_sample()
    result.stats["wall_seconds"] = time.perf_counter() - start
    return result


@pytest.fixture(scope="module")
def data(built):
    return built.data


def _planted(built, *kinds):
    return [p for p in built.planted if p.kind in kinds]


def _planted_codes(built, *kinds) -> set[str]:
    return {c for p in _planted(built, *kinds) for c in p.codes}


def _geometry_planted_fids(built) -> set[int]:
    return {f for p in built.planted if p.kind in GEOMETRY_KINDS for f in p.fids}


def digest(result) -> str:
    h = hashlib.sha256()

    def put(values):
        for v in values:
            h.update(repr(v.item() if isinstance(v, np.generic) else v).encode())

    data = result.data
    for name in sorted(data.grids):
        g = data.grids[name]
        put(g.fids)
        put(g.codes)
        put(g.parent_codes)
        put(g.names)
        for geom in g.geometries:
            h.update(shapely.to_wkb(geom))
        for key in sorted(g.attributes):
            put(g.attributes[key])
    hh = data.households
    h.update(shapely.to_wkb(shapely.multipoints(hh.points)))
    for key in sorted(hh.attributes):
        put(hh.attributes[key])
    h.update(shapely.to_wkb(data.county_boundary))
    for row in data.staff:
        put(sorted(row.items()))
    put(result.planted)
    put(result.special)
    put(data.info.to_rows())
    return h.hexdigest()


# ---------------------------------------------------------------- reference data


def test_reference_loaders():
    counties = reference.list_counties()
    assert len(counties) == 10
    assert ("610902", "汉滨区") in counties and ("610981", "旬阳市") in counties
    divisions = reference.load_divisions("610902")
    assert len(divisions) == 529
    assert set(divisions[0]) == set(schema.DIVISIONS.field_names)
    assert len({d["town_code"] for d in divisions}) == 28
    assert len(reference.load_divisions("610928")) == len(reference.load_divisions("610981")) == 309
    assert sum(len(reference.load_divisions(code)) for code, _ in counties) == 1924
    boundary = reference.load_county_boundary_wgs84("610902")
    assert boundary.is_valid and 108.4 < boundary.bounds[0] < boundary.bounds[2] < 109.5
    assert reference.county_name("610928") == "旬阳市"
    gcj = TEST_DATA / "ankang_counties_gcj02.geojson"
    assert gcj.is_file()


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十三",
        "九十九",
    ]


# ---------------------------------------------------------------- determinism and contract


def test_deterministic(built):
    again = build_sample(DEFAULT_SEED)
    assert digest(again) == digest(built)


def test_build_size(built):
    # the build time is a figure of `make bench`, never a test's assertion
    assert built.stats["wall_seconds"] > 0
    assert 150_000 <= built.stats["households"] <= 400_000


def test_info_and_layers(data):
    assert data.info.county_code == "610902"
    assert data.info.county_name == "汉滨区"
    assert data.info.crs == "EPSG:4524"
    assert data.info.code_rule == "village12+2+3"
    assert set(data.grids) == {L1, L2, L3, LD}
    columns = {"code", "parent_code", "name", "level"}
    for layer in schema.GRID_LAYERS:
        grid = data.grids[layer.name]
        assert grid.level == layer.level
        assert set(grid.attributes) == {f.name for f in schema.GRID_FIELDS} - columns
        for f in schema.GRID_FIELDS:
            if f.options and f.name in grid.attributes:
                values = {v for v in grid.attributes[f.name].tolist() if v is not None}
                assert values <= set(f.option_keys()), (layer.name, f.name, values)
        assert all(re.match(r"^\d{4}-\d{2}-\d{2}$", v) for v in grid.attributes["valid_from"])
        assert np.all(grid.fids == np.arange(1, len(grid) + 1))
    assert set(data.households.attributes) == set(schema.HOUSEHOLDS.field_names)
    assert all(set(row) == set(schema.STAFF.field_names) for row in data.staff)
    assert len(data.divisions) == 529


def test_geometries_in_zone_36(data):
    minx, miny, maxx, maxy = data.county_boundary.bounds
    assert 36.5e6 < minx < maxx < 36.7e6
    assert 3.55e6 < miny < maxy < 3.72e6
    # Ankang's old city, 109.03E 32.69N, lies in 老城街道 (610902001)
    x, y = reference.transform_xy([109.03], [32.686], "EPSG:4524")
    l1 = data.grids[L1]
    hit = l1.codes[shapely.contains_xy(l1.geometries, x[0], y[0])]
    assert len(hit) == 1 and hit[0].startswith("610902001")


# ---------------------------------------------------------------- level 1: real villages


def test_level1_real_codes_and_names(data):
    l1 = data.grids[L1]
    divisions = reference.load_divisions("610902")
    assert len(l1) == 529
    assert l1.codes.tolist() == [d["code"] for d in divisions]
    assert l1.names.tolist() == [d["name"] for d in divisions]
    assert l1.parent_codes.tolist() == [d["town_code"] for d in divisions]
    for i, d in enumerate(divisions):
        expected = "urban" if d["ur_code"].startswith("1") else "rural"
        if not d["ur_code"]:
            expected = "urban" if d["town_name"].endswith("街道") else "rural"
        assert l1.attributes["area_class"][i] == expected
    assert all(g.geom_type == "Polygon" and g.is_valid for g in l1.geometries)


def test_level1_union_is_the_county(data):
    l1 = data.grids[L1]
    assert capabilities.coverage_is_valid(l1.geometries)
    union = capabilities.coverage_union(l1.geometries)
    assert shapely.equals_exact(shapely.normalize(union), shapely.normalize(data.county_boundary), 0.0)
    projected = reference.transform_geometry(reference.load_county_boundary_wgs84("610902"), "EPSG:4524")
    assert abs(l1.areas().sum() - projected.area) / projected.area < 1e-9
    assert shapely.symmetric_difference(union, projected).area / projected.area < 1e-9
    assert 3.60e9 < projected.area < 3.70e9  # Hanbin is about 3,645 km²


def test_townships_tile_the_county(data):
    l1 = data.grids[L1]
    towns = sorted(set(l1.parent_codes.tolist()))
    assert len(towns) == 28
    regions = [capabilities.coverage_union(l1.geometries[l1.parent_codes == t]) for t in towns]
    assert capabilities.coverage_is_valid(np.array(regions, dtype=object))
    assert all(r.geom_type == "Polygon" for r in regions)
    area = {t: r.area / 1e6 for t, r in zip(towns, regions)}
    streets = [t for t in towns if t < "610902100"]
    assert len(streets) == 4
    assert max(area[t] for t in streets[:3]) < 60  # 老城, 新城, 江北: small
    assert area["610902001"] < 10
    assert min(area[t] for t in towns if t >= "610902100") > 10


def test_village_sizes_plausible(data):
    l1 = data.grids[L1]
    km2 = l1.areas() / 1e6
    urban = l1.attributes["area_class"] == "urban"
    core = np.array([d["ur_code"] == "111" for d in data.divisions])
    assert 0.3 <= np.median(km2[core]) <= 1.0
    assert 0.5 <= np.median(km2[urban]) <= 2.0
    assert np.mean((km2[urban] >= 0.25) & (km2[urban] <= 2.5)) > 0.9
    assert 5 <= np.median(km2[~urban]) <= 20
    assert np.mean((km2[~urban] >= 3) & (km2[~urban] <= 20)) > 0.95
    # organic, not square: many vertices, no region is a rectangle
    assert np.median(shapely.get_num_coordinates(l1.geometries)) > 30


# ---------------------------------------------------------------- levels 2 and 3


def test_level2_and_level3_codes(built, data):
    l1, l2, l3 = data.grids[L1], data.grids[L2], data.grids[L3]
    per_village = Counter(c[:12] for c in l2.codes)
    assert set(per_village) == set(l1.codes) and min(per_village.values()) >= 2 and max(per_village.values()) <= 4
    assert all(re.match(r"^\d{14}$", c) for c in l2.codes)
    assert l2.parent_codes.tolist() == [c[:12] for c in l2.codes]
    for code, name in zip(l2.codes, l2.names):
        assert name == f"{chinese_number(int(code[12:]))}片区"
    bad = {c for c in l3.codes if not re.match(r"^\d{17}$", c)}
    assert bad == _planted_codes(built, "malformed_code")
    dup = {c for c, n in Counter(l3.codes.tolist()).items() if n > 1}
    assert dup == _planted_codes(built, "duplicate_code")
    wrong = {c for c, p in zip(l3.codes, l3.parent_codes) if c[:14] != p}
    assert wrong == {p.codes[0] for p in _planted(built, "wrong_parent")}
    assert set(l3.parent_codes) <= set(l2.codes)
    rural = l3.attributes["settlement_type"] == "villager_group"
    assert all(re.match(r"^[一二三四五六七八九十]+组$", n) for n in l3.names[rural])
    assert len(l2) > 1000 and len(l3) > 4000


def _children_cover(parent, children) -> None:
    assert capabilities.coverage_is_valid(children)
    area = shapely.area(children).sum()
    assert abs(area - parent.area) <= 1e-9 * parent.area
    union = capabilities.coverage_union(children)
    assert shapely.symmetric_difference(union, parent).area <= 1e-6 * parent.area


def test_level2_partitions_level1_exactly(data):
    l1, l2 = data.grids[L1], data.grids[L2]
    by_village = defaultdict(list)
    for i, c in enumerate(l2.codes):
        by_village[c[:12]].append(i)
    for i, code in enumerate(l1.codes):
        _children_cover(l1.geometries[i], l2.geometries[by_village[code]])
    assert capabilities.coverage_is_valid(l2.geometries)
    assert all(g.geom_type == "Polygon" for g in l2.geometries)


def test_level3_partitions_level2_exactly_where_unplanted(built, data):
    l2, l3 = data.grids[L2], data.grids[L3]
    planted_fids = _geometry_planted_fids(built)
    by_section = defaultdict(list)
    for i, c in enumerate(l3.codes):
        by_section[c[:14]].append(i)
    checked = 0
    for i, code in enumerate(l2.codes):
        rows = by_section[code]
        if any(int(l3.fids[r]) in planted_fids for r in rows):
            continue
        _children_cover(l2.geometries[i], l3.geometries[rows])
        checked += 1
    assert checked >= len(l2) - len(GEOMETRY_KINDS) - 2
    clean = ~np.isin(l3.fids, list(planted_fids))
    assert capabilities.coverage_is_valid(l3.geometries[clean])


def test_no_holes_or_multipart_grids(built, data):
    """No grid encloses another (an audit warns about holes): every grid is a Polygon with no interior ring."""
    planted = _geometry_planted_fids(built)
    for name in (L1, L2, L3, LD):
        grid = data.grids[name]
        for fid, g in zip(grid.fids, grid.geometries):
            if name == L3 and int(fid) in planted:
                continue
            assert g.geom_type == "Polygon" and len(g.interiors) == 0, (name, int(fid))


def test_level3_types_and_classes(data):
    l3 = data.grids[L3]
    kinds = Counter(l3.attributes["settlement_type"].tolist())
    assert set(kinds) == {"villager_group", "street", "compound", "high_rise", "relocation_site"}
    assert kinds["relocation_site"] == 5
    rural = l3.attributes["area_class"] == "rural"
    assert set(l3.attributes["settlement_type"][rural]) <= {"villager_group", "relocation_site"}
    assert "villager_group" not in set(l3.attributes["settlement_type"][~rural])


# ---------------------------------------------------------------- dedicated grids


def test_dedicated_grids(built, data):
    ld, l1 = data.grids[LD], data.grids[L1]
    assert 5 <= len(ld) <= 12
    assert set(ld.attributes["kind"]) == {"dedicated"}
    assert {"school", "hospital", "factory", "market", "station"} <= set(ld.attributes["dedicated_type"])
    assert all(90 <= int(c[12:]) <= 99 and len(c) == 14 for c in ld.codes)
    assert ld.parent_codes.tolist() == [c[:12] for c in ld.codes]
    assert len(set(ld.codes)) == len(ld)
    assert capabilities.coverage_is_valid(ld.geometries)  # no overlaps among dedicated grids
    crossing = set()
    for i, g in enumerate(ld.geometries):
        inside = l1.codes[shapely.contains(l1.geometries, g)]
        if len(inside) != 1:
            crossing.add(ld.codes[i])
        else:
            assert inside[0] == ld.parent_codes[i]
    assert crossing == {p.codes[0] for p in _planted(built, "dedicated_crosses_level1")}
    # dedicated grids may overlap level 3 grids (that is normal)
    l3 = data.grids[L3]
    assert any(shapely.intersects(shapely.make_valid(l3.geometries), g).sum() > 1 for g in ld.geometries)


# ---------------------------------------------------------------- households


def test_household_points_match_attributes(built, data):
    hh, l3 = data.households, data.grids[L3]
    n = len(hh)
    assert n == built.stats["households"] == l3.attributes["households"].sum()
    assert np.all(hh.fids == np.arange(1, n + 1))
    persons = hh.attributes["persons"]
    assert persons.min() >= 1 and persons.max() <= 6
    assert not np.any(hh.attributes["relocated"] & hh.attributes["absent"])
    assert len(set(hh.attributes["household_no"])) == n
    # spatial join: every point in exactly one level 3 grid (invalid ones made valid), none in a dedicated grid
    geoms = shapely.make_valid(l3.geometries)
    tree = shapely.STRtree(geoms)
    pi, gi = tree.query(hh.points, predicate="within")
    assert len(pi) == n and len(np.unique(pi)) == n
    counts = np.bincount(gi, minlength=len(l3))
    assert np.array_equal(counts, l3.attributes["households"])
    assert np.all(l3.codes[gi] == hh.attributes["grid_code"][pi])
    pop = np.bincount(gi, weights=persons[pi], minlength=len(l3))
    assert np.array_equal(pop.astype(np.int64), l3.attributes["population"])
    flag = (hh.attributes["relocated"] | hh.attributes["absent"])[pi]
    assert np.array_equal(
        np.bincount(gi, weights=flag, minlength=len(l3)).astype(np.int64), l3.attributes["relocated_households"]
    )
    dedicated = data.grids[LD]
    assert not shapely.STRtree(dedicated.geometries).query(hh.points, predicate="within").size
    assert np.all(dedicated.attributes["households"] == 0)


def test_households_roll_up(data):
    l1, l2, l3 = data.grids[L1], data.grids[L2], data.grids[L3]
    for key in ("households", "population", "relocated_households"):
        s2 = defaultdict(int)
        for c, v in zip(l3.codes, l3.attributes[key]):
            s2[c[:14]] += int(v)
        assert [s2[c] for c in l2.codes] == l2.attributes[key].tolist()
        s1 = defaultdict(int)
        for c, v in zip(l2.codes, l2.attributes[key]):
            s1[c[:12]] += int(v)
        assert [s1[c] for c in l1.codes] == l1.attributes[key].tolist()
    # level 2 and 1 counts equal the points inside them
    hh = data.households
    for grid in (l1, l2):
        _, gi = shapely.STRtree(grid.geometries).query(hh.points, predicate="within")
        assert np.array_equal(np.bincount(gi, minlength=len(grid)), grid.attributes["households"])


def test_household_sizes_realistic(data):
    l3 = data.grids[L3]
    n = l3.attributes["households"]
    kind = l3.attributes["settlement_type"]
    assert np.mean((n >= 30) & (n <= 80)) > 0.75
    rural = kind == "villager_group"
    assert 35 <= np.median(n[rural]) <= 45
    urban = np.isin(kind, ["street", "compound"])
    assert 55 <= np.median(n[urban]) <= 75
    assert np.all((n[kind == "high_rise"] >= 100) & (n[kind == "high_rise"] <= 200))
    assert (n < 20).sum() >= 1
    share = l3.attributes["relocated_households"] / n
    assert 1 <= np.sum(rural & (share > 0.3)) <= 2


# ---------------------------------------------------------------- staff


def test_staff(built, data):
    staff = data.staff
    heads = Counter(r["grid_code"] for r in staff if r["role"] == "grid_head")
    admins = Counter(r["grid_code"] for r in staff if r["role"] == "grid_admin")
    no_head = set()
    for name in (L1, L2, L3, LD):
        no_head |= {c for c in data.grids[name].codes if heads[c] == 0}
    assert no_head == _planted_codes(built, "missing_grid_head")
    assert {c for c in data.grids[L1].codes if admins[c] == 0} == _planted_codes(built, "missing_grid_admin")
    assert set(admins) <= set(data.grids[L1].codes)
    bad = {r["grid_code"] for r in staff if not MOBILE.match(r["phone"])}
    assert bad == _planted_codes(built, "bad_phone")
    assert all(LANDLINE.match(r["supervision_phone"]) for r in staff)
    assert all(r["name"] and 2 <= len(r["name"]) <= 3 and r["duties"] and r["position"] for r in staff)
    ded = set(data.grids[LD].codes)
    for r in staff:
        assert r["safety_officer"] == (r["grid_code"] in ded), r
        assert r["role"] in schema.STAFF.field("role").option_keys()
    assert len({r["phone"] for r in staff}) > 0.99 * len(staff)


# ---------------------------------------------------------------- planted defects


def test_planted_kinds_documented(built):
    kinds = Counter(p.kind for p in built.planted)
    assert set(kinds) <= set(PLANTED_KINDS)
    assert {p.kind for p in built.special} == set(SPECIAL_KINDS)
    for kind in (
        "overlap",
        "sliver_overlap",
        "gap",
        "notch_gap",
        "invalid_geometry",
        "wrong_parent",
        "duplicate_code",
        "malformed_code",
        "dedicated_crosses_level1",
        "small_rural_group",
        "missing_grid_head",
        "bad_phone",
    ):
        assert kinds[kind] >= 1, kind
    for p in built.planted:
        assert p.layer in {L1, L2, L3, LD, schema.STAFF.name} and p.codes and p.description
    # geometric defects on level 3 do not share a level 2 grid
    sections = [c[:14] for p in _planted(built, *GEOMETRY_KINDS) for c in p.codes[:1]]
    assert len(sections) == len(set(sections))


def test_planted_fids_point_at_their_codes(built, data):
    for p in built.planted + built.special:
        if p.layer == schema.STAFF.name:
            assert data.staff[p.fids[0] - 1]["grid_code"] == p.codes[0]
            continue
        grid = data.grids[p.layer]
        for fid in p.fids:
            assert grid.codes[fid - 1] in p.codes


def test_only_planted_grids_are_invalid(built, data):
    l3 = data.grids[L3]
    invalid = {int(f) for f, g in zip(l3.fids, l3.geometries) if not g.is_valid}
    assert invalid == {f for p in _planted(built, "invalid_geometry") for f in p.fids}
    for p in _planted(built, "invalid_geometry"):
        reason = shapely.is_valid_reason(l3.geometries[p.fids[0] - 1])
        assert reason.startswith("Self-intersection")
        x, y = (float(v) for v in re.findall(r"[-\d.]+", reason.split("[")[1]))
        assert abs(x - p.location[0]) < 1e-3 and abs(y - p.location[1]) < 1e-3
    for name in (L1, L2, LD):
        assert all(data.grids[name].geometries[i].is_valid for i in range(len(data.grids[name])))


def test_only_planted_overlaps(built, data):
    l3 = data.grids[L3]
    valid = shapely.is_valid(l3.geometries)
    geoms = l3.geometries
    tree = shapely.STRtree(geoms[valid])
    idx = np.flatnonzero(valid)
    a, b = tree.query(geoms[valid], predicate="intersects")
    keep = a < b
    a, b = idx[a[keep]], idx[b[keep]]
    area = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    found = {tuple(sorted((int(l3.fids[i]), int(l3.fids[j])))) for i, j, ar in zip(a, b, area) if ar > 1e-6}
    planted = {tuple(sorted(p.fids)) for p in _planted(built, "overlap", "sliver_overlap")}
    assert found == planted
    for p in _planted(built, "overlap", "sliver_overlap"):
        i, j = (f - 1 for f in p.fids)
        assert shapely.intersection(geoms[i], geoms[j]).area == pytest.approx(p.measure, rel=1e-9)
    sliver = _planted(built, "sliver_overlap")[0]
    assert sliver.measure < 200  # sub-metre wide, tens of m²


def test_only_planted_gaps(built, data):
    l2, l3 = data.grids[L2], data.grids[L3]
    invalid_sections = {l3.codes[f - 1][:14] for p in _planted(built, "invalid_geometry") for f in p.fids}
    by_section = defaultdict(list)
    for i, c in enumerate(l3.codes):
        by_section[c[:14]].append(i)
    found = {}
    for i, code in enumerate(l2.codes):
        if code in invalid_sections:
            continue
        union = shapely.union_all(l3.geometries[by_section[code]])
        gap = shapely.difference(l2.geometries[i], union)
        if gap.area > 1e-3:
            touches_edge = shapely.intersects(gap, l2.geometries[i].boundary) and (
                shapely.intersection(gap.boundary, l2.geometries[i].boundary).length > 1e-3
            )
            found[code] = ("notch_gap" if touches_edge else "gap", gap.area)
    planted = {p.codes[1]: (p.kind, p.measure) for p in _planted(built, "gap", "notch_gap")}
    assert set(found) == set(planted)
    for code, (kind, area) in found.items():
        assert kind == planted[code][0]
        assert area == pytest.approx(planted[code][1], rel=1e-9)


def test_wrong_parent_is_spatially_elsewhere(built, data):
    l2, l3 = data.grids[L2], data.grids[L3]
    for p in _planted(built, "wrong_parent"):
        g = l3.geometries[p.fids[0] - 1]
        declared = l2.geometries[list(l2.codes).index(l3.parent_codes[p.fids[0] - 1])]
        actual = l2.geometries[list(l2.codes).index(p.codes[2])]
        assert not shapely.intersection(g, declared).area and shapely.contains(actual, g)


def test_only_planted_size_problems(built, data):
    l3 = data.grids[L3]
    n = l3.attributes["households"]
    kind = l3.attributes["settlement_type"]
    share = l3.attributes["relocated_households"] / n
    codes = l3.codes
    rural = kind == "villager_group"
    assert set(codes[rural & (n < 20)]) == _planted_codes(built, "small_rural_group")
    too_big = rural & (n > 50)
    assert set(codes[too_big & (share <= 0.3)]) == _planted_codes(built, "large_rural_group")
    assert set(codes[too_big & (share > 0.3)]) == {
        c for p in built.special if p.kind == "allowed_large_group" for c in p.codes
    }
    assert set(codes[rural & (share > 0.3)]) <= set(codes[too_big])
    urban = np.isin(kind, ["street", "compound"])
    assert set(codes[urban & (n > 100)]) == _planted_codes(built, "large_urban_grid")
    assert set(codes[urban & (n < 50)]) == set()
    site = kind == "relocation_site"
    assert set(codes[site & (n < 40)]) == _planted_codes(built, "small_relocation_site")
    assert set(codes[site & (n > 40)]) == {
        c for p in built.special if p.kind == "relocation_site_own_grid" for c in p.codes
    }
