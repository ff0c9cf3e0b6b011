"""The standard's size rules for level 3 grids (§7.3.3), kept as data that a county may edit.

Interpretations (each threshold is a field of a :class:`SizeRule`, so a county can change it):

* a) rural, "参照30-50或70—120人标准": 30–50 households *or* 70–120 persons. A grid passes when **either**
  measure is within its range (both ends inclusive). When neither is, the household count decides
  whether the grid is under or over (households is the measure of clauses b, c, f, g, j and k); when
  the rule bounds only persons, persons decide. ``combine="all"`` makes a county require both.
* b) "搬迁户、空挂户超过30%…可适当增加户数": when relocated + absent households are **more than** 30 %
  of the grid's households (``relax_share``), the household upper bound becomes
  ``floor(max_households × relax_factor)`` — by default 50 × 1.3 = 65. Persons bounds are not relaxed.
* c) "低于20户…可就近合并": a rural villager group with **fewer than** 20 households (19 and below) gets
  ``size.rural_merge``, naming the sibling grid (same parent) with the longest shared boundary.
* f)/g) relocation sites: "40户以下" and "40户以上" both include 40 under the usual Chinese legal reading
  (以上/以下 include the number), so the text is ambiguous at exactly 40. We resolve it for standing alone:
  a rural relocation-site grid with **fewer than 40** households (39 and below) gets ``size.relocation_site``
  (it belongs with its villager group's grid, named as for c); **40 or more** may stand alone.
* i) urban: 50–80 households or 120–200 persons, read like a).
* j) streets, compounds and (resettlement) relocation sites: at most 100 households, any area class.
* k) high-rise compounds: 100–200 households, any area class.

Which rules apply: a rule names area classes and settlement types (empty = any). The grid's area class is
its ``area_class`` attribute, or else comes from its village's urban-rural code (1xx urban, 2xx rural);
the village code is the first 12 characters of the grid code (the default coding rule) unless given.
A grid without a settlement type counts as ``unspecified``, which the rural and urban range rules and
the merge rule cover. A grid may fail several rules (e.g. 15 households fails a) and c)); each is reported.
Retired grids and dedicated grids are not evaluated. No qgis or Qt import.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import shapely

from . import schema
from .errors import PluginError
from .findings import Finding, Rule, Severity
from .model import GridArray

KIND_RANGE = "range"
KIND_MERGE = "merge"
KIND_RELOCATION = "relocation_site"
KINDS = (KIND_RANGE, KIND_MERGE, KIND_RELOCATION)

UNSPECIFIED = "unspecified"  # settlement type of a grid that has none
AREA_KEYS = tuple(o.key for o in schema.AREA_CLASSES)
SETTLEMENT_KEYS = (*(o.key for o in schema.SETTLEMENT_TYPES), UNSPECIFIED)

RULE_AREA_UNKNOWN = "size.area_class_unknown"

COMPLIANCE_CLASSES = ("under", "within", "over", "unstaffed")


@dataclass(frozen=True)
class SizeRule:
    """One size rule. Bounds are inclusive; ``None`` means no bound."""

    id: str
    clause: str
    kind: str = KIND_RANGE  # range | merge | relocation_site
    area_classes: tuple[str, ...] = ()  # () = any; "rural" / "urban"
    settlement_types: tuple[str, ...] = ()  # () = any; schema keys or "unspecified"
    min_households: int | None = None
    max_households: int | None = None
    min_persons: int | None = None
    max_persons: int | None = None
    combine: str = "any"  # range: pass when any (or all) bounded measure is within
    relax_share: float | None = None  # relocated+absent share strictly above which max_households relaxes
    relax_factor: float = 1.0  # relaxed max_households = floor(max_households × relax_factor)
    severity: Severity = Severity.WARNING
    title_zh: str = ""
    title_en: str = ""
    enabled: bool = True

    def applies(self, area: str, settlement: str) -> bool:
        return (not self.area_classes or area in self.area_classes) and (
            not self.settlement_types or settlement in self.settlement_types
        )


DEFAULT_RULES: tuple[SizeRule, ...] = (
    SizeRule(
        "size.rural_range",
        "7.3.3 a",
        KIND_RANGE,
        ("rural",),
        ("villager_group", UNSPECIFIED),
        30,
        50,
        70,
        120,
        relax_share=0.30,
        relax_factor=1.3,
        title_zh="农村网格参照30—50户或70—120人划分",
        title_en="rural grids: 30–50 households or 70–120 persons",
    ),
    SizeRule(
        "size.rural_merge",
        "7.3.3 c",
        KIND_MERGE,
        ("rural",),
        ("villager_group", UNSPECIFIED),
        min_households=20,
        title_zh="低于20户的村民小组就近合并划分网格",
        title_en="villager groups under 20 households merge with a neighbour",
    ),
    SizeRule(
        "size.relocation_site",
        "7.3.3 f",
        KIND_RELOCATION,
        ("rural",),
        ("relocation_site",),
        min_households=40,
        title_zh="40户以下的农村搬迁安置点按所在村民小组划分网格",
        title_en="rural relocation sites under 40 households belong with their villager group",
    ),
    SizeRule(
        "size.urban_range",
        "7.3.3 i",
        KIND_RANGE,
        ("urban",),
        ("villager_group", UNSPECIFIED),
        50,
        80,
        120,
        200,
        title_zh="城镇网格按50—80户或120—200人划分",
        title_en="urban grids: 50–80 households or 120–200 persons",
    ),
    SizeRule(
        "size.street_max",
        "7.3.3 j",
        KIND_RANGE,
        (),
        ("street", "compound", "relocation_site"),
        max_households=100,
        title_zh="街巷、小区（含家属楼、安置小区）网格原则上不超过100户",
        title_en="street and compound grids: at most 100 households",
    ),
    SizeRule(
        "size.high_rise_range",
        "7.3.3 k",
        KIND_RANGE,
        (),
        ("high_rise",),
        100,
        200,
        title_zh="高层住宅小区网格户数控制在100—200户",
        title_en="high-rise compound grids: 100–200 households",
    ),
)


def default_rules() -> list[SizeRule]:
    return list(DEFAULT_RULES)


def audit_rules(rules: list[SizeRule] | None = None) -> tuple[Rule, ...]:
    """The size rules as audit :class:`Rule` descriptions (for rule lists and legends)."""
    out = [Rule(r.id, r.severity, r.clause, r.title_zh, r.title_en) for r in (rules or DEFAULT_RULES)]
    out.append(Rule(RULE_AREA_UNKNOWN, Severity.INFO, "7.3.3", "无法确定网格城乡类别", "grid's area class unknown"))
    return tuple(out)


# ---------------------------------------------------------------- validation and rows


@dataclass(frozen=True)
class SizeRuleProblem:
    rule_id: str
    field: str
    message_zh: str
    message_en: str


class SizeRuleError(PluginError, ValueError):
    """Edited thresholds that cannot be used; ``problems`` says which and why."""

    def __init__(self, problems: list[SizeRuleProblem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.rule_id}: {p.message_en}" for p in problems))


_BOUNDS = ("min_households", "max_households", "min_persons", "max_persons")
_BOUND_ZH = {
    "min_households": "最少户数",
    "max_households": "最多户数",
    "min_persons": "最少人数",
    "max_persons": "最多人数",
}


def validate_rules(rules: list[SizeRule]) -> list[SizeRuleProblem]:
    """Everything wrong with a rule set; empty when it can be used."""
    problems: list[SizeRuleProblem] = []
    seen: set[str] = set()
    for r in rules:
        rid = r.id or "?"

        def bad(field_name: str, zh: str, en: str, rid=rid) -> None:
            problems.append(SizeRuleProblem(rid, field_name, zh, en))

        if not r.id:
            bad("id", "规则编号为空", "the rule id is empty")
        elif r.id in seen:
            bad("id", f"规则编号 {r.id} 重复", f"duplicate rule id {r.id}")
        seen.add(r.id)
        if r.kind not in KINDS:
            bad(
                "kind",
                f"规则类型 {r.kind!r} 无效，应为 {'、'.join(KINDS)}",
                f"kind {r.kind!r} is not one of {', '.join(KINDS)}",
            )
        if not isinstance(r.severity, Severity):
            bad("severity", f"严重程度 {r.severity!r} 无效", f"severity {r.severity!r} is not error, warning or info")
        for a in r.area_classes:
            if a not in AREA_KEYS:
                bad(
                    "area_classes",
                    f"城乡类别 {a!r} 无效，应为 rural 或 urban",
                    f"area class {a!r} is not rural or urban",
                )
        for s in r.settlement_types:
            if s not in SETTLEMENT_KEYS:
                bad(
                    "settlement_types",
                    f"居住形态 {s!r} 无效，应为 {'、'.join(SETTLEMENT_KEYS)}",
                    f"settlement type {s!r} is not one of {', '.join(SETTLEMENT_KEYS)}",
                )
        for name in _BOUNDS:
            v = getattr(r, name)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                bad(name, f"{_BOUND_ZH[name]}（{v!r}）应为整数", f"{name} ({v!r}) must be a whole number")
            elif v < 0:
                bad(name, f"{_BOUND_ZH[name]}（{v}）不能为负数", f"{name} ({v}) must not be negative")
        for lo, hi in (("min_households", "max_households"), ("min_persons", "max_persons")):
            a, b = getattr(r, lo), getattr(r, hi)
            if isinstance(a, (int, np.integer)) and isinstance(b, (int, np.integer)) and a > b:
                bad(
                    lo,
                    f"{_BOUND_ZH[lo]}（{a}）大于{_BOUND_ZH[hi]}（{b}）",
                    f"{lo} ({a}) is greater than {hi} ({b})",
                )
        if r.kind == KIND_RANGE and all(getattr(r, n) is None for n in _BOUNDS):
            bad("min_households", "范围规则至少需要一个上限或下限", "a range rule needs at least one bound")
        if r.kind in (KIND_MERGE, KIND_RELOCATION) and r.min_households is None:
            bad("min_households", "该规则需要填写最少户数", "this rule needs min_households")
        if r.combine not in ("any", "all"):
            bad("combine", f"组合方式 {r.combine!r} 无效，应为 any 或 all", f"combine {r.combine!r} is not any or all")
        if r.relax_share is not None:
            if not _is_number(r.relax_share) or not 0 <= r.relax_share <= 1:
                bad(
                    "relax_share",
                    f"放宽比例（{r.relax_share!r}）应在 0 到 1 之间",
                    f"relax_share ({r.relax_share!r}) must be between 0 and 1",
                )
            if r.max_households is None:
                bad("relax_share", "放宽比例需要最多户数", "relax_share needs max_households")
        if not _is_number(r.relax_factor) or r.relax_factor < 1:
            bad(
                "relax_factor",
                f"放宽倍数（{r.relax_factor!r}）应不小于 1",
                f"relax_factor ({r.relax_factor!r}) must be 1 or more",
            )
    return problems


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(v)


def to_rows(rules: list[SizeRule]) -> list[dict]:
    """JSON-able rows, one per rule; tuples become comma-separated text."""
    rows = []
    for r in rules:
        row = asdict(r)
        row["area_classes"] = ",".join(r.area_classes)
        row["settlement_types"] = ",".join(r.settlement_types)
        row["severity"] = r.severity.value if isinstance(r.severity, Severity) else str(r.severity)
        rows.append(row)
    return rows


_FIELD_NAMES = {f.name for f in fields(SizeRule)}


def from_rows(rows: list[dict], validate: bool = True) -> list[SizeRule]:
    """Rules from rows as :func:`to_rows` writes them (values may also be text, as read from a table).

    Raises :class:`SizeRuleError` listing every problem when a value cannot be read or the set is invalid.
    """
    rules: list[SizeRule] = []
    problems: list[SizeRuleProblem] = []
    for n, row in enumerate(rows, start=1):
        rid = str(row.get("id") or f"#{n}")
        kwargs: dict = {}
        for key, value in row.items():
            if key not in _FIELD_NAMES:
                continue
            try:
                kwargs[key] = _parse_field(key, value)
            except ValueError as exc:
                problems.append(
                    SizeRuleProblem(
                        rid, key, f"{key} 的值 {value!r} 无法识别：{exc}", f"{key}: cannot read {value!r}: {exc}"
                    )
                )
        missing = [k for k in ("id", "clause") if k not in kwargs]
        if missing:
            problems.append(SizeRuleProblem(rid, missing[0], f"缺少 {missing[0]}", f"{missing[0]} is missing"))
            continue
        rules.append(SizeRule(**kwargs))
    if validate:
        problems.extend(validate_rules(rules))
    if problems:
        raise SizeRuleError(problems)
    return rules


def _parse_field(key: str, value):
    if key in ("id", "clause", "kind", "combine", "title_zh", "title_en"):
        return "" if value is None else str(value).strip()
    if key in ("area_classes", "settlement_types"):
        if value is None:
            return ()
        if isinstance(value, (list, tuple)):
            return tuple(str(v).strip() for v in value if str(v).strip())
        return tuple(v.strip() for v in str(value).replace("，", ",").split(",") if v.strip())
    if key in _BOUNDS:
        return _parse_int(value)
    if key == "relax_share":
        return None if _blank(value) else _parse_float(value)
    if key == "relax_factor":
        return 1.0 if _blank(value) else _parse_float(value)
    if key == "severity":
        try:
            return Severity(str(value).strip().lower())
        except ValueError:
            raise ValueError("应为 error、warning 或 info / must be error, warning or info") from None
    if key == "enabled":
        if isinstance(value, bool) or value is None:
            return bool(value) if value is not None else True
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "y", "是", "t"):
            return True
        if text in ("0", "false", "no", "n", "否", "f", ""):
            return False
        raise ValueError("应为 true/false / must be true or false")
    return value


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _parse_float(value) -> float:
    try:
        f = float(str(value).strip().rstrip("%")) / (100.0 if str(value).strip().endswith("%") else 1.0)
    except ValueError:
        raise ValueError("不是数字 / not a number") from None
    if not math.isfinite(f):
        raise ValueError("不是有限数字 / not a finite number")
    return f


def _parse_int(value) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("不是数字 / not a number")
    f = _parse_float(value)
    if f != int(f):
        raise ValueError("应为整数 / must be a whole number")
    return int(f)


# ---------------------------------------------------------------- grid facts


def _int_column(grid: GridArray, name: str) -> np.ndarray:
    values = grid.attribute(name, 0)
    arr = np.asarray(values)
    numeric = arr.dtype.kind in "biuf"
    f = arr.astype(np.float64) if numeric else np.array([_to_float(v) for v in arr], dtype=np.float64)
    f[~np.isfinite(f)] = 0
    return np.maximum(f, 0).astype(np.int64)


def _to_float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def _text_column(grid: GridArray, name: str) -> np.ndarray:
    return np.array([(str(v).strip() if v is not None else "") for v in grid.attribute(name, None)], dtype=object)


def area_classes(
    level3: GridArray, ur_classes: dict | None = None, village_codes: np.ndarray | None = None
) -> np.ndarray:
    """Each grid's area class, "rural", "urban" or "" when unknown.

    The grid's ``area_class`` attribute wins; else its village's urban-rural code from ``ur_classes``
    (village code → ur_code: 1xx urban, 2xx rural). The village code is ``village_codes[i]`` when given,
    else the first 12 characters of the grid code (or of its parent code).
    """
    own = _text_column(level3, "area_class")
    out = np.array([a if a in AREA_KEYS else "" for a in own], dtype=object)
    ur = {str(k).strip(): str(v).strip() for k, v in (ur_classes or {}).items() if v is not None}
    for i in np.flatnonzero(out == ""):
        if village_codes is not None:
            village = village_codes[i]
        else:
            code = level3.codes[i] or level3.parent_codes[i]
            village = str(code)[:12] if code else None
        cls = ur.get(str(village).strip(), "") if village else ""
        if cls.startswith("1"):
            out[i] = "urban"
        elif cls.startswith("2"):
            out[i] = "rural"
    return out


def _settlement_types(level3: GridArray) -> np.ndarray:
    s = _text_column(level3, "settlement_type")
    s[s == ""] = UNSPECIFIED
    return s


def _evaluable(level3: GridArray) -> np.ndarray:
    status = _text_column(level3, "status")
    kind = _text_column(level3, "kind")
    return (status != "retired") & (kind != "dedicated")


@dataclass
class _Outcome:
    """One rule's result on the grids it applies to."""

    rule: SizeRule
    index: np.ndarray  # grid rows the rule applies to
    direction: np.ndarray  # -1 under, 0 within, +1 over (aligned with index)
    max_households: np.ndarray  # effective upper bound (aligned; -1 when none)
    relaxed: np.ndarray  # bool (aligned)


