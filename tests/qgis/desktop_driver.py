"""Runs inside the real QGIS desktop (``qgis --code``), under Xvfb, for tests/qgis/test_desktop_install.py.

COMMUNITY_GRIDS_STAGE=install: QGIS's own plugin installer lists and installs the plugin from the intranet
repository (COMMUNITY_GRIDS_REPOSITORY, plugins.xml on 127.0.0.1); the stand-in's message-bar button opens the
install dialog, which takes shapely from the same repository, and the real plugin replaces the stand-in.
COMMUNITY_GRIDS_STAGE=audit: a second start of plain ``qgis`` on that profile loads the plugin without any
message; the sample workspace is opened and the audit dock's "Run audit" button is clicked.
Results go to COMMUNITY_GRIDS_RESULT as JSON; then the process ends.
"""

from __future__ import annotations

import json
import os
import time
import traceback

from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QPushButton
from qgis.utils import iface

NAME = "community_grids"
RESULT: dict = {"errors": []}


def wait(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def finish() -> None:
    with open(os.environ["COMMUNITY_GRIDS_RESULT"], "w", encoding="utf-8") as handle:
        json.dump(RESULT, handle, ensure_ascii=False, indent=1)
    os._exit(0)


def bar_texts() -> list[str]:
    return [item.text() for item in iface.messageBar().items()]


def plugin_class() -> str:
    import qgis.utils

    plugin = qgis.utils.plugins.get(NAME)
    return type(plugin).__name__ if plugin is not None else ""


def install_stage() -> None:
    import pyplugin_installer
    from pyplugin_installer.installer_data import plugins, repositories

    repositories.load()
    for key in list(repositories.all()):
        repositories.setRepositoryData(key, "enabled", key == "Intranet")
    for key in repositories.allEnabled():
        repositories.requestFetching(key, force_reload=True)
    wait(lambda: not repositories.fetchingInProgress(), 60)
    plugins.rebuild()
    RESULT["repositories"] = {
        k: [v.get("url"), v.get("enabled"), v.get("state"), v.get("error")] for k, v in repositories.all().items()
    }
    RESULT["plugins_seen"] = sorted(plugins.all())
    listed = plugins.all().get(NAME)
    RESULT["listed"] = bool(listed)
    RESULT["listed_version"] = listed["version_available"] if listed else ""
    if not listed:
        return
    pyplugin_installer.instance().installPlugin(NAME, quiet=True)
    RESULT["installed_folder"] = os.path.isdir(
        os.path.join(QgsApplication.qgisSettingsDirPath(), "python", "plugins", NAME, "plugin")
    )
    RESULT["after_install"] = plugin_class()
    RESULT["stand_in_messages"] = bar_texts()
    button = None
    for item in iface.messageBar().items():
        for candidate in item.findChildren(QPushButton):
            if candidate.text() in ("Install shapely…", "安装 shapely…"):
                button = candidate
    RESULT["install_button"] = button is not None
    if button is None:
        return

    def drive_dialog():
        dialog = QApplication.activeModalWidget()
        RESULT["dialog"] = type(dialog).__name__
        try:
            RESULT["dialog_repository_chosen"] = dialog.repositoryRadio.isChecked()
            QTest.mouseClick(dialog.installButton, Qt.MouseButton.LeftButton)
            RESULT["dialog_log"] = dialog.logView.toPlainText()
        except Exception:  # recorded for the test, which fails on it
            RESULT["errors"].append(traceback.format_exc())
        dialog.close()

    QTimer.singleShot(1500, drive_dialog)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # returns when the modal dialog has closed
    wait(lambda: plugin_class() == "CommunityGridsPlugin", 30)
    RESULT["after_shapely"] = plugin_class()


def audit_stage() -> None:
    import qgis.utils

    RESULT["loaded"] = plugin_class()
    RESULT["messages_at_start"] = bar_texts()
    plugin = qgis.utils.plugins[NAME]
    plugin.load_workspace(os.environ["COMMUNITY_GRIDS_WORKSPACE"])
    plugin.show_audit_dock()
    dock = plugin.audit_dock
    finished = []
    dock.audit_finished.connect(finished.append)
    QTest.mouseClick(dock.run_button, Qt.MouseButton.LeftButton)
    wait(lambda: bool(finished), 300)
    RESULT["findings"] = len(finished[0].findings) if finished else None
    RESULT["status"] = dock.status_label.text()
    RESULT["messages_at_end"] = bar_texts()


def main() -> None:
    try:
        install_stage() if os.environ["COMMUNITY_GRIDS_STAGE"] == "install" else audit_stage()
    except Exception:  # recorded for the test, which fails on it
        RESULT["errors"].append(traceback.format_exc())
    finish()


QgsSettings().setValue("app/plugin_installer/checkOnStart", False)
QTimer.singleShot(2000, main)
