"""A planner's session in plain ``qgis`` (``qgis --code devtools/desktop_session.py``), under Xvfb, in Chinese.

Started by scripts/desktop_session.py (``make desktop-session``) on a fresh QGIS profile; never imported by the
shipped plugin. Everything below goes through the plugin QGIS itself loaded from its profile (installed from the
ZIP), with real mouse and key events (QTest) on the real docks, dialogs and map tools. Two stages
(CG_SESSION_STAGE):

* ``install``: QGIS's own "Install from ZIP" (pyplugin_installer's ``installFromZipFile``, what the Plugin
  Manager's tab calls) installs CG_SESSION_ZIP; the stand-in's message-bar button "安装 shapely…" opens the
  plugin's install dialog, the shapely wheel CG_SESSION_WHEEL is typed into its file field and installed; the
  real plugin replaces the stand-in.
* ``session``: QGIS was started on the sample project (on its command line, as a double-click opens it). The
  canvas shows the county with one copy of each layer; a villager group is subdivided with the dock's
  subdivide tool and its new piece merged into a neighbour (the neighbour's code, name and staff live on); the
  edits are saved with QGIS's "Save all edits"; the audit runs from the audit dock, a warning is accepted (the
  summary follows); the filing package is exported and the township's notice map printed from the dock's 任务
  page. A screenshot of the main window after each step goes to CG_SESSION_SHOTS.

Results (every check's figures, and errors) go to CG_SESSION_RESULT as JSON; then QGIS exits through its own
Quit action.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from pathlib import Path

from qgis.core import QgsApplication, QgsProject
from qgis.PyQt.QtCore import QObject, QPoint, Qt, QTimer, QUrl, pyqtSlot
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QAction, QApplication, QDialogButtonBox, QDockWidget, QPushButton, QToolBar
from qgis.utils import iface

NAME = "community_grids"
LEFT = Qt.MouseButton.LeftButton
RIGHT = Qt.MouseButton.RightButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
RESULT: dict = {"errors": [], "steps": [], "screenshots": []}
SHOTS = Path(os.environ.get("CG_SESSION_SHOTS", "."))
SAMPLE_TOWN = "恒口镇"
MAX_SCALE = 14_500  # the level 3 grids' labels show from 1:15,000


class StepFailed(Exception):
    """A step's outcome is not what the planner should see."""


