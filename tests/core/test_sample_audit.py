"""The audit on the embedded Hanbin sample finds exactly the defects planted in it: each by its rule, nothing else."""

from __future__ import annotations

import pytest

from plugin.core import capabilities
from plugin.core.sample import build_sample
from plugin.core.workspace_audit import audit_workspace

# planted kind → the rules that must report it (each of them)
EXPECTED_RULES = {
    "overlap": {"overlap"},
    "sliver_overlap": {"overlap"},
    "gap": {"gap"},
    "notch_gap": {"gap"},
    "invalid_geometry": {"geom.invalid"},
    "wrong_parent": {"parent.mismatch", "code.prefix"},
    "duplicate_code": {"code.duplicate"},
    "malformed_code": {"code.malformed"},
    "dedicated_crosses_level1": {"parent.split"},
    "small_rural_group": {"size.rural_merge", "size.rural_range"},
    "large_rural_group": {"size.rural_range"},
    "large_urban_grid": {"size.street_max"},
    "small_relocation_site": {"size.relocation_site"},
    "bad_phone": {"staff.bad_phone"},
    "missing_grid_head": {"staff.no_grid_head"},
    "missing_grid_admin": {"staff.no_grid_admin"},
}


@pytest.fixture(scope="module")
def sample():
    return build_sample()


@pytest.fixture(scope="module", params=capabilities.PATHS)
def audited(request, sample):
    """The sample audited on each geometry path (native shapely/GEOS operations, shapely 2.0 fallbacks)."""
    with capabilities.fallback(request.param == "fallback"):
        return sample, audit_workspace(sample.data).findings


@pytest.mark.skipif(len(capabilities.PATHS) < 2, reason="one geometry path only on this shapely/GEOS")
def test_both_geometry_paths_find_the_same(sample):
    runs = {}
    for path in capabilities.PATHS:
        with capabilities.fallback(path == "fallback"):
            runs[path] = audit_workspace(sample.data).findings
    native, fallback = runs["native"], runs["fallback"]
    assert [(f.rule_id, f.layer, f.codes, f.fids, f.key) for f in native] == [
        (f.rule_id, f.layer, f.codes, f.fids, f.key) for f in fallback
    ]
    measured = [k for k, f in enumerate(native) if f.measure is not None]
    assert measured and all(fallback[k].measure is not None for k in measured)
    assert [fallback[k].measure for k in measured] == pytest.approx([native[k].measure for k in measured], rel=1e-9)


def test_every_planted_defect_is_found_by_its_rules(audited):
    sample, findings = audited
    assert {p.kind for p in sample.planted} <= set(EXPECTED_RULES)
    for planted in sample.planted:
        rules = {f.rule_id for f in findings if set(planted.codes) & set(f.codes)}
        assert EXPECTED_RULES[planted.kind] <= rules, (planted.kind, planted.codes, rules)


def test_nothing_but_the_planted_defects_is_reported(audited):
    sample, findings = audited
    planted_codes = {code for p in sample.planted for code in p.codes}
    unexpected = [(f.rule_id, f.codes) for f in findings if not planted_codes & set(f.codes)]
    assert unexpected == []
    legitimate = {code for p in sample.special for code in p.codes}
    assert not [f for f in findings if legitimate & set(f.codes)]
