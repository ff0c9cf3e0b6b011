"""The project life cycle: a saved project with a workspace is reopened through QgsProject's own signals.

The plugin is loaded as QGIS loads it; projects are written and read with QgsProject.write/read/clear,
so the plugin reacts to the real readProject and cleared signals. Edits go through the layer's edit buffer
and commitChanges, as a user's save does.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtTest import QTest
from shapely.geometry import box

from devtools import drawing_sample as sample
from devtools.drawing_sample import X0, Y0
from plugin.adapters.layer_edits import read_rows
from plugin.core import schema

COUNTY = QgsRectangle(X0 - 300, Y0 - 300, X0 + 2100, Y0 + 1300)
FAR_AWAY = QgsRectangle(X0 + 500_000, Y0 + 500_000, X0 + 500_010, Y0 + 500_010)


def flush():
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def workspace_layer_counts(project) -> Counter:
    return Counter(
        layer.customProperty(schema.PROPERTY_LAYER)
        for layer in project.mapLayers().values()
        if layer.customProperty(schema.PROPERTY_LAYER)
    )


def one_of_each() -> Counter:
    return Counter({d.name: 1 for d in schema.WORKSPACE_LAYERS})


@pytest.fixture
def canvas(qgis_canvas):
    window = qgis_canvas.window()
    window.resize(600, 600)
    window.show()
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem(sample.CRS))
    QTest.qWait(20)
    return qgis_canvas


@pytest.fixture
def plugin(plugin_package, recording_iface, qgis_app, qgis_new_project, canvas, no_forms):
    plugin = plugin_package.classFactory(recording_iface)
    plugin.initGui()
    yield plugin
    project = QgsProject.instance()
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsVectorLayer) and layer.isEditable():
            layer.rollBack()
    project.clear()
    plugin.unload()
    flush()


@pytest.fixture
def saved(plugin, tmp_path, canvas):
    """A workspace opened by the plugin, the canvas far from the county, the project saved as .qgs."""
    path = tmp_path / "ws.gpkg"
    ws = sample.build_drawing_sample(path)
    del ws
    assert plugin.load_workspace(str(path)) is not None
    canvas.setExtent(FAR_AWAY)
    project_path = tmp_path / "grids.qgs"
    assert QgsProject.instance().write(str(project_path))
    return path, project_path


def test_close_detaches_and_reopen_reattaches_the_same_layers(plugin, saved, recording_iface):
    path, project_path = saved
    project = QgsProject.instance()
    dock = plugin.dock
    project.clear()  # closing the project: QgsProject.cleared
    flush()
    assert plugin.workspace is None and plugin.tracker is None
    assert dock.session is None and dock.model.root is None
    assert project.read(str(project_path))  # reopening: cleared, then readProject
    assert workspace_layer_counts(project) == one_of_each()
    workspace = plugin.workspace
    assert workspace is not None and workspace.path.resolve() == path.resolve()
    for name, layer in workspace.layers.items():
        assert project.mapLayer(layer.id()) is layer, name
    assert plugin.tracker is not None and plugin.tracker.connected
    assert plugin.tracker.workspace is workspace
    assert plugin.dock is dock and dock.session.workspace is workspace
    assert dock.model.root.children[0].name == sample.TOWN_NAME
    assert dock.panels["changes"].tracker is plugin.tracker
    assert len(recording_iface.docks) == 1
    # the panel action works at once: no "Open or create a grid workspace first."
    before = len(recording_iface.messageBar().get_messages(1))
    action = next(a for a in plugin.actions if a.objectName() == "community_grids_show_dock")
    action.trigger()
    assert recording_iface.messageBar().get_messages(1)[before:] == []


def test_edit_after_reopening_reaches_the_change_log(plugin, saved):
    _path, project_path = saved
    project = QgsProject.instance()
    project.clear()
    assert project.read(str(project_path))
    workspace = plugin.workspace
    level3 = workspace.grid_layer(3)
    log = workspace.layers[schema.CHANGE_LOG.name]
    before = len(read_rows(log))
    fid = next(f.id() for f in level3.getFeatures() if f["name"] == "一组")
    assert level3.startEditing()
    smaller = QgsGeometry.fromWkt(box(X0 + 1000, Y0, X0 + 1400, Y0 + 500).wkt)
    smaller.convertToMultiType()
    assert level3.changeGeometry(fid, smaller)
    assert level3.commitChanges()  # the user's save
    assert plugin.tracker.last_error == ""
    rows = read_rows(log)
    assert len(rows) == before + 1
    row = rows[-1]
    assert row["layer"] == "grid_level3" and row["new_code"] == sample.VILLAGE_B + "01001"
    assert row["area_before"] == pytest.approx(240_000.0) and row["area_after"] == pytest.approx(200_000.0)
    assert not log.isEditable()  # saved at once, into the very layer the project shows
    assert project.mapLayer(log.id()) is log


def test_a_refused_grid_save_is_shown_in_the_message_bar(plugin, saved, monkeypatch):
    """Another program holds a write lock on the workspace: the grid save is refused (nothing written, the
    edit kept) and the planner reads why in the message bar (a critical message), in SQLite's words."""
    import sqlite3

    from qgis.core import Qgis

    path, _ = saved
    level3 = plugin.workspace.grid_layer(3)
    fid = next(f.id() for f in level3.getFeatures() if f["name"] == "一组")
    assert level3.startEditing()
    assert level3.deleteFeature(fid)
    shown = []
    message = plugin.message
    monkeypatch.setattr(
        plugin,
        "message",
        lambda text, level=Qgis.MessageLevel.Info: (shown.append((text, level)), message(text, level)),
    )
    locker = sqlite3.connect(path, timeout=0)
    locker.execute("BEGIN IMMEDIATE")
    try:
        assert not level3.commitChanges()
    finally:
        locker.rollback()
        locker.close()
    flush()
    assert len(shown) == 1 and shown[0][1] == Qgis.MessageLevel.Critical
    assert "locked" in shown[0][0] and level3.name() in shown[0][0]
    assert level3.isModified() and fid not in {f.id() for f in level3.getFeatures()}
    assert level3.commitChanges()
    assert plugin.tracker.last_error == ""


