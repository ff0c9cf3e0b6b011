"""Code rules: missing, duplicated (within and across layers), malformed, prefix not the parent's code,
level 1 codes that are not known village codes."""

from __future__ import annotations

import numpy as np
import shapely

from .. import schema
from ..coderule import CodeRule, CodeRuleError, infer_code_rule
from . import _geom
from ._collect import LEVEL_EN, LEVEL_ZH, Collector
from .layers import LayerState


def code_rule_for(text: str | None, out: Collector, states: list[LayerState] | None = None) -> CodeRule:
    """The workspace's code rule; the default (reported) when it cannot be parsed.

    No rule at all (``text`` empty: loose layers audited without a CODE_RULE) gives the rule the codes'
    widths per level follow (:func:`~plugin.core.coderule.infer_code_rule`), reported as ``code.rule_inferred``
    with what it rests on; with no ``states`` to look at, the default rule.
    """
    if not (text or "").strip() and states is not None:
        by_level = {s.level: s.grids.codes for s in states}
        parents = {s.level: s.grids.parent_codes for s in states}
        inferred = infer_code_rule(by_level, parents)
        rule = inferred.rule
        out.add(
            "code.rule_inferred",
            schema.WORKSPACE_INFO.name,
            [],
            [],
            None,
            None,
            "",
            f"未给出编码规则，按各级网格编码的位数推断为 {rule.text}：{inferred.describe('zh')}。"
            "如与本省编码规则不符，请在审核参数中填写编码规则。",
            f"No code rule was given: the codes' widths per level give {rule.text} ({inferred.describe('en')}). "
            "If that is not the province's rule, give the code rule (CODE_RULE) of the audit.",
            key=rule.text,
            code_rule=rule.text,
        )
        return rule
    try:
        return CodeRule.parse(text)
    except CodeRuleError as exc:
        rule = CodeRule.parse(None)
        out.add(
            "code.rule",
            schema.WORKSPACE_INFO.name,
            [],
            [],
            None,
            None,
            "",
            f"工作空间的编码规则 {text!r} 无法解析，已按默认规则 {rule.text} 检查编码。",
            f"The workspace's code rule {text!r} cannot be parsed ({exc}); codes were checked with the default "
            f"rule {rule.text}.",
        )
        return rule


def _as_str(values: np.ndarray) -> np.ndarray:
    """Object array of codes -> array of str, '' where missing."""
    filled = np.where(np.array([isinstance(v, str) for v in values], dtype=bool), values, "")
    return filled.astype(str) if len(filled) else np.zeros(0, dtype=str)


def _multi(geoms) -> object:
    parts, _ = _geom.polygon_parts(np.asarray(geoms, dtype=object))
    if len(parts) == 0:
        return None
    return parts[0] if len(parts) == 1 else shapely.multipolygons(parts)


def check_codes(
    states: list[LayerState], rule: CodeRule, county_code: str, divisions: list[dict], out: Collector
) -> None:
    county = county_code if county_code and county_code.isdigit() and len(county_code) < rule.village_width else ""
    all_codes, all_layer, all_row = [], [], []
    for li, state in enumerate(states):
        g = state.grids
        n = len(g)
        if n == 0:
            continue
        level, layer = state.level, state.layer
        lz, le = LEVEL_ZH[level], LEVEL_EN[level]
        codes = _as_str(g.codes)
        present = np.char.str_len(np.char.strip(codes)) > 0
        for i in np.flatnonzero(~present):
            out.add(
                "code.missing",
                layer,
                [],
                [g.fids[i]],
                g.geometries[i],
                None,
                "",
                f"{lz}（要素 {g.fids[i]}）未填写网格编码。",
                f"{le.capitalize()} (feature {g.fids[i]}) has no grid code.",
                key=f"fid:{g.fids[i]}",
            )
        ok = rule.valid_mask(g.codes, level, county) & present
        for i in np.flatnonzero(present & ~ok):
            problem = rule.problem(codes[i], level, county)
            out.add(
                "code.malformed",
                layer,
                [codes[i]],
                [g.fids[i]],
                g.geometries[i],
                None,
                "",
                f"{lz} {codes[i]} 的编码不符合编码规则 {rule.text}：{problem.message('zh')}。",
                f"The code of {le} {codes[i]} does not follow the code rule {rule.text}: {problem.message('en')}.",
                reason=problem.reason,
            )
        if level != 1:
            pw = rule.parent_width(level)
            parents = _as_str(g.parent_codes)
            # a parent code of the wrong width names no parent of this level: the nesting rules explain it
            has_parent = np.char.str_len(parents) == pw
            prefix = codes.astype(f"<U{pw}") if pw else codes
            bad = np.flatnonzero(ok & has_parent & (prefix != parents))
            for i in bad:
                out.add(
                    "code.prefix",
                    layer,
                    [codes[i], parents[i]],
                    [g.fids[i]],
                    g.geometries[i],
                    None,
                    "",
                    f"{lz} {codes[i]} 的前 {pw} 位应为其上级网格编码 {parents[i]}。",
                    f"The first {pw} digits of {le} {codes[i]} should be its parent's code {parents[i]}.",
                )
        elif divisions:
            known = np.array(sorted({str(d.get("code", "")) for d in divisions}), dtype=str)
            unknown = np.flatnonzero(ok & ~np.isin(codes, known))
            for i in unknown:
                out.add(
                    "code.unknown_village",
                    layer,
                    [codes[i]],
                    [g.fids[i]],
                    g.geometries[i],
                    None,
                    "",
                    f"一级网格编码 {codes[i]} 不在统计用区划代码表中。",
                    f"Level 1 code {codes[i]} is not in the table of statistical division codes.",
                )
        all_codes.append(codes[present])
        all_layer.append(np.full(present.sum(), li))
        all_row.append(np.flatnonzero(present))

    if not all_codes:
        return
    codes = np.concatenate(all_codes)
    layer_of = np.concatenate(all_layer)
    row_of = np.concatenate(all_row)
    order = np.argsort(codes, kind="stable")
    codes, layer_of, row_of = codes[order], layer_of[order], row_of[order]
    starts, counts = _geom.group_starts(codes)
    for s, c in zip(starts[counts > 1], counts[counts > 1]):
        code = codes[s]
        layers = layer_of[s : s + c]
        rows = row_of[s : s + c]
        per_layer = {li: rows[layers == li] for li in np.unique(layers)}
        where_zh = "、".join(
            f"{LEVEL_ZH[states[li].level]} {len(r)} 处（要素 {'、'.join(str(states[li].grids.fids[x]) for x in r)}）"
            for li, r in per_layer.items()
        )
        where_en = "; ".join(
            f"{len(r)} {LEVEL_EN[states[li].level]}(s) (feature {', '.join(str(states[li].grids.fids[x]) for x in r)})"
            for li, r in per_layer.items()
        )
        for li, r in per_layer.items():
            g = states[li].grids
            out.add(
                "code.duplicate",
                g.layer,
                [code],
                g.fids[r],
                _multi(g.geometries[r]),
                int(c),
                "grids",
                f"网格编码 {code} 重复使用 {c} 次：{where_zh}。",
                f"Grid code {code} is used {c} times: {where_en}.",
            )


