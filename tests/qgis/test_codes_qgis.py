"""Code allocation through the adapter on a real workspace file: order, stability, no reuse, preview, undo."""

from __future__ import annotations

import gc
import hashlib
import sqlite3

import numpy as np
import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer
from shapely.geometry import box

from plugin.adapters.change_tracker import ChangeTracker
from plugin.adapters.codes_store import apply_allocation, load_registry, plan_allocation
from plugin.adapters.layer_edits import read_rows as read_table
from plugin.adapters.workspace import create_workspace, open_workspace
from plugin.core import schema
from plugin.core.model import GridArray, WorkspaceData

X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902001001"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def geometry(shape) -> QgsGeometry:
    g = QgsGeometry.fromWkt(shape.wkt)
    g.convertToMultiType()
    return g


def cell(col, row, w=100.0, h=100.0):
    """Cell (col, row) of the village, row 0 at the north."""
    return box(X0 + col * w, Y0 + 200 - (row + 1) * h, X0 + (col + 1) * w, Y0 + 200 - row * h)


@pytest.fixture
def village_workspace(tmp_path, qgis_app):
    """A village (coded) with 6 uncoded sections, 2 rows × 3 columns, stored in a shuffled order."""
    order = [4, 0, 5, 2, 3, 1]
    cells = [cell(k % 3, k // 3) for k in order]
    info = schema.WorkspaceInfo("610902", "汉滨区", "EPSG:4524")
    grids = {
        "grid_level1": GridArray.from_records(
            "grid_level1",
            1,
            [box(X0, Y0, X0 + 300, Y0 + 200)],
            [V],
            names=["青山村"],
            attributes={"status": np.array(["active"], dtype=object), "level": np.array([1])},
        ),
        "grid_level2": GridArray.from_records(
            "grid_level2",
            2,
            cells,
            [None] * 6,
            names=[f"片区{k}" for k in order],
            attributes={"status": np.array(["active"] * 6, dtype=object), "level": np.array([2] * 6)},
        ),
    }
    data = WorkspaceData(info=info, grids=grids, divisions=[{"code": V, "name": "青山村"}])
    ws = create_workspace(tmp_path / "ws.gpkg", "610902", "汉滨区", "EPSG:4524", data=data)
    yield ws
    release(ws)


def release(ws):
    """Drop the workspace's layers now: QGIS layers still alive when QGIS exits crash the interpreter."""
    for layer in ws.layers.values():
        if layer.isEditable():
            layer.rollBack()
    ws.layers.clear()
    gc.collect()


def codes_by_name(layer):
    return {f["name"]: (f["code"] if f["code"] else None) for f in layer.getFeatures()}


def test_preview_changes_nothing(village_workspace):
    ws = village_workspace
    before = digest(ws.path)
    preview = plan_allocation(ws)
    assert len(preview.plan) == 6
    assert {a.reason for a in preview.plan} == {"missing"}
    assert all(not layer.isEditable() and not layer.isModified() for layer in ws.layers.values())
    assert ws.layers["code_registry"].featureCount() == 0
    assert digest(ws.path) == before


def test_apply_numbers_north_to_south_west_to_east_and_is_undoable(village_workspace):
    ws = village_workspace
    level2 = ws.layers["grid_level2"]
    preview = plan_allocation(ws)
    result = apply_allocation(ws, preview)
    assert result.changed == {"grid_level2": 6}
    assert level2.isEditable() and level2.undoStack().count() == 1
    codes = codes_by_name(level2)
    expected = {f"片区{k}": f"{V}{k + 1:02d}" for k in range(6)}  # cell k = row-major from the north-west
    assert codes == expected
    # the registry's edits wait in its buffer as one command, with the village code recorded by the sync
    registry = ws.layers["code_registry"]
    assert registry.undoStack().count() == 1
    assert {r["code"] for r in read_table(registry)} == {V, *expected.values()}
    # one undo takes the whole allocation back
    level2.undoStack().undo()
    assert set(codes_by_name(level2).values()) == {None}
    registry.undoStack().undo()
    assert registry.featureCount() == 0
    level2.rollBack()
    registry.rollBack()


def save_all(ws):
    for layer in ws.layers.values():
        if layer.isEditable():
            assert layer.commitChanges(), layer.commitErrors()


def allocate_and_save(ws, **options):
    preview = plan_allocation(ws, **options)
    apply_allocation(ws, preview, commit=True)
    return preview.plan


def test_stable_after_add_split_merge_retire_and_codes_never_reused(village_workspace):
    ws = village_workspace
    tracker = ChangeTracker(ws, user="tester")
    tracker.connect()
    try:
        allocate_and_save(ws)
        level2 = ws.layers["grid_level2"]
        first = codes_by_name(level2)
        # nothing to do a second time
        assert plan_allocation(ws).plan.is_empty

        # retire section 5 (status) and delete section 4: their codes are retired in the registry
        fid = {f["name"]: f.id() for f in level2.getFeatures()}
        level2.startEditing()
        level2.changeAttributeValue(fid["片区5"], level2.fields().indexFromName("status"), "retired")
        level2.deleteFeature(fid["片区4"])
        assert level2.commitChanges()
        registry, _ = load_registry(ws.layers["code_registry"])
        assert registry.is_retired(first["片区5"]) and registry.is_retired(first["片区4"])

        # split section 0: the west half keeps the feature, the east half is a copy with the same code
        level2.startEditing()
        level2.changeGeometry(fid["片区0"], geometry(box(X0, Y0 + 100, X0 + 50, Y0 + 200)))
        copy = QgsFeature(level2.fields())
        copy.setAttributes(level2.getFeature(fid["片区0"]).attributes())
        copy.setAttribute(0, None)  # fid column
        copy.setAttribute("name", "片区0东")
        copy.setGeometry(geometry(box(X0 + 50, Y0 + 100, X0 + 100, Y0 + 200)))
        assert level2.addFeature(copy)
        # a new section where section 4 was
        new = QgsFeature(level2.fields())
        new.setAttribute("name", "新片区")
        new.setAttribute("level", 2)
        new.setAttribute("status", "active")
        new.setGeometry(geometry(cell(1, 1)))
        assert level2.addFeature(new)
        assert level2.commitChanges()

        plan = plan_allocation(ws).plan
        assigned = {a.fid: (a.reason, a.new_code) for a in plan}
        # the duplicate from the split and the new grid get numbers after the highest ever used (06)
        assert sorted(code for _, code in assigned.values()) == [f"{V}07", f"{V}08"]
        assert sorted(reason for reason, _ in assigned.values()) == ["duplicate", "missing"]
        apply_allocation(ws, plan_allocation(ws), commit=True)
        after = codes_by_name(level2)
        # unchanged grids keep their codes; the retired ones are not given again
        for name in ("片区0", "片区1", "片区2", "片区3"):
            assert after[name] == first[name]
        assert first["片区4"] not in {c for n, c in after.items() if n != "片区4"}
        assert after["片区5"] == first["片区5"]  # a retired grid keeps its (retired) code

        # merge sections 1 and 2: one keeps its code, the other's code is retired, never reused
        fid = {f["name"]: f.id() for f in level2.getFeatures()}
        level2.startEditing()
        level2.changeGeometry(fid["片区1"], geometry(box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 200)))
        level2.deleteFeature(fid["片区2"])
        assert level2.commitChanges()
        registry, _ = load_registry(ws.layers["code_registry"])
        assert registry.is_retired(first["片区2"])
        level2.startEditing()
        extra = QgsFeature(level2.fields())
        extra.setAttribute("name", "再新片区")
        extra.setAttribute("status", "active")
        extra.setGeometry(geometry(box(X0 + 200, Y0, X0 + 300, Y0 + 100)))
        level2.addFeature(extra)
        assert level2.commitChanges()
        plan = plan_allocation(ws).plan
        assert [a.new_code for a in plan] == [f"{V}09"]
        issued = {r["code"] for r in read_table(ws.layers["code_registry"])}
        assert plan.assignments[0].new_code not in issued
    finally:
        tracker.disconnect()


def test_allocation_survives_reopening_the_file(village_workspace):
    ws = village_workspace
    allocate_and_save(ws)
    reopened = open_workspace(ws.path)
    assert plan_allocation(reopened).plan.is_empty
    registry, fids = load_registry(reopened.layers["code_registry"])
    assert len(registry) == 7 and len(fids) == 7
    release(reopened)


def test_invalid_codes_kept_unless_recoding_is_asked(village_workspace):
    ws = village_workspace
    allocate_and_save(ws)
    level2 = ws.layers["grid_level2"]
    target = next(f for f in level2.getFeatures() if f["name"] == "片区3")
    level2.startEditing()
    level2.changeAttributeValue(target.id(), level2.fields().indexFromName("code"), "12AB")
    assert level2.commitChanges()
    preview = plan_allocation(ws)
    assert preview.plan.is_empty and [a.fid for a in preview.plan.kept_invalid] == [target.id()]
    preview = plan_allocation(ws, recode_invalid=True)
    assert [(a.fid, a.reason, a.new_code) for a in preview.plan] == [(target.id(), "invalid", f"{V}07")]


def test_registry_table_is_a_plain_layer(village_workspace):
    ws = village_workspace
    allocate_and_save(ws)
    plain = QgsVectorLayer(f"{ws.path}|layername=code_registry", "r", "ogr")
    assert plain.featureCount() == 7
    statuses = {f["status"] for f in plain.getFeatures()}
    assert statuses == {"active"}
    del plain


# ---------------------------------------------------------------- the preview dialog


def test_preview_dialog_lists_the_plan_and_cancel_writes_nothing(village_workspace, qgis_app):

    from plugin.gui.allocation_preview import AllocationPreviewDialog, preview_and_apply

    ws = village_workspace
    preview = plan_allocation(ws)
    dialog = AllocationPreviewDialog(preview.plan)
    assert dialog.table.rowCount() == 6 and dialog.apply_button.isEnabled()
    rows = {dialog.table.item(r, 1).text(): dialog.table.item(r, 4).text() for r in range(6)}
    assert sorted(rows.values()) == [f"{V}{k:02d}" for k in range(1, 7)]
    assert all(dialog.table.item(r, 2).text() == "" for r in range(6))  # old codes: none
    dialog.deleteLater()

    answer_dialog("cancel")
    assert preview_and_apply(ws) is None
    assert not ws.layers["grid_level2"].isEditable() and ws.layers["code_registry"].featureCount() == 0

    # Apply: codes, change_log and registry written in one transaction of the file, no edit buffer left
    answer_dialog("apply")
    applied = preview_and_apply(ws)
    assert applied.changed == {"grid_level2": 6}
    assert not ws.layers["grid_level2"].isEditable()
    with sqlite3.connect(ws.path) as db:
        codes = sorted(c for (c,) in db.execute("SELECT code FROM grid_level2"))
        logged = db.execute("SELECT change_kind, new_code FROM change_log ORDER BY new_code").fetchall()
        registered = sorted(c for (c,) in db.execute("SELECT code FROM code_registry WHERE layer = 'grid_level2'"))
    assert codes == registered == [f"{V}{k:02d}" for k in range(1, 7)]
    assert logged == [("recode", c) for c in codes]
    assert sorted(f["code"] for f in ws.layers["grid_level2"].getFeatures()) == codes  # the layer shows them


def test_preview_dialog_refuses_while_layers_have_unsaved_edits(village_workspace, qgis_app):
    from plugin.gui.allocation_preview import preview_and_apply

    ws = village_workspace
    level2 = ws.layers["grid_level2"]
    level2.startEditing()
    level2.changeAttributeValue(next(level2.getFeatures()).id(), level2.fields().indexFromName("name"), "改名")
    before = digest(ws.path)
    shown = answer_dialog("ok")  # the warning
    assert preview_and_apply(ws) is None
    assert "Save or discard the edits" in shown[0] and level2.name() in shown[0]
    assert digest(ws.path) == before and level2.isModified()
    level2.rollBack()


def answer_dialog(button: str) -> list[str]:
    """Answer the next modal dialog with a real click on ``button`` (apply, cancel or ok); returns the texts
    of the dialogs answered."""
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

    shown: list[str] = []
    standard = {
        "apply": QDialogButtonBox.StandardButton.Apply,
        "cancel": QDialogButtonBox.StandardButton.Cancel,
        "ok": QDialogButtonBox.StandardButton.Ok,
    }[button]

    def click():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, click)
            return
        if isinstance(dialog, QMessageBox):
            shown.append(dialog.text())
            dialog.button(QMessageBox.StandardButton(int(standard))).click()
            return
        box = dialog.findChild(QDialogButtonBox)
        box.button(standard).click()

    QTimer.singleShot(0, click)
    return shown


def test_preview_dialog_shows_grids_that_cannot_be_coded(village_workspace, qgis_app):
    from plugin.gui.allocation_preview import AllocationPreviewDialog

    ws = village_workspace
    level1 = ws.layers["grid_level1"]
    level1.startEditing()
    level1.changeAttributeValue(next(level1.getFeatures()).id(), level1.fields().indexFromName("code"), None)
    assert level1.commitChanges()
    preview = plan_allocation(ws)
    # the village is coded from the divisions table by name, its sections then in the same plan
    assert [a.reason for a in preview.plan if a.layer == "grid_level1"] == ["village_code"]
    level1.startEditing()
    level1.changeAttributeValue(next(level1.getFeatures()).id(), level1.fields().indexFromName("name"), "无名村")
    assert level1.commitChanges()
    preview = plan_allocation(ws)
    assert preview.plan.is_empty and len(preview.plan.unresolved) == 7
    dialog = AllocationPreviewDialog(preview.plan)
    assert dialog.table.rowCount() == 7 and not dialog.apply_button.isEnabled()
    assert dialog.table.item(0, 4).text() == "—"
    dialog.deleteLater()