def test_reading_twice_and_opening_the_file_again_add_no_copies(plugin, saved):
    path, project_path = saved
    project = QgsProject.instance()
    assert project.read(str(project_path))
    assert project.read(str(project_path))
    assert workspace_layer_counts(project) == one_of_each()
    ids = {name: layer.id() for name, layer in plugin.workspace.layers.items()}
    groups = len(project.layerTreeRoot().children())
    workspace = plugin.load_workspace(str(path))  # "Open grid workspace…" on the file the project shows
    assert workspace is plugin.workspace
    assert workspace_layer_counts(project) == one_of_each()
    assert {name: layer.id() for name, layer in workspace.layers.items()} == ids
    assert len(project.layerTreeRoot().children()) == groups
    assert len(project.layerTreeRoot().findLayers()) == len(schema.WORKSPACE_LAYERS)


def test_a_missing_layer_is_added_once_into_the_workspace_group(plugin, saved):
    path, project_path = saved
    project = QgsProject.instance()
    assert project.read(str(project_path))
    households = plugin.workspace.layers[schema.HOUSEHOLDS.name]
    group = project.layerTreeRoot().findLayer(households.id()).parent()
    project.removeMapLayer(households.id())
    flush()
    workspace = plugin.load_workspace(str(path))
    assert workspace_layer_counts(project) == one_of_each()
    added = workspace.layers[schema.HOUSEHOLDS.name]
    assert project.layerTreeRoot().findLayer(added.id()).parent() is group


def test_a_project_without_a_view_opens_on_the_county(plugin, saved, canvas):
    _path, project_path = saved
    # as the sample project (written without a map canvas): no <mapcanvas> element at all
    text = project_path.read_text(encoding="utf-8")
    text = re.sub(r"<mapcanvas\b.*?</mapcanvas>", "", text, flags=re.DOTALL)
    assert "<mapcanvas" not in text
    project_path.write_text(text, encoding="utf-8")
    canvas.setExtent(FAR_AWAY)
    assert QgsProject.instance().read(str(project_path))
    assert canvas.extent().intersects(COUNTY)
    assert COUNTY.width() * 0.9 < canvas.extent().width() < COUNTY.width() * 3
    assert canvas.scale() > 2


def test_a_saved_view_of_the_county_is_kept(plugin, saved, canvas):
    _path, project_path = saved
    view = QgsRectangle(X0 + 1000, Y0, X0 + 1400, Y0 + 600)
    canvas.setExtent(view)
    kept = canvas.extent()
    assert QgsProject.instance().write(str(project_path))
    canvas.setExtent(FAR_AWAY)
    assert QgsProject.instance().read(str(project_path))
    assert canvas.extent().center().x() == pytest.approx(kept.center().x(), abs=1)
    assert canvas.extent().width() == pytest.approx(kept.width(), rel=0.01)