def check(condition, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def wait(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def idle() -> bool:
    return QgsApplication.taskManager().countActiveTasks() == 0


def plugin():
    import qgis.utils

    return qgis.utils.plugins.get(NAME)


def plugin_module(name: str):
    import importlib

    return importlib.import_module(f"{NAME}.plugin.{name}")


def bar_texts() -> list[str]:
    return [item.text() for item in iface.messageBar().items()]


def settle() -> None:
    canvas = iface.mapCanvas()
    canvas.refresh()
    QTest.qWait(150)
    canvas.waitWhileRendering()
    QTest.qWait(300)


def shot(name: str) -> None:
    settle()
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"desktop_{name}.png"
    check(iface.mainWindow().grab().save(str(path)), f"could not write {path}")
    RESULT["screenshots"].append(path.name)


def click_widget(widget) -> None:
    check(widget is not None and widget.isVisible() and widget.isEnabled(), f"{widget} is not clickable")
    QTest.mouseClick(widget, LEFT)
    QTest.qWait(50)


def click_action(toolbar: QToolBar, action: QAction) -> None:
    """A click on the tool button that shows ``action`` in ``toolbar``."""
    click_widget(toolbar.widgetForAction(action))


def choose_from_plugins_menu(action: QAction) -> None:
    """Clicks through the menu bar: 插件 (Plugins), the plugin's submenu, then ``action``."""
    menu_bar = iface.mainWindow().menuBar()
    plugins_menu = iface.pluginMenu()
    QTest.mouseClick(menu_bar, LEFT, NO_MODIFIER, menu_bar.actionGeometry(plugins_menu.menuAction()).center())
    check(wait(plugins_menu.isVisible, 5), "the Plugins menu did not open")
    submenu = next(
        (a.menu() for a in plugins_menu.actions() if a.menu() is not None and action in a.menu().actions()), None
    )
    check(submenu is not None, f"{action.text()} is not in the Plugins menu")
    QTest.mouseClick(plugins_menu, LEFT, NO_MODIFIER, plugins_menu.actionGeometry(submenu.menuAction()).center())
    check(wait(submenu.isVisible, 5), f"the {submenu.title()} menu did not open")
    QTest.mouseClick(submenu, LEFT, NO_MODIFIER, submenu.actionGeometry(action).center())
    QTest.qWait(200)


def choose_in_combo(combo, data) -> None:
    """Arrow keys on the focused combo box until the item holding ``data`` is current."""
    target = combo.findData(data)
    check(target >= 0, f"no item {data!r} in {combo.objectName()}")
    combo.setFocus()
    QTest.qWait(50)
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(combo.count()):
        if combo.currentIndex() == target:
            break
        QTest.keyClick(combo, key)
    check(combo.currentIndex() == target, f"{combo.objectName()} did not reach {data!r}")


def type_text(widget, text: str) -> None:
    """``text`` typed into the focused ``widget``: ASCII as key events, Chinese as an input method commits it
    (a QInputMethodEvent per run of characters; QTest's key events carry ASCII only)."""
    from qgis.PyQt.QtGui import QInputMethodEvent

    widget.setFocus()
    run = ""
    for char in text + "\0":
        if char != "\0" and (char.isascii() == run[:1].isascii() or not run):
            run += char
            continue
        if run.isascii():
            QTest.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)
        run = char
    QTest.qWait(50)


def type_into(widget, text: str) -> None:
    """Select all in the field and type ``text``."""
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    type_text(widget, text)


def when_modal(object_name: str, answer) -> list:
    """Answer the modal dialog ``object_name`` when it opens (``answer(dialog)``); the returned list records it."""
    seen: list = []

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None or (object_name and dialog.objectName() != object_name):
            QTimer.singleShot(50, poll)
            return
        seen.append(dialog.objectName())
        try:
            answer(dialog)
        except Exception:  # noqa: BLE001 - recorded; the dialog is closed so the session goes on to report it
            RESULT["errors"].append(traceback.format_exc())
            dialog.reject()

    QTimer.singleShot(0, poll)
    return seen


def press_ok(dialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    QTest.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), LEFT)


# ---------------------------------------------------------------- stage 1: the ZIP and shapely


def install_stage() -> None:
    import pyplugin_installer

    pyplugin_installer.instance().installFromZipFile(os.environ["CG_SESSION_ZIP"])
    folder = Path(QgsApplication.qgisSettingsDirPath()) / "python" / "plugins" / NAME
    RESULT["installed_folder"] = (folder / "metadata.txt").exists()
    RESULT["after_zip"] = type(plugin()).__name__
    RESULT["stand_in_messages"] = bar_texts()
    button = next(
        (
            candidate
            for item in iface.messageBar().items()
            for candidate in item.findChildren(QPushButton)
            if candidate.text() in ("Install shapely…", "安装 shapely…")
        ),
        None,
    )
    RESULT["install_button"] = button.text() if button is not None else ""
    if RESULT["after_zip"] == "CommunityGridsPlugin":  # this QGIS has a shapely 2 of its own
        RESULT["after_shapely"] = RESULT["after_zip"]
        return
    check(button is not None, f"the stand-in offers no install button: {RESULT['stand_in_messages']}")
    check(os.environ.get("CG_SESSION_WHEEL"), "no shapely wheel for this QGIS's Python and numpy (make wheels)")

    def install(dialog):
        RESULT["dialog"] = type(dialog).__name__
        type_into(dialog.fileEdit, os.environ["CG_SESSION_WHEEL"])
        QTest.mouseClick(dialog.fileRadio, LEFT)
        RESULT["dialog_file_chosen"] = dialog.fileRadio.isChecked()
        QTest.mouseClick(dialog.installButton, LEFT)
        RESULT["dialog_log"] = dialog.logView.toPlainText()
        dialog.close()

    when_modal("", install)
    QTest.mouseClick(button, LEFT)  # returns when the modal dialog has closed
    wait(lambda: type(plugin()).__name__ == "CommunityGridsPlugin", 30)
    RESULT["after_shapely"] = type(plugin()).__name__


