"""The workspace's staff table: import a register (CSV/XLSX) into the file, or into the layer's edit buffer.

Which rows are imported and why the others are not is decided by :mod:`plugin.core.staff_import`; this
module reads the grid codes and the existing staff from the workspace's layers, and writes the valid rows
either to the file in one transaction (:func:`import_to_file`, Processing) or into the staff layer's edit
buffer as one undoable edit command (:func:`import_to_layer`, the staff panel).
"""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import QgsFeature, QgsVectorLayer

from ..core import schema
from ..core.errors import PluginError
from ..core.staff_import import StaffImportPlan, plan_staff_import
from ..core.staffing import StaffProblem, read_staff_table
from ..i18n import tr
from .arrays import python_value, read_features, read_table
from .messages import localized
from .table_store import write_rows

TABLE = schema.STAFF.name


class StaffImportError(PluginError):
    """The register could not be imported at all; the message is translated and says why."""


def problem_text(problem: StaffProblem) -> str:
    return localized(problem.message_zh, problem.message_en)


def grid_codes(workspace) -> tuple[set[str], set[str]]:
    """(active codes, retired codes) of every grid layer of the workspace (edit buffers included)."""
    active: set[str] = set()
    retired: set[str] = set()
    for layer_def in schema.GRID_LAYERS:
        layer = workspace.layers[layer_def.name]
        _, columns, _ = read_features(layer, ["code", "status"], with_geometry=False)
        for code, status in zip(columns["code"], columns["status"]):
            text = "" if code is None else str(code).strip()
            if text:
                (retired if status == "retired" else active).add(text)
    return active, retired


def plan_import(
    path: str | os.PathLike, workspace, replace: bool, sheet: str | None = None, mapping: dict | None = None
) -> StaffImportPlan:
    """Read the register at ``path`` and decide row by row against the workspace's grids and staff."""
    rows, problems = read_staff_table(Path(path), mapping=mapping, sheet=sheet or None)
    active, retired = grid_codes(workspace)
    existing = None if replace else read_table(workspace.layers[TABLE])
    plan = plan_staff_import(rows, problems, active, retired, existing)
    if not plan.usable:
        raise StaffImportError(
            tr("The staff register {file} cannot be imported:").format(file=Path(path).name)
            + "\n"
            + "\n".join(problem_text(p) for p in plan.file_problems)
        )
    if replace and not plan.rows:
        raise StaffImportError(
            tr("No row of {file} can be imported, so the staff table was not replaced:").format(file=Path(path).name)
            + "\n"
            + "\n".join(problem_text(p) for p in plan.problems)
        )
    return plan


def import_to_file(workspace, plan: StaffImportPlan, replace: bool) -> int:
    """Write the plan's rows to the workspace file in one transaction; returns the rows written."""
    written = write_rows(workspace.path, TABLE, plan.rows, replace=replace)
    layer = workspace.layers.get(TABLE)
    if layer is not None:
        layer.reload()
    return written


def import_to_layer(layer: QgsVectorLayer, plan: StaffImportPlan, replace: bool) -> int:
    """Add the plan's rows to ``layer``'s edit buffer (after deleting its rows when replacing) as one command."""
    if not layer.isEditable() and not layer.startEditing():
        raise StaffImportError(
            tr("Layer {layer} cannot be edited (is the file read-only?).").format(layer=layer.name())
        )
    fields = layer.fields()
    features = []
    for row in plan.rows:
        feature = QgsFeature(fields)
        for name, value in row.items():
            index = fields.indexFromName(name)
            if index >= 0:
                feature.setAttribute(index, value)
        features.append(feature)
    layer.beginEditCommand(tr("Import staff register"))
    try:
        if replace:
            fids = [f.id() for f in layer.getFeatures()]
            if fids and not layer.deleteFeatures(fids):
                raise StaffImportError(
                    tr("Layer {layer}: the old rows could not be deleted.").format(layer=layer.name())
                )
        if features and not layer.addFeatures(features):
            raise StaffImportError(tr("Layer {layer}: the rows could not be added.").format(layer=layer.name()))
    except BaseException:
        layer.destroyEditCommand()
        raise
    layer.endEditCommand()
    return len(features)


def staff_rows(layer: QgsVectorLayer) -> list[dict]:
    """The staff layer's rows (edit buffer included) as dicts of plain values, with ``fid``."""
    out = []
    names = layer.fields().names()
    for feature in layer.getFeatures():
        row = {name: python_value(feature[name]) for name in names}
        row["fid"] = feature.id()
        out.append(row)
    return out
