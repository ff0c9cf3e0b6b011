"""Change detection for each kind of edit, and the 7-day filing deadline."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest
from shapely import affinity
from shapely.geometry import Polygon, box

from plugin.core import schema
from plugin.core.changes import (
    ChangeRecord,
    detect_changes,
    detect_workspace_changes,
    due_within,
    filing_deadline,
    filing_status,
    geometry_unchanged,
    mark_filed,
    overdue,
    unfiled,
)
from plugin.core.model import GridArray

T0 = datetime(2024, 3, 4, 10, 30)
L = "grid_level3"


def layer(geoms, codes, fids, status=None):
    attributes = {"status": np.asarray(status, dtype=object)} if status is not None else None
    return GridArray.from_records(L, 3, geoms, codes, fids=fids, attributes=attributes)


def base():
    """2 x 2 squares of 100 m: A (NW), B (NE), C (SW), D (SE)."""
    geoms = [box(0, 100, 100, 200), box(100, 100, 200, 200), box(0, 0, 100, 100), box(100, 0, 200, 100)]
    return layer(geoms, ["A", "B", "C", "D"], [1, 2, 3, 4])


def edit(g, fid, geometry=..., code=..., status=None):
    out = g.subset(np.arange(len(g)))
    k = out.fids.tolist().index(fid)
    if geometry is not ...:
        out.geometries[k] = geometry
    if code is not ...:
        out.codes[k] = code
    if status is not None:
        column = out.attribute("status", "active").astype(object).copy()
        column[k] = status
        out.attributes["status"] = column
    return out


def add(g, geometry, code, fid):
    return layer([*g.geometries, geometry], [*g.codes, code], [*g.fids, fid])


def drop(g, fid):
    return g.subset(g.fids != fid)


def summary(records):
    return [(r.change_kind, r.old_code, r.new_code) for r in records]


def test_no_change_no_record_even_with_noise_or_reordered_vertices():
    before = base()
    jitter = edit(before, 1, geometry=Polygon([(0, 100), (100.00001, 100), (100, 200), (0, 200)]))
    jitter = edit(
        jitter, 2, geometry=Polygon([(200, 200), (100, 200), (100, 100), (200, 100)])
    )  # other start, orientation
    assert detect_changes(before, before, changed_at=T0) == []
    assert detect_changes(before, jitter, changed_at=T0) == []


def test_create():
    before = base()
    after = add(before, box(300, 0, 400, 100), "E", 9)
    records = detect_changes(
        before, after, changed_at=T0, user="张三", reason="新建小区", approval_ref="安政发〔2024〕1号"
    )
    assert summary(records) == [("create", None, "E")]
    r = records[0]
    assert (r.area_before, r.area_after, r.after_fids, r.user, r.changed_at) == (None, 10000.0, (9,), "张三", T0)
    assert r.approval_ref == "安政发〔2024〕1号" and r.layer == L


def test_reshape_moving_a_shared_border_is_two_reshapes_not_a_split():
    before = base()
    after = edit(before, 1, geometry=box(0, 100, 120, 200))
    after = edit(after, 2, geometry=box(120, 100, 200, 200))
    records = detect_changes(before, after, changed_at=T0)
    assert summary(records) == [("reshape", "A", "A"), ("reshape", "B", "B")]
    assert [(r.area_before, r.area_after) for r in records] == [(10000.0, 12000.0), (10000.0, 8000.0)]


def test_reshape_found_by_geometry_when_fids_changed():
    before = base()
    after = layer([box(0, 100, 100, 210), *before.geometries[1:]], before.codes, [11, 12, 13, 14])
    assert summary(detect_changes(before, after, changed_at=T0)) == [("reshape", "A", "A")]


def test_split_one_record_per_piece():
    before = base()
    after = edit(before, 4, geometry=box(100, 0, 160, 100), code="D")
    after = add(after, box(160, 0, 200, 100), "D2", 8)
    records = detect_changes(before, after, changed_at=T0)
    assert summary(records) == [("split", "D", "D"), ("split", "D", "D2")]
    assert [(r.area_before, r.area_after) for r in records] == [(10000.0, 6000.0), (10000.0, 4000.0)]


def test_merge_one_record_per_old_grid():
    before = base()
    after = edit(before, 3, geometry=box(0, 0, 200, 100), code="C")
    after = drop(after, 4)
    records = detect_changes(before, after, changed_at=T0)
    assert summary(records) == [("merge", "C", "C"), ("merge", "D", "C")]
    assert all(r.area_after == 20000.0 for r in records)


def test_recode_same_geometry_other_code():
    before = base()
    after = edit(before, 2, code="B9")
    assert summary(detect_changes(before, after, changed_at=T0)) == [("recode", "B", "B9")]
    # also when the feature ids changed (re-import)
    renumbered = layer(after.geometries, after.codes, [21, 22, 23, 24])
    assert summary(detect_changes(before, renumbered, changed_at=T0)) == [("recode", "B", "B9")]


def test_retire_by_status_and_by_removal():
    before = base()
    after = edit(before, 1, status="retired")
    after = drop(after, 2)
    records = detect_changes(before, after, changed_at=T0)
    assert summary(records) == [("retire", "A", "A"), ("retire", "B", None)]
    # a grid already retired before is not reported again
    assert detect_changes(after, after, changed_at=T0) == []


def test_combined_edits_in_one_comparison():
    before = base()
    after = edit(before, 1, code="A1")  # recode
    after = edit(after, 3, geometry=affinity.scale(before.geometries[2], 0.9, 0.9))  # reshape
    after = drop(after, 2)  # removed
    after = add(after, box(500, 500, 600, 600), "N", 30)  # created
    assert sorted(summary(detect_changes(before, after, changed_at=T0))) == sorted(
        [("create", None, "N"), ("reshape", "C", "C"), ("recode", "A", "A1"), ("retire", "B", None)]
    )


def test_workspace_changes_cover_every_layer():
    before = {L: base()}
    after = {L: add(base(), box(300, 0, 400, 100), "E", 9), "grid_level2": GridArray.empty("grid_level2", 2)}
    records = detect_workspace_changes(before, after, changed_at=T0)
    assert summary(records) == [("create", None, "E")]


def test_geometry_unchanged_handles_missing_geometries():
    a = np.asarray([box(0, 0, 1, 1), None, None, box(0, 0, 1, 1)], dtype=object)
    b = np.asarray([box(0, 0, 1, 1.5), None, box(0, 0, 1, 1), box(0, 0, 1, 1.001)], dtype=object)
    assert geometry_unchanged(a, b, tolerance_m2=0.01).tolist() == [False, True, False, True]


def record(changed_at=T0, filed_at=None, approval_ref=""):
    return ChangeRecord(changed_at, "李四", "reshape", L, "A", "A", 1.0, 2.0, "", approval_ref, filed_at)


def test_filing_status_counts_seven_calendar_days():
    r = record()
    assert filing_deadline(r.changed_at) == date(2024, 3, 11)
    s = filing_status(r, datetime(2024, 3, 8, 23, 0))
    assert (s.filed, s.days_left, s.overdue, s.needs_approval) == (False, 3, False, True)
    assert s.message("zh") == "剩余 3 天备案" and s.message("en") == "3 days left to file"
    due = filing_status(r, datetime(2024, 3, 11, 23, 59))
    assert (due.days_left, due.overdue) == (0, False) and due.message("en") == "filing due today"
    late = filing_status(r, date(2024, 3, 13))
    assert (late.days_left, late.overdue) == (-2, True)
    assert late.message("zh") == "逾期 2 天未备案" and late.message("en") == "not filed, 2 days overdue"


def test_filed_in_time_and_filed_late():
    on_time = filing_status(record(filed_at=datetime(2024, 3, 11, 17, 0), approval_ref="x"), date(2024, 4, 1))
    assert (on_time.filed, on_time.overdue, on_time.filed_late, on_time.needs_approval) == (True, False, False, False)
    late = filing_status(record(filed_at=datetime(2024, 3, 12, 9, 0)), date(2024, 4, 1))
    assert (late.filed, late.overdue, late.filed_late) == (True, False, True)
    assert late.message("zh") == "已备案（逾期）"


def test_unfiled_overdue_due_within_and_mark_filed():
    old = record(changed_at=datetime(2024, 3, 1))
    recent = record(changed_at=datetime(2024, 3, 9))
    done = record(changed_at=datetime(2024, 2, 1), filed_at=datetime(2024, 2, 3))
    records = [recent, done, old]
    now = datetime(2024, 3, 10)
    assert unfiled(records) == [old, recent]
    assert overdue(records, now) == [old]
    assert due_within(records, 7, now) == [recent]
    assert due_within(records, 5, now) == []
    filed = mark_filed(records, datetime(2024, 3, 10, 9), approval_ref="批复1")
    assert unfiled(filed) == []
    assert filed[1] is done and filed[0].approval_ref == "批复1" and filed[0].filed_at == datetime(2024, 3, 10, 9)


def test_record_rows_match_the_change_log_schema_and_round_trip():
    r = record(filed_at=datetime(2024, 3, 5, 8, 0), approval_ref="批复2")
    row = r.to_row()
    assert tuple(row) == schema.CHANGE_LOG.field_names
    assert row["changed_at"] == "2024-03-04T10:30:00" and row["filed_at"] == "2024-03-05T08:00:00"
    assert ChangeRecord.from_row(row) == r
    assert r.kind_label("zh") == "调整边界" and r.kind_label("en") == "reshaped"
    with pytest.raises(ValueError, match="unknown change kind"):
        ChangeRecord(T0, "", "moved", L, None, None, None, None)
