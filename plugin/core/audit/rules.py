"""The rule catalogue: every rule the audit applies, its severity and the standard's clause.

Severity: ``error`` blocks filing; ``warning`` needs a look (or an accepted exception); ``info`` explains
what could not be checked. Clauses refer to the Ankang standard (城乡社区基层社会治理网格化服务管理规范).
"""

from __future__ import annotations

from ..findings import Rule, Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: tuple[Rule, ...] = (
    # ---- geometry of each grid
    Rule("geom.null", E, "7.1", "网格没有几何图形", "Grid without geometry (null or empty)"),
    Rule("geom.type", E, "7.1", "网格几何类型不是面", "Grid geometry is not a polygon"),
    Rule("geom.invalid", E, "7.1", "网格几何图形无效（自相交等）", "Invalid grid geometry (self-intersection …)"),
    Rule("geom.multipart", W, "7.1", "网格由多个不相连部分组成", "Grid made of several separate parts"),
    Rule("geom.hole", W, "7.1", "网格有空洞而上级网格没有", "Grid has a hole where its parent has none"),
    Rule("grid.tiny", W, "7.3.3", "网格面积过小", "Tiny grid"),
    Rule("grid.thin", W, "7.3.3", "网格过于狭长（碎片网格）", "Thin sliver grid"),
    # ---- overlaps within a level ("不交叉")
    Rule("overlap", E, "7.1", "同级网格相互重叠", "Grids of the same level overlap"),
    Rule("overlap.contains", E, "7.1", "网格完全位于同级网格之内", "Grid lies inside another grid of its level"),
    Rule("overlap.duplicate", E, "7.1", "同级网格几何重复", "Duplicate grids of the same level"),
    Rule("overlap.dedicated", E, "7.4", "专属网格相互重叠", "Dedicated grids overlap"),
    Rule("overlap.sliver", W, "7.1", "同级网格之间的狭长重叠碎片", "Sliver overlap between grids of a level"),
    # ---- coverage ("全覆盖、无缝隙")
    Rule("gap", E, "7.1", "上级网格内有未被下级网格覆盖的缝隙", "Part of a parent grid not covered by its children"),
    Rule("gap.sliver", W, "7.1", "下级网格之间的狭长缝隙碎片", "Sliver gap between child grids"),
    Rule("county.gap", E, "7.1", "县界内有未被一级网格覆盖的区域", "Part of the county not covered by level 1 grids"),
    Rule("county.outside", E, "7.1", "一级网格超出县界", "Level 1 grid extends beyond the county boundary"),
    Rule(
        "county.far_outside",
        E,
        "7.1",
        "网格远在县界之外（坐标或坐标系错误）",
        "Grid far outside the county (wrong coordinates or CRS)",
    ),
    Rule("county.sliver", W, "7.1", "县界附近的狭长碎片", "Sliver gap or overlap along the county boundary"),
    Rule("county.missing", INFO, "7.1", "没有县界，未检查县界覆盖", "No county boundary: county coverage not checked"),
    Rule(
        "county.invalid", W, "7.1", "县界几何图形无效（已自动修复后检查）", "Invalid county boundary (checked repaired)"
    ),
    # ---- nesting (三级网格在二级网格内，二级在一级内；专属网格在一个村/社区内)
    Rule("parent.outside", E, "7.3", "网格超出其上级网格", "Grid extends beyond its parent grid"),
    Rule("parent.sliver", W, "7.3", "网格以狭长碎片超出其上级网格", "Sliver of a grid beyond its parent grid"),
    Rule("parent.split", E, "7.3", "网格跨越多个上级网格", "Grid spread over several parent grids"),
    Rule("parent.mismatch", E, "7.3", "上级网格编码与空间位置不符", "Parent code disagrees with the grid's location"),
    Rule("parent.unknown", E, "7.3", "上级网格编码为空或不存在", "Parent code missing or naming no existing grid"),
    Rule("layer.parent_missing", E, "7.3", "上级网格图层为空", "Parent layer is empty"),
    Rule("layer.empty", INFO, "7.3", "网格图层为空，未检查覆盖", "Grid layer is empty: coverage not checked"),
    # ---- codes (§7.2: the county compiles codes following the province's rule; codes are unique)
    Rule("code.missing", E, "7.2", "网格编码为空", "Missing grid code"),
    Rule("code.duplicate", E, "7.2", "网格编码重复", "Duplicate grid code"),
    Rule("code.malformed", E, "7.2", "网格编码不符合编码规则", "Grid code does not follow the code rule"),
    Rule("code.prefix", E, "7.2", "网格编码前缀与上级网格编码不符", "Grid code does not start with its parent's code"),
    Rule("code.rule", W, "7.2", "工作空间的编码规则无法解析", "The workspace's code rule cannot be parsed"),
    Rule(
        "code.rule_inferred",
        INFO,
        "7.2",
        "未给出编码规则，按编码位数推断",
        "No code rule given: inferred from the codes",
    ),
    Rule(
        "code.unknown_village", W, "7.2", "一级网格编码不在统计用区划代码中", "Level 1 code is not a known village code"
    ),
    # ---- the code registry (§7.2: a code is unique, so a code once issued is never issued again)
    Rule(
        "registry.mismatch",
        W,
        "7.2",
        "网格编码登记簿与网格或变动记录不符",
        "The code registry disagrees with the grids or the change log",
    ),
    Rule("registry.reused", E, "7.2", "已停用的网格编码被再次使用", "A retired grid code is in use again"),
)

RULE_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
