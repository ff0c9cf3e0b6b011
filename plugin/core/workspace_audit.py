"""One audit run over a whole workspace: topology and codes (:mod:`plugin.core.audit`), size rules and staffing.

The standard's size rules (§7.3.3) and staffing rules (§8.1, §8.2) are "evaluated by the same audit run and
shown in the same findings": :func:`audit_workspace` runs :func:`~plugin.core.audit.run_audit`, then
:func:`~plugin.core.sizerules.evaluate_size_rules` on the level 3 grids (with the county's rules and the
villages' urban-rural classes from ``data.divisions``) and :func:`~plugin.core.staffing.evaluate_staffing`
on the staff register, and returns one :class:`WorkspaceAuditResult` (an :class:`AuditResult`) holding them
all, in one stable order, with accepted exceptions applied to every finding.

Reports: :func:`write_json_report` and :func:`write_html_report` are the audit's writers with the rule
catalogue widened to the size and staffing rules (:func:`rule_catalogue`). No qgis or Qt import.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import shapely

from . import sizerules, staffing
from .audit import AuditCancelled, AuditResult, Tolerances, apply_exceptions, run_audit, write_html
from .audit.report import write_json_streaming
from .audit.rules import RULES as AUDIT_RULES
from .findings import Finding, Rule, Severity
from .model import GridArray, WorkspaceData

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

# share of the progress bar: the topology audit, then size rules, then staffing
_SHARE_TOPOLOGY = 0.9
_SHARE_SIZES = 0.07


@dataclass
class WorkspaceAuditResult(AuditResult):
    """An :class:`AuditResult` of the whole workspace, with the rule catalogue used and lapsed acceptances."""

    rules: tuple[Rule, ...] = ()  # every rule the run applied: topology and codes, size, staffing
    lapsed: list[str] = field(default_factory=list)  # accepted fingerprints that matched no finding
    checked: dict[str, bool] = field(default_factory=dict)  # which families ran: topology, sizes, staffing

    @property
    def rule_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @property
    def counts_by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.rule_id] = counts.get(f.rule_id, 0) + 1
        order = {r.id: k for k, r in enumerate(self.rules)}
        return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))

    def to_json(self, findings: bool = True) -> dict:
        doc = super().to_json(findings)
        doc["counts_by_rule"] = self.counts_by_rule
        doc["lapsed_exceptions"] = list(self.lapsed)
        doc["checked"] = dict(self.checked)
        return doc


def rule_catalogue(size_rules: list[sizerules.SizeRule] | None = None) -> tuple[Rule, ...]:
    """Every rule of a workspace audit: the topology and code rules, the size rules, the staffing rules."""
    seen: set[str] = set()
    out: list[Rule] = []
    for rule in (*AUDIT_RULES, *sizerules.audit_rules(size_rules), *staffing.RULES):
        if rule.id not in seen and rule.id != staffing.RULE_FILE:
            seen.add(rule.id)
            out.append(rule)
    return tuple(out)


def ur_classes(divisions: list[dict]) -> dict[str, str]:
    """{village code: urban-rural class code} from the workspace's divisions rows."""
    out: dict[str, str] = {}
    for row in divisions or []:
        code, ur = row.get("code"), row.get("ur_code")
        if code is not None and ur is not None and str(ur).strip():
            out[str(code).strip()] = str(ur).strip()
    return out


def _usable_level3(level3: GridArray, checked=None) -> tuple[GridArray, dict[int, object]]:
    """The level 3 grids with unusable geometries (null, not polygonal, invalid) blanked for the size rules'
    merge suggestions (their geometry work would fail); the originals by row, to put back on the findings.
    ``checked``: (rows, usable) of the topology audit of the same layer, not checked again."""
    geoms = np.asarray(level3.geometries, dtype=object)
    if len(geoms) == 0:
        return level3, {}
    missing = shapely.is_missing(geoms)
    ok = ~missing
    todo = ok.copy()
    if checked is not None and checked[0] is not None and len(checked[0]) == len(checked[1]):
        rows, usable = checked
        ok[rows] = usable  # a usable geometry of the audit is a valid (multi)polygon
        todo[rows] = False
    ok[todo] = np.isin(shapely.get_type_id(geoms[todo]), (3, 6)) & shapely.is_valid(geoms[todo])
    bad = np.flatnonzero(~ok & ~missing)
    if len(bad) == 0:
        return level3, {}
    blanked = geoms.copy()
    blanked[bad] = None
    original = {int(level3.fids[i]): geoms[i] for i in bad}
    return (
        GridArray(
            level3.layer,
            level3.level,
            level3.fids,
            level3.codes,
            level3.parent_codes,
            level3.names,
            blanked,
            level3.attributes,
        ),
        original,
    )


def evaluate_sizes(
    data: WorkspaceData, size_rules: list[sizerules.SizeRule] | None = None, checked=None
) -> list[Finding]:
    """The size rules' findings on the workspace's level 3 grids (``checked``: see :func:`_usable_level3`)."""
    level3 = data.grid(3)
    if len(level3) == 0:
        return []
    usable, original = _usable_level3(level3, checked)
    findings = sizerules.evaluate_size_rules(usable, size_rules, ur_classes(data.divisions))
    if original:
        for f in findings:
            if f.fids and f.fids[0] in original:
                f.geometry = original[f.fids[0]]
    return findings