def _evaluate(level3: GridArray, rules, ur_classes, village_codes) -> tuple[list[_Outcome], np.ndarray]:
    households = _int_column(level3, "households")
    persons = _int_column(level3, "population")
    moved = _int_column(level3, "relocated_households")
    areas = area_classes(level3, ur_classes, village_codes)
    settlements = _settlement_types(level3)
    evaluable = _evaluable(level3)
    outcomes: list[_Outcome] = []
    for rule in rules:
        if not rule.enabled:
            continue
        mask = evaluable.copy()
        if rule.area_classes:
            mask &= np.isin(areas, list(rule.area_classes))
        if rule.settlement_types:
            mask &= np.isin(settlements, list(rule.settlement_types))
        idx = np.flatnonzero(mask)
        h, p = households[idx], persons[idx]
        relaxed = np.zeros(len(idx), dtype=bool)
        max_h = np.full(len(idx), -1, dtype=np.int64)
        if rule.max_households is not None:
            max_h[:] = rule.max_households
            if rule.relax_share is not None:
                share = np.divide(moved[idx], h, out=np.zeros(len(idx)), where=h > 0)
                relaxed = (h > 0) & (share > rule.relax_share)
                max_h[relaxed] = math.floor(rule.max_households * rule.relax_factor + 1e-9)
        if rule.kind == KIND_RANGE:
            pos_h = _position(h, rule.min_households, None if rule.max_households is None else max_h)
            pos_p = _position(p, rule.min_persons, rule.max_persons)
            has_h = rule.min_households is not None or rule.max_households is not None
            has_p = rule.min_persons is not None or rule.max_persons is not None
            measures = [pos for pos, has in ((pos_h, has_h), (pos_p, has_p)) if has]
            within = np.stack([m == 0 for m in measures])
            ok = within.any(axis=0) if rule.combine == "any" else within.all(axis=0)
            # households decide when neither is within (unbounded measures are all 0)
            direction = np.where(pos_h != 0, pos_h, pos_p)
            direction = np.where(ok, 0, direction)
        else:  # merge and relocation_site: only a lower bound on households
            direction = np.where(h < rule.min_households, -1, 0)
        outcomes.append(_Outcome(rule, idx, direction.astype(np.int64), max_h, relaxed))
    return outcomes, areas


