"""Change requests (§7.6): a township's proposed change set, its approval or rejection, and what approval writes.

§7.6: a change to the division needs a written application and approval first, then filing; §7.5: changes are
filed with the level above within 7 days — the filing clock starts when the change is approved (it becomes
current then). A township proposes changes to its own grids only (code prefix: 6-digit county + 3-digit
township); the county approves with the approval reference (批复文号) or rejects with a reason. A rejected set
changes nothing; an approved one becomes current in one transaction (grids, ``change_log`` rows naming the
approval reference, ``code_registry``) — the store adapters (GeoPackage workspace, PostGIS) do the writing from
the :class:`ApprovalPlan` made here, so both stores apply exactly the same change.

Plain Python on shapely + numpy; no qgis or Qt import. Messages are English templates (``template``) with
parameters; the adapters translate them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np
import shapely

from . import schema
from .changes import ChangeRecord, FilingStatus, _as_datetime, detect_changes, filing_status
from .changes import geometry_unchanged as _geometry_unchanged
from .model import GridArray

PROPOSED, APPROVED, REJECTED = (o.key for o in schema.CHANGE_SET_STATUSES)
ADD, MODIFY, RETIRE = (o.key for o in schema.CHANGE_SET_ACTIONS)
# the grid fields a change set carries (all of them: the result must be the township's grid as drawn)
VALUE_FIELDS = tuple(f.name for f in schema.GRID_FIELDS)
TOWNSHIP_DIGITS = 9  # 6 county + 3 township digits of the statistical division code
GRID_LEVEL = {layer.name: layer.level for layer in schema.GRID_LAYERS}


def QT_TR_NOOP(text: str) -> str:  # noqa: N802 - the name scripts/i18n.py extracts
    """Marks an English message template for translation (the adapter calls tr() on it); no Qt here."""
    return text


MSG_FOREIGN = QT_TR_NOOP(
    "Grid {code} (layer {layer}, feature {fid}) is not in township {township}: a township proposes changes "
    "to its own grids only."
)
MSG_NO_OWNER = QT_TR_NOOP(
    "Grid {name} (layer {layer}, feature {fid}) has no code and no parent code: give it a parent grid code of "
    "township {township} so the change can be proposed."
)
MSG_OUTSIDE = QT_TR_NOOP(
    "Grid {code} (layer {layer}, feature {fid}) reaches {area:.1f} m² outside township {township}."
)
MSG_NOTHING = QT_TR_NOOP("No grid of township {township} was changed: there is nothing to propose.")
MSG_NO_REASON = QT_TR_NOOP("Give the reason for the change (the written application, §7.6).")
MSG_BAD_TOWNSHIP = QT_TR_NOOP("The township code must have 9 digits (county + township), not {code!r}.")
MSG_NOT_PROPOSED = QT_TR_NOOP("Change request {set_id} is already {status}; only a proposed request can be decided.")
MSG_NO_REF = QT_TR_NOOP("Give the approval reference (批复文号) to approve change request {set_id}.")
MSG_NO_REJECT_REASON = QT_TR_NOOP("Give the reason for rejecting change request {set_id}.")
MSG_STALE = QT_TR_NOOP(
    "Grid {code} (layer {layer}, feature {fid}) was changed in the county's workspace after the request "
    "{set_id} was made; the request must be made again from the current grids."
)
MSG_GONE = QT_TR_NOOP(
    "Grid {code} (layer {layer}, feature {fid}) of request {set_id} is no longer in the county's workspace."
)
MSG_CODE_TAKEN = QT_TR_NOOP(
    "Code {code} of request {set_id} is already held by another grid or was used before; codes are never reused."
)
MSG_WRONG_COUNTY = QT_TR_NOOP("Change request {set_id} is for county {found}, this workspace is county {expected}.")


class ChangeSetError(ValueError):
    """A change set cannot be made, read or decided as asked. ``template`` is English; ``params`` fill it."""

    def __init__(self, template: str, **params):
        super().__init__(template.format(**params) if params else template)
        self.template = template
        self.params = params


# ---------------------------------------------------------------- values


def _plain(value):
    """A value as JSON-able plain Python (numpy scalars unpacked, NaN and '' as None, dates as ISO text)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def grid_values(grid: GridArray, i: int) -> dict:
    """The schema's grid fields of row ``i`` (missing columns as None)."""
    values = {}
    for name in VALUE_FIELDS:
        if name == "code":
            values[name] = _plain(grid.codes[i])
        elif name == "parent_code":
            values[name] = _plain(grid.parent_codes[i])
        elif name == "name":
            values[name] = _plain(grid.names[i])
        elif name in grid.attributes:
            values[name] = _plain(grid.attributes[name][i])
        else:
            values[name] = None
    if values.get("level") is None:
        values["level"] = grid.level
    if values.get("status") is None:
        values["status"] = "active"
    return values


