"""Automatic level 3 division in a workspace: read the inputs, propose (core.division), audit, and accept.

* :func:`plan_division` reads the chosen level 2 parents, the workspace's household points (one household
  each, persons from ``persons``) and size rules, divides each parent (:func:`plugin.core.division.propose_many`)
  and audits each proposal as level 3 under its parent (:func:`plugin.core.division.audit_proposal`). A proposal
  with a finding the planner's drawing would not carry is not offered (it is listed in ``refused``).
* :func:`write_acceptance` writes the offered proposals in **one transaction** of the workspace file: the
  parent's present level 3 grids (those not locked) are retired (status ``retired``, ``valid_to`` today), the
  proposed grids are added with codes allocated by the workspace's code rule (west → east, north → south,
  never a code issued before: :func:`plugin.core.codes.allocate_codes` against the registry), the registry
  records the new and retired codes, and the change log records every change (``detect_changes``).
  Nothing is written when any step fails; the GDAL message reaches the user.
* :func:`apply_acceptance` (the dock's action) puts the same grids and codes into the open level 3 layer's edit
  buffer instead, as one undoable edit command (old grids deleted); the change tracker logs it on save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely

from ..core import division, schema
from ..core.changes import detect_changes
from ..core.codes import allocate_codes, apply_plan
from ..core.model import GridArray
from ..i18n import tr
from .arrays import read_points, read_table
from .codes_store import (
    REGISTRY,
    load_registry,
    read_grids,
    registry_edits,
    workspace_rule,
)
from .gpkg_write import WorkspaceWrite, WriteError
from .rules_store import load_rules

L2, L3 = schema.GRID_LEVEL2.name, schema.GRID_LEVEL3.name


class DivisionStoreError(Exception):
    """A division that cannot be planned or written; the message says why."""


@dataclass
class DivisionPlan:
    jobs: list[division.ParentJob]
    parent_names: dict[str, str]
    proposals: list[division.Proposal | None]
    errors: list[division.DivisionError | None]
    findings: list[list] = field(default_factory=list)  # per job: the audit's findings on the proposal
    refused: dict[str, list] = field(default_factory=dict)  # parent code → findings the drawing would not carry
    locked_fids: set[int] = field(default_factory=set)

    def offered(self) -> list[tuple[division.ParentJob, division.Proposal]]:
        return [(j, p) for j, p in zip(self.jobs, self.proposals) if p is not None and j.label not in self.refused]


def _area_class(code: str, level3: GridArray, level2_row: int, level2: GridArray, ur: dict) -> str:
    own = level2.attribute("area_class")[level2_row]
    if own in ("rural", "urban"):
        return str(own)
    mine = np.asarray(level3.parent_codes) == code
    classes = [c for c in np.asarray(level3.attribute("area_class"))[mine] if c in ("rural", "urban")]
    if classes:
        return max(set(classes), key=classes.count)
    u = str(ur.get(str(code)[:12], ""))
    return "urban" if u.startswith("1") else ("rural" if u.startswith("2") else "")


def plan_division(
    workspace,
    parent_codes: list[str] | None,
    *,
    lines=(),
    sites=(),
    site_households=None,
    lock_codes=(),
    seed: int = 0,
    progress=None,
    is_cancelled=None,
) -> DivisionPlan:
    """Propose the division of the level 2 grids ``parent_codes`` (None: every active one)."""
    from ..core.workspace_audit import ur_classes

    grids = read_grids(workspace)
    level2, level3 = grids[L2], grids[L3]
    active2 = np.asarray(level2.attribute("status", "active")) != "retired"
    codes2 = np.asarray(level2.codes, dtype=object)
    wanted = [str(c).strip() for c in parent_codes or [] if str(c).strip()]
    if wanted:
        missing = [c for c in wanted if c not in set(codes2[active2])]
        if missing:
            raise DivisionStoreError(
                tr("No active level 2 grid has the code {codes}.").format(codes=", ".join(missing[:10]))
            )
        rows = [int(np.flatnonzero((codes2 == c) & active2)[0]) for c in wanted]
    else:
        rows = np.flatnonzero(active2).tolist()
    if not rows:
        raise DivisionStoreError(tr("The workspace has no level 2 grid to divide."))
    ur = ur_classes(read_table(workspace.layers[schema.DIVISIONS.name]))
    lock_codes = {str(c).strip() for c in lock_codes if str(c).strip()}
    active3 = np.asarray(level3.attribute("status", "active")) != "retired"
    codes3 = np.asarray(level3.codes, dtype=object)
    jobs, names = [], {}
    locked_fids: set[int] = set()
    for r in rows:
        code = str(codes2[r])
        locked = np.flatnonzero(active3 & np.isin(codes3, list(lock_codes)) & (level3.parent_codes == code))
        locked_fids.update(int(f) for f in level3.fids[locked])
        jobs.append(
            division.ParentJob(
                code,
                level2.geometries[r],
                _area_class(code, level3, r, level2, ur),
                [level3.geometries[i] for i in locked],
            )
        )
        names[code] = str(level2.names[r] or code)
    points = read_points(workspace.layers[schema.HOUSEHOLDS.name])
    present = ~(shapely.is_missing(points.points) | shapely.is_empty(points.points))
    xy = shapely.get_coordinates(points.points[present])
    persons = np.asarray(points.attributes.get("persons", np.zeros(len(points.fids))), dtype=object)[present]
    persons = np.array([int(p) if isinstance(p, (int, float, np.integer)) and p == p else 0 for p in persons])
    rules = load_rules(workspace)
    proposals, errors = division.propose_many(
        jobs,
        xy,
        None,
        persons,
        lines=lines,
        sites=sites,
        site_households=site_households,
        rules=rules,
        seed=seed,
        progress=progress,
        is_cancelled=is_cancelled,
    )
    plan = DivisionPlan(jobs, names, proposals, errors, locked_fids=locked_fids)
    for job, prop in zip(jobs, proposals):
        if prop is None:
            plan.findings.append([])
            continue
        drawing = level3.subset(active3 & (level3.parent_codes == job.label))
        found, new = division.audit_proposal(job.geometry, prop, parent_code=job.label, drawing=drawing, rules=rules)
        plan.findings.append(found)
        if new:
            plan.refused[job.label] = new
    return plan


def division_inputs(crs, transform_context, line_sources=(), site_source=None, site_field: str = ""):
    """``lines``, ``sites`` and ``site_households`` of :func:`plan_division` from QGIS feature sources (vector
    layers or Processing sources), read and transformed into ``crs`` through QGIS. Plain shapely geometries
    come out, so a task can use them; project layers must be read on the main thread. ``site_field`` gives a
    point site's households (a value that is not a number gives None: the core then names the site)."""
    from qgis.core import QgsFeatureRequest

    def read(source, field=""):
        request = QgsFeatureRequest()
        if source.sourceCrs() != crs:
            request.setDestinationCrs(crs, transform_context)
        geoms, values = [], []
        for feature in source.getFeatures(request):
            g = feature.geometry()
            if g is None or g.isNull():
                continue
            geoms.append(shapely.from_wkb(bytes(g.asWkb())))
            if field:
                values.append(feature[field])
        return geoms, values

    lines = []
    for source in line_sources:
        lines.extend(read(source)[0])
    sites, site_households = [], None
    if site_source is not None:
        sites, values = read(site_source, site_field)
        if site_field:
            site_households = [
                int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v else None for v in values
            ]
    return lines, sites, site_households


