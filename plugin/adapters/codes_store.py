"""Grid codes in a workspace: the code rule of workspace_info, the code_registry table, and applying a plan.

``plan_allocation`` reads the grid layers (their edit buffers included), loads the registry from
``code_registry`` and brings a copy of it up to date with the data (``CodeRegistry.sync``), then asks
``core.codes.allocate_workspace`` for a plan — a preview; nothing is written.

``apply_allocation`` writes a plan: per grid layer ONE edit command (``Allocate grid codes``) in the
layer's edit buffer, so ``layer.undoStack().undo()`` takes it back; and the registry's changes
(the sync plus the codes issued and retired by the plan) as one edit command on ``code_registry``.
With ``commit=False`` the edits wait for the user to save; ``commit=True`` saves them (scripts).

``write_allocation`` (Processing and the allocation dialog) writes a plan straight into the file in ONE
transaction: the codes of every grid layer, the ``change_log`` rows of the recodes and the registry's
changes — a failure or a killed process leaves all of it as it was.

``verify_registry`` compares ``code_registry`` with the grids and the change log
(:func:`plugin.core.codes.registry_problems`); ``rebuild_registry`` writes the missing and wrong entries
in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from qgis.core import QgsExpression, QgsFeatureRequest, QgsVectorLayer

from ..core import schema
from ..core.changes import ChangeRecord, detect_changes
from ..core.coderule import CodeRule, CodeRuleError
from ..core.codes import (
    AllocationPlan,
    CodeExhaustedError,
    CodeRegistry,
    RegistryProblem,
    allocate_workspace,
    apply_plan,
    rebuild_registry_from,
    registry_problems,
)
from ..core.errors import PluginError
from ..core.model import GridArray
from ..i18n import prefers_chinese, tr
from .arrays import read_grid_array
from .gpkg_write import WorkspaceWrite, WriteError, checkpoint
from .layer_edits import LayerEditError, add_rows, change_values, commit_layer, edit_command
from .layer_edits import read_rows as read_table

REGISTRY = schema.CODE_REGISTRY.name


class CodesError(PluginError):
    """Codes cannot be planned or written; the message is translated and names the problem."""


@dataclass
class AllocationPreview:
    """A plan and what it was made from (for applying it without reading the layers again)."""

    plan: AllocationPlan
    grids: dict[str, GridArray]
    stored: CodeRegistry  # the registry as in the table
    synced: CodeRegistry  # brought up to date with the data, before the plan
    registry_fids: dict[str, int]
    rule: CodeRule

    @property
    def layers(self) -> list[str]:
        return sorted({a.layer for a in self.plan.assignments})


@dataclass
class AppliedAllocation:
    changed: dict[str, int] = field(default_factory=dict)  # layer -> features re-coded
    registry_added: int = 0
    registry_changed: int = 0
    records: list = field(default_factory=list)  # change_log records written (write_allocation)


# ---------------------------------------------------------------- reading


def workspace_rule(workspace) -> CodeRule:
    try:
        return CodeRule.parse(workspace.info.code_rule)
    except CodeRuleError as error:
        raise CodesError(
            tr("The code rule {rule!r} stored in the workspace cannot be used: {error}").format(
                rule=workspace.info.code_rule, error=error
            )
        ) from error


def read_grids(workspace) -> dict[str, GridArray]:
    """Every grid layer as a GridArray, as the user sees it (edit buffers included)."""
    return {
        layer_def.name: read_grid_array(workspace.layers[layer_def.name], layer_def.level, layer_def.name)
        for layer_def in schema.GRID_LAYERS
    }


def load_registry(layer: QgsVectorLayer) -> tuple[CodeRegistry, dict[str, int]]:
    """The registry of ``code_registry`` and each code's feature id."""
    rows = read_table(layer)
    registry = CodeRegistry.from_rows(rows)
    return registry, {str(r["code"]): int(r["fid"]) for r in rows if r.get("code")}


def village_codes(workspace) -> dict[str, str]:
    """Village/community name → statistical code, from the divisions table (names given once only)."""
    layer = workspace.layers.get(schema.DIVISIONS.name)
    if layer is None:
        return {}
    by_name: dict[str, set[str]] = defaultdict(set)
    for row in read_table(layer):
        if row.get("name") and row.get("code"):
            by_name[str(row["name"]).strip()].add(str(row["code"]))
    return {name: next(iter(codes)) for name, codes in by_name.items() if len(codes) == 1}


