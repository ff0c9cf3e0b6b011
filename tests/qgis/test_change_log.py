"""The change log: every kind of grid edit made through the edit buffer and saved is recorded; the panel."""

from __future__ import annotations

import gc
from datetime import datetime

import numpy as np
import pytest
from qgis.core import QgsFeature, QgsGeometry
from shapely.geometry import box

from plugin.adapters.change_tracker import ChangeTracker
from plugin.adapters.codes_store import load_registry
from plugin.adapters.layer_edits import add_rows
from plugin.adapters.layer_edits import read_rows as read_table
from plugin.adapters.workspace import create_workspace
from plugin.core import schema
from plugin.core.model import GridArray, WorkspaceData
from plugin.gui.changes_panel import OVERDUE, ChangesPanel

X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902001001"
NOW = datetime(2024, 3, 11, 9, 30, 0)


def geometry(shape) -> QgsGeometry:
    g = QgsGeometry.fromWkt(shape.wkt)
    g.convertToMultiType()
    return g


def section(k):
    """Section k of 4 in a row, 100 m × 100 m, from the west."""
    return box(X0 + 100 * k, Y0, X0 + 100 * (k + 1), Y0 + 100)


@pytest.fixture
def tracked(tmp_path, qgis_app):
    """A workspace with 4 coded sections and a connected tracker (fixed user and clock)."""
    info = schema.WorkspaceInfo("610902", "汉滨区", "EPSG:4524")
    grids = {
        "grid_level1": GridArray.from_records("grid_level1", 1, [box(X0, Y0, X0 + 400, Y0 + 100)], [V]),
        "grid_level2": GridArray.from_records(
            "grid_level2",
            2,
            [section(k) for k in range(4)],
            [f"{V}{k + 1:02d}" for k in range(4)],
            parent_codes=[V] * 4,
            names=[f"S{k}" for k in range(4)],
            attributes={"status": np.array(["active"] * 4, dtype=object)},
        ),
    }
    ws = create_workspace(tmp_path / "ws.gpkg", "610902", "汉滨区", "EPSG:4524", WorkspaceData(info, grids))
    tracker = ChangeTracker(ws, user="张三", clock=lambda: NOW)
    tracker.connect()
    yield ws, tracker
    tracker.disconnect()
    for layer in ws.layers.values():
        if layer.isEditable():
            layer.rollBack()
    ws.layers.clear()
    gc.collect()


def fids(layer):
    return {f["name"]: f.id() for f in layer.getFeatures()}


def logged(ws):
    rows = read_table(ws.layers["change_log"])
    return sorted(
        (r["change_kind"], r["old_code"], r["new_code"], r["area_before"], r["area_after"]) for r in rows
    ), rows


def new_feature(layer, shape, name, code=None):
    feature = QgsFeature(layer.fields())
    feature.setAttribute("name", name)
    feature.setAttribute("code", code)
    feature.setAttribute("status", "active")
    feature.setGeometry(geometry(shape))
    return feature


def test_created_grid_is_logged_with_time_user_and_area(tracked):
    ws, tracker = tracked
    level2 = ws.layers["grid_level2"]
    level2.startEditing()
    level2.addFeature(new_feature(level2, box(X0, Y0 - 100, X0 + 100, Y0), "new", f"{V}05"))
    assert level2.commitChanges()
    assert tracker.last_error == ""
    entries, rows = logged(ws)
    assert entries == [("create", None, f"{V}05", None, pytest.approx(10_000.0))]
    assert rows[0]["user"] == "张三"
    assert rows[0]["layer"] == "grid_level2"
    assert rows[0]["changed_at"].startswith("2024-03-11T09:30:00")
    assert rows[0]["filed_at"] is None and not rows[0]["reason"]
    assert not ws.layers["change_log"].isEditable()  # saved at once


def test_the_first_saved_edit_registers_every_grids_code_not_only_the_edited_ones(tracked):
    """A workspace that keeps no code registry yet starts one at its first saved grid edit: with every code of
    every grid layer, so that the audit does not then list all the other grids as unregistered."""
    from plugin.adapters.codes_store import verify_registry

    ws, _tracker = tracked
    assert not read_table(ws.layers["code_registry"])  # no registry kept yet
    level2 = ws.layers["grid_level2"]
    level2.startEditing()
    first = next(iter(level2.getFeatures()))
    level2.changeAttributeValue(first.id(), level2.fields().indexOf("name"), "renamed")
    level2.addFeature(new_feature(level2, box(X0, Y0 - 100, X0 + 100, Y0), "new", f"{V}05"))
    assert level2.commitChanges()
    registry, _fids = load_registry(ws.layers["code_registry"])
    assert registry.codes() == {V} | {f"{V}{k:02d}" for k in range(1, 6)}  # level 1 too, untouched by the edit
    assert verify_registry(ws) == []