# ---------------------------------------------------------------- preview rows

PREVIEW_FIELDS = (
    ("parent_code", schema.FieldType.STRING),
    ("seq", schema.FieldType.INTEGER),
    ("kind", schema.FieldType.STRING),
    ("households", schema.FieldType.INTEGER),
    ("population", schema.FieldType.INTEGER),
    ("status", schema.FieldType.STRING),
    ("reason", schema.FieldType.STRING),
    ("compactness", schema.FieldType.REAL),
    ("offered", schema.FieldType.INTEGER),
)


def preview_rows(plan: DivisionPlan, chinese: bool = True) -> list[tuple[dict, object]]:
    """One row per proposed grid (values of :data:`PREVIEW_FIELDS`, shapely geometry)."""
    rows = []
    for job, prop in zip(plan.jobs, plan.proposals):
        if prop is None:
            continue
        offered = int(job.label not in plan.refused)
        for i in range(len(prop)):
            rows.append(
                (
                    {
                        "parent_code": job.label,
                        "seq": i + 1,
                        "kind": str(prop.kinds[i]),
                        "households": int(prop.households[i]),
                        "population": int(prop.persons[i]),
                        "status": str(prop.status[i]),
                        "reason": str(prop.reason_zh[i] if chinese else prop.reason_en[i]),
                        "compactness": round(float(prop.compactness[i]), 4),
                        "offered": offered,
                    },
                    prop.geometries[i],
                )
            )
    return rows


