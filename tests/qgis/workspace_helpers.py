"""Helpers shared by the QGIS tests."""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def in_project(workspace):
    """The workspace's layers in the project for the block; afterwards edits rolled back and layers released
    (closing the GeoPackage before pytest removes tmp_path)."""
    from qgis.core import QgsProject
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    workspace.add_to_project(QgsProject.instance())
    try:
        yield workspace
    finally:
        for layer in workspace.layers.values():
            if layer.isEditable():
                layer.rollBack()
        QgsProject.instance().removeAllMapLayers()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