# ---------------------------------------------------------------- stage 2: the planner's session


def session_stage() -> None:
    window = iface.mainWindow()
    window.resize(1500, 950)
    for name in ("Browser", "Browser2"):
        browser = window.findChild(QDockWidget, name)
        if browser is not None:
            browser.hide()
    check(
        wait(lambda: plugin() is not None and getattr(plugin(), "workspace", None) is not None, 60),
        f"the plugin did not attach the project's workspace: {type(plugin()).__name__} {bar_texts()}",
    )
    RESULT["loaded"] = type(plugin()).__name__
    RESULT["locale"] = QgsApplication.locale()
    steps = (open_project, subdivide_and_merge, save_edits, audit_and_accept, export_filing, print_notice)
    context: dict = {}
    for step in steps:
        step(context)
        RESULT["steps"].append(step.__name__)


def open_project(context: dict) -> None:
    """The project QGIS opened: one copy of each layer, the canvas on the county, the workspace dock."""
    from collections import Counter

    project = QgsProject.instance()
    workspace = plugin().workspace
    sources = Counter(layer.source() for layer in project.mapLayers().values())
    RESULT["layers"] = sorted(layer.name() for layer in project.mapLayers().values())
    RESULT["duplicate_layers"] = sorted(source for source, n in sources.items() if n > 1)
    check(not RESULT["duplicate_layers"], f"layers added twice: {RESULT['duplicate_layers']}")
    ours = [layer for layer in workspace.layers.values()]
    check(all(project.mapLayer(layer.id()) is layer for layer in ours), "the workspace's layers are not the project's")
    RESULT["workspace_layers"] = len(ours)
    canvas = iface.mapCanvas()
    settle()
    county = workspace.layers["county_boundary"].extent()
    extent = canvas.extent()
    RESULT["county_extent"] = [county.xMinimum(), county.yMinimum(), county.xMaximum(), county.yMaximum()]
    RESULT["canvas_extent"] = [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()]
    check(canvas.mapSettings().destinationCrs() == workspace.crs, "the canvas is not in the workspace's CRS")
    check(extent.contains(county.center()), "the canvas is not on the county")
    check(
        extent.width() < 3 * county.width() and extent.height() < 3 * county.height(),
        "the canvas shows far more than the county",
    )
    check(plugin().dock is not None and plugin().dock.isVisible(), "the workspace dock is not shown")
    iface.messageBar().clearWidgets()
    shot("1_project")


def avoided_codes(workspace) -> set:
    """Codes of the grids with planted defects or special cases in the sample (the session works away from them)."""
    sample = plugin_module("core.sample")
    seed = int(workspace.info.extra.get("sample_seed", sample.DEFAULT_SEED))
    result = sample.build_sample(seed)
    return {code for defect in [*result.planted, *result.special] for code in defect.codes}


def cut_line(polygon) -> list:
    """Three points across ``polygon``: through its centroid, across its long axis, a little past each side."""
    import numpy as np
    import shapely

    corners = np.asarray(shapely.oriented_envelope(polygon).exterior.coords)[:4]
    side_a, side_b = corners[1] - corners[0], corners[2] - corners[1]
    long_side = side_a if np.hypot(*side_a) >= np.hypot(*side_b) else side_b
    along = long_side / np.hypot(*long_side)
    across = np.array([-along[1], along[0]])
    centre = np.asarray(shapely.centroid(polygon).coords[0])
    reach = np.hypot(*side_a) + np.hypot(*side_b)
    ray = shapely.LineString([centre - across * reach, centre + across * reach])
    offsets = (shapely.get_coordinates(shapely.intersection(ray, polygon)) - centre) @ across
    low, high = offsets.min(), offsets.max()
    past = 0.1 * (high - low)
    bend = centre + along * 0.05 * np.hypot(*long_side)
    return [tuple(centre + across * (low - past)), tuple(bend), tuple(centre + across * (high + past))]


