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


def _missing(plugin_package, monkeypatch, tmp_path):
    """The plugin's loader made to report a QGIS without shapely (this test process itself has one)."""
    import importlib

    loader = importlib.import_module(f"{plugin_package.__name__}.plugin.bootstrap.loader")
    problem = loader.Problem(
        "missing", "Community Grids needs the Python package shapely ≥ 2.0. " + loader.install_hint(tmp_path)
    )
    monkeypatch.setattr(loader, "ensure_shapely", lambda *args, **kwargs: loader.Outcome(problem=problem))
    return problem


def test_missing_shapely_gives_a_message_and_the_installer(
    plugin_package, recording_iface, qgis_app, monkeypatch, tmp_path
):
    """No traceback: a stand-in says what is missing, offers the install, and its algorithms refuse with the path."""
    import importlib

    from qgis.PyQt.QtWidgets import QPushButton

    dependencies = importlib.import_module(f"{plugin_package.__name__}.plugin.dependencies")
    problem = _missing(plugin_package, monkeypatch, tmp_path)
    plugin = plugin_package.classFactory(recording_iface)
    assert isinstance(plugin, dependencies.MissingDependenciesPlugin)
    plugin.initGui()
    try:
        item = recording_iface.messageBar().currentItem()
        assert item is not None and "shapely ≥ 2.0" in item.text()
        buttons = [b.text() for b in item.findChildren(QPushButton)]
        assert "Install shapely…" in buttons
        assert [action.text() for _, action in recording_iface.menu_entries] == ["Install shapely…"]
        registry = QgsApplication.processingRegistry()
        audit = registry.algorithmById("community_grids:audit_workspace")
        ok, reason = audit.canExecute()
        assert not ok and reason == problem.message and "python/dependencies/community_grids" in reason
        install = registry.algorithmById("community_grids:install_dependencies")
        assert install.canExecute()[0]
    finally:
        recording_iface.messageBar().clearWidgets()
        plugin.unload()
        _flush_deletes()
    assert QgsApplication.processingRegistry().providerById("community_grids") is None
    assert recording_iface.menu_entries == []


def test_stand_in_lists_every_algorithm_of_the_plugin(plugin_package):
    import importlib

    dependencies = importlib.import_module(f"{plugin_package.__name__}.plugin.dependencies")
    provider = importlib.import_module(f"{plugin_package.__name__}.plugin.processing.provider")
    real = {cls.NAME for cls in provider.algorithm_classes()} - {"install_dependencies"}
    assert set(dependencies.ALGORITHM_NAMES) == real