def audit_workspace(
    data: WorkspaceData,
    tolerances: Tolerances | None = None,
    size_rules: list[sizerules.SizeRule] | None = None,
    progress: Callable[[float, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    exceptions: Mapping[str, str] | None = None,
    *,
    check_sizes: bool = True,
    check_staffing: bool = True,
    workers: int | None = None,
) -> WorkspaceAuditResult:
    """Audit a workspace: topology, nesting, coverage and codes, then size rules and staffing, in one result.

    ``size_rules`` are the county's rules (the standard's defaults when None). ``check_sizes`` /
    ``check_staffing`` switch those families off (e.g. grid layers without household counts, no staff
    register). ``exceptions`` ({fingerprint: reason}) marks accepted findings of every family; the
    fingerprints matching none are in ``result.lapsed``. ``progress(fraction, text)`` and ``is_cancelled()``
    as for :func:`run_audit`; cancelling raises :class:`AuditCancelled`.
    """

    def sub_progress(fraction: float, text: str) -> None:
        if progress is not None and fraction < 1.0:  # the end is this function's
            progress(min(max(fraction, 0.0), 1.0) * _SHARE_TOPOLOGY, text)

    def check_cancel(where: str) -> None:
        if is_cancelled is not None and is_cancelled():
            raise AuditCancelled(f"audit cancelled before {where}")

    base = run_audit(data, tolerances, sub_progress, is_cancelled, workers=workers)
    findings = list(base.findings)
    timings = dict(base.timings)
    checked = {"topology": True, "sizes": False, "staffing": False}

    if check_sizes:
        check_cancel("the size rules")
        if progress is not None:
            progress(_SHARE_TOPOLOGY, "检查网格规模标准 / checking the size rules")
        t0 = time.perf_counter()
        findings.extend(evaluate_sizes(data, size_rules, base.geometry_checked.get(3)))
        timings["sizes"] = time.perf_counter() - t0
        checked["sizes"] = True
    if check_staffing:
        check_cancel("the staffing rules")
        if progress is not None:
            progress(_SHARE_TOPOLOGY + _SHARE_SIZES, "检查网格人员配备 / checking staffing")
        t0 = time.perf_counter()
        findings.extend(staffing.evaluate_staffing(data.grids, list(data.staff or [])))
        timings["staffing"] = time.perf_counter() - t0
        checked["staffing"] = True
    check_cancel("finishing")

    _add_locations(findings)
    findings.sort(key=_order)
    lapsed = apply_exceptions(findings, exceptions) if exceptions else []
    if not exceptions:
        for f in findings:
            f.accepted, f.accepted_reason = False, ""
    if progress is not None:
        progress(1.0, "审核完成 / audit finished")
    return WorkspaceAuditResult(
        run_id=base.run_id,
        started=base.started,
        finished=datetime.now().astimezone(),
        findings=findings,
        timings=timings,
        tolerances=base.tolerances,
        info=base.info,
        feature_counts=base.feature_counts,
        code_rule_inferred=base.code_rule_inferred,
        rules=rule_catalogue(size_rules),
        lapsed=lapsed,
        checked=checked,
    )


def _order(f: Finding):
    return (SEVERITY_ORDER.get(f.severity, 3), f.rule_id, f.layer, tuple(c or "" for c in f.codes), f.fids, f.key)


def _add_locations(findings: list[Finding]) -> None:
    """A point for the findings of the size and staffing rules that carry a grid geometry but no location."""
    need = [
        f
        for f in findings
        if f.location is None
        and f.geometry is not None
        and not shapely.is_empty(f.geometry)
        and shapely.get_type_id(f.geometry) in (3, 6)
    ]
    if not need:
        return
    geoms = np.array([f.geometry for f in need], dtype=object)
    valid = shapely.is_valid(geoms)
    points = np.full(len(geoms), None, dtype=object)
    with np.errstate(all="ignore"):
        points[valid] = shapely.point_on_surface(geoms[valid])
        points[~valid] = shapely.centroid(geoms[~valid])
    for f, p in zip(need, points):
        if p is not None and not shapely.is_empty(p):
            x, y = shapely.get_x(p), shapely.get_y(p)
            if np.isfinite(x) and np.isfinite(y):
                f.location = (float(x), float(y))


# ---------------------------------------------------------------- reports


def write_json_report(result: AuditResult, path):
    """The whole result as UTF-8 JSON (atomically, the findings streamed), with the run's full rule catalogue."""
    return write_json_streaming(result, path, getattr(result, "rules", ()) or rule_catalogue())


def write_html_report(
    result: AuditResult, path, divisions=None, title: str | None = None, page_size: int | None = None
):
    """The audit's HTML report (:func:`plugin.core.audit.write_html`: the summary and page 1 in ``path``, the
    other pages of findings beside it, each file swapped in atomically), its summary by rule widened to the
    size and staffing rules of the run."""
    rules = getattr(result, "rules", ())
    catalogue = list(AUDIT_RULES) + [r for r in rules if r.id not in {a.id for a in AUDIT_RULES}]
    kwargs = {} if page_size is None else {"page_size": page_size}
    return write_html(result, path, divisions=divisions, title=title, rules=catalogue, **kwargs)
