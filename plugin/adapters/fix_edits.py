"""Apply the fix helpers of :mod:`plugin.core.fixes` to a workspace's grid layers, as one undoable edit.

The grids involved are read from the layers' edit buffers (what the user sees, unsaved edits included); the
core computes and checks the new geometries; only then one edit command changes the geometries (and, for a
gap that becomes a grid, adds the new feature) of the one grid layer involved. Nothing is saved: the user
keeps or undoes the fix like any other edit. A refusal raises :class:`FixError` with a translated message
naming the grids and the reason, and leaves the layer as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from qgis.core import QgsFeature, QgsFeatureRequest, QgsGeometry, QgsRectangle, QgsVectorLayer, QgsWkbTypes

from ..core import fixes, schema
from ..core.audit import Tolerances
from ..core.errors import PluginError
from ..core.findings import Finding
from ..core.fixes import FixPlan, FixRefused
from ..core.model import GridArray
from ..i18n import tr
from .audit_store import read_features
from .layer_edits import LayerEditError, edit_command, qt_value

NEIGHBOUR, NEW_GRID, AUTO = fixes.NEIGHBOUR, fixes.NEW_GRID, fixes.AUTO


class FixError(PluginError):
    """A fix was refused or failed; ``str()`` is the translated message. Nothing was changed."""


@dataclass
class FixOutcome:
    layer: QgsVectorLayer
    plan: FixPlan
    message: str
    changed_fids: list[int]
    new_fid: int | None = None

    def undo(self) -> None:
        if self.layer.isEditable() and self.layer.undoStack().canUndo():
            self.layer.undoStack().undo()


def refusal_text(refused: FixRefused) -> str:
    """A refusal of the core as a translated sentence."""
    p = dict(refused.params)
    reason = refused.reason
    if reason == fixes.R_UNSUPPORTED:
        return tr("Findings of rule {rule} have no automatic fix.").format(**p)
    if reason == fixes.R_NO_PARENT:
        return tr(
            "{grid} no longer exists in the layer (or the workspace has no county boundary); run the audit again."
        ).format(**p)
    if reason == fixes.R_BAD_GEOMETRY:
        return tr("The geometry of {grid} is not a valid polygon ({reason}); fix it first.").format(**p)
    if reason == fixes.R_GAP_GONE:
        return tr("There is no gap here any more in {parent}; run the audit again.").format(**p)
    if reason == fixes.R_NO_NEIGHBOUR:
        return tr(
            "No grid of the same parent ({parent}) shares a boundary with the gap; make it a new grid instead."
        ).format(**p)
    if reason == fixes.R_GAP_TOO_SMALL:
        return tr(
            "The gap ({area:.2f} m², about {width:.2f} m wide) is too small or thin to be a grid of its own; "
            "give it to the neighbour instead."
        ).format(**p)
    if reason == fixes.R_OVERLAP_GONE:
        return tr("{a} and {b} no longer overlap; run the audit again.").format(**p)
    if reason == fixes.R_CONTAINED:
        if "inner" in p:
            return tr(
                "{inner} lies entirely inside {outer}: trimming would delete it or punch a hole; merge, "
                "delete or redraw one of them."
            ).format(**p)
        return tr("One grid lies entirely inside the other: merge, delete or redraw one of them.")
    if reason == fixes.R_WOULD_VANISH:
        return tr("The fix would leave nothing of {grid}; nothing was changed.").format(**p)
    if reason == fixes.R_WOULD_SPLIT:
        return tr(
            "The fix would break {grid} into {parts} separate parts; nothing was changed. Edit the boundary by hand."
        ).format(**p)
    if reason == fixes.R_NOT_CLEAN:
        return tr(
            "The fix would leave {area:.6f} m² of sliver ({what}) behind, so it was not applied; edit the "
            "boundary by hand."
        ).format(**p)
    return tr("The fix was refused: {reason}.").format(reason=str(refused))


def to_shapely(geometry: QgsGeometry):
    if geometry is None or geometry.isNull():
        return None
    return shapely.from_wkb(bytes(geometry.asWkb()), on_invalid="ignore")


def to_qgs(geometry, layer: QgsVectorLayer) -> QgsGeometry:
    result = QgsGeometry()
    result.fromWkb(shapely.to_wkb(geometry, output_dimension=2))
    if QgsWkbTypes.isMultiType(layer.wkbType()):
        result.convertToMultiType()
    return result


def _grid_array(layer: QgsVectorLayer, name: str, level: int, rect=None, fids=None) -> GridArray:
    """Grids of ``layer`` (edit buffer included) in ``rect`` or with ``fids``."""
    if fids is not None:

        def iterate(request):
            request.setFilterFids([int(f) for f in fids])
            return layer.getFeatures(request)

    else:
        iterate = layer.getFeatures
    names = ("code", "parent_code", "name", "status")
    got_fids, columns, geoms = read_features(iterate, layer.fields(), names, filter_rect=rect)
    return GridArray(
        name,
        level,
        got_fids,
        _text(columns["code"]),
        _text(columns["parent_code"]),
        columns["name"],
        geoms,
        {"status": columns["status"]},
    )


def _text(values):
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        text = None if v is None else str(v).strip()
        out[i] = text or None
    return out


def _rect(geometry, margin: float) -> QgsRectangle:
    x0, y0, x1, y1 = shapely.bounds(geometry)
    return QgsRectangle(x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def plan_fix(workspace, finding: Finding, target: str = NEIGHBOUR, tolerances: Tolerances | None = None):
    """(layer to edit, FixPlan) for ``finding``; raises FixError."""
    tol = tolerances or Tolerances()
    layer_name = fixes.edited_layer(finding)
    if layer_name is None:
        reason = fixes.R_CONTAINED if finding.rule_id in fixes.CONTAINED_RULES else fixes.R_UNSUPPORTED
        raise FixError(refusal_text(FixRefused(reason, rule=finding.rule_id)))
    layer = workspace.layers[layer_name]
    level = schema.LAYER_BY_NAME[layer_name].level
    county = None
    parents = None
    try:
        if fixes.fix_kind(finding) == "overlap":
            children = _grid_array(layer, layer_name, level, fids=finding.fids[:2])
        else:
            if finding.rule_id.startswith("county."):
                boundary = workspace.layers[schema.COUNTY_BOUNDARY.name]
                _, _, geoms = read_features(boundary.getFeatures, boundary.fields(), ())
                geoms = geoms[~shapely.is_missing(geoms)] if len(geoms) else geoms
                county = shapely.union_all(geoms) if len(geoms) else None
                area = county if county is not None else finding.geometry
            else:
                parent_layer = workspace.layers[finding.layer]
                parents = _grid_array(
                    parent_layer, finding.layer, schema.LAYER_BY_NAME[finding.layer].level, fids=finding.fids[:1]
                )
                area = parents.geometries[0] if len(parents) else None
            if area is None or shapely.is_missing(area) or shapely.is_empty(area):
                area = finding.geometry
            if area is None:
                raise FixRefused(fixes.R_NO_PARENT, grid=(finding.codes or ("",))[0])
            children = _grid_array(layer, layer_name, level, rect=_rect(area, tol.sliver_width + 1.0))
        plan = fixes.plan_for_finding(finding, children, parents, county, target, tol)
    except FixRefused as refused:
        raise FixError(refusal_text(refused)) from refused
    return layer, plan


def apply_fix(workspace, finding: Finding, target: str = NEIGHBOUR, tolerances: Tolerances | None = None) -> FixOutcome:
    """Fix ``finding`` in the edit buffer of its grid layer, as one undoable edit command."""
    layer, plan = plan_fix(workspace, finding, target, tolerances)
    codes = {}
    if plan.changes:
        request = QgsFeatureRequest().setFilterFids(list(plan.changes))
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        codes = {f.id(): f["code"] for f in layer.getFeatures(request)}
    if plan.action == "overlap":
        text = tr("Resolve overlap of {grids}").format(grids=", ".join(c for c in finding.codes if c) or "—")
    else:
        text = tr("Fill gap in {parent}").format(parent=(finding.codes or (tr("the county"),))[0])
    new_fid = None
    try:
        with edit_command(layer, text, commit=False):
            for fid, geometry in plan.changes.items():
                if not layer.changeGeometry(int(fid), to_qgs(geometry, layer)):
                    raise LayerEditError(
                        tr("Could not change the geometry of feature {fid} of layer {layer}.").format(
                            fid=fid, layer=layer.name()
                        )
                    )
            if plan.new_grid is not None:
                new_fid = _add_grid(layer, plan.new_grid, finding)
    except LayerEditError as error:
        raise FixError(str(error)) from error
    return FixOutcome(layer, plan, _describe(plan, finding, codes), [int(f) for f in plan.changes], new_fid)


def _add_grid(layer: QgsVectorLayer, geometry, finding: Finding) -> int | None:
    """A new grid from a gap: level, parent code, comprehensive, active; code left for code allocation."""
    layer_def = schema.LAYER_BY_NAME.get(layer.customProperty(schema.PROPERTY_LAYER) or "", None)
    level = layer_def.level if layer_def is not None else None
    values = {
        "name": tr("New grid"),
        "level": level,
        "parent_code": finding.codes[0] if finding.codes and not finding.rule_id.startswith("county.") else None,
        "kind": "comprehensive",
        "status": "active",
        "households": 0,
        "population": 0,
        "relocated_households": 0,
    }
    feature = QgsFeature(layer.fields())
    for name, value in values.items():
        index = layer.fields().indexFromName(name)
        if index >= 0 and value is not None:
            feature.setAttribute(index, qt_value(value))
    feature.setGeometry(to_qgs(geometry, layer))
    before = set(layer.editBuffer().addedFeatures()) if layer.editBuffer() is not None else set()
    if not layer.addFeature(feature):
        raise LayerEditError(tr("Could not add rows to layer {layer}.").format(layer=layer.name()))
    after = set(layer.editBuffer().addedFeatures()) if layer.editBuffer() is not None else set()
    added = after - before
    return int(next(iter(added))) if added else None


def _describe(plan: FixPlan, finding: Finding, codes: dict) -> str:
    if plan.action == "gap_to_neighbour":
        receiver = plan.receiver
        return tr(
            "The gap of {area:.2f} m² now belongs to {grid}, which shares {length:.1f} m of boundary with it. "
            "Undo with Ctrl+Z; save the layer to keep it."
        ).format(area=plan.area, grid=receiver.code or receiver.name, length=plan.shared_length)
    if plan.action == "gap_new_grid":
        return tr(
            "The gap of {area:.2f} m² is now a new grid; give it a name and a code. Undo with Ctrl+Z; save the "
            "layer to keep it."
        ).format(area=plan.area)
    parts = []
    for fid, area in plan.removed_from.items():
        if area > 0:
            parts.append(tr("{area:.2f} m² removed from {grid}").format(area=area, grid=codes.get(fid) or f"#{fid}"))
    return tr("Overlap resolved: {what}. Undo with Ctrl+Z; save the layer to keep it.").format(
        what="; ".join(parts) or "—"
    )