def test_reshape_split_merge_recode_retire(tracked):
    ws, tracker = tracked
    level2 = ws.layers["grid_level2"]
    ids = fids(level2)
    code = [f"{V}{k + 1:02d}" for k in range(4)]

    # reshape: S0 loses its western 20 m
    level2.startEditing()
    level2.changeGeometry(ids["S0"], geometry(box(X0 + 20, Y0, X0 + 100, Y0 + 100)))
    assert level2.commitChanges()
    entries, _ = logged(ws)
    assert entries == [("reshape", code[0], code[0], pytest.approx(10_000.0), pytest.approx(8_000.0))]

    # split: S1 into a west and an east half (the copy keeps the code, as QGIS's split tool does)
    level2.startEditing()
    level2.changeGeometry(ids["S1"], geometry(box(X0 + 100, Y0, X0 + 150, Y0 + 100)))
    level2.addFeature(new_feature(level2, box(X0 + 150, Y0, X0 + 200, Y0 + 100), "S1b", code[1]))
    assert level2.commitChanges()
    entries, _ = logged(ws)
    splits = [e for e in entries if e[0] == "split"]
    assert splits == [("split", code[1], code[1], pytest.approx(10_000.0), pytest.approx(5_000.0))] * 2

    # merge: S3 absorbed into S2
    level2.startEditing()
    level2.changeGeometry(ids["S2"], geometry(box(X0 + 200, Y0, X0 + 400, Y0 + 100)))
    level2.deleteFeature(ids["S3"])
    assert level2.commitChanges()
    entries, _ = logged(ws)
    merges = sorted(e for e in entries if e[0] == "merge")
    assert merges == [
        ("merge", code[2], code[2], pytest.approx(10_000.0), pytest.approx(20_000.0)),
        ("merge", code[3], code[2], pytest.approx(10_000.0), pytest.approx(20_000.0)),
    ]

    # recode: the east half of S1 gets a new code
    ids = fids(level2)
    level2.startEditing()
    level2.changeAttributeValue(ids["S1b"], level2.fields().indexFromName("code"), f"{V}05")
    assert level2.commitChanges()
    entries, _ = logged(ws)
    assert [e for e in entries if e[0] == "recode"] == [
        ("recode", code[1], f"{V}05", pytest.approx(5_000.0), pytest.approx(5_000.0))
    ]

    # retire: S0 by status, S2 by deleting it
    level2.startEditing()
    level2.changeAttributeValue(ids["S0"], level2.fields().indexFromName("status"), "retired")
    level2.deleteFeature(ids["S2"])
    assert level2.commitChanges()
    entries, rows = logged(ws)
    assert sorted(e[1] for e in entries if e[0] == "retire") == [code[0], code[2]]
    assert tracker.last_error == ""
    assert len(rows) == 1 + 2 + 2 + 1 + 2
    assert {r["user"] for r in rows} == {"张三"}
    # the registry follows: retired codes are retired, new codes issued
    registry, _ = load_registry(ws.layers["code_registry"])
    assert registry.is_retired(code[0]) and registry.is_retired(code[2]) and registry.is_retired(code[3])
    assert f"{V}05" in registry and not registry.is_retired(f"{V}05")
    assert not registry.is_retired(code[1])  # S1 (west half) still holds it


def test_unchanged_save_logs_nothing_and_rollback_forgets(tracked):
    ws, _ = tracked
    level2 = ws.layers["grid_level2"]
    ids = fids(level2)
    level2.startEditing()
    level2.changeAttributeValue(ids["S0"], level2.fields().indexFromName("remarks"), "note")
    assert level2.commitChanges()
    level2.startEditing()
    level2.deleteFeature(ids["S1"])
    level2.rollBack()
    assert read_table(ws.layers["change_log"]) == []