def _position(values: np.ndarray, lo, hi) -> np.ndarray:
    pos = np.zeros(len(values), dtype=np.int64)
    if lo is not None:
        pos[values < lo] = -1
    if hi is not None:
        pos[values > hi] = 1
    return pos


# ---------------------------------------------------------------- merge suggestions


def suggest_merge(
    level3: GridArray,
    indices,
    prefer: np.ndarray | None = None,
    tolerance: float = 0.01,
) -> dict[int, tuple[str, float]]:
    """For each grid row in ``indices``: (code, shared boundary length in m) of the sibling grid (same parent
    code, not retired) that shares the longest boundary with it; ties go to the lowest code.

    ``prefer`` (bool per grid) restricts the candidates; a grid with no preferred neighbour falls back to
    any sibling. Boundaries count as shared within ``tolerance`` metres (0 = exact intersection of the two
    boundaries); a mere corner contact does not count. Vectorised over all candidate pairs.
    """
    indices = np.asarray(indices, dtype=np.int64)
    result: dict[int, tuple[str, float]] = {}
    if len(indices) == 0:
        return result
    geoms = level3.geometries
    ok = (_text_column(level3, "status") != "retired") & ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    for pool_mask in ((ok & prefer) if prefer is not None else None, ok):
        if pool_mask is None:
            continue
        todo = np.array([i for i in indices if int(i) not in result and ok[i]], dtype=np.int64)
        pool = np.flatnonzero(pool_mask)
        if len(todo) == 0 or len(pool) == 0:
            continue
        tree = shapely.STRtree(geoms[pool])
        if tolerance > 0:
            pairs = tree.query(geoms[todo], predicate="dwithin", distance=tolerance)
        else:
            pairs = tree.query(geoms[todo], predicate="intersects")
        a, b = todo[pairs[0]], pool[pairs[1]]
        parents = level3.parent_codes
        keep = (a != b) & np.array([parents[x] is not None and parents[x] == parents[y] for x, y in zip(a, b)], bool)
        a, b = a[keep], b[keep]
        if len(a) == 0:
            continue
        if tolerance > 0:
            shared = shapely.length(
                shapely.intersection(shapely.boundary(geoms[a]), shapely.buffer(geoms[b], tolerance))
            )
            real = shared > 4 * tolerance  # a corner contact gives about 2.8 × tolerance
        else:
            shared = shapely.length(shapely.intersection(shapely.boundary(geoms[a]), shapely.boundary(geoms[b])))
            real = shared > 0
        a, b, shared = a[real], b[real], shared[real]
        if len(a) == 0:
            continue
        codes = [str(c) if c is not None else "\uffff" for c in level3.codes[b]]
        code_rank = np.argsort(np.argsort(np.array(codes, dtype=object), kind="stable"), kind="stable")
        order = np.lexsort((code_rank, -shared, a))
        first = np.ones(len(order), dtype=bool)
        first[1:] = a[order][1:] != a[order][:-1]
        for k in order[first]:
            result[int(a[k])] = (str(level3.codes[b[k]]), float(shared[k]))
    return result