def plan_sample(data, avoid: set) -> dict:
    """The first section (by code) of a rural village of 恒口镇 away from the planted defects with three or more
    villager groups, one of which a line cuts alone into two pieces (the smaller 35 % or more of it) the second
    of which shares 100 m or more with a sibling (the same rule as scripts/screenshots_drawing.py)."""
    import numpy as np
    import shapely

    core = plugin_module("core.editing")
    villages, sections, groups = (data.grids[f"grid_level{level}"] for level in (1, 2, 3))
    rural = {
        d["code"]: d["name"]
        for d in data.divisions
        if d["town_name"] == SAMPLE_TOWN and str(d.get("ur_code") or "").startswith("2")
    }
    planted = [
        grids.geometries[i]
        for grids in data.grids.values()
        for i in range(len(grids))
        if grids.codes[i] in avoid and grids.geometries[i] is not None
    ]
    planted_boxes = shapely.envelope(np.asarray(planted, dtype=object))
    village_codes = list(villages.codes)
    for i in np.argsort(sections.codes.astype(str), kind="stable"):
        code, village = sections.codes[i], sections.parent_codes[i]
        if village not in rural or village not in village_codes or not rural[village].endswith("村委会"):
            continue
        if villages.attributes["area_class"][village_codes.index(village)] != "rural":
            continue
        if any(c.startswith(village) or village.startswith(c) for c in avoid):
            continue
        if len(planted_boxes) and shapely.distance(sections.geometries[i], planted_boxes).min() < 2000:
            continue
        kids = np.flatnonzero(groups.parent_codes == code)
        if len(kids) < 3:
            continue
        kids = kids[np.argsort(groups.codes[kids].astype(str), kind="stable")]
        for k in kids:
            polygon = groups.geometries[k]
            line = cut_line(polygon)
            try:
                pieces = core.split_polygon(polygon, shapely.LineString(line))
            except core.EditError:
                continue
            if len(pieces) != 2 or shapely.area(pieces[1]) < 0.35 * shapely.area(polygon):
                continue
            if [int(kids[j]) for j in core.lines_cutting(groups.geometries[kids], shapely.LineString(line))] != [k]:
                continue
            others = kids[kids != k]
            shared = core.shared_length(pieces[1], groups.geometries[others])
            if shared.max() < 100:
                continue
            n = int(others[int(np.argmax(shared))])
            return {
                "section_code": str(code),
                "section_name": str(sections.names[i]),
                "group_code": str(groups.codes[k]),
                "neighbour_code": str(groups.codes[n]),
                "neighbour_name": str(groups.names[n]),
                "line": [(float(x), float(y)) for x, y in line],
            }
    raise StepFailed(f"no section of {SAMPLE_TOWN} suits the session")


def inner_point(geometry) -> tuple[float, float]:
    import shapely

    x, y = shapely.get_coordinates(shapely.point_on_surface(geometry))[0]
    return float(x), float(y)


def staff_of(workspace, code: str) -> list[str]:
    layer = workspace.layers["staff"]
    return sorted(f["name"] for f in layer.getFeatures() if f["grid_code"] == code)