def test_rows_reach_the_file_while_the_user_edits_the_change_log(tracked):
    """The log rows are written with the grids even while the planner edits change_log: the planner's own
    edits wait in that layer's buffer and are saved after."""
    ws, _ = tracked
    log = ws.layers["change_log"]
    level2 = ws.layers["grid_level2"]
    level2.startEditing()
    level2.deleteFeature(fids(level2)["S3"])
    assert level2.commitChanges()
    first = read_table(log)[0]["fid"]
    log.startEditing()
    log.changeAttributeValue(first, log.fields().indexFromName("reason"), "道路调整")
    level2.startEditing()
    level2.deleteFeature(fids(level2)["S2"])
    assert level2.commitChanges()
    assert log_file_rows(ws) == [("retire", f"{V}04", None), ("retire", f"{V}03", None)]
    assert log.isEditable() and log.isModified()
    assert sorted(r["change_kind"] for r in read_table(log)) == ["retire", "retire"]
    assert log.commitChanges()
    assert [r["reason"] or None for r in read_table(log)] == ["道路调整", None]


def registry_file_rows(ws) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(ws.path) as db:
        return db.execute("SELECT code, status FROM code_registry ORDER BY code").fetchall()


def log_file_rows(ws) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(ws.path) as db:
        return db.execute("SELECT change_kind, old_code, new_code FROM change_log ORDER BY fid").fetchall()


def test_log_and_registry_are_written_in_one_transaction_of_the_file(tracked):
    ws, _ = tracked
    level2 = ws.layers["grid_level2"]
    level2.startEditing()
    level2.deleteFeature(fids(level2)["S3"])
    assert level2.commitChanges()
    assert log_file_rows(ws) == [("retire", f"{V}04", None)]
    assert (f"{V}04", "retired") in registry_file_rows(ws)
    for name in ("change_log", "code_registry", "staff"):  # written into the file, no edit buffer left
        assert not ws.layers[name].isEditable()
    assert [r["change_kind"] for r in read_table(ws.layers["change_log"])] == ["retire"]  # the layer shows it


def grid_file_rows(ws) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(ws.path) as db:
        return db.execute("SELECT fid, name, code, status, hex(geom) FROM grid_level2 ORDER BY fid").fetchall()


def test_a_failed_log_write_leaves_grids_log_and_registry_as_they_were(tracked, monkeypatch, qgis_app):
    """A failure between the change_log rows and the registry rows (injected at the writer's checkpoint):
    neither the grids nor the log nor the registry are written; the save is refused and reported, the edits
    stay in the buffer and are saved by the next try."""
    from plugin.adapters import change_tracker

    ws, tracker = tracked
    level2 = ws.layers["grid_level2"]
    level2.startEditing()
    level2.deleteFeature(fids(level2)["S3"])
    assert level2.commitChanges()
    before = grid_file_rows(ws), log_file_rows(ws), registry_file_rows(ws)
    failures = []
    tracker.saveFailed.connect(failures.append)

    def fail(name):
        if name == "tracker:log-written":
            raise change_tracker.WriteError("injected failure")

    monkeypatch.setattr(change_tracker, "checkpoint", fail)
    level2.startEditing()
    level2.deleteFeature(fids(level2)["S2"])
    level2.changeGeometry(fids(level2)["S1"], geometry(box(X0 + 100, Y0, X0 + 300, Y0 + 100)))
    assert not level2.commitChanges()
    assert "injected failure" in tracker.last_error and failures == [tracker.last_error]
    assert (grid_file_rows(ws), log_file_rows(ws), registry_file_rows(ws)) == before
    qgis_app.processEvents()  # the refusal is lifted once QGIS's save is over
    assert level2.isEditable() and level2.isModified() and level2.featureCount() == 2  # the edits kept
    assert {f["name"] for f in level2.getFeatures()} == {"S0", "S1"}
    monkeypatch.setattr(change_tracker, "checkpoint", lambda name: None)
    assert level2.commitChanges()
    assert tracker.last_error == ""
    assert sorted(log_file_rows(ws)) == sorted(
        [("retire", f"{V}04", None), ("merge", f"{V}02", f"{V}02"), ("merge", f"{V}03", f"{V}02")]
    )
    assert level2.dataProvider().featureCount() == 2