# ---------------------------------------------------------------- findings


def _label(level3: GridArray, i: int) -> tuple[str, str]:
    code = level3.codes[i] or f"fid {int(level3.fids[i])}"
    name = level3.names[i]
    return (f"{code}（{name}）" if name else str(code)), (f"{code} ({name})" if name else str(code))


def _bounds_text(rule: SizeRule, max_h: int) -> tuple[str, str]:
    def span(lo, hi, unit_zh, unit_en):
        if lo is not None and hi is not None:
            return f"{lo}—{hi}{unit_zh}", f"{lo}–{hi} {unit_en}"
        if lo is not None:
            return f"不少于{lo}{unit_zh}", f"at least {lo} {unit_en}"
        if hi is not None:
            return f"不超过{hi}{unit_zh}", f"at most {hi} {unit_en}"
        return "", ""

    hi_h = None if rule.max_households is None else int(max_h)
    parts = [
        span(rule.min_households, hi_h, "户", "households"),
        span(rule.min_persons, rule.max_persons, "人", "persons"),
    ]
    parts = [p for p in parts if p[0]]
    join_zh, join_en = ("或", " or ") if rule.combine == "any" else ("且", " and ")
    return join_zh.join(p[0] for p in parts), join_en.join(p[1] for p in parts)


def evaluate_size_rules(
    level3: GridArray,
    rules: list[SizeRule] | None = None,
    ur_classes: dict | None = None,
    village_codes: np.ndarray | None = None,
    tolerance: float = 0.01,
) -> list[Finding]:
    """Findings of the size rules on level 3 grids (households, population and relocated_households
    attributes). One finding per failing grid and rule; ``extra`` holds the facts and any merge suggestion."""
    rules = list(DEFAULT_RULES) if rules is None else list(rules)
    outcomes, areas = _evaluate(level3, rules, ur_classes, village_codes)
    households = _int_column(level3, "households")
    persons = _int_column(level3, "population")
    moved = _int_column(level3, "relocated_households")
    settlements = _settlement_types(level3)
    findings: list[Finding] = []

    if any(r.enabled and r.area_classes for r in rules):
        area_rules = [r for r in rules if r.enabled and r.area_classes]
        unknown = _evaluable(level3) & (areas == "")
        if not all(r.settlement_types for r in area_rules):
            concerned = unknown
        else:
            kinds = sorted({k for r in area_rules for k in r.settlement_types})
            concerned = unknown & np.isin(settlements.astype(str), kinds)
        rows = np.flatnonzero(concerned)
        if len(rows):
            findings.append(_area_unknown_finding(level3, rows))

    for out in outcomes:
        rule = out.rule
        failing = np.flatnonzero(out.direction != 0)
        if len(failing) == 0:
            continue
        rows = out.index[failing]
        suggestions: dict[int, tuple[str, float]] = {}
        if rule.kind == KIND_MERGE:
            suggestions = suggest_merge(level3, rows, tolerance=tolerance)
        elif rule.kind == KIND_RELOCATION:
            prefer = np.isin(settlements, ["villager_group", UNSPECIFIED])
            suggestions = suggest_merge(level3, rows, prefer=prefer, tolerance=tolerance)
        for k, i in zip(failing, rows):
            findings.append(
                _finding(
                    level3,
                    rule,
                    int(i),
                    int(out.direction[k]),
                    int(out.max_households[k]),
                    bool(out.relaxed[k]),
                    households,
                    persons,
                    moved,
                    suggestions.get(int(i)),
                )
            )
    return findings


