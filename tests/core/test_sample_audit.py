"""The audit on the embedded Hanbin sample finds exactly the defects planted in it: each by its rule, nothing else."""

from __future__ import annotations

import pytest

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
def audited():
    sample = build_sample()
    return sample, audit_workspace(sample.data).findings


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
