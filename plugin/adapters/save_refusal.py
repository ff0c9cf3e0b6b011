"""Refusing a save that QGIS is about to make, with the planner's edits kept in the layer.

QGIS 3.22 has no ``QgsVectorLayer.setAllowCommit``. A slot of ``beforeCommitChanges`` refuses the save by
putting a feature of a geometry type the layer cannot take into its edit buffer: ``QgsVectorLayerEditBuffer``
checks the new features' geometry types before it writes anything (3.22 to 3.40: "geometry type is not
compatible"), so ``commitChanges`` returns False, nothing is written and the edits stay. Once QGIS's save is over,
:func:`allow_save` takes the blocking feature out again, out of reach of Redo. Used by the change tracker (a
GeoPackage save written in one transaction of its own) and by the version guard of a shared PostGIS workspace.
"""

from __future__ import annotations

import contextlib

from qgis.core import QgsFeature, QgsGeometry

from ..i18n import tr


def refuse_save(layer) -> int:
    """Make the save of ``layer`` that is starting stop before it writes; return the undo index to give back to
    :func:`allow_save` when that save is over."""
    index = layer.undoStack().index()
    blocker = QgsFeature(layer.fields())
    blocker.setGeometry(QgsGeometry.fromWkt("Point (0 0)"))
    layer.editBuffer().addFeature(blocker)
    return index


def allow_save(layer, index: int) -> None:
    """Take the blocking feature of :func:`refuse_save` out again (no-op once the edits were rolled back)."""
    with contextlib.suppress(RuntimeError):
        if layer.isEditable() and layer.undoStack().index() > index:
            try:
                from qgis.PyQt.QtWidgets import QUndoCommand
            except ImportError:  # Qt 6 keeps it in QtGui
                from qgis.PyQt.QtGui import QUndoCommand
            stack = layer.undoStack()
            stack.setIndex(index)  # the blocking feature undone
            stack.push(QUndoCommand(tr("Save refused")))  # ... and out of reach of Redo
