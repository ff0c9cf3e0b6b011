"""The dock's Jobs page driven with real clicks: every job on the open workspace, as a QgsTask, output opened."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import shapely
from qgis.core import QgsApplication, QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QEventLoop, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QProgressBar, QPushButton
from test_layouts import OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, small_workspace_data
from workspace_helpers import answer, in_project

from plugin.adapters.audit_store import write_findings_file
from plugin.adapters.layer_edits import read_rows
from plugin.adapters.workspace import open_workspace, write_workspace
from plugin.core import schema
from plugin.core.workspace_audit import audit_workspace
from plugin.gui import task_runner
from plugin.gui.dock import GridDock
from plugin.gui.jobs_panel import JobsPanel

LEFT = Qt.MouseButton.LeftButton
TIMEOUT = 180.0  # s: only a hang should fail


def wait_until(condition, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        QTimer.singleShot(20, loop.quit)
        loop.exec()


def wait_idle(panel):
    wait_until(lambda: not panel.busy and QgsApplication.taskManager().countActiveTasks() == 0)


def _data(uncoded: bool = False, overlap: bool = False):
    data, meta = small_workspace_data(2)
    level3 = data.grids[schema.GRID_LEVEL3.name]
    if overlap:  # the first group grows into the second: an error finding of the audit
        level3.geometries[0] = shapely.union(level3.geometries[0], shapely.buffer(level3.geometries[1], -50))
    if uncoded:
        level3.codes[2] = None
    return data, meta


@pytest.fixture
def make_workspace(tmp_path, qgis_new_project):
    opened_ws = []

    def make(uncoded=False, overlap=False):
        data, _ = _data(uncoded, overlap)
        path = tmp_path / "guanmiao.gpkg"
        write_workspace(path, data.info, data)
        if overlap:
            write_findings_file(path, audit_workspace(data, check_staffing=False))
        context = in_project(open_workspace(path))
        ws = context.__enter__()
        opened_ws.append(context)
        return ws

    yield make
    for context in opened_ws:
        context.__exit__(None, None, None)


@pytest.fixture
def panel_for(qgis_iface, qgis_canvas, no_forms):
    docks = []

    def make(workspace):
        qgis_iface.messageBar().clear_messages()
        dock = GridDock(qgis_iface)
        panel = dock.add_panel("jobs", JobsPanel(qgis_iface, dock, dock), "Jobs")
        dock.resize(480, 700)
        dock.show()
        dock.set_workspace(workspace)
        dock.tabs.setCurrentWidget(panel)
        docks.append((dock, panel))
        return panel

    yield make
    for dock, panel in docks:
        wait_idle(panel)
        dock.cleanup()
        dock.deleteLater()


def finished(panel):
    done = []
    panel.job_finished.connect(lambda key, ok: done.append((key, ok)))
    return done


# ---------------------------------------------------------------- printing


def test_notice_map_and_permits_of_the_picked_township_are_opened(make_workspace, panel_for, opened):
    ws = make_workspace()
    panel = panel_for(ws)
    combo = panel.townshipCombo
    codes = [combo.itemData(i) for i in range(combo.count())]
    assert codes[0] == TOWNSHIP and "关庙镇" in combo.itemText(0)
    villages = [c for c in codes if len(c) == 12 and c.startswith(TOWNSHIP)]
    assert len(villages) == 2 and codes[1:3] == villages  # under their township
    assert OTHER_TOWNSHIP_VILLAGE[:9] in codes  # the neighbouring township too
    done = finished(panel)
    QTest.mouseClick(panel.noticeButton, LEFT)
    assert panel.busy or done  # a task, not a blocking call
    wait_idle(panel)
    assert done == [("notice", True)], (panel.last_error, panel.statusLabel.text())
    (pdf,) = opened.urls
    assert pdf.endswith(".pdf") and Path(pdf).stat().st_size > 1000 and "公示图" in pdf
    assert Path(pdf).parent == Path(ws.path).parent
    combo.setCurrentIndex(1)  # a village
    QTest.mouseClick(panel.permitsButton, LEFT)
    wait_idle(panel)
    assert done[-1] == ("permits", True)
    assert len(opened.urls) == 2 and "工作证" in opened.urls[1] and combo.itemData(1) in opened.urls[1]
    assert Path(opened.urls[1]).exists()
    assert panel.progressBar.value() == 100


# ---------------------------------------------------------------- filing


def test_filing_refusal_lists_the_blocking_findings_then_exports_with_the_reason(make_workspace, panel_for, opened):
    ws = make_workspace(overlap=True)
    panel = panel_for(ws)
    done = finished(panel)
    answer("CommunityGridsFilingExport")
    QTest.mouseClick(panel.filingButton, LEFT)
    wait_until(lambda: done)
    assert done == [("filing", False)]
    dialog = panel.refusal_dialog
    wait_until(dialog.isVisible)
    items = [dialog.blockingList.item(i).text() for i in range(dialog.blockingList.count())]
    assert items and dialog.reasonEdit.isVisible()
    ok = dialog.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # no reason yet
    QTest.keyClicks(dialog.reasonEdit, "county deadline, fixed next filing")
    assert ok.isEnabled()
    QTest.mouseClick(ok, LEFT)
    wait_until(lambda: len(done) == 2)
    wait_idle(panel)
    assert done[-1] == ("filing", True)
    package = Path(panel.last_result["OUTPUT"])
    assert package.exists() and package.parent == Path(ws.path).parent
    assert panel.last_result["BLOCKING"] >= 1
    assert "written" in panel.statusLabel.text() and str(package) in panel.statusLabel.text()


def test_compare_two_packages_opens_the_report(make_workspace, panel_for, opened):
    ws = make_workspace()
    panel = panel_for(ws)
    folder = Path(ws.path).parent
    first, second = folder / "v1.gpkg", folder / "v2.gpkg"
    for target in (first, second):
        assert panel.export_filing({"OUTPUT": str(target)})
        wait_idle(panel)
        assert target.exists()

    def fill(dialog):
        for combo, path in ((dialog.firstCombo, first), (dialog.secondCombo, second)):
            combo.lineEdit().clear()
            QTest.keyClicks(combo.lineEdit(), str(path))

    done = finished(panel)
    seen = answer("CommunityGridsJobInputs", fill)
    QTest.mouseClick(panel.compareButton, LEFT)
    wait_until(lambda: done)
    wait_idle(panel)
    assert seen["dialog"] and done == [("compare", True)]
    (report,) = opened.urls
    assert report.endswith(".html") and Path(report).exists()
    layers = [layer for layer in QgsProject.instance().mapLayers().values() if layer.source().startswith(str(folder))]
    assert any(Path(layer.source().split("|")[0]).name.startswith("v2_") for layer in layers)


# ---------------------------------------------------------------- data into the workspace


def test_import_staff_from_a_register(make_workspace, panel_for, tmp_path):
    ws = make_workspace()
    panel = panel_for(ws)
    before = ws.layer(schema.STAFF.name).featureCount()
    village = read_rows(ws.grid_layer(1))[0]["code"]
    csv = tmp_path / "staff.csv"
    csv.write_text("姓名,岗位,网格编码,联系电话\n" + f"赵六,网格管理员,{village},13900000009\n", encoding="utf-8-sig")

    def fill(dialog):
        QTest.keyClicks(dialog.firstCombo.lineEdit(), str(csv))

    done = finished(panel)
    answer("CommunityGridsJobInputs", fill)
    QTest.mouseClick(panel.staffButton, LEFT)
    wait_until(lambda: done)
    wait_idle(panel)
    assert done == [("staff", True)], panel.last_error
    assert ws.layer(schema.STAFF.name).featureCount() == before + 1, panel.statusLabel.text()
    assert "Staff imported: 1 written" in panel.statusLabel.text()


def test_attach_households_from_a_point_layer(make_workspace, panel_for):
    ws = make_workspace()
    panel = panel_for(ws)
    level3 = read_rows(ws.grid_layer(3))
    target = next(f for f in ws.grid_layer(3).getFeatures() if f.id() == level3[0]["fid"])
    inside = target.geometry().pointOnSurface().asPoint()
    points = QgsVectorLayer(f"Point?crs={ws.info.crs}&field=persons:integer", "户籍点", "memory")
    features = []
    for k in range(7):
        feature = QgsFeature(points.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(inside.x() + k, inside.y())))
        feature.setAttributes([3])
        features.append(feature)
    points.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(points)

    def fill(dialog):
        assert dialog.firstCombo.findText("户籍点") >= 0
        dialog.firstCombo.setCurrentIndex(dialog.firstCombo.findText("户籍点"))

    done = finished(panel)
    answer("CommunityGridsJobInputs", fill)
    QTest.mouseClick(panel.householdsButton, LEFT)
    wait_until(lambda: done)
    wait_idle(panel)
    assert done == [("households", False)]  # 7 households instead of 480: refused, then asked
    box = panel.confirm_box
    wait_until(box.isVisible)
    assert "480" in box.text()
    QTest.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
    wait_until(lambda: len(done) == 2)
    wait_idle(panel)
    assert done[-1] == ("households", True), panel.last_error
    counts = {r["fid"]: r["households"] for r in read_rows(ws.grid_layer(3))}
    assert counts[level3[0]["fid"]] == 7
    assert "7 households, 21 persons" in panel.statusLabel.text()


def test_allocate_codes_confirms_what_changed(make_workspace, panel_for, qgis_iface):
    ws = make_workspace(uncoded=True)
    panel = panel_for(ws)

    def apply(dialog):
        button = dialog.buttons.button(QDialogButtonBox.StandardButton.Apply)
        QTest.mouseClick(button, LEFT)

    seen = {}

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "CommunityGridsAllocationPreview":
            QTimer.singleShot(20, poll)
            return
        seen["rows"] = dialog.table.rowCount()
        apply(dialog)

    QTimer.singleShot(0, poll)
    QTest.mouseClick(panel.allocateButton, LEFT)
    wait_until(lambda: "rows" in seen)
    assert seen["rows"] >= 1
    text = panel.statusLabel.text()
    assert "→" in text and "1" in text
    coded = [r["code"] for r in read_rows(ws.grid_layer(3))]
    assert all(coded)
    assert ws.grid_layer(3).isModified()  # an undoable edit, not yet saved


# ---------------------------------------------------------------- the task runner


def test_a_running_job_shows_progress_and_is_cancelled_by_the_button(qgis_app):
    bar, cancel = QProgressBar(), QPushButton("cancel")
    runner = task_runner.TaskRunner(bar, cancel)
    started, outcome = threading.Event(), []

    def work(task):
        task.setProgress(40)
        started.set()
        while not task.isCanceled():
            time.sleep(0.01)
        return None

    task = task_runner.JobTask("slow", work)
    assert runner.run(task, lambda t, ok: outcome.append((ok, t.cancelled)))
    wait_until(started.is_set)
    wait_until(lambda: bar.value() == 40)
    assert cancel.isEnabled()
    QTest.mouseClick(cancel, LEFT)
    wait_until(lambda: outcome)
    assert outcome == [(False, True)] and not runner.busy and not cancel.isEnabled()


def test_an_algorithm_task_is_the_processing_algorithm_and_reports_its_refusal(qgis_app, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException):
        task_runner.algorithm_task("community_grids:no_such_algorithm", {})
    outcome = []
    bad = tmp_path / "not_a_package.gpkg"
    bad.write_text("not a GeoPackage")
    task = task_runner.algorithm_task(
        "community_grids:compare_packages",
        {"BEFORE": str(bad), "AFTER": str(bad), "OUTPUT": str(tmp_path / "changes.gpkg")},
        lambda t, ok: outcome.append((ok, t.error)),
    )
    assert task.algorithm.name() == "compare_packages"
    task_runner.start(task)
    wait_until(lambda: outcome)
    ok, error = outcome[0]
    assert not ok and error and "not_a_package" in error


def test_import_boundaries_opens_the_import_dialog_of_the_open_workspace(make_workspace, panel_for):
    from plugin.gui.import_dialog import ImportDialog

    ws = make_workspace()
    panel = panel_for(ws)
    seen = {}

    def poll():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ImportDialog):
            QTimer.singleShot(20, poll)
            return
        seen["workspace"] = dialog.session.workspace
        box = dialog.findChild(QDialogButtonBox)
        QTest.mouseClick(box.button(QDialogButtonBox.StandardButton.Cancel), LEFT)

    QTimer.singleShot(0, poll)
    QTest.mouseClick(panel.importButton, LEFT)
    assert seen["workspace"] is ws
