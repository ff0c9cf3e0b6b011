"""Staff register import (CSV, XLSX) into a workspace, row-by-row reporting, and the staff panel."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import shapely
from qgis.core import QgsProcessingException, QgsVectorLayer

from plugin.adapters.workspace import create_workspace, open_workspace
from plugin.core import schema
from plugin.core.model import GridArray, WorkspaceData

X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902001003"
C1, C2, RETIRED = f"{V}01001", f"{V}01002", f"{V}01009"
HEADER = ["序号", "姓名", "岗位", "网格编码", "联系电话", "监督电话", "职务"]
ROWS = [
    [1, "张三", "网格长", C1, "139 1234 5678", "12345", "组长"],  # row 2: valid
    [2, "李四", "网格长", C2, "1391234567", "", ""],  # row 3: bad phone
    [3, "王五", "网格长", f"{V}01077", "13812345678", "", ""],  # row 4: unknown grid code
    [4, "", "网格长", C2, "13712345678", "", ""],  # row 5: missing name
    [5, "赵六", "网格长", RETIRED, "13612345678", "", ""],  # row 6: retired grid
    [6, "钱七", "网格管理员", V, "", "", "村委委员"],  # row 7: valid, no phone (noted)
    [7, "张三", "网格长", C1, "13912345678", "", ""],  # row 8: repeats row 2 → skipped
]


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def build(path):
    def grid(layer, level, geoms, codes, parents, status):
        return GridArray.from_records(
            layer, level, geoms, codes, parents, attributes={"status": np.array(status, dtype=object)}
        )

    grids = {
        "grid_level1": grid("grid_level1", 1, [box(0, 0, 300, 100)], [V], [None], ["active"]),
        "grid_level2": grid("grid_level2", 2, [box(0, 0, 300, 100)], [f"{V}01"], [V], ["active"]),
        "grid_level3": grid(
            "grid_level3",
            3,
            [box(0, 0, 100, 100), box(100, 0, 200, 100), box(200, 0, 300, 100)],
            [C1, C2, RETIRED],
            [f"{V}01"] * 3,
            ["active", "active", "retired"],
        ),
    }
    info = schema.WorkspaceInfo(county_code="610902", county_name="汉滨区", crs="EPSG:4524")
    return create_workspace(path, "610902", "汉滨区", "EPSG:4524", data=WorkspaceData(info=info, grids=grids))


def write_csv(path, rows):
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    path.write_text(text, encoding="utf-8-sig")
    return path


def write_xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["汉滨区网格工作人员名单"])  # a title row above the header
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def staff(path):
    with sqlite3.connect(path) as db:
        return db.execute("select name, role, grid_code, phone, supervision_phone from staff order by fid").fetchall()


@pytest.fixture
def workspace(tmp_path, qgis_app):
    ws = build(tmp_path / "ws.gpkg")
    yield ws
    ws.layers.clear()


def run(**parameters):
    import processing

    return processing.run("community_grids:import_staff", parameters)


def test_import_csv_writes_valid_rows_and_reports_the_others_row_by_row(workspace, provider, tmp_path):
    register = write_csv(tmp_path / "staff.csv", [HEADER, *ROWS])
    report_path = str(tmp_path / "report.gpkg")
    result = run(INPUT=str(register), WORKSPACE=str(workspace.path), MODE=0, REPORT=report_path)
    assert (result["WRITTEN"], result["REJECTED"], result["SKIPPED"]) == (2, 4, 1)
    assert staff(workspace.path) == [
        ("张三", "grid_head", C1, "13912345678", "12345"),
        ("钱七", "grid_admin", V, None, None),
    ]
    report = QgsVectorLayer(result["REPORT"], "report", "ogr")
    rows = sorted((f["row"], f["outcome"], f["rule_id"], f["message_en"]) for f in report.getFeatures())
    got = [(r, outcome, rule) for r, outcome, rule, _ in rows]
    assert got == [
        (3, "rejected", "staff.bad_phone"),
        (4, "rejected", "staff.unknown_grid"),
        (5, "rejected", "staff.missing_name"),
        (6, "rejected", "staff.unknown_grid"),
        (7, "imported", "staff.no_phone"),
        (8, "skipped", "staff.duplicate"),
    ]
    messages = {r: m for r, _, _, m in rows}
    assert "row 3 (李四" in messages[3] and "1391234567" in messages[3]
    assert f"no grid has the code {V}01077" in messages[4]
    assert "name is missing" in messages[5]
    assert "retired" in messages[6]


def test_import_xlsx_replace_and_append_duplicates(workspace, provider, tmp_path):
    write_csv(tmp_path / "first.csv", [HEADER, ROWS[0]])
    run(INPUT=str(tmp_path / "first.csv"), WORKSPACE=str(workspace.path), MODE=0)
    register = write_xlsx(
        tmp_path / "staff.xlsx",
        [["姓名", "岗位", "网格编码", "手机号码"], ["孙八", "网格长", C2, 13512345678], ["周九", "监督员", C1, "abc"]],
    )
    result = run(INPUT=str(register), WORKSPACE=str(workspace.path), MODE=1)
    assert (result["WRITTEN"], result["REJECTED"]) == (1, 1)
    assert staff(workspace.path) == [("孙八", "grid_head", C2, "13512345678", None)]  # replaced
    result = run(INPUT=str(register), WORKSPACE=str(workspace.path), MODE=0)
    assert (result["WRITTEN"], result["SKIPPED"]) == (0, 1)
    assert len(staff(workspace.path)) == 1


def test_nothing_valid_or_unreadable_file_leaves_the_table_unchanged(workspace, provider, tmp_path):
    write_csv(tmp_path / "first.csv", [HEADER, ROWS[0]])
    run(INPUT=str(tmp_path / "first.csv"), WORKSPACE=str(workspace.path), MODE=0)
    before = staff(workspace.path)
    bad = write_csv(tmp_path / "bad.csv", [HEADER, ROWS[1], ROWS[3]])
    with pytest.raises(QgsProcessingException, match="not replaced"):
        run(INPUT=str(bad), WORKSPACE=str(workspace.path), MODE=1)
    nocode = write_csv(tmp_path / "nocode.csv", [["姓名", "岗位"], ["陈七", "网格长"]])
    with pytest.raises(QgsProcessingException, match=r"(?s)cannot be imported.*grid code"):
        run(INPUT=str(nocode), WORKSPACE=str(workspace.path), MODE=0)
    assert staff(workspace.path) == before


def test_staff_panel_edits_are_undoable_and_import_goes_to_the_edit_buffer(workspace, tmp_path, qgis_app):
    from plugin.gui.staff_panel import StaffPanel

    ws = open_workspace(workspace.path)
    layer = ws.layers["staff"]
    panel = StaffPanel(None, ws)
    try:
        fid = panel.add_row({"name": "吴十", "role": "grid_head", "grid_code": C2, "phone": "13712345678"})
        assert layer.isEditable() and layer.featureCount() == 1
        assert layer.getFeature(fid)["safety_officer"] in (False, 0)  # the schema's default
        panel.remove_rows([fid])
        assert layer.featureCount() == 0
        layer.undoStack().undo()
        assert layer.featureCount() == 1

        register = write_csv(tmp_path / "staff.csv", [HEADER, *ROWS])
        plan = panel.import_file(register)
        assert len(plan.rows) == 2 and plan.rejected_rows == [3, 4, 5, 6]
        assert layer.featureCount() == 3
        assert "row 3 (李四" in panel.report.toPlainText()
        assert staff(workspace.path) == []  # nothing saved yet
        layer.undoStack().undo()  # the whole import is one command
        assert layer.featureCount() == 1

        panel.add_row({"name": "", "role": "grid_head", "grid_code": C1})  # incomplete row
        assert panel.save() is False
        assert "name is missing" in panel.report.toPlainText()
        layer.undoStack().undo()
        assert panel.save() is True
        assert staff(workspace.path) == [("吴十", "grid_head", C2, "13712345678", None)]
        assert panel.view.masterModel().rowCount() == 1
    finally:
        if layer.isEditable():
            layer.rollBack()
        panel.deleteLater()
        ws.layers.clear()


def test_staff_panel_save_is_one_transaction(workspace, tmp_path, qgis_app, monkeypatch):
    """A replaced register saved with the panel's Save button is written all at once: a failure between the
    deletion of the old rows and the addition of the new ones keeps the old rows in the file and the edits
    in the buffer; the next Save writes them."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    from plugin.adapters import table_store
    from plugin.adapters.table_store import write_rows
    from plugin.gui.staff_panel import StaffPanel

    write_rows(workspace.path, "staff", [{"name": "旧人", "role": "grid_head", "grid_code": C1}], replace=False)
    old = staff(workspace.path)
    ws = open_workspace(workspace.path)
    layer = ws.layers["staff"]
    panel = StaffPanel(None, ws)
    try:
        panel.import_file(write_csv(tmp_path / "staff.csv", [HEADER, *ROWS]), replace=True)
        assert layer.featureCount() == 2

        def fail(name):
            if name == "table:staff-edits-half-written":
                raise table_store.WriteError("injected failure")

        monkeypatch.setattr(table_store, "checkpoint", fail)
        QTest.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        assert "injected failure" in panel.report.toPlainText()
        assert staff(workspace.path) == old  # the old row is still in the file
        assert layer.isModified() and layer.featureCount() == 2  # the edits wait in the buffer

        monkeypatch.undo()
        QTest.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        assert panel.report.toPlainText() == "Staff table saved."
        saved = staff(workspace.path)
        assert len(saved) == 2 and "旧人" not in {row[0] for row in saved}
        assert not layer.isEditable() and layer.featureCount() == 2
    finally:
        if layer.isEditable():
            layer.rollBack()
        panel.deleteLater()
        ws.layers.clear()