def subdivide_and_merge(context: dict) -> None:
    """Work inside a section (a click on its row, then 进入); subdivide a group with the subdivide tool (clicks on
    the canvas, right-click to finish); merge the new piece into its neighbour with the merge tool, keeping the
    neighbour in the dialog (a click on its row, OK)."""
    import shapely
    from qgis.core import QgsRectangle

    core = plugin_module("core.editing")
    grid = plugin_module("adapters.editing").GRID
    ref_role = plugin_module("gui.grid_tree").REF_ROLE
    workspace = plugin().workspace
    dock = plugin().dock
    editor = dock.session.editor
    canvas = iface.mapCanvas()
    plan = plan_sample(workspace.read_data(), avoided_codes(workspace))
    RESULT["plan"] = {k: v for k, v in plan.items() if k != "line"}

    def ref_of(level, code):
        index = dock.model.index_of(lambda r: r.kind == grid and r.level == level and r.code == code)
        check(index is not None, f"no level {level} grid {code} in the tree")
        return index.data(ref_role)

    def click_row(ref):
        """Open the tree down to ``ref`` and click its row."""
        dock.view.collapseAll()
        index = dock.proxy.mapFromSource(dock.model.index_of(lambda r: r == ref))
        parent = index.parent()
        while parent.isValid():
            dock.view.expand(parent)
            parent = parent.parent()
        dock.view.scrollTo(index, dock.view.ScrollHint.PositionAtCenter)
        QTest.qWait(100)
        rect = dock.view.visualRect(index)
        QTest.mouseClick(dock.view.viewport(), LEFT, NO_MODIFIER, rect.center())
        QTest.qWait(100)
        check(dock.view.currentIndex() == index, f"the click did not select {ref.code}")

    def pixel(x, y):
        point = canvas.getCoordinateTransform().transform(x, y)
        return QPoint(round(point.x()), round(point.y()))

    def canvas_click(x, y, button=LEFT):
        pos = pixel(x, y)
        QTest.mouseMove(canvas.viewport(), pos)
        QTest.mouseClick(canvas.viewport(), button, NO_MODIFIER, pos)
        QTest.qWait(40)

    def groups_of_section():
        section = ref_of(2, plan["section_code"])
        children = editor.children_of(section, 3)
        partition = core.check_partition(editor.geometry(section), children.geometries)
        check(partition.exact(), f"the groups of {plan['section_code']} no longer partition it: {partition}")
        return children

    click_row(ref_of(2, plan["section_code"]))
    click_widget(dock.work_inside_button)
    before = groups_of_section()
    group_before = editor.geometry(ref_of(3, plan["group_code"]))
    neighbour_before = editor.geometry(ref_of(3, plan["neighbour_code"]))
    staff_before = staff_of(workspace, plan["neighbour_code"])
    extent = QgsRectangle(*shapely.bounds(shapely.union_all([group_before, neighbour_before])))
    extent.scale(1.15)
    canvas.setExtent(extent)  # the planner's zoom to the two groups
    if canvas.scale() > MAX_SCALE:
        canvas.zoomScale(MAX_SCALE)
    settle()

    # subdivide: the pieces partition the group, one new code
    click_action(dock.tools_toolbar, dock.tool_actions["subdivide"])
    check(canvas.mapTool() is not None and dock.tool_actions["subdivide"].isChecked(), "no subdivide tool")
    for x, y in plan["line"]:
        canvas_click(x, y)
    QTest.mouseMove(canvas.viewport(), pixel(*plan["line"][-1]))
    shot("2_subdivide_sketch")
    iface.messageBar().clearWidgets()
    canvas_click(*plan["line"][-1], RIGHT)
    QTest.qWait(400)
    after = groups_of_section()
    new_codes = [c for c in after.codes if c not in set(before.codes)]
    check(len(new_codes) == 1, f"subdividing {plan['group_code']} gave new codes {new_codes}, not one")
    piece_code = str(new_codes[0])
    pieces = [editor.geometry(ref_of(3, c)) for c in (plan["group_code"], piece_code)]
    check(core.check_partition(group_before, pieces).exact(), "the pieces do not partition the group")
    RESULT["subdivided"] = {"kept": plan["group_code"], "new": piece_code, "groups": len(after)}
    piece = ref_of(3, piece_code)
    click_row(piece)
    editor.layer(3).selectByIds([piece.fid])
    shot("3_subdivided")
    editor.layer(3).removeSelection()
    canvas.setExtent(extent)  # back to the two groups (the click on the row zoomed to the piece)
    if canvas.scale() > MAX_SCALE:
        canvas.zoomScale(MAX_SCALE)
    settle()

    # merge: the neighbour lives on with its code, name and staff; the piece's code goes
    click_action(dock.tools_toolbar, dock.tool_actions["merge"])
    iface.messageBar().clearWidgets()
    for code in (plan["neighbour_code"], piece_code):
        canvas_click(*inner_point(editor.geometry(ref_of(3, code))))

    def keep_neighbour(dialog):
        from qgis.PyQt.QtWidgets import QTableWidget

        table = dialog.findChild(QTableWidget, "survivors")
        rows = [r for r in range(table.rowCount()) if table.item(r, 0).text() == plan["neighbour_code"]]
        check(rows, f"{plan['neighbour_code']} is not offered in the merge dialog")
        rect = table.visualItemRect(table.item(rows[0], 1))
        QTest.mouseClick(table.viewport(), LEFT, NO_MODIFIER, rect.center())
        check(dialog.chosen() == rows[0], "the click did not choose the neighbour")
        press_ok(dialog)

    shot("4_merge_picked")
    iface.messageBar().clearWidgets()
    answered = when_modal("MergeSurvivorDialog", keep_neighbour)
    canvas_click(*inner_point(pieces[1]), RIGHT)
    QTest.qWait(400)
    check(answered == ["MergeSurvivorDialog"], "the merge dialog did not open")
    merged = groups_of_section()
    codes = [str(c) for c in merged.codes]
    check(piece_code not in codes, f"{piece_code} still exists after the merge")
    check(len(merged) == len(before), f"{len(merged)} groups after the merge, {len(before)} before")
    neighbour = ref_of(3, plan["neighbour_code"])
    expected = shapely.union_all([neighbour_before, pieces[1]])
    check(core.check_partition(expected, [editor.geometry(neighbour)]).exact(), "the neighbour did not take the piece")
    check(neighbour.name == plan["neighbour_name"], f"the neighbour is now called {neighbour.name}")
    context["plan"], context["piece_code"], context["staff_before"] = plan, piece_code, staff_before
    RESULT["merged"] = {"survivor": plan["neighbour_code"], "retired": piece_code, "codes": sorted(codes)}
    click_row(neighbour)
    editor.layer(3).selectByIds([neighbour.fid])
    shot("5_merged")


