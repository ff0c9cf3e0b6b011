"""README screenshots from the real QGIS desktop (run inside QGIS as PYQGIS_STARTUP, under Xvfb).

    COMMUNITY_GRIDS_SHOTS=docs/images xvfb-run -a -s "-screen 0 1600x1000x24" \
        env PYQGIS_STARTUP=scripts/screenshot_qgis.py scripts/run_qgis.sh

Opens the demo's sample workspace through the plugin, shows the workspace dock, runs the audit from the
audit dock, and saves the main window at each step; then quits QGIS.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication

ROOT = Path(os.environ.get("COMMUNITY_GRIDS_ROOT", Path.cwd()))
SHOTS = Path(os.environ.get("COMMUNITY_GRIDS_SHOTS", ROOT / "docs" / "images"))
WORKSPACE = Path(os.environ.get("COMMUNITY_GRIDS_WORKSPACE", ROOT / "build" / "demo" / "hanbin_sample.gpkg"))
STEPS: list = []


def step(delay_ms: int):
    def register(function):
        STEPS.append((delay_ms, function))
        return function

    return register


def shot(name: str) -> None:
    from qgis.utils import iface

    SHOTS.mkdir(parents=True, exist_ok=True)
    iface.mainWindow().grab().save(str(SHOTS / f"{name}.png"))


def plugin():
    import qgis.utils

    return qgis.utils.plugins["community_grids"]


@step(4000)
def open_workspace():
    from qgis.PyQt.QtWidgets import QDockWidget
    from qgis.utils import iface

    window = iface.mainWindow()
    window.resize(1600, 1000)
    for name in ("Browser", "Browser2"):
        browser = window.findChild(QDockWidget, name)
        if browser is not None:
            browser.hide()
    workspace = plugin().load_workspace(str(WORKSPACE))
    canvas = iface.mapCanvas()
    level1 = workspace.grid_layer(1)
    level1.selectByExpression("\"code\" like '610902002%'")
    canvas.setExtent(level1.boundingBoxOfSelected().buffered(800))
    level1.removeSelection()
    canvas.refresh()


@step(6000)
def workspace_dock():
    shot("qgis_workspace_dock")


@step(500)
def run_audit():
    dock = plugin().open_audit_dock()
    dock.run_audit()


@step(15000)
def audit_dock():
    dock = plugin().audit_dock
    overlaps = [f for f in dock.findings if f.rule_id == "overlap"]
    if overlaps:
        largest = max(overlaps, key=lambda f: f.measure or 0)
        item = dock.item_for(dock.findings.index(largest))
        if item is not None:
            dock.tree.setCurrentItem(item)
        dock.zoom_to(largest)


@step(4000)
def audit_shot():
    shot("qgis_audit_dock")


@step(500)
def finish():
    QApplication.instance().quit()


def run(index: int = 0) -> None:
    if index >= len(STEPS):
        return
    delay, function = STEPS[index]

    def go():
        try:
            function()
        except Exception:  # a screenshot script reports and carries on to the end
            traceback.print_exc()
        run(index + 1)

    QTimer.singleShot(delay, go)


# QGIS may execute a PYQGIS_STARTUP script more than once; the steps run once.
import builtins  # noqa: E402

if not getattr(builtins, "_community_grids_screenshots", False):
    builtins._community_grids_screenshots = True
    run()