AREA_UNKNOWN_EXAMPLES = 5  # grid codes named in the one area-class finding of a layer


def _area_unknown_finding(level3: GridArray, rows: np.ndarray) -> Finding:
    """One finding for all the grids of a layer whose area class is unknown: how many, and a few of them."""
    n, total = len(rows), int(_evaluable(level3).sum())
    examples = [str(level3.codes[i] or f"fid {int(level3.fids[i])}") for i in rows[:AREA_UNKNOWN_EXAMPLES]]
    more_zh = f"等 {n} 个" if n > len(examples) else ""
    more_en = f" and {n - len(examples)} more" if n > len(examples) else ""
    if n == total:
        zh = f"全部 {n} 个三级网格均未填写城乡类别（area_class），且无法从村/社区城乡分类代码判断"
        en = f"None of the {n} level 3 grids has an area class (area_class) or a village with a known urban-rural code"
    else:
        zh = f"{n} 个三级网格（共 {total} 个）未填写城乡类别（area_class），且无法从村/社区城乡分类代码判断"
        en = (
            f"{n} of the {total} level 3 grids have no area class (area_class) and no village with a known "
            "urban-rural code"
        )
    return Finding(
        RULE_AREA_UNKNOWN,
        Severity.INFO,
        level3.layer,
        tuple(str(level3.codes[i]) for i in rows[:AREA_UNKNOWN_EXAMPLES] if level3.codes[i]),
        tuple(int(f) for f in level3.fids[rows[:AREA_UNKNOWN_EXAMPLES]]),
        None,
        float(n),
        "grids",
        f"{zh}（{'、'.join(examples)}{more_zh}），未按城乡规模标准审核；请填写城乡类别或村/社区城乡分类代码。",
        f"{en} ({', '.join(examples)}{more_en}): the rural/urban size rules were not checked for them; fill in "
        "the area class or the villages' urban-rural codes.",
        extra={"grids": n, "examples": examples},
    )


