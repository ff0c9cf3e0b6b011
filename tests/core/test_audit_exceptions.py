"""Accepted exceptions stay accepted while the geometry is unchanged and lapse when it changes."""

import shapely
from shapely import affinity

from devtools.synthetic import L3, generate_city, plant_defects
from plugin.core.audit import apply_exceptions, run_audit


def planted_city():
    city = generate_city(800, seed=31)
    return plant_defects(city, ["overlap", "gap", "duplicate_code", "tiny"], seed=2)[0]


def test_fingerprints_are_stable_across_runs():
    data = planted_city()
    first = [f.fingerprint for f in run_audit(data).findings]
    second = [f.fingerprint for f in run_audit(data).findings]
    assert first == second and len(set(first)) == len(first)


def test_exceptions_accepted_until_the_geometry_changes():
    data = planted_city()
    result = run_audit(data)
    tiny = next(f for f in result.findings if f.rule_id == "grid.tiny")
    gap = next(f for f in result.findings if f.rule_id == "gap")
    exceptions = {tiny.fingerprint: "小区门卫室，单独成格", gap.fingerprint: "河道，不划入网格"}

    again = run_audit(data, exceptions=exceptions)
    accepted = {f.rule_id: f.accepted_reason for f in again.findings if f.accepted}
    assert accepted == {"grid.tiny": "小区门卫室，单独成格", "gap": "河道，不划入网格"}
    assert again.accepted_count == 2
    assert again.blocking_count == result.blocking_count - 1  # the gap was an error, the tiny grid a warning

    # edit the tiny grid: its acceptance lapses, the gap's stays
    layer = data.grids[L3]
    i = list(layer.codes).index(tiny.codes[0])
    layer.geometries[i] = affinity.scale(layer.geometries[i], 0.9, 0.9)
    edited = run_audit(data)
    lapsed = apply_exceptions(edited.findings, exceptions)
    assert lapsed == [tiny.fingerprint]
    still = [f for f in edited.findings if f.accepted]
    assert [f.rule_id for f in still] == ["gap"]


def test_moving_a_grid_changes_the_fingerprint():
    data = planted_city()
    finding = next(f for f in run_audit(data).findings if f.rule_id == "grid.tiny")
    layer = data.grids[L3]
    i = list(layer.codes).index(finding.codes[0])
    layer.geometries[i] = affinity.translate(layer.geometries[i], -0.01, 0)  # 1 cm, into its neighbour's side
    moved = [f for f in run_audit(data).findings if f.rule_id == "grid.tiny"]
    assert len(moved) == 1 and moved[0].fingerprint != finding.fingerprint
    assert shapely.equals_exact(moved[0].geometry, layer.geometries[i], 1e-6)


def test_apply_exceptions_clears_stale_marks():
    data = planted_city()
    findings = run_audit(data).findings
    fp = findings[0].fingerprint
    assert apply_exceptions(findings, {fp: "ok", "0" * 40: "gone"}) == ["0" * 40]
    assert findings[0].accepted and findings[0].accepted_reason == "ok"
    assert apply_exceptions(findings, {}) == []
    assert not any(f.accepted for f in findings)
