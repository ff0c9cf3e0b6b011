"""Code allocation: order, stability across edits, no reuse, exhaustion, other widths, re-parenting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from plugin.core import codes
from plugin.core.coderule import CodeRule
from plugin.core.codes import (
    AllocationPlan,
    CodeError,
    CodeExhaustedError,
    CodeRegistry,
    allocate_codes,
    allocate_workspace,
    apply_plan,
    numbering_order,
    plan_parent_change,
)
from plugin.core.model import GridArray

V = "610902001001"  # a village code
V2 = "610902001002"
RULE = CodeRule.parse("village12+2+3")
DAY = date(2024, 3, 4)


def village(code=V, geom=None, fid=1):
    return GridArray.from_records("grid_level1", 1, [geom or box(0, 0, 300, 200)], [code], names=["村"], fids=[fid])


def grid(layer, level, geoms, codes_, fids=None, status=None, parent_codes=None):
    attributes = {"status": np.asarray(status, dtype=object)} if status is not None else None
    return GridArray.from_records(
        layer, level, geoms, codes_, parent_codes=parent_codes, fids=fids, attributes=attributes
    )


def six_sections(order=(0, 1, 2, 3, 4, 5)):
    """2 rows x 3 columns of 100 m squares inside the village; given in a shuffled order."""
    cells = [box(x, y, x + 100, y + 100) for y in (100, 0) for x in (0, 100, 200)]  # NW, N, NE, SW, S, SE
    geoms = [cells[k] for k in order]
    return grid("grid_level2", 2, geoms, [None] * 6, fids=[10 + k for k in order])


def coded(plan_grid):
    return dict(zip(plan_grid.fids.tolist(), plan_grid.codes.tolist()))


def test_numbering_is_north_to_south_then_west_to_east_whatever_the_input_order():
    registry = CodeRegistry()
    for order in [(0, 1, 2, 3, 4, 5), (5, 3, 1, 4, 0, 2)]:
        sections = six_sections(order)
        plan = allocate_codes(sections, village(), RULE, registry)
        got = {a.fid: a.new_code for a in plan}
        assert got == {10: V + "01", 11: V + "02", 12: V + "03", 13: V + "04", 14: V + "05", 15: V + "06"}
        assert all(a.reason == "missing" and a.parent_code == V for a in plan)
        assert plan.unresolved == [] and plan.kept_invalid == []


def test_rows_tolerate_uneven_tops():
    # one row whose cells' points on surface differ in y by up to 30 m, then a row below
    geoms = [box(0, 130, 100, 200), box(100, 100, 200, 200), box(200, 120, 300, 190), box(0, 0, 300, 90)]
    order = numbering_order(np.asarray(geoms, dtype=object), np.asarray([1, 2, 3, 4]), top=200.0)
    assert order.tolist() == [0, 1, 2, 3]


def test_rerun_allocates_nothing_and_apply_records_the_codes():
    registry = CodeRegistry()
    sections = six_sections()
    plan = allocate_codes(sections, village(), RULE, registry)
    coded_sections = apply_plan(plan, sections, registry, on=DAY)
    assert sorted(registry.codes()) == [V + f"{n:02d}" for n in range(1, 7)]
    assert registry.get(V + "01").issued_on == DAY
    assert sections.codes.tolist() == [None] * 6  # the input is not changed
    again = allocate_codes(coded_sections, village(), RULE, registry)
    assert again.is_empty and again.unresolved == [] and again.kept_invalid == []


def test_add_split_merge_retire_never_move_or_reuse_a_code():
    registry = CodeRegistry()
    parent = village()
    sections = apply_plan(allocate_codes(six_sections(), parent, RULE, registry), six_sections(), registry, on=DAY)
    original = coded(sections)

    # split fid 11 (code …02) in QGIS: both halves keep the attributes; the west half is larger
    geoms = list(sections.geometries)
    codes_ = list(sections.codes)
    fids = list(sections.fids)
    k = fids.index(11)
    geoms[k] = box(100, 100, 160, 200)
    geoms.append(box(160, 100, 200, 200))
    codes_.append(codes_[k])
    fids.append(20)
    # merge fid 13 and fid 14 (…04 and …05): fid 13 takes the union and keeps …04, fid 14 is deleted
    m13, m14 = fids.index(13), fids.index(14)
    geoms[m13] = box(0, 0, 200, 100)
    for seq in (geoms, codes_, fids):
        del seq[m14]
    # retire fid 15 (…06)
    status = ["active"] * len(fids)
    status[fids.index(15)] = "retired"
    edited = grid("grid_level2", 2, geoms, codes_, fids=fids, status=status)
    added, retired = registry.sync({"grid_level2": edited}, on=date(2024, 3, 5))
    assert added == [] and sorted(retired) == [V + "05", V + "06"]

    plan = allocate_codes(edited, parent, RULE, registry)
    assert [(a.fid, a.old_code, a.new_code, a.reason) for a in plan] == [(20, V + "02", V + "07", "duplicate")]
    after = apply_plan(plan, edited, registry, on=date(2024, 3, 5))
    result = coded(after)
    for fid in (10, 11, 12, 13, 15):
        assert result[fid] == original[fid]  # no existing code moved
    assert registry.get(V + "02").status == "active"  # still held by the larger half

    # a new grid later: continues after the highest number ever issued, never …05 or …06
    geoms.append(box(200, 0, 300, 100))  # where the retired …06 was
    more = grid("grid_level2", 2, geoms, [*after.codes.tolist(), None], fids=[*fids, 21], status=[*status, "active"])
    plan = allocate_codes(more, parent, RULE, registry)
    assert [(a.fid, a.new_code) for a in plan] == [(21, V + "08")]
    assert allocate_codes(apply_plan(plan, more, registry), parent, RULE, registry).is_empty


def test_duplicates_recode_all_retires_the_shared_code():
    registry = CodeRegistry()
    halves = grid("grid_level2", 2, [box(0, 0, 50, 100), box(50, 0, 100, 100)], [V + "03", V + "03"], fids=[1, 2])
    registry.record_existing(halves, on=DAY)
    plan = allocate_codes(halves, village(), RULE, registry, duplicates="recode_all")
    assert [(a.fid, a.new_code) for a in plan] == [(1, V + "04"), (2, V + "05")]
    apply_plan(plan, halves, registry, on=DAY)
    assert registry.is_retired(V + "03")


def test_retired_code_in_use_again_is_replaced():
    registry = CodeRegistry()
    registry.issue(V + "01", on=DAY)
    registry.retire(V + "01", on=DAY)
    sections = grid("grid_level2", 2, [box(0, 0, 100, 100)], [V + "01"], fids=[5])
    plan = allocate_codes(sections, village(), RULE, registry)
    assert [(a.fid, a.old_code, a.new_code, a.reason) for a in plan] == [(5, V + "01", V + "02", "retired_reused")]


def test_invalid_codes_are_kept_unless_recoding_is_asked():
    registry = CodeRegistry()
    # …02 belongs under another village; …95 is in the dedicated range; "abc" is not digits
    sections = grid(
        "grid_level2",
        2,
        [box(0, 0, 100, 100), box(100, 0, 200, 100), box(200, 0, 300, 100)],
        [V2 + "02", V + "95", "abc"],
    )
    plan = allocate_codes(sections, village(), RULE, registry)
    assert plan.is_empty
    assert [a.old_code for a in plan.kept_invalid] == [V2 + "02", V + "95", "abc"]
    plan = allocate_codes(sections, village(), RULE, registry, recode_invalid=True)
    assert [(a.fid, a.new_code, a.reason) for a in plan] == [
        (1, V + "01", "invalid"),
        (2, V + "02", "invalid"),
        (3, V + "03", "invalid"),
    ]


def test_recode_on_request_retires_the_old_code():
    registry = CodeRegistry()
    sections = grid("grid_level2", 2, [box(0, 0, 100, 100), box(100, 0, 200, 100)], [V + "01", V + "02"], fids=[1, 2])
    registry.record_existing(sections, on=DAY)
    plan = allocate_codes(sections, village(), RULE, registry, recode_fids=[1])
    assert [(a.fid, a.old_code, a.new_code, a.reason) for a in plan] == [(1, V + "01", V + "03", "recode")]
    after = apply_plan(plan, sections, registry, on=DAY)
    assert after.codes.tolist() == [V + "03", V + "02"]
    assert registry.is_retired(V + "01") and registry.get(V + "03").status == "active"


def test_exhaustion_names_the_parent():
    rule = CodeRule.parse("village12+2+1")  # level 3: 1 digit, 1–9
    section = grid("grid_level2", 2, [box(0, 0, 1000, 100)], [V + "01"])
    groups = grid("grid_level3", 3, [box(x, 0, x + 100, 100) for x in range(0, 1000, 100)], [None] * 10)
    with pytest.raises(CodeExhaustedError) as info:
        allocate_codes(groups, section, rule, set())
    assert (V + "01", 3, 10, 9) in info.value.shortages
    assert V + "01" in str(info.value) and V + "01" in info.value.message_zh
    # nine fit
    assert len(allocate_codes(groups.subset(slice(0, 9)), section, rule, set())) == 9


def test_dedicated_grids_use_the_reserved_range_and_run_out_at_ten():
    sections = grid("grid_level2", 2, [box(0, 0, 100, 100)], [V + "01"])
    dedicated = grid("grid_dedicated", 0, [box(150, 10, 160, 20), box(110, 150, 120, 160)], [None, None])
    plan = allocate_codes(dedicated, village(), RULE, {V + "01"})
    assert [(a.fid, a.new_code) for a in plan] == [(2, V + "90"), (1, V + "91")]  # the northern one first
    many = grid("grid_dedicated", 0, [box(10 * k, 0, 10 * k + 5, 5) for k in range(11)], [None] * 11)
    with pytest.raises(CodeExhaustedError, match=V):
        allocate_codes(many, village(), RULE, {sections.codes[0]})


def test_rule_with_other_widths():
    rule = CodeRule.parse("village12+3+4")
    sections = grid("grid_level2", 2, [box(0, 100, 300, 200), box(0, 0, 300, 100)], [None, None])
    plan = allocate_codes(sections, village(), rule, set())
    assert [a.new_code for a in plan] == [V + "001", V + "002"]
    coded_sections = apply_plan(plan, sections, set())
    groups = grid("grid_level3", 3, [box(0, 0, 100, 100), box(100, 0, 200, 100)], [None, None])
    plan = allocate_codes(groups, coded_sections, rule, set())
    assert [a.new_code for a in plan] == [V + "002" + "0001", V + "002" + "0002"]
    dedicated = grid("grid_dedicated", 0, [box(10, 10, 20, 20)], [None])
    assert [a.new_code for a in allocate_codes(dedicated, village(), rule, set())] == [V + "900"]


def test_children_of_uncoded_parents_and_outside_parents_are_unresolved():
    parent = village(code=None)
    sections = grid("grid_level2", 2, [box(0, 0, 100, 100), box(5000, 0, 5100, 100)], [None, None])
    plan = allocate_codes(sections, parent, RULE, set())
    assert plan.is_empty
    assert [(a.fid, a.reason) for a in plan.unresolved] == [(1, "parent_uncoded"), (2, "no_parent")]


def test_level1_codes_come_from_village_names():
    villages = GridArray.from_records(
        "grid_level1", 1, [box(0, 0, 10, 10), box(10, 0, 20, 10)], [None, None], names=["东村", "西村"]
    )
    plan = allocate_codes(villages, None, RULE, set(), village_codes={"东村": V})
    assert [(a.fid, a.new_code, a.reason) for a in plan] == [(1, V, "village_code")]
    assert [(a.fid, a.reason) for a in plan.unresolved] == [(2, "no_village_code")]


def test_allocate_workspace_codes_children_of_new_parents_in_one_plan():
    registry = CodeRegistry()
    layers = {
        "grid_level1": village(),
        "grid_level2": grid("grid_level2", 2, [box(0, 100, 300, 200), box(0, 0, 300, 100)], [None, None]),
        "grid_level3": grid(
            "grid_level3", 3, [box(0, 0, 150, 100), box(150, 0, 300, 100), box(0, 100, 300, 200)], [None] * 3
        ),
        "grid_dedicated": grid("grid_dedicated", 0, [box(10, 10, 20, 20)], [None]),
    }
    plan = allocate_workspace(layers, RULE, registry)
    got = {(a.layer, a.fid): a.new_code for a in plan}
    assert got == {
        ("grid_level2", 1): V + "01",
        ("grid_level2", 2): V + "02",
        ("grid_level3", 3): V + "01001",
        ("grid_level3", 1): V + "02001",
        ("grid_level3", 2): V + "02002",
        ("grid_dedicated", 1): V + "90",
    }
    assert len(registry) == 0  # planning leaves the registry alone
    applied = apply_plan(plan, layers, registry, on=DAY)
    assert allocate_workspace(applied, RULE, registry).is_empty
    assert len(registry) == 6


def test_parent_change_keeps_codes_unless_recoding_is_asked():
    registry = CodeRegistry()
    sections = grid(
        "grid_level2", 2, [box(0, 0, 100, 100), box(100, 0, 200, 100)], [V + "01", V + "02"], parent_codes=[V, V]
    )
    groups = grid("grid_level3", 3, [box(0, 0, 100, 100)], [V + "02001"], parent_codes=[V + "02"])
    registry.record_existing([sections, groups], on=DAY)
    registry.issue(V2 + "01", on=DAY)  # already issued under the new village
    registry.retire(V2 + "01", on=DAY)

    kept = plan_parent_change([groups, sections], {V: V2}, RULE, registry)
    assert [(a.layer, a.fid, a.old_code, a.new_code, a.parent_code, a.reason) for a in kept] == [
        ("grid_level2", 1, V + "01", V + "01", V2, "parent_changed"),
        ("grid_level2", 2, V + "02", V + "02", V2, "parent_changed"),
    ]
    moved = apply_plan(kept, {"grid_level2": sections, "grid_level3": groups}, registry)
    assert moved["grid_level2"].parent_codes.tolist() == [V2, V2]
    assert not registry.is_retired(V + "01")

    recoded = plan_parent_change([sections, groups], {V: V2}, RULE, registry, recode=True)
    got = [(a.layer, a.old_code, a.new_code, a.parent_code) for a in recoded]
    assert got == [
        ("grid_level2", V + "01", V2 + "03", V2),  # …01 was issued under V2 before: the next free number
        ("grid_level2", V + "02", V2 + "02", V2),  # the sequence number is kept where it is free
        ("grid_level3", V + "02001", V2 + "02001", V2 + "02"),  # cascades to the level 3 grid
    ]
    apply_plan(recoded, {"grid_level2": sections, "grid_level3": groups}, registry, on=DAY)
    assert registry.is_retired(V + "01") and registry.is_retired(V + "02001")
    assert registry.get(V2 + "02001").status == "active"


def test_registry_rows_round_trip_and_no_reissue():
    registry = CodeRegistry()
    registry.issue(V + "01", layer="grid_level2", level=2, parent_code=V, on=DAY, note="missing")
    registry.issue(V + "02", layer="grid_level2", level=2, parent_code=V, on=DAY)
    registry.retire(V + "02", on=date(2024, 4, 1), note="merged")
    rows = registry.to_rows()
    assert rows[1] == {
        "code": V + "02",
        "layer": "grid_level2",
        "level": 2,
        "parent_code": V,
        "status": "retired",
        "issued_on": "2024-03-04",
        "retired_on": "2024-04-01",
        "note": "merged",
    }
    assert set(rows[0]) == set(codes.REGISTRY_FIELDS)
    back = CodeRegistry.from_rows(rows)
    assert back.to_rows() == rows
    with pytest.raises(CodeError, match="retired"):
        back.issue(V + "02")
    with pytest.raises(CodeError, match="in use"):
        back.issue(V + "01")


def test_plain_set_registry_is_extended_by_apply():
    used = {V + "01"}
    sections = grid("grid_level2", 2, [box(0, 0, 100, 100)], [None])
    plan = allocate_codes(sections, village(), RULE, used)
    assert plan.rows() == [(1, "grid_level2", None, V + "02", "missing")]
    apply_plan(plan, sections, used)
    assert used == {V + "01", V + "02"}


def test_parent_found_by_largest_overlap_when_point_is_ambiguous():
    villages = GridArray.from_records("grid_level1", 1, [box(0, 0, 100, 100), box(100, 0, 200, 100)], [V, V2])
    # mostly in the second village
    sections = grid("grid_level2", 2, [box(90, 0, 200, 100)], [None])
    plan = allocate_codes(sections, villages, RULE, set())
    assert [a.new_code for a in plan] == [V2 + "01"]


def test_plan_is_a_preview_object():
    plan = AllocationPlan()
    assert plan.is_empty and len(plan) == 0 and plan.rows() == []
    a = codes.CodeAssignment(1, "grid_level2", None, V + "01", "missing", V)
    assert "无编码" in a.reason_label("zh") and "no code" in a.reason_label("en")
    b = replace(a, detail="x")
    assert b.reason_label("en").endswith("(x)")


def test_allocate_workspace_recodes_by_layer_and_fid():
    registry = CodeRegistry()
    layers = {
        "grid_level1": village(),
        "grid_level2": grid("grid_level2", 2, [box(0, 0, 100, 100), box(100, 0, 200, 100)], [V + "01", V + "02"]),
        "grid_level3": grid("grid_level3", 3, [box(0, 0, 100, 100)], [V + "01001"]),
    }
    registry.record_existing(layers, on=DAY)
    plan = allocate_workspace(layers, RULE, registry, recode_fids={"grid_level2": [2]})
    assert plan.rows() == [(2, "grid_level2", V + "02", V + "03", "recode")]


@settings(max_examples=40, deadline=None)
@given(
    issued=st.sets(st.integers(1, 89), max_size=60),
    retired=st.sets(st.integers(1, 89), max_size=20),
    new=st.integers(1, 12),
)
def test_new_codes_are_never_issued_codes(issued, retired, new):
    registry = CodeRegistry()
    for n in sorted(issued | retired):
        registry.issue(f"{V}{n:02d}", on=DAY)
    for n in retired:
        registry.retire(f"{V}{n:02d}", on=DAY)
    sections = grid("grid_level2", 2, [box(10 * k, 0, 10 * k + 10, 10) for k in range(new)], [None] * new)
    free = 89 - len(issued | retired)
    if free < new:
        with pytest.raises(CodeExhaustedError):
            allocate_codes(sections, village(), RULE, registry)
        return
    plan = allocate_codes(sections, village(), RULE, registry)
    got = [a.new_code for a in plan]
    assert len(set(got)) == new
    assert not set(got) & registry.codes()
    assert all(RULE.is_valid(c, 2) and c.startswith(V) for c in got)
    top = max(issued | retired, default=0)
    if 89 - top >= new:  # enough room above the highest number: consecutive numbers from there, west to east
        assert got == [f"{V}{top + k:02d}" for k in range(1, new + 1)]