# ---------------------------------------------------------------- accepting


@dataclass
class Acceptance:
    retire: dict[int, dict]  # level 3 fid → values
    rows: list[dict]  # new level 3 rows
    geometries: list  # their shapely geometries
    records: list  # ChangeRecords
    registry_adds: list[dict]
    registry_changes: dict[int, dict]
    codes: list[str]


def acceptance(workspace, plan: DivisionPlan, user: str = "", today: date | None = None) -> Acceptance:
    """What accepting the offered proposals changes (nothing is written)."""
    today = today or date.today()
    grids = read_grids(workspace)
    level2, level3 = grids[L2], grids[L3]
    rule = workspace_rule(workspace)
    stored, registry_fids = load_registry(workspace.layers[REGISTRY])
    registry = stored.copy()
    registry.sync(grids)
    offered = plan.offered()
    parents = {j.label for j, _ in offered}
    active3 = np.asarray(level3.attribute("status", "active")) != "retired"
    retiring = active3 & np.isin(level3.parent_codes.astype(str), list(parents))
    retiring &= ~np.isin(level3.fids, list(plan.locked_fids))
    status = np.asarray(level3.attribute("status", "active"), dtype=object).copy()
    status[retiring] = "retired"
    kept = GridArray(
        level3.layer,
        3,
        level3.fids,
        level3.codes,
        level3.parent_codes,
        level3.names,
        level3.geometries,
        {**level3.attributes, "status": status},
    )
    # the new grids, with placeholder fids after the largest one
    geoms, parent_codes, names, attrs = [], [], [], {k: [] for k in ("area_class", "settlement_type")}
    counts = {"households": [], "population": [], "remarks": []}
    for job, prop in offered:
        new = prop.kinds != division.KIND_LOCKED
        for n, i in enumerate(np.flatnonzero(new), start=1):
            geoms.append(prop.geometries[i])
            parent_codes.append(job.label)
            names.append(f"{plan.parent_names.get(job.label, job.label)}第{n}网格")
            attrs["area_class"].append(prop.target.area_class)
            attrs["settlement_type"].append(
                "relocation_site" if prop.kinds[i] == division.KIND_SITE else "villager_group"
            )
            counts["households"].append(int(prop.households[i]))
            counts["population"].append(int(prop.persons[i]))
            counts["remarks"].append(str(prop.reason_zh[i])[:255])
    n_new = len(geoms)
    base = int(level3.fids.max()) + 1 if len(level3) else 1
    placeholder = np.arange(base, base + n_new, dtype=np.int64)
    added = GridArray.from_records(
        L3,
        3,
        geoms,
        [None] * n_new,
        parent_codes,
        names,
        fids=placeholder,
        attributes={
            "status": np.full(n_new, "active", dtype=object),
            "kind": np.full(n_new, "comprehensive", dtype=object),
            **{k: np.asarray(v, dtype=object) for k, v in attrs.items()},
            "households": np.asarray(counts["households"], dtype=np.int64),
            "population": np.asarray(counts["population"], dtype=np.int64),
        },
    )
    together = _concat(kept, added)
    other = {c for name, g in grids.items() if name != L3 for c in g.codes if c}
    code_plan = allocate_codes(together, level2, rule, registry, other_codes=other)
    after = apply_plan(code_plan, {L3: together}, registry)[L3] if code_plan.assignments else together
    new_codes = {a.fid: a.new_code for a in code_plan.assignments}
    if any(new_codes.get(int(f)) is None for f in placeholder):
        raise DivisionStoreError(tr("Not every proposed grid could be given a code; see the code rule and registry."))
    before_part = level3.subset(retiring | np.isin(level3.fids, list(plan.locked_fids)))
    after_part = after.subset(np.isin(after.fids, np.r_[level3.fids[retiring], placeholder]))
    records = detect_changes(before_part, after_part, user=user, reason=tr("Automatic division (proposal accepted)"))
    adds, changes = registry_edits(stored, registry, registry_fids)
    rows = []
    for k, fid in enumerate(placeholder):
        rows.append(
            {
                "code": new_codes[int(fid)],
                "parent_code": parent_codes[k],
                "name": names[k],
                "level": 3,
                "kind": "comprehensive",
                "area_class": attrs["area_class"][k],
                "settlement_type": attrs["settlement_type"][k],
                "households": counts["households"][k],
                "population": counts["population"][k],
                "relocated_households": 0,
                "status": "active",
                "valid_from": today.isoformat(),
                "remarks": counts["remarks"][k],
            }
        )
    retire = {int(f): {"status": "retired", "valid_to": today.isoformat()} for f in level3.fids[retiring]}
    return Acceptance(retire, rows, geoms, records, adds, changes, [r["code"] for r in rows])


