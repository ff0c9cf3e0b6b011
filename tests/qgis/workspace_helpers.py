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