def plan_allocation(
    workspace,
    *,
    recode_invalid: bool = False,
    recode_fids: dict[str, list[int]] | None = None,
    duplicates: str = "keep_largest",
) -> AllocationPreview:
    """The allocation plan for the workspace (a preview: nothing is written)."""
    rule = workspace_rule(workspace)
    grids = read_grids(workspace)
    stored, fids = load_registry(workspace.layers[REGISTRY])
    synced = stored.copy()
    synced.sync(grids)
    try:
        plan = allocate_workspace(
            grids,
            rule,
            synced,
            recode_invalid=recode_invalid,
            recode_fids=recode_fids or {},
            duplicates=duplicates,
            village_codes=village_codes(workspace),
        )
    except CodeExhaustedError as error:
        raise CodesError(error.message_zh if prefers_chinese() else error.message_en) from error
    return AllocationPreview(plan, grids, stored, synced, fids, rule)


# ---------------------------------------------------------------- writing


def registry_edits(before: CodeRegistry, after: CodeRegistry, fids: dict[str, int]):
    """(rows to add, {fid: changed values}) turning the stored registry into ``after``."""
    old = {r["code"]: r for r in before.to_rows()}
    adds, changes = [], {}
    for row in after.to_rows():
        previous = old.get(row["code"])
        if previous is None or row["code"] not in fids:
            adds.append(row)
            continue
        diff = {k: v for k, v in row.items() if k != "code" and previous.get(k) != v}
        if diff:
            changes[fids[row["code"]]] = diff
    return adds, changes


def write_registry(
    layer: QgsVectorLayer,
    before: CodeRegistry,
    after: CodeRegistry,
    fids: dict[str, int],
    description: str,
    commit: bool | None = None,
) -> tuple[int, int]:
    """Write the registry's changes as one edit command on ``code_registry``; returns (added, changed)."""
    adds, changes = registry_edits(before, after, fids)
    if not adds and not changes:
        return 0, 0
    with edit_command(layer, description, commit):
        if adds:
            add_rows(layer, adds, None)
        if changes:
            change_values(layer, changes, None)
    return len(adds), len(changes)


def _values_by_layer(plan) -> dict[str, dict[int, dict]]:
    """{layer: {fid: the new code (and parent code)}} of an allocation plan."""
    by_layer: dict[str, dict[int, dict]] = defaultdict(dict)
    for a in plan.assignments:
        values = {"code": a.new_code}
        if a.parent_code is not None:
            values["parent_code"] = a.parent_code
        by_layer[a.layer][int(a.fid)] = values
    return by_layer


def apply_allocation(workspace, preview: AllocationPreview, *, commit: bool = False) -> AppliedAllocation:
    """Write ``preview.plan`` into the grid layers and the registry; see the module docstring."""
    plan = preview.plan
    result = AppliedAllocation()
    by_layer = _values_by_layer(plan)
    # every feature of the plan must still be there (the user may have edited since the preview)
    for name, changes in by_layer.items():
        layer = workspace.layers[name]
        request = QgsFeatureRequest().setFilterFids(list(changes)).setNoAttributes()
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        found = {f.id() for f in layer.getFeatures(request)}
        lost = sorted(set(changes) - found)
        if lost:
            raise CodesError(
                tr("Layer {layer} no longer has the features {fids} of the plan; preview the codes again.").format(
                    layer=layer.name(), fids=", ".join(map(str, lost[:10]))
                )
            )
    registry = preview.synced.copy()
    apply_plan(plan, preview.grids, registry)
    try:
        for name in [d.name for d in schema.GRID_LAYERS if d.name in by_layer]:
            layer = workspace.layers[name]
            result.changed[name] = change_values(layer, by_layer[name], tr("Allocate grid codes"), commit=False)
        result.registry_added, result.registry_changed = write_registry(
            workspace.layers[REGISTRY],
            preview.stored,
            registry,
            preview.registry_fids,
            tr("Update code registry"),
            commit=False,
        )
        if commit:
            for name in [*result.changed, REGISTRY]:
                layer = workspace.layers[name]
                if layer.isEditable():
                    commit_layer(layer)
    except LayerEditError as error:
        raise CodesError(str(error)) from error
    return result


