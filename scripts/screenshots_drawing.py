"""Screenshots of a drawing session for the README: the canvas and the workspace dock in a real window.

Run under a virtual screen::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots_drawing.py

Two modes, both driving the map tools with real mouse events on the canvas, as a user would:

* the sample workspace (the default when ``make demo`` has written build/demo/hanbin_sample.gpkg, or
  ``--workspace PATH``): works on a copy, never on the file itself. It picks a level 2 section of a
  rural village of 恒口镇 away from the sample's planted defects (the first in code order that fits,
  or ``--section CODE``), works inside it, subdivides one of its villager groups with a line across
  it, then merges the new piece into the neighbouring group. PNGs go to
  docs/images/drawing_sample_*.png.
* ``--practice``: the small practice workspace (devtools/drawing_sample.py): subdivide village
  新城村 into sections with two lines, then draw a villager group in the uncovered notch of section
  东坝村一片区. PNGs go to docs/images/drawing_*.png.

In sample mode the session goes on from the dock, in the Chinese interface (``--lang``): the layers are saved,
the audit runs from the audit dock, a finding is accepted (the summary follows), the filing package is
exported from the 任务 (Jobs) page (a refusal is answered with the override reason) and the notice map of the
township is printed (the PDF would open: the script records it instead). PNGs
docs/images/drawing_sample_5_audit.png … drawing_sample_8_notice.png.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PLUGINS = "/usr/share/qgis/python/plugins"
if os.path.isdir(PLUGINS):
    sys.path.append(PLUGINS)

DEMO_WORKSPACE = ROOT / "build" / "demo" / "hanbin_sample.gpkg"
SAMPLE_TOWN = "恒口镇"
MAX_SCALE = 14_500  # the level 3 grids' labels show from 1:15,000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument(
        "--workspace",
        type=Path,
        default=DEMO_WORKSPACE if DEMO_WORKSPACE.exists() else None,
        help="the sample workspace to copy and draw in (default: %(default)s when it exists)",
    )
    parser.add_argument("--practice", action="store_true", help="use the small practice workspace instead")
    parser.add_argument("--section", help="code of the level 2 section to work inside (sample mode)")
    parser.add_argument("--size", help="window size, WIDTHxHEIGHT (default 1500x950, practice 1400x860)")
    parser.add_argument("--lang", default="zh_CN", help="interface language (default zh_CN; 'en' for English)")
    args = parser.parse_args()
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" or not os.environ.get("DISPLAY"):
        print("Needs a screen: run it under xvfb-run -a (see the module docstring).", file=sys.stderr)
        return 2
    practice = args.practice or args.workspace is None
    if not practice and not args.workspace.exists():
        print(f"No workspace {args.workspace}: run `make demo` first, or pass --practice.", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in (args.size or ("1400x860" if practice else "1500x950")).split("x"))

    from qgis.core import QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], True)
    app.initQgis()
    from qgis.core import QgsSettings

    settings = QgsSettings()
    saved_locale = [settings.value(k, None) for k in ("locale/overrideFlag", "locale/userLocale")]
    if args.lang != "en":  # the plugin's translation and the language of the findings (QGIS's locale)
        import subprocess

        settings.setValue("locale/overrideFlag", True)
        settings.setValue("locale/userLocale", args.lang)

        from plugin.i18n import I18N_DIR, install_translator

        ts = I18N_DIR / f"community_grids_{args.lang}.ts"
        if ts.exists():
            subprocess.run(["lrelease", "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))], check=False)
        install_translator(args.lang)
    try:
        if practice:
            return run_practice(app, args.out, width, height)
        return run_sample(app, args.workspace, args.out, width, height, args.section)
    finally:
        for key, value in zip(("locale/overrideFlag", "locale/userLocale"), saved_locale):
            if value is None:
                settings.remove(key)
            else:
                settings.setValue(key, value)
        app.exitQgis()


class ScriptIface:
    """The few QgisInterface calls the dock and the tools make, for a standalone window."""

    def __init__(self, window, canvas, bar):
        self._window, self._canvas, self._bar = window, canvas, bar

    def mapCanvas(self):  # noqa: N802
        return self._canvas

    def mainWindow(self):  # noqa: N802
        return self._window

    def messageBar(self):  # noqa: N802
        return self._bar

    def addDockWidget(self, area, dock):  # noqa: N802
        self._window.addDockWidget(area, dock)

    def removeDockWidget(self, dock):  # noqa: N802
        self._window.removeDockWidget(dock)

    def openFeatureForm(self, *args):  # noqa: N802
        return True


class Desktop:
    """A main window with the layer tree, the message bar, the map canvas and the workspace dock."""

    def __init__(self, app, workspace, group_name: str, width: int, height: int):
        from qgis.core import QgsCoordinateReferenceSystem, QgsLayerTreeModel, QgsProject, QgsSettings
        from qgis.gui import QgsLayerTreeMapCanvasBridge, QgsLayerTreeView, QgsMapCanvas, QgsMessageBar
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtGui import QColor
        from qgis.PyQt.QtTest import QTest
        from qgis.PyQt.QtWidgets import QDockWidget, QMainWindow, QVBoxLayout, QWidget

        from plugin.gui.dock import GridDock
        from plugin.gui.session import SETTING_OPEN_FORM

        self.app, self.workspace = app, workspace
        self.settings = QgsSettings()
        self.saved_form_setting = self.settings.value(SETTING_OPEN_FORM, None)
        self.settings.setValue(SETTING_OPEN_FORM, False)

        self.project = QgsProject.instance()
        self.project.setCrs(QgsCoordinateReferenceSystem(workspace.info.crs))
        workspace.add_to_project(self.project, group_name)

        self.window = window = QMainWindow()
        window.setWindowTitle("QGIS — Community Grids drawing session")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QgsMessageBar()
        self.canvas = canvas = QgsMapCanvas()
        canvas.setCanvasColor(QColor(250, 250, 247))
        canvas.setSelectionColor(QColor(255, 230, 0, 150))  # QGIS's yellow, the grid lines showing through
        canvas.setDestinationCrs(QgsCoordinateReferenceSystem(workspace.info.crs))
        layout.addWidget(self.bar)
        layout.addWidget(canvas, 1)
        window.setCentralWidget(central)
        self.bridge = QgsLayerTreeMapCanvasBridge(self.project.layerTreeRoot(), canvas)
        legend = QgsLayerTreeView()
        legend_model = QgsLayerTreeModel(self.project.layerTreeRoot(), legend)  # parented: kept alive
        legend.setModel(legend_model)
        legend_dock = QDockWidget("Layers")
        legend_dock.setWidget(legend)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, legend_dock)
        self.iface = ScriptIface(window, canvas, self.bar)

        self.dock = dock = GridDock(self.iface, window)
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.set_workspace(workspace)
        window.resize(width, height)
        window.show()
        legend_dock.setMinimumWidth(230)
        dock.setMinimumWidth(480)
        QTest.qWait(300)

    # ------------------------------------------------------------ mouse events on the canvas viewport

    def pixel(self, x: float, y: float):
        from qgis.PyQt.QtCore import QPoint

        point = self.canvas.getCoordinateTransform().transform(x, y)
        return QPoint(round(point.x()), round(point.y()))

    def click(self, x: float, y: float, button=None, modifiers=None) -> None:
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtTest import QTest

        button = Qt.MouseButton.LeftButton if button is None else button
        modifiers = Qt.KeyboardModifier.NoModifier if modifiers is None else modifiers
        pos = self.pixel(x, y)
        QTest.mouseMove(self.canvas.viewport(), pos)
        QTest.mouseClick(self.canvas.viewport(), button, modifiers, pos)
        QTest.qWait(30)

    def hover(self, x: float, y: float) -> None:
        from qgis.PyQt.QtTest import QTest

        QTest.mouseMove(self.canvas.viewport(), self.pixel(x, y))
        QTest.qWait(50)

    def settle(self, reload_layers: bool = True) -> None:
        settle(self.app, self.canvas, reload_layers)

    def shot(self, path: Path, reload_layers: bool = True) -> None:
        self.settle(reload_layers)
        self.window.grab().save(str(path))
        print(f"wrote {path}")

    def close(self) -> None:
        from qgis.PyQt.QtCore import QCoreApplication, QEvent

        from plugin.gui.session import SETTING_OPEN_FORM

        for layer in self.workspace.layers.values():
            if layer.isEditable():
                layer.rollBack()
        self.dock.cleanup()
        del self.bridge
        if self.saved_form_setting is None:
            self.settings.remove(SETTING_OPEN_FORM)
        else:
            self.settings.setValue(SETTING_OPEN_FORM, self.saved_form_setting)
        self.project.removeAllMapLayers()
        self.window.close()
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.app.processEvents()


# ---------------------------------------------------------------- the practice workspace


def run_practice(app, out: Path, width: int, height: int) -> int:
    from qgis.core import QgsRectangle
    from qgis.PyQt.QtCore import Qt

    from devtools import drawing_sample as sample

    folder = Path(tempfile.mkdtemp(prefix="cg_screens_"))
    workspace = sample.build_drawing_sample(folder / "drawing_practice.gpkg")
    desk = Desktop(app, workspace, "新城街道 practice workspace", width, height)
    canvas, dock = desk.canvas, desk.dock

    x0, y0 = sample.X0, sample.Y0
    canvas.setExtent(QgsRectangle(x0 - 150, y0 - 200, x0 + 1950, y0 + 1200))
    desk.settle()

    def click(x, y, button=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier):
        desk.click(x0 + x, y0 + y, button, modifiers)

    def hover(x, y):
        desk.hover(x0 + x, y0 + y)

    def shot(name):
        desk.shot(out / f"drawing_{name}.png")

    # 1. village 新城村 is the active parent; subdivide it with two lines
    select(dock, "新城村")
    dock.work_inside_selected()
    dock.tool_actions["subdivide"].trigger()
    shot("1_village_selected")
    for x, y in [(350, -120), (320, 500), (360, 1120)]:
        click(x, y)
    click(360, 1120, Qt.MouseButton.RightButton, Qt.KeyboardModifier.ShiftModifier)  # this line done, another
    for x, y in [(-120, 330), (1100, 300)]:
        click(x, y)
    hover(1100, 300)
    shot("2_subdivide_sketch")
    click(1100, 300, Qt.MouseButton.RightButton)
    dock.refresh()
    select(dock, "新城村")
    dock.view.expandAll()
    shot("3_subdivided")

    # 2. inside section 东坝村一片区, draw a villager group over its uncovered notch
    select(dock, "东坝村一片区")
    dock.work_inside_selected()
    dock.tool_actions["draw"].trigger()
    canvas.setExtent(QgsRectangle(x0 + 400, y0 - 150, x0 + 1600, y0 + 1150))
    desk.settle()
    # starts near the notch corner (snaps onto it), runs into group 一组 and out of the section: clipped to both
    for x, y in [(615, 615), (1150, 450), (1150, 1080), (580, 1080)]:
        click(x, y)
    hover(580, 1080)
    shot("4_draw_sketch")
    click(580, 1080, Qt.MouseButton.RightButton)
    dock.refresh()
    select(dock, "东坝村一片区")
    dock.view.expandAll()
    shot("5_drawn_clipped")

    desk.close()
    return 0


# ---------------------------------------------------------------- the sample workspace


@dataclass
class SamplePlan:
    """What the sample session edits: a section, the group split by ``line`` and the group its new piece joins."""

    village: str
    section_code: str
    section_name: str
    group_code: str
    group_name: str
    neighbour_code: str
    neighbour_name: str
    line: list  # [(x, y), ...] in the workspace CRS


def avoided_codes(workspace) -> set:
    """Codes of the grids (and staff) with planted defects or special cases in the sample."""
    from plugin.core.sample import DEFAULT_SEED, build_sample

    seed = int(workspace.info.extra.get("sample_seed", DEFAULT_SEED))
    result = build_sample(seed)
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
    bend = centre + along * 0.05 * np.hypot(*long_side)  # a hand-drawn line is never quite straight
    return [tuple(centre + across * (low - past)), tuple(bend), tuple(centre + across * (high + past))]


def plan_sample(data, avoid: set, section_code: str | None = None, town: str = SAMPLE_TOWN) -> SamplePlan:
    """The first section (by code) of a rural village of ``town`` that suits the demonstration.

    The village has no planted defect and the section lies 2 km or more from any grid with one; it
    has three or more villager groups; the line across one of them (the first in code order that
    fits) cuts only that group, into two pieces the smaller of which has 35 % of its area or more and
    shares 100 m or more of boundary with a sibling group, which it then joins.
    """
    import numpy as np
    import shapely

    from plugin.core import editing as core

    villages, sections, groups = (data.grids[f"grid_level{level}"] for level in (1, 2, 3))
    rural = {
        d["code"]: d["name"]
        for d in data.divisions
        if d["town_name"] == town and str(d.get("ur_code") or "").startswith("2")
    }
    planted = [
        grids.geometries[i]
        for grids in data.grids.values()
        for i in range(len(grids))
        if grids.codes[i] in avoid and grids.geometries[i] is not None
    ]
    planted_boxes = shapely.envelope(np.asarray(planted, dtype=object))  # a planted bow-tie is not valid
    village_codes = list(villages.codes)
    for i in np.argsort(sections.codes.astype(str), kind="stable"):
        code, village = sections.codes[i], sections.parent_codes[i]
        if section_code is not None and code != section_code:
            continue
        if section_code is None:
            if village not in rural or village not in village_codes:
                continue
            if not rural[village].endswith("村委会"):  # a village committee, not a community
                continue
            if villages.attributes["area_class"][village_codes.index(village)] != "rural":
                continue
            if any(c.startswith(village) or village.startswith(c) for c in avoid):
                continue
            if len(planted_boxes) and shapely.distance(sections.geometries[i], planted_boxes).min() < 2000:
                continue
        kids = np.flatnonzero(groups.parent_codes == code)
        if len(kids) < (2 if section_code else 3):
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
            return SamplePlan(
                village=villages.names[village_codes.index(village)] if village in village_codes else village,
                section_code=code,
                section_name=sections.names[i],
                group_code=groups.codes[k],
                group_name=groups.names[k],
                neighbour_code=groups.codes[n],
                neighbour_name=groups.names[n],
                line=[(float(x), float(y)) for x, y in line],
            )
    raise SystemExit(f"No section of {town} suits the demonstration" + (f" ({section_code})" if section_code else ""))


def run_sample(app, source: Path, out: Path, width: int, height: int, section_code: str | None) -> int:
    from plugin.adapters.workspace import open_workspace

    folder = Path(tempfile.mkdtemp(prefix="cg_screens_"))
    copy = folder / source.name
    shutil.copyfile(source, copy)  # never edit the sample itself
    workspace = open_workspace(copy)
    plan = plan_sample(workspace.read_data(), avoided_codes(workspace), section_code)
    print(
        f"working inside {plan.village} {plan.section_name} ({plan.section_code}): "
        f"split {plan.group_name} ({plan.group_code}), merge its new piece into {plan.neighbour_name} "
        f"({plan.neighbour_code})"
    )
    desk = Desktop(app, workspace, f"{workspace.info.county_name} grid workspace", width, height)
    try:
        sample_session(desk, plan, out)
        filing_session(desk, plan, out)
    finally:
        desk.close()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def sample_session(desk: Desktop, plan: SamplePlan, out: Path) -> None:
    """Work inside the section, subdivide the group, merge the new piece into its neighbour; four shots."""
    import shapely
    from qgis.core import QgsRectangle
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    from plugin.adapters.editing import GRID
    from plugin.core import editing as core
    from plugin.gui.grid_tree import REF_ROLE

    canvas, dock, bar = desk.canvas, desk.dock, desk.bar
    editor = dock.session.editor

    def ref_of(level, code):
        index = dock.model.index_of(lambda r: r.kind == GRID and r.level == level and r.code == code)
        if index is None:
            raise SystemExit(f"no level {level} grid {code} in the tree")
        return index.data(REF_ROLE)

    def show_section(selected_code=None):
        """Only the section's branch open in the tree; the section, or a group (highlighted on the map), selected."""
        QTest.qWait(400)  # the dock's own refresh after an edit (on a 200 ms timer) first
        dock.refresh()
        section = ref_of(2, plan.section_code)
        dock.view.collapseAll()
        index = dock.proxy.mapFromSource(dock.model.index_of(lambda r: r == section))
        while index.isValid():
            dock.view.expand(index)
            index = index.parent()
        selected = ref_of(3, selected_code) if selected_code else section
        dock.select_ref(selected, zoom=False)
        dock.view.doItemsLayout()
        dock.view.scrollTo(dock.view.currentIndex(), dock.view.ScrollHint.PositionAtCenter)
        layer = editor.layer(3)
        layer.selectByIds([selected.fid] if selected_code else [])

    def section_partitioned():
        children = editor.children_of(ref_of(2, plan.section_code), 3)
        check = core.check_partition(editor.geometry(ref_of(2, plan.section_code)), children.geometries)
        if not check.exact():
            raise SystemExit(f"the groups of {plan.section_code} no longer partition it: {check}")
        return children

    def shot(name):
        desk.shot(out / f"drawing_sample_{name}.png", reload_layers=False)  # a reload would drop the selection

    # work inside the section; the map centred on the two groups edited, close enough for the groups' labels
    show_section()
    dock.work_inside_selected()
    before = section_partitioned()
    group_before = editor.geometry(ref_of(3, plan.group_code))
    neighbour_before = editor.geometry(ref_of(3, plan.neighbour_code))
    extent = QgsRectangle(*shapely.bounds(shapely.union_all([group_before, neighbour_before])))
    extent.scale(1.15)
    canvas.setExtent(extent)
    if canvas.scale() > MAX_SCALE:
        canvas.zoomScale(MAX_SCALE)
    desk.settle(reload_layers=False)

    # 1. subdivide the group with a line across it (the pieces partition it exactly)
    dock.tool_actions["subdivide"].trigger()
    for x, y in plan.line:
        desk.click(x, y)
    desk.hover(*plan.line[-1])
    shot("1_subdivide_sketch")
    bar.clearWidgets()
    desk.click(*plan.line[-1], Qt.MouseButton.RightButton)
    dock.refresh()
    after = section_partitioned()
    new_codes = [c for c in after.codes if c not in set(before.codes)]
    if len(new_codes) != 1:
        raise SystemExit(f"subdividing {plan.group_code} gave {len(new_codes) + 1} pieces, not 2")
    piece_code = new_codes[0]
    pieces = [editor.geometry(ref_of(3, c)) for c in (plan.group_code, piece_code)]
    if not core.check_partition(group_before, pieces).exact():
        raise SystemExit(f"the pieces of {plan.group_code} do not partition it")
    show_section(piece_code)
    shot("2_subdivided")

    # 2. merge the new piece into its neighbour: in the dialog the planner keeps the neighbour (its code and name)
    show_section()  # nothing highlighted but the picks
    dock.tool_actions["merge"].trigger()
    bar.clearWidgets()
    for code in (plan.neighbour_code, piece_code):
        desk.click(*inner_point(editor.geometry(ref_of(3, code))))
    shot("3_merge_picked")
    bar.clearWidgets()
    answer_merge_dialog(plan.neighbour_code)
    desk.click(*inner_point(pieces[1]), Qt.MouseButton.RightButton)
    dock.refresh()
    merged = section_partitioned()
    if len(merged) != len(before) or piece_code in set(merged.codes):
        raise SystemExit(f"{piece_code} was not merged into {plan.neighbour_code}")
    expected = shapely.union_all([neighbour_before, pieces[1]])
    if not core.check_partition(expected, [editor.geometry(ref_of(3, plan.neighbour_code))]).exact():
        raise SystemExit(f"{plan.neighbour_code} is not its old area plus the piece")
    show_section(plan.neighbour_code)
    shot("4_merged")