def save_edits(context: dict) -> None:
    """QGIS's own 'Save all edits' action: the grid layers leave no edit buffer; the survivor keeps its staff."""
    workspace = plugin().workspace
    action = iface.mainWindow().findChild(QAction, "mActionSaveAllEdits")
    check(action is not None, "QGIS has no Save All Edits action")

    def confirm(box):  # QGIS asks "Save current edits in all layers?"
        from qgis.PyQt.QtWidgets import QMessageBox

        RESULT["save_question"] = box.text()
        standard = QMessageBox.StandardButton
        button = next(b for b in map(box.button, (standard.Yes, standard.Save, standard.Ok)) if b is not None)
        QTest.mouseClick(button, LEFT)

    answered = when_modal("", confirm)
    action.trigger()
    QTest.qWait(500)
    check(answered, "QGIS did not ask to save the edits")
    dirty = [layer.name() for layer in workspace.layers.values() if layer.isEditable() and layer.isModified()]
    check(not dirty, f"unsaved edits in {dirty}")
    plan = context["plan"]
    staff_after = staff_of(workspace, plan["neighbour_code"])
    RESULT["staff"] = {"survivor_before": context["staff_before"], "survivor_after": staff_after}
    check(staff_after == context["staff_before"], "the surviving grid's staff changed")
    check(not staff_of(workspace, context["piece_code"]), "staff still point at the retired code")
    level3 = workspace.grid_layer(3)
    saved = [f["code"] for f in level3.getFeatures() if f["code"] == context["piece_code"] and f["status"] != "retired"]
    check(not saved, f"{context['piece_code']} is still a current grid in the file")


