"""Each kind of planted defect is found exactly: nothing missed, nothing extra, with the right area."""

from collections import Counter

import pytest
import shapely

from devtools.synthetic import DEFECT_KINDS, generate_city, plant_defects
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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_all_defects_together(seed):
    city = generate_city(2500, seed=100 + seed, wiggle=seed + 1)
    data, planted = plant_defects(city, DEFECT_KINDS, seed=seed)
    result = run_audit(data)
    expected = set().union(*(p.expected for p in planted))
    found = keys(result)
    missed = expected - set(found)
    extra = set(found) - expected
    assert not missed and not extra, (missed, extra)
    assert len(result.findings) == len(expected)


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