def test_a_locked_file_refuses_the_save_and_keeps_the_edits(tracked, qgis_app):
    """Another program holding the file: GDAL's / SQLite's words reach the planner, nothing is written,
    the edits (and their undo) stay."""
    import sqlite3

    ws, tracker = tracked
    level2 = ws.layers["grid_level2"]
    before = grid_file_rows(ws), log_file_rows(ws)
    level2.startEditing()
    level2.addFeature(new_feature(level2, box(X0, Y0 - 100, X0 + 100, Y0), "new", f"{V}05"))
    locker = sqlite3.connect(ws.path, timeout=0)
    locker.execute("BEGIN IMMEDIATE")  # another program writing: readers go on, writers wait
    try:
        assert not level2.commitChanges()
    finally:
        locker.rollback()
        locker.close()
    assert "locked" in tracker.last_error
    assert (grid_file_rows(ws), log_file_rows(ws)) == before
    qgis_app.processEvents()
    assert level2.isModified() and level2.featureCount() == 5
    stack = level2.undoStack()
    while stack.canUndo() and level2.featureCount() == 5:
        stack.undo()
    assert level2.featureCount() == 4  # the planner's edit is still undoable ...
    while stack.canRedo():
        stack.redo()
    assert level2.featureCount() == 5  # ... and redoable; nothing else is on the stack
    assert level2.commitChanges()
    assert log_file_rows(ws) == [("create", None, f"{V}05")]


def test_save_layer_edits_keeps_editing_undo_works_before_and_ids_are_the_files(tracked):
    """Save Layer Edits (commitChanges(False)): the layer stays editable with an empty undo stack, shows
    the file's features (the new grid with the id the file gave it), and the log has its row."""
    ws, tracker = tracked
    level2 = ws.layers["grid_level2"]
    ids = fids(level2)
    added = []
    level2.committedFeaturesAdded.connect(lambda _id, features: added.extend(f.id() for f in features))
    level2.startEditing()
    level2.deleteFeature(ids["S0"])
    level2.undoStack().undo()  # undo before saving
    level2.deleteFeature(ids["S3"])
    level2.addFeature(new_feature(level2, box(X0, Y0 - 100, X0 + 100, Y0), "new", f"{V}05"))
    level2.changeAttributeValue(ids["S1"], level2.fields().indexFromName("remarks"), "备注")
    level2.selectByIds([f.id() for f in level2.getFeatures() if f["name"] in ("new", "S1")])
    assert level2.commitChanges(False)
    assert level2.isEditable() and not level2.isModified() and level2.undoStack().count() == 0
    rows = grid_file_rows(ws)
    assert [r[1] for r in rows] == ["S0", "S1", "S2", "new"]
    assert level2.featureCount() == 4 and level2.dataProvider().featureCount() == 4
    assert fids(level2) == {r[1]: r[0] for r in rows}
    assert added == [fids(level2)["new"]]
    assert sorted(level2.selectedFeatureIds()) == sorted([ids["S1"], fids(level2)["new"]])
    assert level2.getFeature(ids["S1"])["remarks"] == "备注"
    assert sorted(log_file_rows(ws)) == [("create", None, f"{V}05"), ("retire", f"{V}04", None)]
    assert [r["change_kind"] for r in read_table(ws.layers["change_log"])] != []
    level2.changeGeometry(ids["S2"], geometry(box(X0 + 200, Y0, X0 + 250, Y0 + 100)))
    assert level2.commitChanges()
    assert not level2.isEditable()
    assert ("reshape", f"{V}03", f"{V}03") in log_file_rows(ws)
    assert tracker.last_error == ""


def test_values_and_geometries_are_stored_as_qgis_would_store_them(tracked):
    """A date, a NULL, a single Polygon in the MultiPolygon layer (stored as a MultiPolygon, as QGIS's
    save converts it), a geometry and attributes changed on the same grid."""
    import sqlite3

    from qgis.PyQt.QtCore import QDate

    ws, _ = tracked
    level2 = ws.layers["grid_level2"]
    ids = fids(level2)
    index = level2.fields().indexFromName
    level2.startEditing()
    level2.changeAttributeValue(ids["S0"], index("valid_from"), QDate(2024, 3, 1))
    level2.changeAttributeValue(ids["S0"], index("name"), "东片")
    level2.changeAttributeValue(ids["S1"], index("remarks"), None)
    level2.changeGeometry(ids["S0"], geometry(box(X0 + 10, Y0, X0 + 100, Y0 + 100)))
    feature = new_feature(level2, box(X0, Y0 - 100, X0 + 100, Y0), "single", f"{V}05")
    feature.setGeometry(QgsGeometry.fromWkt(box(X0, Y0 - 100, X0 + 100, Y0).wkt))  # a Polygon
    level2.addFeature(feature)
    assert level2.commitChanges()
    with sqlite3.connect(ws.path) as db:
        rows = dict(
            (name, (valid_from, remarks))
            for name, valid_from, remarks in db.execute("SELECT name, valid_from, remarks FROM grid_level2")
        )
    assert rows["东片"] == ("2024-03-01", None)
    assert rows["S1"][1] is None
    saved = {f["name"]: f for f in level2.getFeatures()}
    assert saved["single"].geometry().isMultipart()
    assert saved["东片"].geometry().area() == pytest.approx(9_000.0)
    assert sorted(e[0] for e in logged(ws)[0]) == ["create", "reshape"]


