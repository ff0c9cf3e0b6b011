"""The audit dock driven with real widget events: run in the background, tree, zoom, filter, accept, fix, cancel."""

from __future__ import annotations

import threading
import time

import pytest
import shapely
from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsRectangle
from qgis.PyQt.QtCore import QEventLoop, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox
from workspace_helpers import in_project

from devtools.synthetic import generate_city, plant_defects
from plugin.adapters.workspace import create_workspace, open_workspace
from plugin.core.audit import AuditCancelled
from plugin.gui import audit_task
from plugin.gui.audit_dock import FINDING_ROLE, AcceptDialog, AuditDock

LEFT = Qt.MouseButton.LeftButton
TIMEOUT = 180.0  # s: the machine is shared; only a hang should fail


def staff_for(data):
    rows = []
    for grid in data.grids.values():
        for code in grid.codes:
            rows.append({"name": "张三", "phone": "13912345678", "role": "grid_head", "grid_code": code})
            if grid.level == 1:
                rows.append({"name": "李四", "phone": "13912345679", "role": "grid_admin", "grid_code": code})
            if grid.level == 0:
                rows[-1]["safety_officer"] = True
    return rows


@pytest.fixture
def workspace(tmp_path, qgis_new_project):
    city = generate_city(150, seed=3)
    data, _ = plant_defects(city, ["overlap", "gap", "tiny"], seed=1)
    data.staff = staff_for(data)
    create_workspace(tmp_path / "dock.gpkg", "610902", "汉滨区", "EPSG:4524", data=data)
    with in_project(open_workspace(tmp_path / "dock.gpkg")) as ws:
        yield ws


@pytest.fixture
def canvas(qgis_canvas, workspace):
    window = qgis_canvas.window()
    window.resize(600, 600)
    window.show()
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4524"))
    qgis_canvas.setLayers([workspace.grid_layer(level) for level in (3, 2, 1)])
    qgis_canvas.setExtent(workspace.grid_layer(1).extent())
    QTest.qWait(20)
    yield qgis_canvas
    qgis_canvas.stopRendering()
    qgis_canvas.setLayers([])


@pytest.fixture
def dock(qgis_iface, workspace, canvas):
    widget = AuditDock(qgis_iface)
    widget.resize(480, 700)
    widget.show()
    widget.set_workspace(workspace)
    yield widget
    widget.cleanup()
    wait_idle(widget)
    widget.deleteLater()