def _same_values(a: Mapping, b: Mapping) -> bool:
    def norm(v):
        v = _plain(v)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    return all(norm(a.get(k)) == norm(b.get(k)) for k in VALUE_FIELDS)


# ---------------------------------------------------------------- the model


@dataclass
class ChangeItem:
    """One grid of a change set: added, modified (geometry and/or values) or retired."""

    layer: str
    action: str  # ADD, MODIFY or RETIRE
    fid: int | None  # the grid's feature id in the county's workspace (None for an added grid)
    before: dict | None  # grid values before (None for an added grid)
    after: dict | None  # grid values after (for a retired grid: the values with status 'retired')
    before_geometry: object = None
    after_geometry: object = None
    item_no: int = 0

    @property
    def code(self) -> str | None:
        return (self.after or {}).get("code") or (self.before or {}).get("code")

    @property
    def before_code(self) -> str | None:
        return (self.before or {}).get("code")

    @property
    def name(self) -> str | None:
        return (self.after or {}).get("name") or (self.before or {}).get("name")

    def area_before(self) -> float | None:
        return None if self.before_geometry is None else float(shapely.area(self.before_geometry))

    def area_after(self) -> float | None:
        if self.action == RETIRE or self.after_geometry is None:
            return None
        return float(shapely.area(self.after_geometry))

    def label(self) -> str:
        return self.code or self.name or f"{self.layer}#{self.fid}"


