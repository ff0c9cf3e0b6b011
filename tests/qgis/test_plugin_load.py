"""The plugin loads through classFactory as QGIS loads it, and unload leaves nothing behind."""

from __future__ import annotations

import configparser
from pathlib import Path

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtWidgets import QAction, QToolBar

ROOT = Path(__file__).resolve().parents[2]


def _flush_deletes():
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def test_metadata_is_complete():
    metadata = configparser.ConfigParser()
    metadata.read(ROOT / "metadata.txt", encoding="utf-8")
    general = metadata["general"]
    for key in (
        "name",
        "qgisMinimumVersion",
        "description",
        "about",
        "version",
        "author",
        "email",
        "tracker",
        "repository",
        "tags",
        "changelog",
        "icon",
    ):
        assert general.get(key, "").strip(), key
    assert general["name"] == "Community Grids"
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    assert "网格" in general["description"]
    assert (ROOT / general["icon"]).exists()


def test_load_and_unload_leave_nothing(plugin_package, recording_iface, qgis_app):
    registry = QgsApplication.processingRegistry()
    assert registry.providerById("community_grids") is None
    main_window = recording_iface.mainWindow()

    plugin = plugin_package.classFactory(recording_iface)
    plugin.initGui()

    provider = registry.providerById("community_grids")
    assert provider is not None
    assert {a.id() for a in provider.algorithms()} >= {
        "community_grids:create_workspace",
        "community_grids:build_sample_workspace",
    }
    toolbars = main_window.findChildren(QToolBar, "CommunityGridsToolbar")
    assert len(toolbars) == 1
    assert len(toolbars[0].actions()) >= 2
    assert len(recording_iface.menu_entries) >= 3
    ours = [a for a in main_window.findChildren(QAction) if a.objectName().startswith("community_grids_")]
    assert len(ours) >= 3

    plugin.unload()
    _flush_deletes()

    assert registry.providerById("community_grids") is None
    assert main_window.findChildren(QToolBar, "CommunityGridsToolbar") == []
    assert [a for a in main_window.findChildren(QAction) if a.objectName().startswith("community_grids_")] == []
    assert recording_iface.menu_entries == []
    assert recording_iface.docks == []


def test_load_twice_after_unload(plugin_package, recording_iface, qgis_app):
    """Reloading (Plugin Reloader, or disable/enable) works: a second load after unload registers again."""
    for _ in range(2):
        plugin = plugin_package.classFactory(recording_iface)
        plugin.initGui()
        assert QgsApplication.processingRegistry().providerById("community_grids") is not None
        plugin.unload()
        _flush_deletes()
        assert QgsApplication.processingRegistry().providerById("community_grids") is None


def test_a_clashing_geos_is_reported_on_load(plugin_package, recording_iface, qgis_app, monkeypatch):
    """In a QGIS started without shapely's GEOS preloaded, the plugin says so at once, and its algorithms refuse."""
    import importlib

    from qgis.core import Qgis

    runtime = importlib.import_module(f"{plugin_package.__name__}.plugin.adapters.runtime")
    monkeypatch.setattr(runtime, "global_geos_version", lambda: "3.11.1-CAPI-1.17.1")
    bar = recording_iface.messageBar()
    bar.clear_messages()
    plugin = plugin_package.classFactory(recording_iface)
    plugin.initGui()
    try:
        critical = bar.get_messages(Qgis.MessageLevel.Critical)
        assert any("3.11.1" in message and "LD_PRELOAD" in message for message in critical)
        algorithm = QgsApplication.processingRegistry().algorithmById("community_grids:audit_workspace")
        ok, reason = algorithm.canExecute()
        assert not ok and "GEOS" in reason
    finally:
        plugin.unload()
        _flush_deletes()
    monkeypatch.undo()
    assert runtime.geos_problem() is None  # the test process itself (a Python host) has no clash


def test_missing_shapely_gives_a_message_not_a_traceback(plugin_package, recording_iface, qgis_app, monkeypatch):
    import importlib

    import shapely
    from qgis.core import Qgis

    dependencies = importlib.import_module(f"{plugin_package.__name__}.plugin.dependencies")
    monkeypatch.setattr(shapely, "__version__", "1.8.5")
    bar = recording_iface.messageBar()
    bar.clear_messages()
    plugin = plugin_package.classFactory(recording_iface)
    assert isinstance(plugin, dependencies.MissingDependenciesPlugin)
    plugin.initGui()
    assert any("shapely" in m and "pip install" in m for m in bar.get_messages(Qgis.MessageLevel.Critical))
    assert QgsApplication.processingRegistry().providerById("community_grids") is None
    plugin.unload()
    monkeypatch.undo()
    assert dependencies.missing_dependencies() is None