# ---------------------------------------------------------------- audit, filing and printing from the docks


def wait_for(app, condition, timeout: float = 600.0) -> None:
    import time

    from qgis.PyQt.QtTest import QTest

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        QTest.qWait(50)


def answer_dialog(object_name: str, fill=None) -> None:
    """When the modal dialog ``object_name`` opens: ``fill(dialog)``, then OK (real clicks)."""
    from qgis.PyQt.QtCore import Qt, QTimer
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox

    def answer():
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != object_name:
            QTimer.singleShot(50, answer)
            return
        if fill is not None:
            fill(dialog)
        box = dialog.findChild(QDialogButtonBox)
        QTest.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)


def filing_session(desk: Desktop, plan: SamplePlan, out: Path) -> None:
    """Save the edits, audit from the audit dock, accept a finding, export the filing package and print the
    township's notice map from the Jobs page; four shots."""
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QObject, Qt, QUrl, pyqtSlot
    from qgis.PyQt.QtGui import QDesktopServices
    from qgis.PyQt.QtTest import QTest

    from plugin.gui.audit_dock import FINDING_ROLE, AuditDock
    from plugin.gui.jobs_panel import JobsPanel
    from plugin.i18n import tr

    left = Qt.MouseButton.LeftButton
    app, dock, bar = desk.app, desk.dock, desk.bar
    for layer in desk.workspace.layers.values():  # the drawing is saved (the change log records it)
        if layer.isEditable() and not layer.commitChanges():
            raise SystemExit(f"could not save {layer.name()}: {layer.commitErrors()}")

    def idle():
        return QgsApplication.taskManager().countActiveTasks() == 0

    # 1. the audit from the audit dock
    audit = AuditDock(desk.iface, desk.window)
    desk.iface.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, audit)
    audit.set_workspace(desk.workspace)
    audit.setMinimumHeight(330)
    audit.show()
    QTest.qWait(500)
    QTest.mouseClick(audit.run_button, left)
    if audit.task is None:
        raise SystemExit(f"the audit did not start: {audit.run_button.isEnabled()} {audit.messages}")
    wait_for(app, lambda: audit.task is None and idle())
    if audit.result is None:
        raise SystemExit(f"the audit did not finish: {audit.status_label.text()} {audit.messages}")
    bar.clearWidgets()
    desk.shot(out / "drawing_sample_5_audit.png", reload_layers=False)

    # 2. accept a warning as an exception: the summary follows
    audit.severity_combo.setCurrentIndex(audit.severity_combo.findData("warning"))
    wait_for(app, lambda: audit.tree.topLevelItemCount() > 0, 10)
    QTest.qWait(300)
    audit.tree.expandAll()
    leaf = next(
        (
            item
            for t in range(audit.tree.topLevelItemCount())
            for r in range(audit.tree.topLevelItem(t).childCount())
            for item in [audit.tree.topLevelItem(t).child(r).child(0)]
            if item is not None and item.data(0, FINDING_ROLE) is not None
        ),
        None,
    )
    if leaf is None:
        raise SystemExit("no warning to accept")
    audit.tree.scrollToItem(leaf)
    QTest.mouseClick(
        audit.tree.viewport(), left, Qt.KeyboardModifier.NoModifier, audit.tree.visualItemRect(leaf).center()
    )

    def reason(dialog):
        dialog.reason_edit.setFocus()
        dialog.reason_edit.insertPlainText("河流分隔，经镇政府确认不划入网格")

    answer_dialog("CommunityGridsAcceptDialog", reason)
    QTest.mouseClick(audit.accept_button, left)
    QTest.mouseClick(audit.save_button, left)
    bar.clearWidgets()
    desk.shot(out / "drawing_sample_6_accepted.png", reload_layers=False)

    # 3. the filing package from the Jobs page (a refusal is answered with the override reason)
    jobs = dock.add_panel("jobs", JobsPanel(desk.iface, dock, dock), tr("Jobs"))
    dock.tabs.setCurrentWidget(jobs)
    done = []
    jobs.job_finished.connect(lambda key, ok: done.append((key, ok)))
    answer_dialog("CommunityGridsFilingExport")
    QTest.mouseClick(jobs.filingButton, left)
    wait_for(app, lambda: done and idle())
    if done[-1] == ("filing", False) and getattr(jobs, "refusal_dialog", None) is not None:
        refusal = jobs.refusal_dialog
        wait_for(app, refusal.isVisible, 10)
        refusal.reasonEdit.setFocus()
        refusal.reasonEdit.insertPlainText("县里要求本周报送，错误在下次备案前修正")
        QTest.qWait(200)
        refusal.grab().save(str(out / "drawing_sample_7_filing_refused.png"))  # the dialog: its own window
        print(f"wrote {out / 'drawing_sample_7_filing_refused.png'}")
        QTest.mouseClick(refusal.buttonBox.button(refusal.buttonBox.StandardButton.Ok), left)
        wait_for(app, lambda: len(done) == 2 and idle())
    if done[-1] != ("filing", True):
        raise SystemExit(f"the filing export failed: {jobs.last_error}")
    print(f"filing package {jobs.last_result['OUTPUT']}")

    # 4. the notice map of the township, opened when done (recorded here)
    class Opened(QObject):
        def __init__(self):
            super().__init__()
            self.urls = []

        @pyqtSlot(QUrl)
        def open(self, url):
            self.urls.append(url.toLocalFile())

    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        town = plan.section_code[:9]
        jobs.townshipCombo.setCurrentIndex(jobs.townshipCombo.findData(town))
        QTest.mouseClick(jobs.noticeButton, left)
        wait_for(app, lambda: len(done) >= 3 and idle())
        if done[-1] != ("notice", True) or not opened.urls:
            raise SystemExit(f"the notice map failed: {jobs.last_error}")
        print(f"notice map {opened.urls[-1]}")
        desk.shot(out / "drawing_sample_8_notice.png", reload_layers=False)
    finally:
        QDesktopServices.unsetUrlHandler("file")
        audit.cleanup()