def audit_and_accept(context: dict) -> None:
    """The audit dock from the plugin's toolbar, 运行审核; a warning accepted with a reason: the summary follows."""
    p = plugin()
    action = next(a for a in p.actions if a.objectName() == "community_grids_show_audit_dock")
    choose_from_plugins_menu(action)
    audit = p.audit_dock
    check(audit is not None and audit.isVisible(), "the audit dock did not open")
    audit.setMinimumHeight(330)
    QTest.qWait(300)
    finished: list = []
    audit.audit_finished.connect(finished.append)
    click_widget(audit.run_button)
    check(wait(lambda: bool(finished) and audit.task is None and idle(), 600), "the audit did not finish")
    check(audit.result is not None, f"the audit failed: {audit.status_label.text()}")
    RESULT["audit"] = {"findings": len(audit.findings), "summary_before": audit.summary_label.text()}
    accepted_before = sum(bool(f.accepted) for f in audit.findings)
    iface.messageBar().clearWidgets()
    shot("6_audit")

    finding_role = plugin_module("gui.audit_dock").FINDING_ROLE
    choose_in_combo(audit.severity_combo, "warning")
    check(wait(lambda: audit.tree.topLevelItemCount() > 0, 10), "no warnings listed")
    audit.tree.expandAll()
    QTest.qWait(200)
    leaves = [
        item
        for t in range(audit.tree.topLevelItemCount())
        for r in range(audit.tree.topLevelItem(t).childCount())
        for item in [audit.tree.topLevelItem(t).child(r).child(0)]
        if item is not None and item.data(0, finding_role) is not None
    ]

    def rule_of(item):
        return audit.findings[item.data(0, finding_role)].rule_id

    # a relocation site's size warning when there is one (the README tells its story), else the first warning
    leaf = next((item for item in leaves if rule_of(item) == "size.relocation_site"), leaves[0] if leaves else None)
    check(leaf is not None, "no warning to accept")
    audit.tree.scrollToItem(leaf)
    QTest.mouseClick(audit.tree.viewport(), LEFT, NO_MODIFIER, audit.tree.visualItemRect(leaf).center())
    finding = audit.selected_finding()
    check(finding is not None and not finding.accepted, "the click did not select an open warning")

    def reason(dialog):
        type_text(dialog.reason_edit, "河流分隔，经镇政府确认不划入网格")
        press_ok(dialog)

    answered = when_modal("CommunityGridsAcceptDialog", reason)
    click_widget(audit.accept_button)
    check(answered == ["CommunityGridsAcceptDialog"], "the accept dialog did not open")
    click_widget(audit.save_button)
    accepted_after = sum(bool(f.accepted) for f in audit.findings)
    summary = audit.summary_label.text()
    RESULT["audit"].update(
        accepted_before=accepted_before, accepted_after=accepted_after, summary_after=summary, rule=finding.rule_id
    )
    check(accepted_after == accepted_before + 1, f"accepted {accepted_before} → {accepted_after}")
    check(summary != RESULT["audit"]["summary_before"] and str(accepted_after) in summary, "the summary did not follow")
    iface.messageBar().clearWidgets()
    shot("7_accepted")


def export_filing(context: dict) -> None:
    """The 任务 page: 导出备案包 with the package path typed in; a refusal answered with the override reason."""
    dock = plugin().dock
    jobs = dock.panels["jobs"]
    tab_bar = dock.tabs.tabBar()
    QTest.mouseClick(tab_bar, LEFT, NO_MODIFIER, tab_bar.tabRect(dock.tabs.indexOf(jobs)).center())
    check(dock.tabs.currentWidget() is jobs, "the click did not open the Jobs page")
    QTest.qWait(200)
    done: list = []
    jobs.job_finished.connect(lambda key, ok: done.append((key, ok)))
    package = Path(os.environ["CG_SESSION_OUT"]) / "filing_package.gpkg"
    package.unlink(missing_ok=True)

    def where(dialog):
        type_into(dialog.outputEdit, str(package))
        press_ok(dialog)

    answered = when_modal("CommunityGridsFilingExport", where)
    click_widget(jobs.filingButton)
    check(answered, "the filing dialog did not open")
    check(wait(lambda: bool(done) and idle(), 600), "the filing export did not finish")
    RESULT["filing"] = {"first": list(done[-1])}
    if done[-1] == ("filing", False) and getattr(jobs, "refusal_dialog", None) is not None:
        refusal = jobs.refusal_dialog
        check(wait(refusal.isVisible, 10), "the refusal was not shown")
        RESULT["filing"]["refusal"] = refusal.blockingLabel.text()
        type_text(refusal.reasonEdit, "县里要求本周报送，错误在下次备案前修正")
        QTest.qWait(200)
        path = SHOTS / "desktop_8_filing_refused.png"
        refusal.grab().save(str(path))
        RESULT["screenshots"].append(path.name)
        QTest.mouseClick(refusal.buttonBox.button(QDialogButtonBox.StandardButton.Ok), LEFT)
        check(wait(lambda: len(done) == 2 and idle(), 600), "the filing export did not finish")
    check(done[-1] == ("filing", True), f"the filing export failed: {jobs.last_error}")
    RESULT["filing"].update(path=str(jobs.last_result["OUTPUT"]), grids=jobs.last_result.get("GRIDS"))
    check(Path(jobs.last_result["OUTPUT"]) == package and package.exists(), "the package is not where it was asked")
    context["done"] = done
    shot("9_filing")