@dataclass
class ChangeSet:
    """A proposed change to a township's grids and what became of it."""

    set_id: str
    county_code: str
    township_code: str
    reason: str
    items: list[ChangeItem]
    title: str = ""
    proposed_by: str = ""
    proposed_at: datetime | None = None
    status: str = PROPOSED
    decided_by: str = ""
    decided_at: datetime | None = None
    approval_ref: str = ""
    rejection_reason: str = ""
    crs: str = ""
    application: str = ""
    map_png: bytes | None = None  # the map of the change (PNG): old grids grey, changed ones highlighted

    def counts(self) -> dict[str, int]:
        out = {ADD: 0, MODIFY: 0, RETIRE: 0}
        for item in self.items:
            out[item.action] += 1
        return out

    # ------------------------------------------------------------ the filing clock (§7.5)

    def filing_deadline(self) -> date | None:
        """Approval day + 7 days (filing on that day is in time); None until approved."""
        status = self.filing_status(self.decided_at) if self.status == APPROVED else None
        return None if status is None else status.deadline

    def filing_status(self, now=None, filed_at=None) -> FilingStatus | None:
        """Where the approved set stands against the 7-day filing deadline (None unless approved: the clock
        starts at approval)."""
        if self.status != APPROVED or self.decided_at is None:
            return None
        record = ChangeRecord(
            self.decided_at, self.proposed_by, "reshape", "", None, None, None, None, self.reason, self.approval_ref
        )
        record.filed_at = _as_datetime(filed_at)
        return filing_status(record, now)

    def status_message(self, language: str = "zh", now=None) -> str:
        zh = language == "zh"
        label = schema.option_label(schema.CHANGE_SET_STATUSES, self.status, language)
        if self.status == PROPOSED:
            return f"{label}（备案时限自批准起计算）" if zh else f"{label} (the filing clock starts at approval)"
        if self.status == REJECTED:
            return f"{label}：{self.rejection_reason}" if zh else f"{label}: {self.rejection_reason}"
        status = self.filing_status(now)
        return (
            f"{label}（{self.approval_ref}），备案期限 {status.deadline.isoformat()}，{status.message('zh')}"
            if zh
            else f"{label} ({self.approval_ref}), file by {status.deadline.isoformat()}: {status.message('en')}"
        )

    # ------------------------------------------------------------ rows (the change-set tables of core.schema)

    def row(self) -> dict:
        def iso(value):
            return value.isoformat(timespec="seconds") if value else None

        return {
            "set_id": self.set_id,
            "county_code": self.county_code,
            "township_code": self.township_code,
            "title": self.title,
            "reason": self.reason,
            "application": self.application or application_text(self),
            "proposed_by": self.proposed_by,
            "proposed_at": iso(self.proposed_at),
            "status": self.status,
            "decided_by": self.decided_by or None,
            "decided_at": iso(self.decided_at),
            "approval_ref": self.approval_ref or None,
            "rejection_reason": self.rejection_reason or None,
            "crs": self.crs,
            "map_png": self.map_png or None,
        }

    def item_rows(self) -> list[dict]:
        rows = []
        for item in self.items:
            rows.append(
                {
                    "set_id": self.set_id,
                    "item_no": item.item_no,
                    "layer": item.layer,
                    "action": item.action,
                    "grid_fid": item.fid,
                    "code": item.code,
                    "before_code": item.before_code,
                    "name": item.name,
                    "area_before": item.area_before(),
                    "area_after": item.area_after(),
                    "before_values": None if item.before is None else json.dumps(item.before, ensure_ascii=False),
                    "after_values": None if item.after is None else json.dumps(item.after, ensure_ascii=False),
                }
            )
        return rows

    @classmethod
    def from_rows(cls, row: Mapping, items: list[Mapping], after_geometries, before_geometries: Mapping[int, object]):
        """Back from the tables: ``row`` of change_sets, ``items`` of change_set_items (with their after
        geometries, in order), ``before_geometries`` {item_no: geometry} of change_set_before."""
        parsed = []
        for item, geometry in zip(items, after_geometries):
            number = int(item["item_no"])
            parsed.append(
                ChangeItem(
                    layer=item["layer"],
                    action=item["action"],
                    fid=None if item.get("grid_fid") is None else int(item["grid_fid"]),
                    before=json.loads(item["before_values"]) if item.get("before_values") else None,
                    after=json.loads(item["after_values"]) if item.get("after_values") else None,
                    before_geometry=before_geometries.get(number),
                    after_geometry=geometry,
                    item_no=number,
                )
            )
        parsed.sort(key=lambda i: i.item_no)
        return cls(
            set_id=row["set_id"],
            county_code=row.get("county_code") or "",
            township_code=row.get("township_code") or "",
            reason=row.get("reason") or "",
            items=parsed,
            title=row.get("title") or "",
            proposed_by=row.get("proposed_by") or "",
            proposed_at=_as_datetime(row.get("proposed_at")),
            status=row.get("status") or PROPOSED,
            decided_by=row.get("decided_by") or "",
            decided_at=_as_datetime(row.get("decided_at")),
            approval_ref=row.get("approval_ref") or "",
            rejection_reason=row.get("rejection_reason") or "",
            crs=row.get("crs") or "",
            application=row.get("application") or "",
            map_png=bytes(row["map_png"]) if row.get("map_png") else None,
        )