def wait_until(condition, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    return True


def wait_idle(dock):
    wait_until(lambda: dock.task is None and QgsApplication.taskManager().countActiveTasks() == 0)


def run_and_wait(dock):
    QTest.mouseClick(dock.run_button, LEFT)
    assert dock.running
    wait_idle(dock)


def leaf_items(dock):
    out = []
    for t in range(dock.tree.topLevelItemCount()):
        top = dock.tree.topLevelItem(t)
        for r in range(top.childCount()):
            node = top.child(r)
            out.extend(node.child(c) for c in range(node.childCount()))
    return out


def click_item(dock, item):
    dock.tree.scrollToItem(item)
    rect = dock.tree.visualItemRect(item)
    QTest.mouseClick(dock.tree.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())


def find(dock, rule):
    k = next(k for k, f in enumerate(dock.findings) if f.rule_id == rule)
    return k, dock.item_for(k)


def test_run_in_the_background_and_findings_grouped_with_counts(dock, workspace, monkeypatch):
    threads = []
    real = audit_task.audit_workspace

    def recording(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(audit_task, "audit_workspace", recording)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    run_and_wait(dock)
    timer.stop()
    assert threads == [False]  # the heavy work ran in the task's worker thread
    assert ticks  # the event loop kept running meanwhile
    assert dock.result is not None and dock.progress.value() == 100
    rules = {f.rule_id for f in dock.findings}
    assert {"overlap", "gap", "grid.tiny"} <= rules
    tops = [dock.tree.topLevelItem(t).text(0) for t in range(dock.tree.topLevelItemCount())]
    assert tops[0].startswith("Errors (") and any(t.startswith("Warnings (") for t in tops)
    errors = dock.tree.topLevelItem(0)
    n_errors = sum(1 for f in dock.findings if f.severity.value == "error")
    assert errors.text(0) == f"Errors ({n_errors})"
    rule_nodes = {errors.child(r).toolTip(0).split(" ")[0]: errors.child(r) for r in range(errors.childCount())}
    assert rule_nodes["overlap"].childCount() == 1 and rule_nodes["overlap"].text(2) == "1"
    stored = workspace.layers["audit_findings"]
    assert stored.featureCount() == len(dock.findings) and not stored.isEditable()
    assert {f["run_id"] for f in stored.getFeatures()} == {dock.result.run_id}


def test_click_zooms_to_the_finding_and_flashes(dock, canvas):
    run_and_wait(dock)
    k, item = find(dock, "gap")
    before = canvas.extent()
    click_item(dock, item)
    assert dock.selected_index() == k
    extent = canvas.extent()
    location = dock.findings[k].location
    assert extent != before
    assert extent.contains(QgsRectangle(location[0], location[1], location[0], location[1]))
    assert extent.width() < before.width() / 2  # zoomed in


def test_filter_box_and_severity(dock):
    run_and_wait(dock)
    code = next(f for f in dock.findings if f.rule_id == "overlap").codes[0]
    dock.filter_edit.setFocus()
    QTest.keyClicks(dock.filter_edit, code)
    wait_until(lambda: all(code in dock.findings[i.data(0, FINDING_ROLE)].codes for i in leaf_items(dock)))
    assert leaf_items(dock) and len(leaf_items(dock)) < len(dock.findings)
    dock.filter_edit.clear()
    wait_until(lambda: len(leaf_items(dock)) == len(dock.findings))
    dock.severity_combo.setCurrentIndex(dock.severity_combo.findData("warning"))
    wait_until(lambda: {dock.findings[i.data(0, FINDING_ROLE)].severity.value for i in leaf_items(dock)} == {"warning"})


def answer_accept_dialog(reason, seen):
    """When the accept dialog shows, type the reason and click OK (as a user would)."""

    def poll():
        dialog = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, AcceptDialog) and w.isVisible()), None
        )
        if dialog is None:
            QTimer.singleShot(20, poll)
            return
        seen.append(dialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()  # a reason is required
        dialog.reason_edit.setFocus()
        QTest.keyClicks(dialog.reason_edit, reason)
        QTest.mouseClick(ok, LEFT)

    QTimer.singleShot(0, poll)


def test_accept_through_the_dialog_stays_accepted_across_runs(dock, workspace):
    run_and_wait(dock)
    k, item = find(dock, "gap")
    fingerprint = dock.findings[k].fingerprint
    click_item(dock, item)
    assert dock.accept_button.isEnabled()
    seen = []
    answer_accept_dialog("river", seen)
    QTest.mouseClick(dock.accept_button, LEFT)
    assert seen
    assert dock.findings[k].accepted and dock.findings[k].accepted_reason == "river"
    exceptions = workspace.layers["audit_exceptions"]
    assert exceptions.isEditable() and exceptions.undoStack().count() == 1  # an undoable edit
    assert dock.item_for(k).text(0).startswith("[accepted]")
    assert dock.save_button.isEnabled()
    QTest.mouseClick(dock.save_button, LEFT)
    assert not exceptions.isModified()
    run_and_wait(dock)
    again = next(f for f in dock.findings if f.fingerprint == fingerprint)
    assert again.accepted and again.accepted_reason == "river"
    assert dock.result.accepted_count == 1
    # a dock opened later shows the stored findings, acceptance included
    other = AuditDock(dock.iface)
    other.set_workspace(workspace)
    assert any(f.fingerprint == fingerprint and f.accepted for f in other.findings)
    other.deleteLater()


def test_fix_buttons_on_the_selected_finding(dock, workspace):
    run_and_wait(dock)
    _, item = find(dock, "overlap")
    click_item(dock, item)
    assert dock.overlap_button.isEnabled() and not dock.gap_neighbour_button.isEnabled()
    QTest.mouseClick(dock.overlap_button, LEFT)
    level3 = workspace.layers["grid_level3"]
    assert level3.isEditable() and level3.undoStack().count() == 1
    assert dock.last_fix is not None and "removed from" in dock.last_fix.message
    _, item = find(dock, "gap")
    click_item(dock, item)
    assert dock.gap_neighbour_button.isEnabled()
    QTest.mouseClick(dock.gap_neighbour_button, LEFT)
    assert level3.undoStack().count() == 2
    run_and_wait(dock)  # the audit reads the edit buffer
    rules = {f.rule_id for f in dock.findings}
    assert "overlap" not in rules and "gap" not in rules and "grid.tiny" in rules
    level3.undoStack().undo()
    level3.undoStack().undo()
    assert not level3.isModified()


def test_cancel_keeps_the_previous_findings(dock, workspace, monkeypatch):
    run_and_wait(dock)
    previous = [f.fingerprint for f in dock.findings]
    started = threading.Event()

    def slow(data, tolerances, size_rules, progress, is_cancelled, exceptions, **kwargs):
        started.set()
        deadline = time.monotonic() + TIMEOUT
        while not is_cancelled():
            if time.monotonic() > deadline:
                raise AssertionError("never cancelled")
            time.sleep(0.01)
        raise AuditCancelled("cancelled")

    monkeypatch.setattr(audit_task, "audit_workspace", slow)
    QTest.mouseClick(dock.run_button, LEFT)
    wait_until(started.is_set)
    assert dock.cancel_button.isEnabled() and not dock.run_button.isEnabled()
    QTest.mouseClick(dock.cancel_button, LEFT)
    wait_idle(dock)
    assert "cancelled" in dock.status_label.text()
    assert [f.fingerprint for f in dock.findings] == previous
    assert workspace.layers["audit_findings"].featureCount() == len(previous)
    assert dock.run_button.isEnabled() and not dock.cancel_button.isEnabled()


def test_export_buttons(dock, tmp_path, monkeypatch):
    assert not dock.json_button.isEnabled()
    run_and_wait(dock)
    from qgis.PyQt import QtWidgets

    target = {"json": str(tmp_path / "out"), "html": str(tmp_path / "report.html")}
    calls = []

    def fake(parent, caption, directory, filters):
        kind = "json" if "JSON" in filters else "html"
        calls.append(kind)
        return target[kind], filters

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", staticmethod(fake))
    QTest.mouseClick(dock.json_button, LEFT)
    QTest.mouseClick(dock.html_button, LEFT)
    assert calls == ["json", "html"]
    assert (tmp_path / "out.json").read_text(encoding="utf-8").startswith("{")
    assert "Summary by rule" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_errors_never_escape_and_no_workspace_is_reported(qgis_iface, monkeypatch):
    widget = AuditDock(qgis_iface)
    assert not widget.run_button.isEnabled()
    assert widget.run_audit() is False and "Open or create" in widget.messages[-1][1]
    monkeypatch.setattr(widget, "run_audit", lambda: 1 / 0)
    widget._run_clicked()  # a slot: the exception is reported, not raised
    assert "Unexpected error" in widget.messages[-1][1]
    widget.deleteLater()


def test_a_layer_without_crs_is_reported_not_crashed(dock, workspace):
    layer = workspace.layers["grid_level2"]
    layer.setCrs(QgsCoordinateReferenceSystem())
    assert dock.run_audit() is False
    assert "no coordinate reference system" in dock.messages[-1][1]
    assert dock.task is None and dock.run_button.isEnabled()


def test_zoom_works_for_findings_without_geometry(dock, workspace):
    run_and_wait(dock)
    assert shapely is not None
    staffless = [f for f in dock.findings if f.geometry is None and f.location is None]
    for f in staffless:
        dock.zoom_to(f)  # reports, never raises


def test_code_rule_setting(dock, workspace):
    # empty: the workspace's rule (shown as the placeholder)
    assert dock.code_rule_edit.text() == "" and dock.code_rule_edit.placeholderText() == workspace.info.code_rule
    dock.code_rule_edit.setText("twelve")
    assert dock.run_audit() is False and not dock.running
    # another rule for this run: the workspace's 12 + 2 + 3 codes below level 1 do not follow 12 + 3 + 3
    dock.code_rule_edit.setText("village12+3+3")
    run_and_wait(dock)
    malformed = [f for f in dock.findings if f.rule_id == "code.malformed"]
    data = workspace.read_data()
    assert len(malformed) == sum(len(data.grid(k)) for k in (2, 3, 0))
    assert dock.result.info.code_rule == "village12+3+3" and workspace.info.code_rule == "village12+2+3"
    dock.code_rule_edit.clear()
    run_and_wait(dock)
    assert not any(f.rule_id == "code.malformed" for f in dock.findings)
