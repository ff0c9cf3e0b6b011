"""The live audit while drawing: the edited grids, their neighbours and their parent checked after each edit.

:func:`check_neighbourhood` takes the grids around an edit (what an adapter read from the layers through a
rectangle: the edited grids, the candidates of the parent level and of the edited level) and

1. picks, with STRtree queries, the parents the edited grids lie in (interiors meeting, or named by the
   parent code) and every grid of the edited level that meets those parents or the edited grids (their
   siblings and neighbours);
2. audits that small workspace with the audit engine itself (:func:`~plugin.core.workspace_audit.audit_workspace`:
   overlaps, gaps in the parents, grids outside their parent, size rules) in one thread;
3. keeps the findings of those families that involve the neighbourhood. A level 1 edit has the county as
   parent: the county is cut to the neighbourhood's box (every level 1 grid meeting the box was read), and an
   "outside the county" piece that the whole county covers (it lies outside the box only) is dropped.

The parents of neighbours across a parent's boundary are not read: findings about unknown or missing parents
are not the live audit's business (the full audit has them).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import schema
from .audit import Tolerances
from .findings import Finding
from .model import GridArray, WorkspaceData
from .workspace_audit import audit_workspace

# the rule families the live audit shows (prefixes of rule ids)
LIVE_FAMILIES = ("overlap", "gap", "parent.outside", "parent.sliver", "county.gap", "county.outside", "grid.")
SIZE_PREFIX = "size."
MARGIN = 50.0  # m around the edited grids for the county's box


@dataclass
class LiveResult:
    findings: list[Finding]
    edited: dict[int, list[int]]  # level -> fids of the edited grids checked
    grids_checked: int  # grids of both levels in the neighbourhood
    seconds: float
    codes: set[str] = field(default_factory=set)  # codes of the grids checked

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity.value == "error")


def parent_level(level: int) -> int | None:
    """The level of the grids a grid of ``level`` lies in (None: the county)."""
    return {1: None, 2: 1, 3: 2, schema.LEVEL_DEDICATED: 1}[level]


def _keep_rule(rule_id: str, sizes: bool) -> bool:
    return rule_id.startswith(LIVE_FAMILIES) or (sizes and rule_id.startswith(SIZE_PREFIX))


def _interiors_meet(a: np.ndarray, b: np.ndarray, tol: Tolerances) -> np.ndarray:
    """Pairs (of intersecting geometries) whose interiors meet, not only their boundaries."""
    return ~shapely.touches(a, b)


def edit_box(edited: GridArray, margin: float = MARGIN):
    """The box around the edited grids (with ``margin``), or None when they have no geometry."""
    geoms = edited.geometries[~shapely.is_missing(edited.geometries)]
    if not len(geoms):
        return None
    return shapely.box(*shapely.total_bounds(geoms)).buffer(margin, join_style="mitre")


def select_neighbourhood(
    edited: GridArray, parents: GridArray | None, candidates: GridArray, tol: Tolerances, box=None
) -> tuple[GridArray, GridArray | None]:
    """The parents of the edited grids and the grids of their level in the neighbourhood (edited included);
    without parents (level 1: the county), every candidate meeting ``box``."""
    eg = edited.geometries
    usable = ~shapely.is_missing(eg)
    if parents is not None and len(parents):
        pg = parents.geometries
        tree = shapely.STRtree(pg)
        ei, pj = tree.query(eg[usable], predicate="intersects")
        if len(ei):
            meets = _interiors_meet(eg[usable][ei], pg[pj], tol)
            pj = pj[meets]
        named = np.isin(parents.codes, [c for c in edited.parent_codes if c])
        chosen = np.zeros(len(parents), dtype=bool)
        chosen[pj] = True
        parents = parents.subset(chosen | named)
    # the edited level: everything meeting the chosen parents or the edited grids
    cg = candidates.geometries
    keep = np.isin(candidates.fids, edited.fids)
    if len(cg):
        tree = shapely.STRtree(cg)
        probes = eg[usable]
        if parents is not None and len(parents):
            probes = np.concatenate([probes, parents.geometries])
        elif parents is None and box is not None:
            probes = np.array([box], dtype=object)
        pi, cj = tree.query(probes, predicate="intersects")
        if len(pi):
            cj = cj[_interiors_meet(probes[pi], cg[cj], tol)]  # touching across a boundary is no meeting
        keep[cj] = True
    return candidates.subset(keep), parents


def check_neighbourhood(
    info: schema.WorkspaceInfo,
    level: int,
    edited: GridArray,
    parents: GridArray | None,
    candidates: GridArray,
    county=None,
    tolerances: Tolerances | None = None,
    size_rules=None,
    divisions=None,
) -> LiveResult:
    """Audit the neighbourhood of the ``edited`` grids of ``level`` (see the module's description).

    ``parents``: grids of the parent level near the edit (None for level 1, whose parent is ``county``);
    ``candidates``: grids of ``level`` near the edit and its parents (the edited ones included)."""
    t0 = time.perf_counter()
    tol = tolerances or Tolerances()
    box = edit_box(edited) if parents is None else None
    grids, parents = select_neighbourhood(edited, parents, candidates, tol, box)
    data_grids = {d.name: GridArray.empty(d.name, d.level) for d in schema.GRID_LAYERS}
    data_grids[grids.layer] = grids
    county_part = None
    if parents is not None:
        data_grids[parents.layer] = parents
    elif county is not None and box is not None:
        county_part = shapely.intersection(county, box)
    data = WorkspaceData(info=info, grids=data_grids, county_boundary=county_part, divisions=list(divisions or []))
    sizes = level == 3 and bool({"households", "population"} & set(grids.attributes))
    result = audit_workspace(data, tol, size_rules, check_sizes=sizes, check_staffing=False, workers=1)
    involved = {c for c in grids.codes if c}
    if parents is not None:
        involved |= {c for c in parents.codes if c}
    findings = []
    for f in result.findings:
        if not _keep_rule(f.rule_id, sizes):
            continue
        if f.codes and not (set(f.codes) & involved) and f.rule_id != "county.gap":
            continue
        outside = f.rule_id == "county.outside" and county is not None and f.geometry is not None
        if outside and shapely.covers(shapely.buffer(county, tol.sliver_width), f.geometry):
            continue  # outside the county's box, not outside the county
        findings.append(f)
    edited_fids = {level: [int(x) for x in edited.fids]}
    return LiveResult(
        findings=findings,
        edited=edited_fids,
        grids_checked=len(grids) + (len(parents) if parents is not None else 0),
        seconds=time.perf_counter() - t0,
        codes=involved,
    )


def with_edits(grid: GridArray, fids, geometries) -> GridArray:
    """``grid`` with the geometries of ``fids`` replaced (tests and the bench: an edit without QGIS)."""
    geoms = grid.geometries.copy()
    index = {int(f): i for i, f in enumerate(grid.fids)}
    for fid, geom in zip(fids, geometries):
        geoms[index[int(fid)]] = geom
    return dataclasses.replace(grid, geometries=geoms)