class Opened(QObject):
    """Where QGIS would open a file the plugin hands to the desktop (the notice PDF): recorded instead."""

    def __init__(self):
        super().__init__()
        self.paths: list[str] = []

    @pyqtSlot(QUrl)
    def open(self, url):
        self.paths.append(url.toLocalFile())


def print_notice(context: dict) -> None:
    """The township chosen in the 任务 page's list (arrow keys), 打印公示图: the PDF written (and handed on)."""
    jobs = plugin().dock.panels["jobs"]
    done = context["done"]
    town = context["plan"]["section_code"][:9]
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        choose_in_combo(jobs.townshipCombo, town)
        count = len(done)
        click_widget(jobs.noticeButton)
        check(wait(lambda: len(done) > count and idle(), 600), "the notice map did not finish")
        check(done[-1] == ("notice", True) and opened.paths, f"the notice map failed: {jobs.last_error}")
    finally:
        QDesktopServices.unsetUrlHandler("file")
    pdf = Path(opened.paths[-1])
    head = pdf.read_bytes()[:5] if pdf.exists() else b""
    RESULT["notice"] = {"path": str(pdf), "bytes": pdf.stat().st_size if pdf.exists() else 0, "town": town}
    check(head == b"%PDF-", f"{pdf} is not a PDF")
    shot("10_notice")


# ---------------------------------------------------------------- the end


def finish() -> None:
    """The result written; QGIS quit with its own action. QGIS asks before closing a project with temporary
    layers (memory layers, or files under /tmp as in the test's folders): they are recorded, and the question
    answered Yes."""
    project = QgsProject.instance()
    layers = project.mapLayers().values()
    RESULT["memory_layers_at_exit"] = sorted(layer.name() for layer in layers if layer.providerType() == "memory")
    temporary = [layer.name() for layer in layers if layer.isTemporary()]
    RESULT["layers_at_exit"] = sorted(layer.name() for layer in project.mapLayers().values())

    def close_anyway(box):
        from qgis.PyQt.QtWidgets import QMessageBox

        standard = QMessageBox.StandardButton
        QTest.mouseClick(next(b for b in map(box.button, (standard.Yes, standard.Ok)) if b is not None), LEFT)

    path = os.environ["CG_SESSION_RESULT"]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(RESULT, handle, ensure_ascii=False, indent=1)
    project.setDirty(False)  # the session's edits are saved; QGIS need not ask about the project file
    if temporary:
        when_modal("", close_anyway)
    iface.actionExit().trigger()


def main() -> None:
    try:
        install_stage() if os.environ["CG_SESSION_STAGE"] == "install" else session_stage()
    except StepFailed as failure:
        RESULT["errors"].append(f"{failure}")
    except Exception:  # noqa: BLE001 - recorded for the launcher, which fails on it
        RESULT["errors"].append(traceback.format_exc())
    if RESULT["errors"]:
        try:
            shot("failed")
        except Exception:  # noqa: BLE001
            RESULT["errors"].append(traceback.format_exc())
    finish()


QTimer.singleShot(3000, main)