# ---------------------------------------------------------------- registry upkeep after saved edits


def held_codes(layer: QgsVectorLayer, codes, edited: bool = False) -> set[str]:
    """Which of ``codes`` an active grid of ``layer`` (as saved; with ``edited``, as its edit buffer shows it)
    still holds."""
    codes = sorted({c for c in codes if c})
    if not codes:
        return set()
    quoted = ",".join(QgsExpression.quotedString(c) for c in codes)
    request = QgsFeatureRequest().setFilterExpression(
        f'"code" IN ({quoted}) AND ("status" IS NULL OR "status" <> \'retired\')'
    )
    request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    request.setSubsetOfAttributes(["code"], layer.fields())
    source = layer if edited else layer.dataProvider()
    return {str(f["code"]) for f in source.getFeatures(request)}


# ---------------------------------------------------------------- one transaction (Processing)


def allocation_changes(preview: AllocationPreview, user: str = "", changed_at=None):
    """What applying ``preview`` changes: ({layer: {fid: values}}, change records, registry after)."""
    plan = preview.plan
    by_layer = _values_by_layer(plan)
    registry = preview.synced.copy()
    after = apply_plan(plan, preview.grids, registry)
    records: list[ChangeRecord] = []
    for name, changes in by_layer.items():
        before = preview.grids[name]
        touched = np.isin(before.fids, np.fromiter(changes, dtype=np.int64))
        records += detect_changes(before.subset(touched), after[name].subset(touched), changed_at=changed_at, user=user)
    return dict(by_layer), records, registry


def write_allocation(workspace, preview: AllocationPreview, user: str = "") -> AppliedAllocation:
    """Write ``preview.plan`` into the workspace file in one transaction (codes of every grid layer,
    ``change_log`` and ``code_registry``); see the module docstring."""
    by_layer, records, registry = allocation_changes(preview, user)
    adds, changes = registry_edits(preview.stored, registry, preview.registry_fids)
    result = AppliedAllocation()
    try:
        with WorkspaceWrite(workspace.path, tr("Allocate grid codes")) as write:
            for name in [d.name for d in schema.GRID_LAYERS if d.name in by_layer]:
                result.changed[name] = write.update(name, by_layer[name])
                checkpoint("allocate:grid-written")
            write.add(schema.CHANGE_LOG.name, [r.to_row() for r in records])
            checkpoint("allocate:log-written")
            write.add(REGISTRY, adds)
            write.update(REGISTRY, changes)
            checkpoint("allocate:registry-written")
            write.set_info({})
    except WriteError as error:
        raise CodesError(str(error)) from error
    result.registry_added, result.registry_changed = len(adds), len(changes)
    result.records = records
    for name in [*result.changed, REGISTRY, schema.CHANGE_LOG.name]:
        layer = workspace.layers.get(name)
        if layer is not None:
            layer.reload()
    return result


# ---------------------------------------------------------------- registry verify / rebuild


def read_change_log(workspace) -> list[dict]:
    return read_table(workspace.layers[schema.CHANGE_LOG.name])


def verify_registry(workspace) -> list[RegistryProblem]:
    """Where ``code_registry`` disagrees with the grids and the change log (as saved in the layers)."""
    stored, _ = load_registry(workspace.layers[REGISTRY])
    return registry_problems(stored, read_grids(workspace), read_change_log(workspace))


def rebuild_registry(workspace) -> tuple[int, int]:
    """Bring ``code_registry`` in line with the grids and the change log in one transaction; returns
    (entries added, entries changed). Entries are never removed: a code once issued stays issued."""
    stored, fids = load_registry(workspace.layers[REGISTRY])
    rebuilt = rebuild_registry_from(stored, read_grids(workspace), read_change_log(workspace))
    adds, changes = registry_edits(stored, rebuilt, fids)
    if adds or changes:
        try:
            with WorkspaceWrite(workspace.path, tr("Rebuild the code registry")) as write:
                write.add(REGISTRY, adds)
                write.update(REGISTRY, changes)
                write.set_info({})
        except WriteError as error:
            raise CodesError(str(error)) from error
        workspace.layers[REGISTRY].reload()
    return len(adds), len(changes)
