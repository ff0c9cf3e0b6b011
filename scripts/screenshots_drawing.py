"""Screenshots of a drawing session for the README: the canvas and the workspace dock in a real window.

Run under a virtual screen::

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_drawing.py

It builds the small practice workspace (plugin/adapters/drawing_sample.py), shows a main window with
the map canvas and the Community Grids dock, then drives the tools with real mouse events, as a
user would: subdivide village 新城村 into sections with two lines, then draw a villager group in the
uncovered notch of section 东坝村一片区. PNGs go to docs/images/drawing_*.png.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PLUGINS = "/usr/share/qgis/python/plugins"
if os.path.isdir(PLUGINS):
    sys.path.append(PLUGINS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--size", default="1400x860", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args()
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" or not os.environ.get("DISPLAY"):
        print("Needs a screen: run it under xvfb-run -a (see the module docstring).", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.split("x"))

    from qgis.core import QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], True)
    app.initQgis()
    try:
        return run(app, args.out, width, height)
    finally:
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


def run(app, out: Path, width: int, height: int) -> int:
    from qgis.core import QgsCoordinateReferenceSystem, QgsLayerTreeModel, QgsProject, QgsRectangle, QgsSettings
    from qgis.gui import QgsLayerTreeMapCanvasBridge, QgsLayerTreeView, QgsMapCanvas, QgsMessageBar
    from qgis.PyQt.QtCore import QPoint, Qt
    from qgis.PyQt.QtGui import QColor
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QDockWidget, QMainWindow, QVBoxLayout, QWidget

    from plugin.adapters import drawing_sample as sample
    from plugin.gui.dock import GridDock
    from plugin.gui.session import SETTING_OPEN_FORM

    settings = QgsSettings()
    saved_form_setting = settings.value(SETTING_OPEN_FORM, None)
    settings.setValue(SETTING_OPEN_FORM, False)

    folder = Path(tempfile.mkdtemp(prefix="cg_screens_"))
    workspace = sample.build_drawing_sample(folder / "drawing_practice.gpkg")
    project = QgsProject.instance()
    project.setCrs(QgsCoordinateReferenceSystem(sample.CRS))
    workspace.add_to_project(project, "新城街道 practice workspace")

    window = QMainWindow()
    window.setWindowTitle("QGIS — Community Grids drawing session")
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(0, 0, 0, 0)
    bar = QgsMessageBar()
    canvas = QgsMapCanvas()
    canvas.setCanvasColor(QColor(250, 250, 247))
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem(sample.CRS))
    layout.addWidget(bar)
    layout.addWidget(canvas, 1)
    window.setCentralWidget(central)
    bridge = QgsLayerTreeMapCanvasBridge(project.layerTreeRoot(), canvas)
    legend = QgsLayerTreeView()
    legend_model = QgsLayerTreeModel(project.layerTreeRoot(), legend)  # parented: kept alive
    legend.setModel(legend_model)
    legend_dock = QDockWidget("Layers")
    legend_dock.setWidget(legend)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, legend_dock)
    iface = ScriptIface(window, canvas, bar)

    dock = GridDock(iface, window)
    iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.set_workspace(workspace)
    window.resize(width, height)
    window.show()
    legend_dock.setMinimumWidth(230)
    dock.setMinimumWidth(480)
    QTest.qWait(300)

    x0, y0 = sample.X0, sample.Y0
    canvas.setExtent(QgsRectangle(x0 - 150, y0 - 200, x0 + 1950, y0 + 1200))
    settle(app, canvas)

    def pixel(x, y):
        point = canvas.getCoordinateTransform().transform(x0 + x, y0 + y)
        return QPoint(round(point.x()), round(point.y()))

    def click(x, y, button=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier):
        pos = pixel(x, y)
        QTest.mouseMove(canvas.viewport(), pos)
        QTest.mouseClick(canvas.viewport(), button, modifiers, pos)
        QTest.qWait(30)

    def hover(x, y):
        QTest.mouseMove(canvas.viewport(), pixel(x, y))
        QTest.qWait(50)

    def shot(name):
        settle(app, canvas)
        path = out / f"drawing_{name}.png"
        window.grab().save(str(path))
        print(f"wrote {path}")

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
    settle(app, canvas)
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

    for layer in workspace.layers.values():
        if layer.isEditable():
            layer.rollBack()
    dock.cleanup()
    del bridge
    if saved_form_setting is None:
        settings.remove(SETTING_OPEN_FORM)
    else:
        settings.setValue(SETTING_OPEN_FORM, saved_form_setting)
    project.removeAllMapLayers()
    window.close()
    window.deleteLater()
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    return 0


def settle(app, canvas) -> None:
    from qgis.PyQt.QtTest import QTest

    canvas.refreshAllLayers()
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
