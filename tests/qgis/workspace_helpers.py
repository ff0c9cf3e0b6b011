"""Helpers shared by the QGIS tests."""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def drawing_canvas(qgis_canvas, workspace):
    """pytest-qgis's canvas, shown at 600 × 600 px on the drawing sample's grid layers around village A;
    afterwards the map tool unset, rendering stopped and the snapping indexes dropped (QGIS 3.22 would hand a
    dropped layer's index to a later layer at the same address: see adapters/snapping.forget_point_locators)."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsRectangle, QgsSnappingConfig
    from qgis.PyQt.QtTest import QTest

    from devtools import drawing_sample as sample
    from plugin.adapters.snapping import forget_point_locators

    forget_point_locators([qgis_canvas])
    window = qgis_canvas.window()  # pytest-qgis's hidden main window: show it so the canvas is laid out
    window.resize(600, 600)
    window.show()
    qgis_canvas.resize(600, 600)
    QTest.qWait(20)
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem(sample.CRS))
    qgis_canvas.setLayers([workspace.grid_layer(level) for level in (0, 3, 2, 1)])
    x0, y0 = sample.X0, sample.Y0
    qgis_canvas.setExtent(QgsRectangle(x0 - 100, y0 - 300, x0 + 1900, y0 + 1300))
    QTest.qWait(10)
    assert qgis_canvas.viewport().width() > 500
    try:
        yield qgis_canvas
    finally:
        if qgis_canvas.mapTool() is not None:
            qgis_canvas.unsetMapTool(qgis_canvas.mapTool())
        qgis_canvas.stopRendering()
        qgis_canvas.setLayers([])
        qgis_canvas.snappingUtils().setConfig(QgsSnappingConfig())
        forget_point_locators([qgis_canvas])


@contextlib.contextmanager
def in_project(workspace):
    """The workspace's layers in the project for the block; afterwards edits rolled back and layers released
    (the project deletes them, the workspace forgets them): the test's GeoPackage is closed before the next
    test runs, so no layer outlives its temporary file."""
    from qgis.core import QgsProject
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    workspace.add_to_project(QgsProject.instance())
    try:
        yield workspace
    finally:
        for layer in workspace.layers.values():
            if layer.isEditable():
                layer.rollBack()
        QgsProject.instance().removeAllMapLayers()  # the project owns the layers: this deletes them
        workspace.layers.clear()  # and no Python wrapper of a deleted layer stays around
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
        gc.collect()


def answer_merge(row=None, accept=True):
    """Answer the merge dialog the next right click opens, with real mouse clicks: pick ``row`` (else keep the
    preselected one), then OK (or Cancel). Returns a dict that gets the dialog's rows and preselected row."""
    from qgis.PyQt.QtCore import Qt, QTimer
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox, QTableWidget

    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    seen = {}
    tries = [250]  # gives up after 5 s (a refused merge opens no dialog)

    def answer():
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "MergeSurvivorDialog":
            tries[0] -= 1
            if tries[0] > 0:
                QTimer.singleShot(20, answer)
            return
        table = dialog.findChild(QTableWidget, "survivors")
        seen["rows"] = [
            tuple(table.item(r, c).text() for c in range(table.columnCount())) for r in range(table.rowCount())
        ]
        seen["default"] = table.currentRow()
        if row is not None:
            rect = table.visualItemRect(table.item(row, 1))
            QTest.mouseClick(table.viewport(), left, none, rect.center())
        seen["chosen"] = table.currentRow()
        buttons = dialog.findChild(QDialogButtonBox)
        button = QDialogButtonBox.StandardButton.Ok if accept else QDialogButtonBox.StandardButton.Cancel
        QTest.mouseClick(buttons.button(button), left)

    QTimer.singleShot(0, answer)
    return seen


def bar_messages(iface, level):
    """The messages of ``level`` pushed to the (mock) message bar, long ones by their full text: they are
    pushed as items with a "Details…" button (plugin.gui.message_bar), not through pushMessage."""
    bar = iface.messageBar()
    texts = list(bar.get_messages(level))
    texts += [getattr(item, "full_text", item.text()) for item in bar.items() if item.level() == level]
    return texts


def answer(object_name, fill=None, button=None, seen=None):
    """Answer the next modal dialog named ``object_name``: ``fill(dialog)`` (real key/mouse events), then click
    ``button``."""
    from qgis.PyQt.QtCore import Qt, QTimer
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox

    button = QDialogButtonBox.StandardButton.Ok if button is None else button
    tries = [500]
    seen = {} if seen is None else seen

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != object_name:
            tries[0] -= 1
            if tries[0] > 0:
                QTimer.singleShot(20, poll)
            return
        if fill is not None:
            fill(dialog)
        seen["dialog"] = dialog.objectName()
        box = dialog.findChild(QDialogButtonBox)
        QTest.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, poll)
    return seen