_REGISTRY_TEXT = {
    "missing": (
        "{level}编码 {code} 不在网格编码登记簿中；请重建编码登记簿。",
        "Code {code} of a {level} is not in the code registry; rebuild the code registry.",
    ),
    "missing_logged": (
        "编码 {code} 见于网格变动记录，却不在网格编码登记簿中，可能被再次赋给其他网格；请重建编码登记簿。",
        "Code {code} is named in the change log but missing from the code registry, so it could be issued "
        "again; rebuild the code registry.",
    ),
    "not_retired": (
        "网格编码登记簿中编码 {code} 仍为在用，但已没有在用网格使用它；请重建编码登记簿。",
        "Code {code} is active in the code registry but no active grid holds it; rebuild the code registry.",
    ),
    "retired_in_use": (
        "{level}编码 {code} 已在登记簿中停用，却被在用网格再次使用；请为该网格重新赋码。",
        "Code {code} of a {level} was retired in the code registry but an active grid uses it again; give the "
        "grid a new code.",
    ),
}


def registry_problem_text(problem) -> tuple[str, str]:
    """(Chinese, English) text of a :class:`plugin.core.codes.RegistryProblem`, as the audit words it."""
    zh, en = _REGISTRY_TEXT[problem.kind]
    return (
        zh.format(code=problem.code, level=LEVEL_ZH.get(problem.level, "网格")),
        en.format(code=problem.code, level=LEVEL_EN.get(problem.level, "grid")),
    )


def check_registry(grids: list, registry_rows, change_log, out: Collector) -> None:
    """The stored code registry against the grids and the change log (``registry.*`` rules).

    A workspace whose registry and change log are both empty has not started keeping codes (the first
    allocation records the codes in use): nothing is checked then.
    """
    from ..codes import CodeRegistry, registry_problems

    registry_rows = list(registry_rows or [])
    change_log = list(change_log or [])
    if not registry_rows and not change_log:
        return
    registry = CodeRegistry.from_rows(registry_rows)
    by_code: dict[str, tuple[object, int]] = {}
    for grid in grids:
        for i, code in enumerate(grid.codes):
            if code and code not in by_code:
                by_code[code] = (grid, i)
    for problem in registry_problems(registry, grids, change_log):
        zh, en = _REGISTRY_TEXT[problem.kind]
        held = by_code.get(problem.code)
        fids, geometry, layer, level = [], None, problem.layer or schema.CODE_REGISTRY.name, problem.level
        if held is not None:
            grid, i = held
            fids, layer, level = [int(grid.fids[i])], grid.layer, grid.level
            geometry = grid.geometries[i]
        rule_id = "registry.reused" if problem.kind == "retired_in_use" else "registry.mismatch"
        out.add(
            rule_id,
            layer,
            [problem.code],
            fids,
            geometry,
            None,
            "",
            zh.format(code=problem.code, level=LEVEL_ZH.get(level, "网格")),
            en.format(code=problem.code, level=LEVEL_EN.get(level, "grid")),
            key=problem.kind,
        )