def test_staff_save_killed_half_way_keeps_the_old_register(workspace, tmp_path, qgis_app):
    """The same save in a fresh QGIS process killed (SIGKILL) after the old rows were deleted: the file
    still holds the old register, intact."""
    import signal
    import sqlite3
    import subprocess
    import sys

    from plugin.adapters.gpkg_write import KILL_AT
    from plugin.adapters.table_store import write_rows

    write_rows(workspace.path, "staff", [{"name": "旧人", "role": "grid_head", "grid_code": C1}], replace=False)
    old = staff(workspace.path)
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from devtools.qgis_app import start_qgis
start_qgis(with_processing=False)
from qgis.core import QgsFeature, QgsVectorLayer
from plugin.adapters.table_store import commit_table_edits
layer = QgsVectorLayer({str(workspace.path)!r} + "|layername=staff", "staff", "ogr")
layer.startEditing()
layer.deleteFeatures([f.id() for f in layer.getFeatures()])
feature = QgsFeature(layer.fields())
feature["name"], feature["role"], feature["grid_code"] = "新人", "grid_head", {C2!r}
layer.addFeature(feature)
commit_table_edits(layer, {str(workspace.path)!r}, "staff")
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{KILL_AT: "table:staff-edits-half-written"})
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with sqlite3.connect(workspace.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert staff(workspace.path) == old
    env.pop(KILL_AT)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [row[0] for row in staff(workspace.path)] == ["新人"]
