"""The audit's memory bounds: the shared-edge sketches and left-over edge boxes computed in batches, the county's
union of level 1 in bands. Batches as small as a few grids must give exactly the results of one batch (the
large cities of the bench use them; the small cities of the tests would not reach the real sizes)."""

import numpy as np
import pytest
import shapely

from devtools.synthetic import DEFECT_KINDS, generate_city, plant_defects
from plugin.core import capabilities
from plugin.core.audit import chains, county
from plugin.core.workspace_audit import audit_workspace


@pytest.fixture(scope="module")
def planted():
    city = generate_city(1200, seed=21, counties=2)
    data, _ = plant_defects(city, DEFECT_KINDS, seed=21, skip_unplaced=True)
    return data


def _rows(result):
    return [(f.rule_id, f.layer, f.codes, f.fids, None if f.measure is None else round(f.measure, 6)) for f in result]


def test_small_batches_and_bands_find_the_same(planted, monkeypatch):
    whole = audit_workspace(planted, workers=1).findings
    monkeypatch.setattr(chains, "_CHUNK_VERTICES", 200)
    monkeypatch.setattr(county, "_BAND_VERTICES", 500)
    batched = audit_workspace(planted, workers=1).findings
    assert _rows(batched) == _rows(whole)
    assert any(f.rule_id == "county.gap" for f in whole)  # the county's union was taken


def test_residual_boxes_in_batches(planted, monkeypatch):
    parents, children = planted.grid(2).geometries, planted.grid(3).geometries
    index = {c: i for i, c in enumerate(planted.grid(2).codes)}
    group = np.array([index.get(p, -1) for p in planted.grid(3).parent_codes])
    keep = group >= 0
    one = chains.residual_boxes(parents, children[keep], group[keep])
    monkeypatch.setattr(chains, "_CHUNK_VERTICES", 100)
    many = chains.residual_boxes(parents, children[keep], group[keep])
    np.testing.assert_array_equal(one, many)
    assert np.isnan(one[:, 0]).sum() > 0 and (~np.isnan(one[:, 0])).sum() > 0  # both kinds of parent


def test_county_union_in_bands(monkeypatch):
    villages = generate_city(1500, seed=5).grid(1).geometries
    whole = capabilities.coverage_union(villages)
    monkeypatch.setattr(county, "_BAND_VERTICES", 300)
    banded = county._coverage_union(villages)
    assert shapely.equals(banded, whole)
    assert abs(shapely.area(banded) - shapely.area(whole)) <= 1e-9 * shapely.area(whole)
    assert (
        shapely.is_empty(shapely.symmetric_difference(banded, whole))
        or shapely.area(shapely.symmetric_difference(banded, whole)) < 1e-6
    )