def test_a_project_of_unrelated_layers_attaches_nothing(plugin, saved, tmp_path, recording_iface):
    project = QgsProject.instance()
    project.clear()
    other = QgsVectorLayer("Point?crs=EPSG:4524&field=name:string", "places", "memory")
    project.addMapLayer(other)
    other_path = tmp_path / "other.qgs"
    assert project.write(str(other_path))
    project.clear()
    assert project.read(str(other_path))
    assert plugin.workspace is None and plugin.tracker is None
    assert plugin.dock.session is None
    assert [layer.name() for layer in project.mapLayers().values()] == ["places"]
    assert workspace_layer_counts(project) == Counter()


def test_a_project_default_view_as_the_demo_writes_is_honoured(plugin, saved, canvas):
    """scripts/demo.py writes its project without a canvas but with a default view extent: QGIS opens it there."""
    from qgis.core import QgsReferencedRectangle

    _path, project_path = saved
    project = QgsProject.instance()
    view = QgsRectangle(X0 + 1000, Y0, X0 + 1400, Y0 + 600)
    project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(view, QgsCoordinateReferenceSystem(sample.CRS)))
    assert project.write(str(project_path))
    text = re.sub(r"<mapcanvas\b.*?</mapcanvas>", "", project_path.read_text(encoding="utf-8"), flags=re.DOTALL)
    project_path.write_text(text, encoding="utf-8")
    canvas.setExtent(FAR_AWAY)
    assert project.read(str(project_path))
    assert canvas.extent().contains(view.center())
    assert canvas.extent().width() < COUNTY.width()


def test_opening_an_old_project_takes_the_tianditu_key_out_of_it(plugin, tmp_path, recording_iface):
    """A project saved with ``tk=…`` in its Tianditu URLs, opened with the plugin loaded: the key leaves the
    layers (kept in the QGIS settings), the planner is told, and the project saved again holds no key."""
    from qgis.core import QgsSettings
    from test_basemaps import OLD_KEY, old_project_with_a_key, project_bytes
    from workspace_helpers import bar_messages

    from plugin.adapters import basemaps

    stored = QgsSettings().value(basemaps.SETTING_TIANDITU_KEY, None)
    QgsSettings().setValue(basemaps.SETTING_TIANDITU_KEY, "")
    try:
        old = tmp_path / "old.qgz"
        old_project_with_a_key(old)
        project = QgsProject.instance()
        assert project.read(str(old))
        assert all(OLD_KEY not in layer.source() for layer in project.mapLayers().values())
        assert basemaps.tianditu_key() == OLD_KEY
        assert any("Tianditu key" in text for text in bar_messages(recording_iface, 0))  # long: a details item
        again = tmp_path / "again.qgz"
        assert project.write(str(again))
        assert OLD_KEY.encode() not in project_bytes(again)
    finally:
        if stored is None:
            QgsSettings().remove(basemaps.SETTING_TIANDITU_KEY)
        else:
            QgsSettings().setValue(basemaps.SETTING_TIANDITU_KEY, stored)


def test_layers_leaving_the_project_drop_the_canvas_snapping_indexes(plugin, canvas):
    """QGIS 3.22 keys snapping indexes by layer address and keeps them after the layer is gone, so a later
    layer at that address would snap to the old one's vertices: the plugin drops them when layers leave."""
    from qgis.core import QgsFeature, QgsSnappingConfig

    from plugin.adapters.snapping import SnappingScope

    layer = QgsVectorLayer(f"Polygon?crs={sample.CRS}", "other", "memory")
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(X0, Y0, X0 + 100, Y0 + 100)))
    layer.dataProvider().addFeatures([feature])
    project = QgsProject.instance()
    project.addMapLayer(layer)
    canvas.setLayers([layer])
    canvas.setExtent(QgsRectangle(X0 - 50, Y0 - 50, X0 + 150, Y0 + 150))
    utils = canvas.snappingUtils()
    try:
        with SnappingScope(canvas, [layer]):
            match = utils.snapToMap(canvas.getCoordinateTransform().transform(X0 + 1, Y0 + 1).toQPointF().toPoint())
            assert match.isValid() and (match.point().x(), match.point().y()) == (X0, Y0)
            assert utils.locatorForLayer(layer).hasIndex()
            taken = project.takeMapLayer(layer)  # leaves the project (layersWillBeRemoved), not deleted
            assert taken is layer
            assert not utils.locatorForLayer(layer).hasIndex()  # a fresh locator: the old index was dropped
    finally:
        canvas.setLayers([])
        utils.setConfig(QgsSnappingConfig())
        utils.clearAllLocators()