def test_field_edits_are_saved_by_qgis_and_still_logged(tracked):
    """A buffer that adds a field (no one-transaction write for that): QGIS saves, the tracker logs after."""
    from qgis.core import QgsField

    from plugin.adapters.qgis_compat import variant_type
    from plugin.core.schema import FieldType

    ws, tracker = tracked
    level2 = ws.layers["grid_level2"]
    level2.startEditing()
    assert level2.addAttribute(QgsField("note2", variant_type(FieldType.STRING)))
    level2.deleteFeature(fids(level2)["S3"])
    assert level2.commitChanges()
    assert tracker.last_error == ""
    assert "note2" in level2.dataProvider().fields().names()
    assert log_file_rows(ws) == [("retire", f"{V}04", None)]


# ---------------------------------------------------------------- the panel


def test_panel_shows_days_left_highlights_overdue_and_marks_filed_undoably(tracked, qgis_app):
    ws, _ = tracked
    log = ws.layers["change_log"]
    rows = [
        {"changed_at": datetime(2024, 3, 1, 10), "change_kind": "create", "layer": "grid_level2", "new_code": "A"},
        {"changed_at": datetime(2024, 3, 6, 10), "change_kind": "split", "layer": "grid_level2", "old_code": "B"},
        {"changed_at": datetime(2024, 3, 10, 10), "change_kind": "retire", "layer": "grid_level3", "old_code": "C"},
        {
            "changed_at": datetime(2024, 3, 2, 10),
            "change_kind": "merge",
            "layer": "grid_level2",
            "old_code": "D",
            "filed_at": datetime(2024, 3, 5, 10),
        },
    ]
    add_rows(log, rows, "test rows")
    panel = ChangesPanel(log, clock=lambda: NOW)
    try:
        table = panel.table
        assert table.rowCount() == 3  # the filed one is hidden
        days = [table.item(r, 1).text() for r in range(3)]
        assert days == ["-3", "2", "6"]  # 1 March + 7 = 8 March: 3 days overdue on 11 March
        assert table.item(0, 0).background().color() == OVERDUE
        assert table.item(2, 0).background().color() != OVERDUE
        assert table.item(0, 2).text() == "2024-03-08"
        assert "1" in panel.summary.text()
        panel.show_filed.setChecked(True)
        assert table.rowCount() == 4
        panel.show_filed.setChecked(False)

        # mark the two oldest filed: one undoable edit in change_log's buffer
        table.selectRow(0)
        selected = panel.selected_fids()
        assert len(selected) == 1
        marked = panel.mark_filed(panel._fids[:2], approval_ref="汉滨政发〔2024〕12号")
        assert marked == 2
        assert log.isEditable() and log.undoStack().count() == 1
        assert table.rowCount() == 1
        filed = {r["fid"]: r for r in read_table(log) if r["filed_at"]}
        assert len(filed) == 3
        assert {r["approval_ref"] for r in filed.values() if r["change_kind"] != "merge"} == {"汉滨政发〔2024〕12号"}
        log.undoStack().undo()
        panel.refresh()
        assert table.rowCount() == 3
        log.rollBack()
    finally:
        panel.set_layer(None)
        panel.deleteLater()


def test_panel_follows_the_tracker(tracked, qgis_app):
    ws, tracker = tracked
    panel = ChangesPanel(ws.layers["change_log"], clock=lambda: NOW)
    panel.set_tracker(tracker)
    try:
        assert panel.table.rowCount() == 0
        level2 = ws.layers["grid_level2"]
        level2.startEditing()
        level2.addFeature(new_feature(level2, box(X0, Y0 - 100, X0 + 100, Y0), "new", f"{V}05"))
        assert level2.commitChanges()
        assert panel.table.rowCount() == 1
        assert panel.table.item(0, 1).text() == "7"
    finally:
        panel.set_tracker(None)
        panel.set_layer(None)
        panel.deleteLater()
