"""Helpers shared by the QGIS tests."""

from __future__ import annotations

import contextlib
import gc


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