def _finding(level3, rule, i, direction, max_h, relaxed, households, persons, moved, suggestion) -> Finding:
    zh, en = _label(level3, i)
    h, p, m = int(households[i]), int(persons[i]), int(moved[i])
    facts_zh = f"现有 {h} 户、{p} 人"
    facts_en = f"{h} households, {p} persons"
    extra = {"households": h, "persons": p, "relocated_households": m, "direction": direction, "clause": rule.clause}
    if rule.kind == KIND_RANGE:
        bounds_zh, bounds_en = _bounds_text(rule, max_h)
        dir_zh, dir_en = ("规模偏小", "below") if direction < 0 else ("规模偏大", "above")
        msg_zh = f"三级网格 {zh}：{facts_zh}，{dir_zh}（{rule.clause}：{rule.title_zh}，参照{bounds_zh}）。"
        msg_en = f"Level 3 grid {en}: {facts_en}, {dir_en} the range {bounds_en} ({rule.clause}: {rule.title_en})."
        if relaxed:
            share = round(100.0 * m / h) if h else 0
            msg_zh += f"搬迁户、空挂户占 {share}%，户数上限已放宽至 {max_h} 户。"
            msg_en += f" Relocated/absent households are {share}%, so the household limit is relaxed to {max_h}."
        extra.update(relaxed=relaxed, max_households=max_h if rule.max_households is not None else None)
    else:
        if rule.kind == KIND_MERGE:
            what_zh, what_en = f"低于 {rule.min_households} 户", f"fewer than {rule.min_households} households"
            do_zh, do_en = "宜与相邻村民小组就近合并划分网格", "should merge with a neighbouring group's grid"
        else:
            what_zh, what_en = (
                f"不足 {rule.min_households} 户的搬迁安置点",
                f"a relocation site under {rule.min_households} households",
            )
            do_zh, do_en = "应按所在村民小组划分网格", "belongs with its villager group's grid"
        msg_zh = f"三级网格 {zh}：{facts_zh}，{what_zh}，{do_zh}（{rule.clause}）。"
        msg_en = f"Level 3 grid {en}: {facts_en}, {what_en}; it {do_en} ({rule.clause})."
        if suggestion:
            code, length = suggestion
            msg_zh += f"建议并入共用边界最长（{length:.0f} 米）的同级网格 {code}。"
            msg_en += f" Suggested: {code}, the sibling grid sharing the longest boundary ({length:.0f} m)."
            extra.update(suggested_code=code, shared_length=length)
        else:
            msg_zh += "同一上级网格内没有与其相邻的网格，请人工确定。"
            msg_en += " No adjacent grid under the same parent; decide by hand."
            extra.update(suggested_code=None, shared_length=0.0)
    return Finding(
        rule.id,
        rule.severity,
        level3.layer,
        (str(level3.codes[i]),),
        (int(level3.fids[i]),),
        level3.geometries[i],
        float(h),
        "households",
        msg_zh,
        msg_en,
        extra=extra,
    )


