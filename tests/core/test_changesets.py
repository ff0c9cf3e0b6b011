"""Change requests (§7.6), store-independent: proposing, ownership, approval/rejection, the filing clock, the plan."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from shapely.geometry import box

from plugin.core import changesets as cs_mod
from plugin.core.changesets import ChangeSet, ChangeSetError, approval_plan, approve, propose_change_set, reject
from plugin.core.model import GridArray

X0, Y0 = 36_500_000.0, 3_600_000.0
T1, T2 = "610902001", "610902002"
V1, V2 = f"{T1}001", f"{T2}001"
PROPOSED_AT = datetime(2024, 5, 6, 10, 0, 0)
APPROVED_AT = datetime(2024, 5, 8, 15, 0, 0)


def sections(specs):
    """Level 2 grids from (fid, code, x0, width) rows, all 100 m high."""
    return GridArray.from_records(
        "grid_level2",
        2,
        [box(X0 + x, Y0, X0 + x + w, Y0 + 100) for _, _, x, w in specs],
        [c for _, c, _, _ in specs],
        parent_codes=[c[:12] for _, c, _, _ in specs],
        names=[f"片区{c[-2:]}" for _, c, _, _ in specs],
        fids=[f for f, _, _, _ in specs],
        attributes={"status": np.array(["active"] * len(specs), dtype=object)},
    )


BEFORE = {
    "grid_level2": sections([(1, f"{V1}01", 0, 100), (2, f"{V1}02", 100, 100), (3, f"{V2}01", 200, 100)]),
}


def propose(after, township=T1, **kw):
    return propose_change_set(
        BEFORE,
        after,
        township,
        "村民小组调整",
        proposed_by="李四",
        proposed_at=PROPOSED_AT,
        set_id="cs1",
        **kw,
    )


def test_a_reshape_a_new_grid_and_a_retirement_are_proposed_with_before_and_after():
    after = {
        "grid_level2": sections([(1, f"{V1}01", 0, 60), (4, f"{V1}03", 60, 40), (3, f"{V2}01", 200, 100)]),
    }
    cs = propose(after)
    actions = sorted((i.action, i.code) for i in cs.items)
    assert actions == [("add", f"{V1}03"), ("modify", f"{V1}01"), ("retire", f"{V1}02")]
    modify = next(i for i in cs.items if i.action == "modify")
    assert modify.area_before() == pytest.approx(10_000) and modify.area_after() == pytest.approx(6_000)
    assert cs.status == "proposed" and cs.filing_status() is None and cs.filing_deadline() is None
    assert "村民小组调整" in cs.application and f"{V1}03" in cs.application
    assert "备案时限自批准起计算" in cs.status_message("zh")


def test_an_edit_to_a_neighbouring_townships_grid_is_refused_naming_the_grid():
    after = {"grid_level2": sections([(1, f"{V1}01", 0, 100), (2, f"{V1}02", 100, 100), (3, f"{V2}01", 200, 90)])}
    with pytest.raises(ChangeSetError) as caught:
        propose(after)
    assert f"{V2}01" in str(caught.value) and T1 in str(caught.value)
    assert caught.value.template == cs_mod.MSG_FOREIGN


def test_a_new_grid_outside_the_township_area_is_refused():
    after = {"grid_level2": sections([(1, f"{V1}01", 0, 100), (2, f"{V1}02", 100, 150)])}
    with pytest.raises(ChangeSetError, match="outside township"):
        propose({"grid_level2": after["grid_level2"]}, township_area=box(X0, Y0, X0 + 200, Y0 + 100))


def test_no_change_no_reason_and_a_bad_township_are_refused():
    with pytest.raises(ChangeSetError, match="nothing to propose"):
        propose(BEFORE)
    with pytest.raises(ChangeSetError, match="reason"):
        propose_change_set(BEFORE, BEFORE, T1, "  ")
    with pytest.raises(ChangeSetError, match="9 digits"):
        propose_change_set(BEFORE, BEFORE, "6109", "x")


def approved():
    after = {"grid_level2": sections([(1, f"{V1}01", 0, 60), (4, f"{V1}03", 60, 40), (3, f"{V2}01", 200, 100)])}
    return approve(propose(after), "汉滨政发〔2024〕12号", "王县", APPROVED_AT)


def test_approval_starts_the_seven_day_filing_clock_and_needs_a_reference():
    cs = propose({"grid_level2": sections([(1, f"{V1}01", 0, 90), (2, f"{V1}02", 90, 110), (3, f"{V2}01", 200, 100)])})
    with pytest.raises(ChangeSetError, match="approval reference"):
        approve(cs, " ")
    done = approved()
    assert done.status == "approved" and done.approval_ref == "汉滨政发〔2024〕12号"
    assert done.filing_deadline().isoformat() == "2024-05-15"
    status = done.filing_status(now=datetime(2024, 5, 13))
    assert status.days_left == 2 and not status.overdue and not status.needs_approval
    assert done.filing_status(now=datetime(2024, 5, 16)).overdue
    assert "2024-05-15" in done.status_message("zh", now=datetime(2024, 5, 13))
    with pytest.raises(ChangeSetError, match="already approved"):
        reject(done, "迟了")


def test_rejection_needs_a_reason_and_has_no_clock():
    cs = propose({"grid_level2": sections([(1, f"{V1}01", 0, 90), (2, f"{V1}02", 90, 110), (3, f"{V2}01", 200, 100)])})
    with pytest.raises(ChangeSetError, match="reason for rejecting"):
        reject(cs, "")
    done = reject(cs, "与村界不符", "王县", APPROVED_AT)
    assert done.status == "rejected" and done.filing_status() is None
    with pytest.raises(ChangeSetError):
        approval_plan(done)


def test_the_approval_plan_logs_the_reference_and_updates_the_registry():
    plan = approval_plan(approved(), registry_codes={f"{V1}01", f"{V1}02"})
    assert set(plan.updates["grid_level2"]) == {1, 2}
    assert plan.updates["grid_level2"][2][0]["status"] == "retired"
    assert plan.updates["grid_level2"][2][0]["valid_to"] == "2024-05-08"
    (added,) = plan.additions["grid_level2"]
    assert added[0]["code"] == f"{V1}03" and added[0]["valid_from"] == "2024-05-08"
    kinds = sorted(r["change_kind"] for r in plan.change_log)
    assert kinds == ["retire", "split", "split"]  # 01 split into 01 and 03 (core.changes), 02 retired
    assert {r["approval_ref"] for r in plan.change_log} == {"汉滨政发〔2024〕12号"}
    assert {r["changed_at"] for r in plan.change_log} == {"2024-05-08T15:00:00"}
    assert [r["code"] for r in plan.registry_issue] == [f"{V1}03"]
    assert plan.registry_retire == [f"{V1}02"]
    with pytest.raises(ChangeSetError, match="never reused"):
        approval_plan(approved(), registry_codes={f"{V1}03"})


def test_apply_and_staleness_against_the_current_grids():
    cs = approved()
    result = cs_mod.apply_to(BEFORE, cs)["grid_level2"]
    assert len(result) == 4
    status = dict(zip(result.codes.tolist(), result.attributes["status"].tolist()))
    assert status[f"{V1}02"] == "retired" and status[f"{V1}03"] == "active"
    cs_mod.check_current(cs, BEFORE)
    moved = {"grid_level2": sections([(1, f"{V1}01", 0, 99), (2, f"{V1}02", 99, 101), (3, f"{V2}01", 200, 100)])}
    with pytest.raises(ChangeSetError, match="changed in the county"):
        cs_mod.check_current(cs, moved)
    taken = {"grid_level2": sections([(1, f"{V1}01", 0, 100), (2, f"{V1}02", 100, 100), (9, f"{V1}03", 300, 10)])}
    with pytest.raises(ChangeSetError, match="never reused"):
        cs_mod.check_current(cs, taken)


def test_rows_round_trip():
    cs = approved()
    items = cs.item_rows()
    before = {i.item_no: i.before_geometry for i in cs.items if i.before_geometry is not None}
    back = ChangeSet.from_rows(cs.row(), items, [i.after_geometry for i in cs.items], before)
    assert back.status == "approved" and back.approval_ref == cs.approval_ref and back.decided_at == APPROVED_AT
    assert [(i.action, i.code, i.fid) for i in back.items] == [(i.action, i.code, i.fid) for i in cs.items]
    assert approval_plan(back).change_log == approval_plan(cs).change_log