def application_text(cs: ChangeSet, language: str = "zh") -> str:
    """The written application (§7.6): who asks, why, and what changes, grid by grid."""
    zh = language == "zh"
    lines = []
    if zh:
        lines.append(f"网格变更申请 {cs.set_id}")
        lines.append(f"申请单位：乡镇/街道 {cs.township_code}（县 {cs.county_code}）；申请人：{cs.proposed_by or '—'}")
        if cs.proposed_at:
            lines.append(f"申请时间：{cs.proposed_at.isoformat(sep=' ', timespec='minutes')}")
        if cs.title:
            lines.append(f"事项：{cs.title}")
        lines.append(f"变更理由：{cs.reason}")
        c = cs.counts()
        lines.append(f"变更内容：新增 {c[ADD]} 个、修改 {c[MODIFY]} 个、撤销 {c[RETIRE]} 个网格：")
    else:
        lines.append(f"Grid change request {cs.set_id}")
        lines.append(f"From township {cs.township_code} (county {cs.county_code}); proposed by {cs.proposed_by or '-'}")
        if cs.proposed_at:
            lines.append(f"Proposed at: {cs.proposed_at.isoformat(sep=' ', timespec='minutes')}")
        if cs.title:
            lines.append(f"Subject: {cs.title}")
        lines.append(f"Reason: {cs.reason}")
        c = cs.counts()
        lines.append(f"Changes: {c[ADD]} grid(s) added, {c[MODIFY]} modified, {c[RETIRE]} retired:")
    for item in cs.items:
        action = schema.option_label(schema.CHANGE_SET_ACTIONS, item.action, language)
        layer = schema.LAYER_BY_NAME[item.layer].title_zh if zh else schema.LAYER_BY_NAME[item.layer].title_en
        before, after = item.area_before(), item.area_after()
        areas = []
        if before is not None:
            areas.append(f"{'原面积' if zh else 'area before'} {before:.0f} m²")
        if after is not None:
            areas.append(f"{'新面积' if zh else 'area after'} {after:.0f} m²")
        recode = ""
        if item.action == MODIFY and item.before_code != (item.after or {}).get("code"):
            recode = f"，{'编码' if zh else 'code'} {item.before_code} → {(item.after or {}).get('code')}"
        lines.append(
            f"  {item.item_no}. {action} {layer} {item.label()} {item.name or ''}（{'，'.join(areas)}）{recode}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- proposing


def township_of(values: Mapping | None) -> str | None:
    """The township (9 digits) a grid belongs to, from its code, else its parent code."""
    if not values:
        return None
    for key in ("code", "parent_code"):
        code = values.get(key)
        if code and len(str(code)) >= TOWNSHIP_DIGITS:
            return str(code)[:TOWNSHIP_DIGITS]
    return None


def _active(values: Mapping | None) -> bool:
    return values is not None and (values.get("status") or "active") != "retired"


def propose_change_set(
    before: Mapping[str, GridArray],
    after: Mapping[str, GridArray],
    township_code: str,
    reason: str,
    *,
    county_code: str = "",
    title: str = "",
    proposed_by: str = "",
    proposed_at: datetime | None = None,
    township_area=None,
    crs: str = "",
    tolerance_m2: float = 0.01,
    set_id: str | None = None,
) -> ChangeSet:
    """The change set turning ``before`` (the county's grids as the township got them) into ``after`` (the
    township's edited copy); rows are matched by feature id. Refused (ChangeSetError naming the grid) when an
    edit touches a grid of another township, or — with ``township_area`` — reaches out of the township."""
    township_code = str(township_code or "").strip()
    if len(township_code) != TOWNSHIP_DIGITS or not township_code.isdigit():
        raise ChangeSetError(MSG_BAD_TOWNSHIP, code=township_code)
    if not (reason or "").strip():
        raise ChangeSetError(MSG_NO_REASON)
    items: list[ChangeItem] = []
    for layer_def in schema.GRID_LAYERS:
        name = layer_def.name
        b = before.get(name) or GridArray.empty(name, layer_def.level)
        a = after.get(name) or GridArray.empty(name, layer_def.level)
        b_index = {int(f): i for i, f in enumerate(b.fids.tolist())}
        a_index = {int(f): j for j, f in enumerate(a.fids.tolist())}
        common = sorted(set(b_index) & set(a_index))
        if common:
            bi = np.asarray([b_index[f] for f in common])
            aj = np.asarray([a_index[f] for f in common])
            same_geometry = _geometry_unchanged(b.geometries[bi], a.geometries[aj], tolerance_m2)
            for fid, i, j, same in zip(common, bi.tolist(), aj.tolist(), same_geometry.tolist()):
                bv, av = grid_values(b, i), grid_values(a, j)
                if same and _same_values(bv, av):
                    continue
                if not _active(bv) and not _active(av):
                    continue
                action = RETIRE if _active(bv) and not _active(av) else MODIFY
                items.append(ChangeItem(name, action, fid, bv, av, b.geometries[i], a.geometries[j]))
        for fid in sorted(set(b_index) - set(a_index)):  # deleted in the copy: retired (codes are never reused)
            i = b_index[fid]
            bv = grid_values(b, i)
            if _active(bv):
                items.append(ChangeItem(name, RETIRE, fid, bv, {**bv, "status": "retired"}, b.geometries[i], None))
        for fid in sorted(set(a_index) - set(b_index)):
            j = a_index[fid]
            av = grid_values(a, j)
            if _active(av):
                items.append(ChangeItem(name, ADD, None, None, av, None, a.geometries[j]))
    _check_ownership(items, township_code, township_area)
    if not items:
        raise ChangeSetError(MSG_NOTHING, township=township_code)
    for number, item in enumerate(items, start=1):
        item.item_no = number
    cs = ChangeSet(
        set_id=set_id or uuid.uuid4().hex,
        county_code=county_code or township_code[:6],
        township_code=township_code,
        reason=reason.strip(),
        items=items,
        title=title,
        proposed_by=proposed_by,
        proposed_at=proposed_at or datetime.now().replace(microsecond=0),
        crs=crs,
    )
    cs.application = application_text(cs)
    return cs


def _check_ownership(items: list[ChangeItem], township: str, area) -> None:
    for item in items:
        fid = "—" if item.fid is None else item.fid
        for values in (item.before, item.after):
            if values is None:
                continue
            owner = township_of(values)
            if owner is None:
                raise ChangeSetError(
                    MSG_NO_OWNER, name=values.get("name") or "", layer=item.layer, fid=fid, township=township
                )
            if owner != township:
                raise ChangeSetError(MSG_FOREIGN, code=item.label(), layer=item.layer, fid=fid, township=township)
        if area is not None and item.after_geometry is not None and item.action != RETIRE:
            outside = float(shapely.area(shapely.difference(shapely.make_valid(item.after_geometry), area)))
            if outside > 1.0:
                raise ChangeSetError(
                    MSG_OUTSIDE, code=item.label(), layer=item.layer, fid=fid, area=outside, township=township
                )


# ---------------------------------------------------------------- deciding


def approve(cs: ChangeSet, approval_ref: str, decided_by: str = "", decided_at: datetime | None = None) -> ChangeSet:
    if cs.status != PROPOSED:
        raise ChangeSetError(MSG_NOT_PROPOSED, set_id=cs.set_id, status=cs.status)
    if not (approval_ref or "").strip():
        raise ChangeSetError(MSG_NO_REF, set_id=cs.set_id)
    return replace(
        cs,
        status=APPROVED,
        approval_ref=approval_ref.strip(),
        decided_by=decided_by,
        decided_at=decided_at or datetime.now().replace(microsecond=0),
    )


def reject(cs: ChangeSet, reason: str, decided_by: str = "", decided_at: datetime | None = None) -> ChangeSet:
    if cs.status != PROPOSED:
        raise ChangeSetError(MSG_NOT_PROPOSED, set_id=cs.set_id, status=cs.status)
    if not (reason or "").strip():
        raise ChangeSetError(MSG_NO_REJECT_REASON, set_id=cs.set_id)
    return replace(
        cs,
        status=REJECTED,
        rejection_reason=reason.strip(),
        decided_by=decided_by,
        decided_at=decided_at or datetime.now().replace(microsecond=0),
    )


# ---------------------------------------------------------------- applying


def check_current(cs: ChangeSet, current: Mapping[str, GridArray], tolerance_m2: float = 0.01) -> None:
    """Refuse (ChangeSetError naming the grid) when a grid the set modifies or retires is gone or was changed
    since the set was made, or when an added code is already held (the county's current grids)."""
    held = set()
    for grid in current.values():
        held.update(c for c in grid.codes.tolist() if c)
    changing = {item.before_code for item in cs.items if item.action != ADD and item.before_code}
    for item in cs.items:
        if item.action == ADD:
            code = (item.after or {}).get("code")
            if code and code in held:
                raise ChangeSetError(MSG_CODE_TAKEN, code=code, set_id=cs.set_id)
            continue
        grid = current.get(item.layer)
        rows = np.flatnonzero(grid.fids == item.fid) if grid is not None else np.zeros(0, dtype=np.int64)
        if len(rows) == 0:
            raise ChangeSetError(MSG_GONE, code=item.label(), layer=item.layer, fid=item.fid, set_id=cs.set_id)
        i = int(rows[0])
        now = grid_values(grid, i)
        same_geometry = _geometry_unchanged(
            np.asarray([grid.geometries[i]], dtype=object),
            np.asarray([item.before_geometry], dtype=object),
            tolerance_m2,
        )[0]
        if not (same_geometry and _same_values(now, item.before or {})):
            raise ChangeSetError(MSG_STALE, code=item.label(), layer=item.layer, fid=item.fid, set_id=cs.set_id)
        new_code = (item.after or {}).get("code")
        if item.action == MODIFY and new_code and new_code != item.before_code and new_code in held - changing:
            raise ChangeSetError(MSG_CODE_TAKEN, code=new_code, set_id=cs.set_id)


def apply_to(current: Mapping[str, GridArray], cs: ChangeSet) -> dict[str, GridArray]:
    """The county's grids as they would be with the set applied (for the review's audit). Added grids get
    fids above the layer's largest."""
    out = {}
    by_layer: dict[str, list[ChangeItem]] = {}
    for item in cs.items:
        by_layer.setdefault(item.layer, []).append(item)
    for layer_def in schema.GRID_LAYERS:
        name = layer_def.name
        grid = current.get(name)
        items = by_layer.get(name, [])
        if grid is None and not items:
            continue
        grid = grid if grid is not None else GridArray.empty(name, layer_def.level)
        if not items:
            out[name] = grid
            continue
        fids = grid.fids.tolist()
        rows = [grid_values(grid, i) for i in range(len(grid))]
        geoms = list(grid.geometries)
        index = {int(f): i for i, f in enumerate(fids)}
        next_fid = (max(fids) if fids else 0) + 1
        for item in items:
            if item.action == ADD:
                fids.append(next_fid)
                next_fid += 1
                rows.append(dict(item.after))
                geoms.append(item.after_geometry)
            else:
                i = index[item.fid]
                rows[i] = dict(item.after)
                if item.action == MODIFY:
                    geoms[i] = item.after_geometry
        out[name] = _grid_from_rows(name, layer_def.level, fids, rows, geoms)
    return out


def _grid_from_rows(name, level, fids, rows, geoms) -> GridArray:
    def column(key):
        values = np.empty(len(rows), dtype=object)
        values[:] = [r.get(key) for r in rows]
        return values

    attributes = {k: column(k) for k in VALUE_FIELDS if k not in ("code", "parent_code", "name")}
    geometries = np.empty(len(geoms), dtype=object)
    geometries[:] = geoms
    return GridArray(
        name,
        level,
        np.asarray(fids, dtype=np.int64),
        column("code"),
        column("parent_code"),
        column("name"),
        geometries,
        attributes,
    )


@dataclass
class ApprovalPlan:
    """What approving a set writes, store-independent: grid rows changed and added, change-log rows naming
    the approval reference, code-registry rows issued and codes retired."""

    updates: dict[str, dict[int, tuple[dict, object]]] = field(default_factory=dict)  # layer → fid → (values, geom)
    additions: dict[str, list[tuple[dict, object]]] = field(default_factory=dict)  # layer → [(values, geom)]
    change_log: list[dict] = field(default_factory=list)
    registry_issue: list[dict] = field(default_factory=list)
    registry_retire: list[str] = field(default_factory=list)


def approval_plan(cs: ChangeSet, registry_codes: set[str] | None = None) -> ApprovalPlan:
    """The writes of an approved set (``cs.status`` must be approved). ``registry_codes``: codes already in the
    county's code registry (an added code found there was used before: refused, codes are never reused)."""
    if cs.status != APPROVED:
        raise ChangeSetError(MSG_NOT_PROPOSED, set_id=cs.set_id, status=cs.status)
    registry_codes = registry_codes or set()
    day = cs.decided_at.date().isoformat()
    plan = ApprovalPlan()
    for item in cs.items:
        values = dict(item.after)
        if item.action == ADD:
            values.setdefault("valid_from", day)
            values["valid_from"] = values.get("valid_from") or day
            plan.additions.setdefault(item.layer, []).append((values, item.after_geometry))
        elif item.action == RETIRE:
            values["status"] = "retired"
            values["valid_to"] = values.get("valid_to") or day
            plan.updates.setdefault(item.layer, {})[item.fid] = (values, None)
        else:
            plan.updates.setdefault(item.layer, {})[item.fid] = (values, item.after_geometry)
        old, new = item.before_code, (item.after or {}).get("code")
        if item.action == ADD and new:
            if new in registry_codes:
                raise ChangeSetError(MSG_CODE_TAKEN, code=new, set_id=cs.set_id)
            plan.registry_issue.append(_registry_row(item, new, day, cs))
        elif item.action == RETIRE and old:
            plan.registry_retire.append(old)
        elif item.action == MODIFY and new != old:
            if old:
                plan.registry_retire.append(old)
            if new:
                if new in registry_codes:
                    raise ChangeSetError(MSG_CODE_TAKEN, code=new, set_id=cs.set_id)
                plan.registry_issue.append(_registry_row(item, new, day, cs))
    plan.change_log = [r.to_row() for r in change_records(cs)]
    return plan


def _registry_row(item: ChangeItem, code: str, day: str, cs: ChangeSet) -> dict:
    return {
        "code": code,
        "layer": item.layer,
        "level": GRID_LEVEL[item.layer],
        "parent_code": (item.after or {}).get("parent_code"),
        "status": "active",
        "issued_on": day,
        "note": f"{cs.approval_ref} ({cs.set_id})",
    }


def change_records(cs: ChangeSet) -> list[ChangeRecord]:
    """The change-log records of an approved set: the kinds of ``core.changes`` (create, reshape, split, merge,
    recode, retire) between the grids before and after, dated at approval (the 7-day clock starts there), by
    the proposer, with the set's reason and approval reference."""
    records = []
    by_layer: dict[str, list[ChangeItem]] = {}
    for item in cs.items:
        by_layer.setdefault(item.layer, []).append(item)
    for name, items in by_layer.items():
        level = GRID_LEVEL[name]
        b_fids, b_rows, b_geoms, a_fids, a_rows, a_geoms = [], [], [], [], [], []
        new_fid = -1
        for item in items:
            if item.before is not None:
                b_fids.append(item.fid)
                b_rows.append(item.before)
                b_geoms.append(item.before_geometry)
            if item.action == ADD:
                a_fids.append(new_fid)
                new_fid -= 1
                a_rows.append(item.after)
                a_geoms.append(item.after_geometry)
            elif item.action == MODIFY:
                a_fids.append(item.fid)
                a_rows.append(item.after)
                a_geoms.append(item.after_geometry)
        before = _grid_from_rows(name, level, b_fids, b_rows, b_geoms)
        after = _grid_from_rows(name, level, a_fids, a_rows, a_geoms)
        records += detect_changes(
            before,
            after,
            changed_at=cs.decided_at,
            user=cs.proposed_by,
            reason=cs.reason,
            approval_ref=cs.approval_ref,
        )
    return records