def classify_compliance(
    level3: GridArray,
    rules: list[SizeRule] | None = None,
    ur_classes: dict | None = None,
    staffed_codes=None,
    village_codes: np.ndarray | None = None,
) -> np.ndarray:
    """Per grid: "unstaffed" when its code is not in ``staffed_codes`` (skipped when None), else "over" when
    any applicable rule finds it too large, else "under" when any finds it too small, else "within"
    (also for grids no rule applies to, and retired grids)."""
    rules = list(DEFAULT_RULES) if rules is None else list(rules)
    outcomes, _ = _evaluate(level3, rules, ur_classes, village_codes)
    n = len(level3)
    over = np.zeros(n, dtype=bool)
    under = np.zeros(n, dtype=bool)
    for out in outcomes:
        over[out.index[out.direction > 0]] = True
        under[out.index[out.direction < 0]] = True
    result = np.full(n, "within", dtype=object)
    result[under] = "under"
    result[over] = "over"
    if staffed_codes is not None:
        staffed = set(staffed_codes)
        unstaffed = np.array([c not in staffed for c in level3.codes], dtype=bool)
        result[unstaffed & _evaluable(level3)] = "unstaffed"
    return result


def with_rule(rules: list[SizeRule], rule_id: str, **changes) -> list[SizeRule]:
    """A copy of ``rules`` with one rule's fields changed (validated)."""
    if not any(r.id == rule_id for r in rules):
        raise KeyError(rule_id)
    out = [replace(r, **changes) if r.id == rule_id else r for r in rules]
    problems = validate_rules(out)
    if problems:
        raise SizeRuleError(problems)
    return out