# ---------------------------------------------------------------- helpers


def answer_merge_dialog(code: str) -> None:
    """When the merge dialog opens, choose the row of ``code`` as the surviving grid and press OK (real clicks)."""
    from qgis.PyQt.QtCore import Qt, QTimer
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox, QTableWidget

    def answer():
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "MergeSurvivorDialog":
            QTimer.singleShot(50, answer)
            return
        table = dialog.findChild(QTableWidget, "survivors")
        rows = [r for r in range(table.rowCount()) if table.item(r, 0).text() == code]
        if rows:
            QTest.mouseClick(
                table.viewport(),
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
                table.visualItemRect(table.item(rows[0], 1)).center(),
            )
        buttons = dialog.findChild(QDialogButtonBox)
        QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)


def inner_point(geometry) -> tuple[float, float]:
    import shapely

    x, y = shapely.get_coordinates(shapely.point_on_surface(geometry))[0]
    return float(x), float(y)


def settle(app, canvas, reload_layers: bool = True) -> None:
    from qgis.PyQt.QtTest import QTest

    if reload_layers:
        canvas.refreshAllLayers()
    else:
        canvas.refresh()
    QTest.qWait(100)
    canvas.waitWhileRendering()
    QTest.qWait(200)
    app.processEvents()


def select(dock, name: str) -> None:
    from plugin.gui.grid_tree import REF_ROLE

    index = dock.model.index_of(lambda ref: ref.name == name)
    if index is None:
        raise SystemExit(f"no node {name} in the tree")
    dock.select_ref(index.data(REF_ROLE), zoom=False)


if __name__ == "__main__":
    sys.exit(main())
