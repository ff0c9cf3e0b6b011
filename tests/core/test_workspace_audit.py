"""One workspace audit: topology, size rules and staffing in the same result, exceptions, progress, reports."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import shapely

from devtools.synthetic import L3, generate_city, plant_defects
from plugin.core import sizerules, staffing
from plugin.core.audit import AuditCancelled, AuditResult, Tolerances, run_audit
from plugin.core.findings import Severity
from plugin.core.workspace_audit import (
    WorkspaceAuditResult,
    audit_workspace,
    rule_catalogue,
    write_html_report,
    write_json_report,
)


def staffed(data):
    """Every active grid gets a grid head, every village an administrator: staffing is clean."""
    staff = []
    for grid in data.grids.values():
        for i, code in enumerate(grid.codes):
            staff.append({"name": "张三", "phone": "13912345678", "role": "grid_head", "grid_code": code, "fid": i})
            if grid.level == 1:
                staff.append({"name": "李四", "phone": "13912345679", "role": "grid_admin", "grid_code": code})
            if grid.level == 0:
                staff[-1]["safety_officer"] = True
    data.staff = staff
    return data


@pytest.fixture(scope="module")
def city():
    return staffed(generate_city(400, seed=5))


def planted(city, kinds=("overlap", "gap")):
    data, _ = plant_defects(city, list(kinds), seed=1)
    data.staff = city.staff
    return data


def test_topology_sizes_and_staffing_in_one_result(city):
    data = planted(city)
    level3 = data.grids[L3]
    level3.attributes["households"] = np.array(level3.attributes["households"]).copy()
    level3.attributes["households"][0] = 5  # far below every range
    data.staff = [r for r in city.staff if r["grid_code"] != level3.codes[1]]  # one grid without a head
    result = audit_workspace(data)
    assert isinstance(result, WorkspaceAuditResult) and isinstance(result, AuditResult)
    rules = {f.rule_id for f in result.findings}
    assert {"overlap", "gap"} <= rules
    assert staffing.RULE_NO_GRID_HEAD in rules
    assert any(f.rule_id.startswith("size.") and level3.codes[0] in f.codes for f in result.findings)
    head = next(f for f in result.findings if f.rule_id == staffing.RULE_NO_GRID_HEAD)
    assert head.codes == (level3.codes[1],) and head.location is not None
    # the topology findings are exactly the plain audit's
    plain = run_audit(data)
    ours = [f.fingerprint for f in result.findings if f.rule_id in {r.rule_id for r in plain.findings}]
    assert sorted(ours) == sorted(f.fingerprint for f in plain.findings)
    # one order: errors first
    order = [f.severity for f in result.findings]
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    assert [rank[s] for s in order] == sorted(rank[s] for s in order)
    assert result.checked == {"topology": True, "sizes": True, "staffing": True}
    assert set(result.counts_by_rule) == rules
    ids = {r.id for r in result.rules}
    assert {"overlap", "size.rural_range", staffing.RULE_NO_GRID_HEAD} <= ids


def test_the_county_rules_are_used(city):
    data = planted(city, ["overlap"])
    baseline = [f for f in audit_workspace(data).findings if f.rule_id.startswith("size.")]
    strict = [replace(r, min_households=10_000) if r.id == "size.rural_range" else r for r in sizerules.DEFAULT_RULES]
    stricter = [f for f in audit_workspace(data, size_rules=strict).findings if f.rule_id.startswith("size.")]
    assert len(stricter) > len(baseline)
    none = audit_workspace(data, size_rules=strict, check_sizes=False, check_staffing=False)
    assert not any(f.rule_id.startswith(("size.", "staff.")) for f in none.findings)
    assert none.checked == {"topology": True, "sizes": False, "staffing": False}


def test_exceptions_cover_every_family_and_lapse(city):
    data = planted(city)
    data.staff = []
    first = audit_workspace(data)
    gap = next(f for f in first.findings if f.rule_id == "gap")
    head = next(f for f in first.findings if f.rule_id == staffing.RULE_NO_GRID_HEAD)
    exceptions = {gap.fingerprint: "河道", head.fingerprint: "待配备", "0" * 40: "stale"}
    again = audit_workspace(data, exceptions=exceptions)
    accepted = {f.fingerprint: f.accepted_reason for f in again.findings if f.accepted}
    assert accepted == {gap.fingerprint: "河道", head.fingerprint: "待配备"}
    assert again.lapsed == ["0" * 40]
    assert again.accepted_count == 2
    assert again.to_json()["lapsed_exceptions"] == ["0" * 40]


def test_progress_and_cancel(city):
    data = planted(city)
    seen = []
    audit_workspace(data, progress=lambda f, text: seen.append((f, text)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("size" in t for _, t in seen) and any("staffing" in t for _, t in seen)

    calls = []

    def cancel_late():
        calls.append(1)
        return len(calls) > 12  # after the topology stages: in the size or staffing stage

    with pytest.raises(AuditCancelled):
        audit_workspace(data, is_cancelled=cancel_late)
    with pytest.raises(AuditCancelled):
        audit_workspace(data, is_cancelled=lambda: True)


def test_invalid_and_null_level3_geometries_do_not_break_the_size_rules(city):
    data, _ = plant_defects(city, ["bowtie"], seed=2)
    data.staff = city.staff
    level3 = data.grids[L3]
    level3.geometries[3] = None
    level3.geometries[4] = shapely.LineString([(0, 0), (1, 1)])
    result = audit_workspace(data)
    rules = {f.rule_id for f in result.findings}
    assert {"geom.invalid", "geom.null", "geom.type"} <= rules
    bowtie = next(f for f in result.findings if f.rule_id == "geom.invalid")
    sized = [f for f in result.findings if f.rule_id.startswith("size.") and f.fids == bowtie.fids]
    for f in sized:  # the size finding keeps the grid's own (invalid) geometry
        assert f.geometry is not None and not f.geometry.is_valid


def test_reports_list_the_size_and_staffing_rules(city, tmp_path):
    data = planted(city)
    data.staff = []
    result = audit_workspace(data, tolerances=Tolerances(sliver_area=2.0))
    doc = json.loads(write_json_report(result, tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert doc["counts_by_rule"][staffing.RULE_NO_GRID_HEAD] > 0
    assert {r["id"] for r in doc["rules"]} == {r.id for r in rule_catalogue()}
    assert doc["tolerances"]["sliver_area"] == 2.0
    assert len(doc["findings"]) == len(result.findings)
    html = write_html_report(result, tmp_path / "audit.html", divisions=data.divisions)
    text = html.read_text(encoding="utf-8")
    assert staffing.RULE_NO_GRID_HEAD in text and "size.rural_range" in text
    assert "Summary by township and village" in text
    summary = text[text.index("Summary by rule") : text.index("Summary by township")]
    assert "网格未配备网格长" in summary


def test_empty_staff_register_and_no_area_classes_give_a_handful_of_findings():
    """What cannot be checked is one finding per layer or workspace naming how many grids it concerns."""
    import dataclasses

    city = generate_city(300, seed=11)
    level3 = city.grid(3)
    attributes = {k: v for k, v in level3.attributes.items() if k != "area_class"}
    assert "households" in attributes
    city.grids[level3.layer] = dataclasses.replace(level3, attributes=attributes)
    city.staff, city.divisions, city.county_boundary = [], [], None
    n_grids = sum(len(city.grid(k)) for k in (1, 2, 3, 0))
    assert n_grids > 300
    result = audit_workspace(city)
    by_rule = {}
    for f in result.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    assert {k: len(v) for k, v in by_rule.items()} == {
        "staff.no_grid_head": 1,
        "staff.no_grid_admin": 1,
        "size.area_class_unknown": 1,
        "county.missing": 1,
    }
    (head,) = by_rule["staff.no_grid_head"]
    assert head.measure == n_grids and f"none of the {n_grids} active grids" in head.message_en
    assert by_rule["staff.no_grid_admin"][0].measure == len(city.grid(1))
    (area,) = by_rule["size.area_class_unknown"]
    assert area.measure == len(city.grid(3)) - int(np.sum(city.grid(3).attribute("kind", "") == "dedicated"))
    (county,) = by_rule["county.missing"]
    assert county.measure == len(city.grid(1)) and f"({len(city.grid(1))} level 1 grids)" in county.message_en
    # one grid head named: the others are reported grid by grid again
    city.staff = [{"name": "张三", "role": "grid_head", "grid_code": city.grid(3).codes[0]}]
    heads = [f for f in audit_workspace(city).findings if f.rule_id == "staff.no_grid_head"]
    assert len(heads) == n_grids - 1
