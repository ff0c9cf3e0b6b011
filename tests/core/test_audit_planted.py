"""Each kind of planted defect is found exactly: nothing missed, nothing extra, with the right area."""

from collections import Counter

import pytest
import shapely

from devtools.synthetic import DEFECT_KINDS, defect_plan, generate_city, plant_defects
from plugin.core import capabilities
from plugin.core.audit import run_audit
from plugin.core.findings import Severity


def keys(result):
    return Counter((f.rule_id, f.layer, frozenset(f.codes)) for f in result.findings)


@pytest.fixture(autouse=True, params=capabilities.PATHS)
def geometry_path(request):
    """Every test on both geometry paths: shapely/GEOS's native operations and the shapely 2.0 fallbacks."""
    with capabilities.fallback(request.param == "fallback"):
        yield request.param


@pytest.fixture(scope="module")
def city():
    return generate_city(2000, seed=21)


@pytest.fixture(scope="module")
def realistic_city():
    """Jagged shared edges of ~180 vertices a grid: still an exact coverage."""
    return generate_city(1000, seed=22, detail="realistic")


def test_clean_city_has_no_findings(city):
    assert run_audit(city).findings == []


@pytest.mark.parametrize("kind", DEFECT_KINDS)
def test_each_defect_found_exactly(city, kind):
    data, planted = plant_defects(city, [kind], seed=3)
    result = run_audit(data)
    found = keys(result)
    expected = planted[0].expected
    assert set(found) == set(expected), planted[0].description
    assert all(n == 1 for n in found.values()), found  # one finding per defect, no repeats
    for key, area in planted[0].areas.items():
        finding = next(f for f in result.findings if (f.rule_id, f.layer, frozenset(f.codes)) == key)
        assert finding.unit == "m2"
        assert finding.measure == pytest.approx(area, rel=1e-6)
        assert shapely.area(finding.geometry) == pytest.approx(area, rel=1e-6)


def test_clean_realistic_city_has_no_findings(realistic_city):
    vertices = shapely.get_num_coordinates(realistic_city.grid(3).geometries)
    assert 150 <= vertices.mean() <= 220
    assert capabilities.coverage_is_valid(realistic_city.grid(3).geometries)
    assert run_audit(realistic_city).findings == []


@pytest.mark.parametrize("kind", DEFECT_KINDS)
def test_each_defect_found_exactly_at_realistic_detail(realistic_city, kind):
    data, planted = plant_defects(realistic_city, [kind], seed=4)
    result = run_audit(data)
    found = keys(result)
    assert set(found) == set(planted[0].expected), planted[0].description
    assert all(n == 1 for n in found.values()), found
    for key, area in planted[0].areas.items():
        finding = next(f for f in result.findings if (f.rule_id, f.layer, frozenset(f.codes)) == key)
        assert finding.measure == pytest.approx(area, rel=1e-6)


@pytest.mark.parametrize(
    "seed, detail",
    [(0, "simple"), (1, "simple"), (2, "simple"), (3, "realistic")],
)
def test_all_defects_together(seed, detail):
    wiggle = None if detail == "realistic" else seed + 1
    city = generate_city(2500, seed=100 + seed, wiggle=wiggle, detail=detail)
    data, planted = plant_defects(city, DEFECT_KINDS, seed=seed)
    result = run_audit(data)
    expected = set().union(*(p.expected for p in planted))
    found = keys(result)
    missed = expected - set(found)
    extra = set(found) - expected
    assert not missed and not extra, (missed, extra)
    assert len(result.findings) == len(expected)


@pytest.mark.parametrize("detail", ["simple", "realistic"])
def test_one_defect_per_120_grids_found_exactly(detail):
    """As in `make bench`: about one defect per 120 grids, each kind many times, each found exactly once."""
    city = generate_city(4000, seed=40, detail=detail)
    data, planted = plant_defects(city, defect_plan(4000), seed=6, skip_unplaced=True)
    assert len(planted) >= 30
    expected = Counter(k for p in planted for k in p.expected)
    assert keys(run_audit(data)) == expected


def test_contains_and_duplicate_name_both_grids(city):
    data, _planted = plant_defects(city, ["contains", "duplicate"], seed=8)
    result = run_audit(data)
    contains = next(f for f in result.findings if f.rule_id == "overlap.contains")
    duplicate = next(f for f in result.findings if f.rule_id == "overlap.duplicate")
    assert len(contains.fids) == 2 and len(duplicate.fids) == 2
    assert contains.severity is Severity.ERROR
    inner_code = contains.codes[1]  # outer first, inner second
    assert inner_code in contains.message_zh and "之内" in contains.message_zh


def test_notches_are_marked_as_opening_onto_the_parent_boundary(city):
    data, _ = plant_defects(city, ["notch", "notch_edge", "gap"], seed=5)
    result = run_audit(data)
    gaps = [f for f in result.findings if f.rule_id == "gap"]
    assert len(gaps) == 3
    assert sorted(f.extra["on_parent_boundary"] for f in gaps) == [False, True, True]
    assert all("平方米" in f.message_zh and "m²" in f.message_en for f in gaps)


def test_invalid_geometry_reports_the_geos_location(city):
    data, _planted = plant_defects(city, ["bowtie"], seed=1)
    finding = run_audit(data).findings[0]
    assert finding.rule_id == "geom.invalid"
    assert finding.location is not None
    assert "Self-intersection" in finding.extra["reason"]
    assert shapely.distance(shapely.Point(finding.location), finding.geometry) < 1e-6


def test_every_finding_has_a_location_and_bilingual_message(city):
    data, _ = plant_defects(city, DEFECT_KINDS, seed=9)
    for f in run_audit(data).findings:
        assert f.message_zh and f.message_en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.message_zh)
        if f.geometry is not None:
            assert f.location is not None
