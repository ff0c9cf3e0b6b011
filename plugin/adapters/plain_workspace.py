"""A workspace opened without styles or forms: for Processing algorithms and scripts that only read and write.

Safe in Processing's worker thread (no symbology is built) and cheaper than ``open_workspace``; the file
is checked the same way (``read_info``) before any layer is opened.
"""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import QgsVectorLayer

from ..core import schema
from ..i18n import tr
from .workspace import Workspace, WorkspaceError, read_info


def open_plain_workspace(path: str | os.PathLike, layer_names=None) -> Workspace:
    """The workspace at ``path`` with plain layers (all of them, or ``layer_names``)."""
    path = Path(path)
    info = read_info(path)
    workspace = Workspace(path, info)
    names = [d.name for d in schema.WORKSPACE_LAYERS] if layer_names is None else list(layer_names)
    for name in names:
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        if not layer.isValid():
            raise WorkspaceError(tr("Layer {layer} of {path} did not open.").format(layer=name, path=path))
        layer.setCustomProperty(schema.PROPERTY_LAYER, name)
        layer.setCustomProperty(schema.PROPERTY_WORKSPACE, str(path))
        workspace.layers[name] = layer
    return workspace


def _same_file(a: str, b: Path) -> bool:
    try:
        return Path(a).resolve() == b.resolve()
    except (OSError, ValueError):
        return False


def project_layers(project, path: str | os.PathLike, layer_names) -> list:
    """The layers of ``project`` that show the tables ``layer_names`` of the workspace file ``path``."""
    if project is None or not path:
        return []
    path = Path(path)
    names = set(layer_names)
    out = []
    for layer in project.mapLayers().values():
        if not isinstance(layer, QgsVectorLayer):
            continue
        source, _, options = layer.source().partition("|")
        table = layer.customProperty(schema.PROPERTY_LAYER) or ""
        if not table:
            for part in options.split("|"):
                if part.startswith("layername="):
                    table = part[len("layername=") :]
        if table in names and _same_file(source, path):
            out.append(layer)
    return out


def refuse_unsaved_edits(project, path, layer_names) -> None:
    """Raise WorkspaceError when a project layer of those tables has unsaved edits (they would clash)."""
    for layer in project_layers(project, path, layer_names):
        if layer.isModified():
            raise WorkspaceError(
                tr(
                    "Layer {layer} of this workspace has unsaved edits in the project; save or discard them first."
                ).format(layer=layer.name())
            )


def reload_project_layers(project, path, layer_names) -> None:
    """Make the project's layers of those tables show what was just written to the file."""
    for layer in project_layers(project, path, layer_names):
        if not layer.isEditable():
            layer.reload()
            layer.triggerRepaint()