def _concat(a: GridArray, b: GridArray) -> GridArray:
    keys = set(a.attributes) | set(b.attributes)
    return GridArray(
        a.layer,
        a.level,
        np.r_[a.fids, b.fids].astype(np.int64),
        np.r_[a.codes, b.codes].astype(object),
        np.r_[a.parent_codes, b.parent_codes].astype(object),
        np.r_[a.names, b.names].astype(object),
        np.r_[a.geometries, b.geometries].astype(object),
        {k: np.r_[a.attribute(k), b.attribute(k)].astype(object) for k in keys},
    )


def write_acceptance(workspace, plan: DivisionPlan, user: str = "") -> Acceptance:
    """Write the offered proposals into the workspace in one transaction (see the module docstring)."""
    if not plan.offered():
        raise DivisionStoreError(tr("No proposal can be accepted: every parent was refused or failed."))
    acc = acceptance(workspace, plan, user)
    wkbs = [shapely.to_wkb(shapely.multipolygons(shapely.get_parts(g))) for g in acc.geometries]
    try:
        with WorkspaceWrite(workspace.path, tr("Accept the proposed division")) as write:
            write.update(L3, acc.retire)
            write.add(L3, acc.rows, wkbs)
            write.add(schema.CHANGE_LOG.name, [r.to_row() for r in acc.records])
            write.add(REGISTRY, acc.registry_adds)
            write.update(REGISTRY, acc.registry_changes)
            write.set_info({})
    except WriteError as error:
        raise DivisionStoreError(str(error)) from error
    for name in (L3, REGISTRY, schema.CHANGE_LOG.name):
        layer = workspace.layers.get(name)
        if layer is not None:
            layer.reload()
    return acc


def apply_acceptance(workspace, plan: DivisionPlan, user: str = "") -> Acceptance:
    """Put the offered proposals into the level 3 layer's edit buffer as ONE undoable edit command.

    ``workspace`` is the open (project) workspace: its level 3 layer gets, in one ``beginEditCommand``, the
    parents' present level 3 grids (not locked) deleted and the proposed grids added with their codes
    (allocated as :func:`acceptance` does, against the registry: never a code issued before). Nothing is
    saved: Ctrl+Z undoes it; saving the layer lets the change tracker log the change and update the code
    registry, as for a split or merge drawn by hand."""
    from qgis.core import QgsVectorLayerUtils

    from .editing import EditFailure, edit_command, to_qgs
    from .layer_edits import qt_value

    if not plan.offered():
        raise DivisionStoreError(tr("No proposal can be accepted: every parent was refused or failed."))
    acc = acceptance(workspace, plan, user)
    layer = workspace.layers[L3]
    fields = layer.fields()
    with edit_command(layer, tr("Accept the proposed division")):
        for fid in acc.retire:
            if not layer.deleteFeature(fid):
                raise EditFailure(
                    tr("Could not delete feature {fid} of layer {layer}.").format(fid=fid, layer=layer.name())
                )
        for row, geometry in zip(acc.rows, acc.geometries):
            values = {
                fields.indexFromName(k): qt_value(v, "date" if k == "valid_from" else None)
                for k, v in row.items()
                if fields.indexFromName(k) >= 0
            }
            shape = to_qgs(shapely.multipolygons(shapely.get_parts(geometry)))
            feature = QgsVectorLayerUtils.createFeature(layer, shape, values)
            if not layer.addFeature(feature):
                raise EditFailure(tr("Could not add a feature to layer {layer}.").format(layer=layer.name()))
    layer.triggerRepaint()
    return acc
