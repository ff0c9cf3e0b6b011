"""The audit run: stages, progress, cancellation, timings and the result.

``run_audit(data)`` checks a :class:`~plugin.core.model.WorkspaceData` and returns an :class:`AuditResult`.
A QgsTask can wrap it: ``progress(fraction, stage_text)`` is called as stages start and end, and
``is_cancelled()`` is polled between stages; when it returns True the run stops with :class:`AuditCancelled`.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import shapely

from .. import capabilities, schema
from ..findings import Finding, Severity
from ..model import WorkspaceData
from . import _geom, chains
from ._collect import LEVEL_EN, LEVEL_ZH, Collector
from .codes import check_codes, check_registry, code_rule_for
from .county import check_county, check_far_outside, prepare_county
from .exceptions import apply_exceptions
from .hierarchy import check_holes, check_nesting, named_parents, tiled_parents
from .layers import LayerState, check_sizes, prepare_layer
from .overlaps import OverlapPairs, find_overlaps
from .rules import RULE_BY_ID, RULES
from .tolerances import Tolerances

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class AuditCancelled(Exception):
    """Raised by :func:`run_audit` when ``is_cancelled()`` returns True."""


@dataclass
class AuditResult:
    run_id: str
    started: datetime
    finished: datetime
    findings: list[Finding]
    timings: dict[str, float]  # seconds per stage
    tolerances: Tolerances
    info: schema.WorkspaceInfo | None = None
    feature_counts: dict[str, int] = field(default_factory=dict)  # active grids per layer
    code_rule_inferred: bool = False  # no code rule was given: info.code_rule was inferred from the codes
    # per level: (rows of the layer as given that were checked, whether each has a usable geometry: a valid,
    # finite (multi)polygon); lets later rules of the same run skip checking validity again. Not reported.
    geometry_checked: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def counts_by_rule(self) -> dict[str, int]:
        counts = Counter(f.rule_id for f in self.findings)
        return {rule.id: counts[rule.id] for rule in RULES if counts[rule.id]} | {
            k: v for k, v in counts.items() if k not in RULE_BY_ID
        }

    @property
    def counts_by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity.value for f in self.findings)
        return {s.value: counts[s.value] for s in Severity}

    @property
    def accepted_count(self) -> int:
        return sum(1 for f in self.findings if f.accepted)

    @property
    def blocking_count(self) -> int:
        """Errors not accepted as exceptions: filing is blocked while this is above 0."""
        return sum(1 for f in self.findings if f.severity is Severity.ERROR and not f.accepted)

    @property
    def duration(self) -> float:
        return (self.finished - self.started).total_seconds()

    def to_json(self, findings: bool = True) -> dict:
        """The result as a JSON-ready dict; without the findings when ``findings`` is False (streamed apart)."""
        info = self.info
        doc = {
            "run_id": self.run_id,
            "started": self.started.isoformat(timespec="seconds"),
            "finished": self.finished.isoformat(timespec="seconds"),
            "duration_s": round(self.duration, 3),
            "workspace": None
            if info is None
            else {
                "county_code": info.county_code,
                "county_name": info.county_name,
                "crs": info.crs,
                "code_rule": info.code_rule,
                "code_rule_inferred": self.code_rule_inferred,
            },
            "feature_counts": self.feature_counts,
            "tolerances": self.tolerances.to_json(),
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
            "counts_by_severity": self.counts_by_severity,
            "counts_by_rule": self.counts_by_rule,
            "accepted": self.accepted_count,
            "blocking": self.blocking_count,
        }
        if findings:
            doc["findings"] = [f.to_json() for f in self.findings]
        return doc


# (stage key, share of the run's time, Chinese and English label)
_STAGES = (
    ("geometry", 0.25, "检查几何图形", "checking geometries"),
    ("codes", 0.05, "检查网格编码", "checking codes"),
    ("edges", 0.15, "比对共用边界", "matching shared edges"),
    ("overlaps", 0.25, "检查同级网格重叠", "checking overlaps"),
    ("nesting", 0.20, "检查上下级嵌套与覆盖", "checking nesting and coverage"),
    ("county", 0.05, "检查县界覆盖", "checking the county boundary"),
    ("shapes", 0.04, "检查空洞与碎片网格", "checking holes and sliver grids"),
    ("finish", 0.01, "整理审核结果", "finishing"),
)


def run_audit(
    data: WorkspaceData,
    tolerances: Tolerances | None = None,
    progress: Callable[[float, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    *,
    exceptions: Mapping[str, str] | None = None,
    workers: int | None = None,
) -> AuditResult:
    """Audit a workspace's grids; see :mod:`plugin.core.audit.rules` for what is checked.

    ``exceptions`` ({fingerprint: reason}) marks accepted findings; ``workers`` threads (default: up to 2)
    share the heavy vectorised calls.
    """
    tol = tolerances or Tolerances()
    started = datetime.now().astimezone()
    run_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    out = Collector()
    timings: dict[str, float] = {}
    pool = _geom.Pool(capabilities.parallel_workers(workers if workers is not None else min(2, os.cpu_count() or 1)))
    done = [0.0]
    # a large audit hands each stage's freed memory back (small ones, e.g. the live check, need not pay for it)
    release = sum(len(g) for g in data.grids.values()) >= _RELEASE_FROM

    def cancel_point(key: str) -> None:
        if is_cancelled is not None and is_cancelled():
            raise AuditCancelled(f"audit cancelled during {key}")

    def stage(key: str, share: float | None = None):
        entry = next(s for s in _STAGES if s[0] == key)
        cancel_point(key)
        if progress is not None:
            progress(min(done[0], 1.0), f"{entry[2]} / {entry[3]}")
        return _Timer(key, timings, done, entry[1] if share is None else share, release)

    try:
        with stage("geometry"):
            states = {level: prepare_layer(data.grid(level), pool, out) for level in (1, 2, 3, 0)}
        with stage("codes"):
            given = data.info.code_rule if data.info else None
            rule = code_rule_for(given, out, [states[k] for k in (1, 2, 3, 0)])
            inferred = not (given or "").strip()
            info = dataclasses.replace(data.info, code_rule=rule.text) if data.info and inferred else data.info
            check_codes(
                [states[k] for k in (1, 2, 3, 0)],
                rule,
                data.info.county_code if data.info else "",
                data.divisions,
                out,
            )
            if data.code_registry is not None:
                check_registry([data.grid(k) for k in (1, 2, 3, 0)], data.code_registry, data.change_log, out)
        threaded = pool.workers > 1
        with stage("edges"):
            # the overlaps of level 1 and of the dedicated grids need no tiling: in a thread beside the sketches
            early = _Background(threaded, _top_overlaps, states, tol, pool)
            # which parents their children tile exactly, from shared edges alone (no overlay)
            tiled = _tilings(states, pool)
        with stage("overlaps"):
            overlaps, early_findings = early.result()
            out.findings.extend(early_findings)
            cancel_point("overlaps")
            # the county boundary needs only level 1: checked in a thread beside the levels below
            county_job = _Background(threaded, _county_job, data.county_boundary, states[1], overlaps[1], tol, release)
            # a grid whose parent is tiled exactly by its children and overlaps no grid of its own level
            # overlaps nothing of its level: only the others (and their neighbours) go through the coverage
            # validator and the pairwise tests
            for level, parent_level in ((2, 1), (3, 2)):
                if level == 3:
                    # the nesting of level 2 and of the dedicated grids needs nothing of level 3: in a thread
                    # beside it (findings kept apart and added in the order of a run in one thread)
                    upper_job = _Background(
                        threaded, _upper_nesting, states, overlaps[2], overlaps[0], tol, pool, tiled, release
                    )
                certified = _certified(states[level], states[parent_level], tiled.get(level), overlaps[parent_level])
                overlaps[level] = find_overlaps(states[level], tol, pool, out, certified=certified)
                cancel_point("overlaps")
        with stage("nesting"):
            nested = {3: _nest(states[3], states[2], overlaps[3], True, tol, pool, out, states, tiled.get(3))}
            upper, upper_findings = upper_job.result()
            nested.update(upper)
            out.findings.extend(upper_findings)
            cancel_point("nesting")
            parent_geoms = {k: (v.parent_geom if v is not None else None) for k, v in nested.items()}
        with stage("county"):
            county = None
            if states[1].n_active == 0:
                out.add(
                    "layer.empty",
                    states[1].layer,
                    [],
                    [],
                    None,
                    0,
                    "grids",
                    "一级网格图层没有在用网格，未检查县界覆盖。",
                    "The level 1 layer has no active grids: coverage of the county was not checked.",
                )
            county, county_findings = county_job.result()
            out.findings.extend(county_findings)
            if states[1].n_active == 0:
                county = prepare_quiet(data.county_boundary)
            check_far_outside(county, list(states.values()), out)
            if states[1].n_active == 0:
                county = None
        with stage("shapes"):
            if county is not None:
                parent_geoms[1] = np.full(int(states[1].usable.sum()), county, dtype=object)
            names = {1: schema.COUNTY_LABEL, 2: ("上级网格", "parent grid"), 3: ("上级网格", "parent grid")}
            names[0] = ("所属村/社区", "village or community")
            # the layers side by side, each with its own findings, added in the order of the levels
            jobs = []
            for level in (1, 2, 3, 0):
                state = states[level]
                pg = parent_geoms.get(level)
                if pg is None:
                    pg = np.full(int(state.usable.sum()), None, dtype=object)
                jobs.append(pool.submit(_shapes, state, pg, names[level], tol))
            for job in jobs:
                out.findings.extend(job.result())
        with stage("finish"):
            findings = _finish(out.findings)
            if exceptions:
                apply_exceptions(findings, exceptions)
    finally:
        pool.close()
    if progress is not None:
        progress(1.0, "审核完成 / audit finished")
    return AuditResult(
        run_id=run_id,
        started=started,
        finished=datetime.now().astimezone(),
        findings=findings,
        timings=timings,
        tolerances=tol,
        info=info,
        feature_counts={states[k].layer: states[k].n_active for k in (1, 2, 3, 0)},
        code_rule_inferred=inferred,
        geometry_checked={k: (states[k].rows, states[k].usable) for k in (1, 2, 3, 0)},
    )


def prepare_quiet(county):
    """The county boundary for the far-outside check when the county stage did not prepare it."""
    if county is None or shapely.is_missing(county) or shapely.is_empty(county):
        return None
    if shapely.get_type_id(county) not in (_geom.POLYGON, _geom.MULTIPOLYGON):
        return None  # reported by prepare_county when level 1 is audited
    return county if shapely.is_valid(county) else shapely.make_valid(county)


def _shapes(state: LayerState, parent_geom, parent_name, tol) -> list:
    """Holes and tiny or thin grids of one layer: its findings."""
    out = Collector()
    check_holes(state, parent_geom, parent_name, tol, out)
    check_sizes(state, tol, out)
    return out.findings


def _top_overlaps(states: dict, tol, pool) -> tuple[dict, list]:
    """The overlaps of level 1 and of the dedicated grids, with their own findings."""
    out = Collector()
    return {level: find_overlaps(states[level], tol, pool, out) for level in (1, 0)}, out.findings


def _upper_nesting(states: dict, overlaps2, overlaps0, tol, pool, tiled: dict, release: bool) -> tuple[dict, list]:
    """The nesting of level 2 in level 1 and of the dedicated grids in level 1, with their own findings."""
    out = Collector()
    nested = {2: _nest(states[2], states[1], overlaps2, True, tol, pool, out, states, tiled.get(2))}
    nested[0] = _nest(states[0], states[1], overlaps0, False, tol, pool, out, states)
    if release:
        _geom.release_memory()
    return nested, out.findings


def _county_job(boundary, level1: LayerState, overlaps: OverlapPairs, tol, release: bool = False):
    """The county boundary prepared and checked against level 1 (nothing when level 1 is empty), with its
    own findings."""
    out = Collector()
    if level1.n_active == 0:
        return None, out.findings
    county = prepare_county(boundary, out, level1.n_active)
    check_county(county, level1, overlaps, tol, out)
    if release:  # the union's working memory, before the stages beside it need theirs
        _geom.release_memory()
    return county, out.findings


class _Background:
    """``func(*args)`` in a thread of its own (or at once, when ``threaded`` is false); ``result()`` waits and
    re-raises its exception."""

    def __init__(self, threaded: bool, func, *args) -> None:
        self._value = self._error = None
        self._thread = None
        if not threaded:
            self._run(func, args)
            return
        self._thread = threading.Thread(target=self._run, args=(func, args), daemon=True)
        self._thread.start()

    def _run(self, func, args) -> None:
        try:
            self._value = func(*args)
        except BaseException as exc:  # handed to the caller in result()
            self._error = exc

    def result(self):
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _tilings(states: dict, pool) -> dict:
    """{child level: per usable parent, tiled exactly by the children naming it} for levels 3 and 2."""
    need = [k for k in (1, 2, 3) if len(states[k].geoms)]
    # per grid, so any split gives the same: halves of the large layers share the threads
    futures = {}
    for k in need:
        geoms = states[k].geoms
        cut = len(geoms) // 2 if len(geoms) >= 20000 else len(geoms)
        futures[k] = [pool.submit(chains.sketches, part) for part in (geoms[:cut], geoms[cut:]) if len(part)]
    sketch = {k: np.concatenate([f.result() for f in fs]) for k, fs in futures.items()}
    return {
        child: tiled_parents(states[child], states[parent], sketch[child], sketch[parent])
        for child, parent in ((3, 2), (2, 1))
        if child in sketch and parent in sketch
    }


def _certified(child: LayerState, parent: LayerState, tiled, parent_overlaps: OverlapPairs):
    """Per usable child: known to overlap no grid of its layer (its parent is tiled exactly and the parent
    overlaps no grid of its own layer), or None when nothing is known."""
    if tiled is None or not len(child.geoms):
        return None
    # a parent the validator did not flag and no overlap involves overlaps nothing (the validator saw it with
    # every grid whose envelope meets it, or it was certified itself)
    clear = tiled.copy()
    clear[parent_overlaps.involved()] = False
    if parent_overlaps.flagged is not None:
        clear[parent_overlaps.flagged] = False
    return _clear_children(child, parent, clear)


def _clear_children(child: LayerState, parent: LayerState, clear: np.ndarray) -> np.ndarray:
    named, _unique = named_parents(child, parent)
    return (named >= 0) & clear[np.maximum(named, 0)]


def _nest(
    child: LayerState,
    parent: LayerState,
    overlaps: OverlapPairs,
    gaps: bool,
    tol,
    pool,
    out,
    states=None,
    tiled=None,
):
    """Nesting of one child layer in its parent layer, or the findings that explain why it was skipped."""
    n_child = int(child.usable.sum())
    n_parent = int(parent.usable.sum())
    if n_child and parent.n_active == 0:
        out.add(
            "layer.parent_missing",
            child.layer,
            [],
            [],
            None,
            n_child,
            "grids",
            f"{LEVEL_ZH[child.level]}图层有 {n_child} 个网格，但{LEVEL_ZH[parent.level]}图层为空，无法检查上下级嵌套。",
            f"The {LEVEL_EN[child.level]} layer has {n_child} grids but the {LEVEL_EN[parent.level]} layer is "
            "empty: nesting could not be checked.",
        )
        return None
    if gaps and child.n_active == 0 and n_parent:
        out.add(
            "layer.empty",
            child.layer,
            [],
            [],
            None,
            0,
            "grids",
            f"{LEVEL_ZH[child.level]}图层没有在用网格，未检查{LEVEL_ZH[parent.level]}是否被完全覆盖。",
            f"The {LEVEL_EN[child.level]} layer has no active grids: coverage of the {LEVEL_EN[parent.level]}s "
            "was not checked.",
        )
        return None
    if n_child == 0 or n_parent == 0:
        return None
    others = tuple(s for s in (states or {}).values() if s.level not in (child.level, parent.level))
    return check_nesting(child, parent, overlaps, tol, pool, out, gaps=gaps, other_layers=others, tiled=tiled)


def _finish(findings: list[Finding]) -> list[Finding]:
    """Locations (a point on each finding's geometry where GEOS gave none) and a stable order."""
    need = [
        k
        for k, f in enumerate(findings)
        if f.location is None and f.geometry is not None and not shapely.is_empty(f.geometry)
    ]
    if need:
        geoms = np.array([findings[k].geometry for k in need], dtype=object)
        polygonal = np.isin(shapely.get_type_id(geoms), (_geom.POLYGON, _geom.MULTIPOLYGON))
        valid = shapely.is_valid(geoms)
        points = np.full(len(geoms), None, dtype=object)
        ok = polygonal & valid
        with np.errstate(all="ignore"):
            points[ok] = shapely.point_on_surface(geoms[ok])
            points[~ok] = shapely.centroid(geoms[~ok])
        points[shapely.is_empty(points)] = None
        x, y = shapely.get_x(points), shapely.get_y(points)
        for t, k in enumerate(need):
            if np.isfinite(x[t]) and np.isfinite(y[t]):
                findings[k].location = (float(x[t]), float(y[t]))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule_id, f.layer, f.codes, f.fids))
    return findings


_RELEASE_FROM = 20_000  # grids of an audit from which each stage hands its freed memory back


class _Timer:
    def __init__(self, key: str, timings: dict, done: list, share: float, release: bool = False) -> None:
        self.key, self.timings, self.done, self.share, self.release = key, timings, done, share, release

    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        if self.release:
            _geom.release_memory()
        self.timings[self.key] = self.timings.get(self.key, 0.0) + time.perf_counter() - self.t0
        self.done[0] += self.share
