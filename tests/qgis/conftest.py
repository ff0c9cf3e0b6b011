"""Fixtures for tests that run inside QGIS (pytest-qgis, offscreen)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_NAME = "community_grids"


class RecordingIface:
    """pytest-qgis's iface, recording menu and dock calls so that a test can prove unload undoes them."""

    def __init__(self, iface):
        self._iface = iface
        self.menu_entries: list = []
        self.docks: list = []

    def __getattr__(self, name):
        return getattr(self._iface, name)

    def addPluginToMenu(self, name, action):  # noqa: N802
        self.menu_entries.append((name, action))
        self._iface.addPluginToMenu(name, action)

    def removePluginMenu(self, name, action):  # noqa: N802
        self.menu_entries.remove((name, action))

    def addDockWidget(self, area, dock):  # noqa: N802
        self.docks.append(dock)
        self._iface.mainWindow().addDockWidget(area, dock)

    def removeDockWidget(self, dock):  # noqa: N802
        self.docks.remove(dock)
        self._iface.mainWindow().removeDockWidget(dock)


@pytest.fixture
def plugin_package(tmp_path_factory):
    """The repository imported the way QGIS imports an installed plugin: as package `community_grids`."""
    plugins_dir = tmp_path_factory.mktemp("plugins")
    (plugins_dir / PLUGIN_NAME).symlink_to(ROOT, target_is_directory=True)
    sys.path.insert(0, str(plugins_dir))
    try:
        yield importlib.import_module(PLUGIN_NAME)
    finally:
        sys.path.remove(str(plugins_dir))
        for name in [m for m in sys.modules if m == PLUGIN_NAME or m.startswith(PLUGIN_NAME + ".")]:
            del sys.modules[name]


@pytest.fixture
def recording_iface(qgis_iface):
    return RecordingIface(qgis_iface)


@pytest.fixture
def empty_workspace(tmp_path, qgis_app):
    """An empty workspace; afterwards its layers are released (edits rolled back) unless a project owns them."""
    from qgis.core import QgsProject

    from plugin.adapters.workspace import create_workspace

    workspace = create_workspace(tmp_path / "hanbin.gpkg", "610902", "汉滨区", "EPSG:4524")
    yield workspace
    owned_by_project = set(QgsProject.instance().mapLayers())
    for layer in workspace.layers.values():
        try:
            if layer.id() not in owned_by_project and layer.isEditable():
                layer.rollBack()
        except RuntimeError:  # deleted with a project the test cleared
            continue
    workspace.layers.clear()


@pytest.fixture
def no_forms():
    """Map tools do not open attribute forms during the test (the plugin's setting, restored afterwards)."""
    from qgis.core import QgsSettings

    from plugin.gui.session import SETTING_OPEN_FORM

    settings = QgsSettings()
    before = settings.value(SETTING_OPEN_FORM, None)
    settings.setValue(SETTING_OPEN_FORM, False)
    yield
    if before is None:
        settings.remove(SETTING_OPEN_FORM)
    else:
        settings.setValue(SETTING_OPEN_FORM, before)


@pytest.fixture(autouse=True)
def release_layers():
    """After each test, layers nothing refers to any more are deleted now (Qt's deferred deletes run, Python's
    reference cycles are collected), so they close their GeoPackages: a test never leaves open connections
    to its temporary files behind for the tests that run after it."""
    yield
    import gc

    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


@pytest.fixture
def opened():
    """The file URLs the plugin asks QDesktopServices to open during the test (nothing is really opened)."""
    from qgis.PyQt.QtCore import QObject, QUrl, pyqtSlot
    from qgis.PyQt.QtGui import QDesktopServices

    class Opened(QObject):
        def __init__(self):
            super().__init__()
            self.urls: list[str] = []

        @pyqtSlot(QUrl)
        def open(self, url):
            self.urls.append(url.toLocalFile())

    receiver = Opened()
    QDesktopServices.setUrlHandler("file", receiver, "open")
    yield receiver
    QDesktopServices.unsetUrlHandler("file")
