"""The code registry checked against the grids and the change log, rebuilt from them, and the audit's
``registry.*`` rules."""

from __future__ import annotations

from datetime import date

from devtools.synthetic import L3, generate_city
from plugin.core.audit import run_audit
from plugin.core.codes import CodeRegistry, rebuild_registry_from, registry_problems

DAY = date(2024, 5, 1)


def city():
    return generate_city(40, seed=2)


def kept_registry(data) -> CodeRegistry:
    registry = CodeRegistry()
    registry.sync(data.grids, on=DAY)
    return registry


def test_a_registry_kept_with_the_grids_agrees():
    data = city()
    assert registry_problems(kept_registry(data), data.grids, []) == []


def test_every_disagreement_is_named_and_rebuilt_where_it_can_be():
    data = city()
    l3 = data.grids[L3]
    registry = kept_registry(data)
    lost = l3.codes[0]
    rows = [r for r in registry.to_rows() if r["code"] != lost]  # a grid's code lost from the registry
    rows.append({"code": "61090299999999999", "layer": L3, "level": 3, "status": "active"})  # held by no grid
    reused = l3.codes[1]
    for row in rows:
        if row["code"] == reused:
            row["status"] = "retired"  # retired, yet an active grid holds it
    registry = CodeRegistry.from_rows(rows)
    log = [{"change_kind": "retire", "layer": L3, "old_code": "61090288888888888", "new_code": None}]
    problems = {(p.kind, p.code) for p in registry_problems(registry, data.grids, log)}
    assert problems == {
        ("missing", lost),
        ("not_retired", "61090299999999999"),
        ("retired_in_use", reused),
        ("missing_logged", "61090288888888888"),
    }
    rebuilt = rebuild_registry_from(registry, data.grids, log, on=DAY)
    assert rebuilt.get(lost) is not None and not rebuilt.is_retired(lost)
    assert rebuilt.is_retired("61090299999999999") and rebuilt.is_retired("61090288888888888")
    assert len(rebuilt) == len(registry) + 2  # nothing removed
    # a retired code is never made active again: that one stays for the planner (give the grid a new code)
    assert [(p.kind, p.code) for p in registry_problems(rebuilt, data.grids, log)] == [("retired_in_use", reused)]


def test_the_audit_reports_a_registry_that_disagrees():
    data = city()
    clean = run_audit(data)
    assert not [f for f in clean.findings if f.rule_id.startswith("registry.")]  # registry not read: not checked
    data.code_registry, data.change_log = [], []
    assert not [f for f in run_audit(data).findings if f.rule_id.startswith("registry.")]  # not kept yet
    rows = kept_registry(data).to_rows()
    lost = data.grids[L3].codes[3]
    data.code_registry = [r for r in rows if r["code"] != lost]
    data.change_log = [{"change_kind": "recode", "layer": L3, "old_code": None, "new_code": lost}]
    found = [f for f in run_audit(data).findings if f.rule_id.startswith("registry.")]
    assert [(f.rule_id, f.codes, f.layer, f.severity.value) for f in found] == [
        ("registry.mismatch", (lost,), L3, "warning")
    ]
    assert f"Code {lost} of a level 3 grid is not in the code registry" in found[0].message_en
    assert len(found[0].fids) == 1
