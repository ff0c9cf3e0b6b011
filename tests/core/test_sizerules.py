"""Size rules of §7.3.3: thresholds at and around each bound, relaxation, merge suggestions, rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from plugin.core.findings import Severity
from plugin.core.model import GridArray
from plugin.core.sizerules import (
    DEFAULT_RULES,
    RULE_AREA_UNKNOWN,
    SizeRule,
    SizeRuleError,
    area_classes,
    audit_rules,
    classify_compliance,
    default_rules,
    evaluate_size_rules,
    from_rows,
    suggest_merge,
    to_rows,
    validate_rules,
    with_rule,
)

X0, Y0 = 36_500_000.0, 3_600_000.0
RURAL_V = "610902100201"
URBAN_V = "610902001003"
UR = {RURAL_V: "220", URBAN_V: "111"}


def make_grids(specs, geoms=None):
    """One grid per spec dict (households, population, relocated_households, area_class, settlement_type,
    status, code, parent); squares in a row unless ``geoms`` are given."""
    n = len(specs)
    geoms = geoms or [shapely.box(X0 + i * 200, Y0, X0 + i * 200 + 100, Y0 + 100) for i in range(n)]
    attrs = {
        "households": [s.get("households", 0) for s in specs],
        "population": [s.get("population", 0) for s in specs],
        "relocated_households": [s.get("relocated_households", 0) for s in specs],
        "area_class": [s.get("area_class") for s in specs],
        "settlement_type": [s.get("settlement_type") for s in specs],
        "status": [s.get("status", "active") for s in specs],
    }
    return GridArray.from_records(
        "grid_level3",
        3,
        geoms,
        [s.get("code", f"{RURAL_V}01{i + 1:03d}") for i, s in enumerate(specs)],
        [s.get("parent", f"{RURAL_V}01") for s in specs],
        [s.get("name", f"{i + 1}组") for i, s in enumerate(specs)],
        attributes={k: np.array(v, dtype=object) for k, v in attrs.items()},
    )


def rule_hits(findings, rule_id):
    """Row numbers (0-based, from the code's last three digits) of grids a rule reported."""
    return sorted(int(f.codes[0][-3:]) - 1 for f in findings if f.rule_id == rule_id)


def by_rule(findings, rule_id):
    return [f for f in findings if f.rule_id == rule_id]


# ---------------------------------------------------------------- rural range (a) and relaxation (b)


def test_rural_range_households_bounds():
    households = [29, 30, 50, 51]
    grids = make_grids([{"households": h, "area_class": "rural"} for h in households])
    findings = evaluate_size_rules(grids)
    assert rule_hits(findings, "size.rural_range") == [0, 3]
    under, over = by_rule(findings, "size.rural_range")
    assert under.extra["direction"] == -1 and over.extra["direction"] == 1
    assert under.severity is Severity.WARNING
    assert under.measure == 29.0 and under.unit == "households"
    assert "规模偏小" in under.message_zh and "30—50户或70—120人" in under.message_zh
    assert "below the range 30–50 households or 70–120 persons" in under.message_en
    assert "规模偏大" in over.message_zh and "above" in over.message_en
    assert under.geometry.equals(grids.geometries[0])
    assert under.fids == (1,)


def test_rural_range_either_measure_passes():
    specs = [
        {"households": 10, "population": 69},  # under both
        {"households": 10, "population": 70},  # persons within
        {"households": 60, "population": 120},  # persons within, households over
        {"households": 60, "population": 121},  # over both
        {"households": 25, "population": 130},  # neither: households decide → under
        {"households": 55, "population": 60},  # neither: households decide → over
        {"households": 40, "population": 500},  # households within
    ]
    grids = make_grids([{**s, "area_class": "rural"} for s in specs])
    findings = by_rule(evaluate_size_rules(grids), "size.rural_range")
    assert {int(f.codes[0][-3:]) - 1: f.extra["direction"] for f in findings} == {0: -1, 3: 1, 4: -1, 5: 1}


def test_combine_all_requires_both_measures():
    rules = with_rule(default_rules(), "size.rural_range", combine="all")
    grids = make_grids(
        [
            {"households": 40, "population": 100, "area_class": "rural"},
            {"households": 40, "population": 130, "area_class": "rural"},
        ]
    )
    (f,) = by_rule(evaluate_size_rules(grids, rules), "size.rural_range")
    assert f.codes == (grids.codes[1],) and f.extra["direction"] == 1
    assert "30—50户且70—120人" in f.message_zh


def test_relaxation_above_30_percent_relocated():
    specs = [
        {"households": 60, "relocated_households": 18},  # exactly 30 %: not relaxed → over
        {"households": 60, "relocated_households": 19},  # 31.7 % → limit 65 → within
        {"households": 65, "relocated_households": 20},  # 30.8 % → 65 within
        {"households": 66, "relocated_households": 30},  # 45 % → 66 > 65 → over, relaxed
    ]
    grids = make_grids([{**s, "area_class": "rural"} for s in specs])
    findings = by_rule(evaluate_size_rules(grids), "size.rural_range")
    assert rule_hits(findings, "size.rural_range") == [0, 3]
    plain, relaxed = findings
    assert plain.extra["relaxed"] is False and plain.extra["max_households"] == 50
    assert relaxed.extra["relaxed"] is True and relaxed.extra["max_households"] == 65
    assert "户数上限已放宽至 65 户" in relaxed.message_zh and "45%" in relaxed.message_zh
    assert "relaxed to 65" in relaxed.message_en


def test_relaxation_is_a_parameter():
    grids = make_grids([{"households": 75, "relocated_households": 40, "area_class": "rural"}])
    assert rule_hits(evaluate_size_rules(grids), "size.rural_range") == [0]
    rules = with_rule(default_rules(), "size.rural_range", relax_factor=1.5)
    assert rule_hits(evaluate_size_rules(grids, rules), "size.rural_range") == []
    rules = with_rule(default_rules(), "size.rural_range", relax_factor=1.5, relax_share=0.6)
    assert rule_hits(evaluate_size_rules(grids, rules), "size.rural_range") == [0]


def test_relaxation_does_not_touch_lower_bound_or_other_rules():
    grids = make_grids(
        [
            {"households": 25, "relocated_households": 20, "area_class": "rural"},
            {"households": 85, "relocated_households": 60, "area_class": "urban"},
        ]
    )
    findings = evaluate_size_rules(grids)
    assert rule_hits(findings, "size.rural_range") == [0]
    assert rule_hits(findings, "size.urban_range") == [1]


# ---------------------------------------------------------------- urban (i), streets (j), high-rise (k)


def test_urban_range_bounds():
    specs = [
        {"households": 49},
        {"households": 50},
        {"households": 80},
        {"households": 81},
        {"households": 40, "population": 119},
        {"households": 40, "population": 120},
        {"households": 90, "population": 200},
        {"households": 90, "population": 201},
    ]
    grids = make_grids([{**s, "area_class": "urban"} for s in specs])
    findings = evaluate_size_rules(grids)
    assert rule_hits(findings, "size.urban_range") == [0, 3, 4, 7]
    assert rule_hits(findings, "size.rural_range") == []
    assert rule_hits(findings, "size.rural_merge") == []


def test_street_and_compound_at_most_100_households():
    specs = [
        {"households": 100, "settlement_type": "street", "area_class": "urban"},
        {"households": 101, "settlement_type": "street", "area_class": "urban"},
        {"households": 101, "settlement_type": "compound", "area_class": "rural"},
        {"households": 101, "settlement_type": "relocation_site", "area_class": "urban"},
        {"households": 5, "settlement_type": "compound", "area_class": "urban"},
    ]
    findings = evaluate_size_rules(make_grids(specs))
    assert rule_hits(findings, "size.street_max") == [1, 2, 3]
    assert rule_hits(findings, "size.urban_range") == []  # j is the rule for compounds, not i
    (f,) = [f for f in findings if f.codes[0].endswith("002")]
    assert "不超过100户" in f.message_zh and "at most 100 households" in f.message_en


def test_high_rise_range():
    specs = [{"households": h, "settlement_type": "high_rise", "area_class": "urban"} for h in (99, 100, 200, 201)]
    findings = evaluate_size_rules(make_grids(specs))
    assert rule_hits(findings, "size.high_rise_range") == [0, 3]
    assert rule_hits(findings, "size.street_max") == []


# ---------------------------------------------------------------- merge (c) and relocation sites (f, g)


def test_rural_group_under_20_households_merges():
    grids = make_grids([{"households": h, "area_class": "rural"} for h in (19, 20)])
    findings = evaluate_size_rules(grids)
    assert rule_hits(findings, "size.rural_merge") == [0]
    (f,) = by_rule(findings, "size.rural_merge")
    assert f.extra["suggested_code"] is None  # the squares do not touch
    assert "低于 20 户" in f.message_zh and "没有与其相邻的网格" in f.message_zh
    assert "fewer than 20 households" in f.message_en


def merge_layout(gap: float = 0.0):
    """S (100 × 200) with: A east, sharing 120 m; B north, sharing 100 m; C west, sharing 200 m but under
    another parent; D south-east touching S only at a corner."""
    s = shapely.box(X0, Y0, X0 + 100, Y0 + 200)
    a = shapely.box(X0 + 100 + gap, Y0, X0 + 200, Y0 + 120)
    b = shapely.box(X0, Y0 + 200, X0 + 100, Y0 + 300)
    c = shapely.box(X0 - 100, Y0, X0, Y0 + 200)
    d = shapely.box(X0 + 100, Y0 - 100, X0 + 200, Y0)
    specs = [
        {"households": 15, "code": "S01", "parent": "P1"},
        {"households": 40, "code": "S05", "parent": "P1"},
        {"households": 40, "code": "S02", "parent": "P1"},
        {"households": 40, "code": "S03", "parent": "P2"},
        {"households": 40, "code": "S04", "parent": "P1"},
    ]
    return make_grids([{**sp, "area_class": "rural"} for sp in specs], [s, a, b, c, d])


def test_merge_suggests_sibling_with_longest_shared_boundary():
    grids = merge_layout()
    (f,) = by_rule(evaluate_size_rules(grids), "size.rural_merge")
    assert f.codes == ("S01",)
    assert f.extra["suggested_code"] == "S05"  # A: 120 m, beats B (100 m); C is not a sibling; D only touches
    assert f.extra["shared_length"] == pytest.approx(120.0, abs=0.1)
    assert "S05" in f.message_zh and "120 米" in f.message_zh
    assert "S05" in f.message_en


def test_merge_suggestion_exact_and_tolerant():
    exact = suggest_merge(merge_layout(), [0], tolerance=0)
    assert exact == {0: ("S05", pytest.approx(120.0))}
    # A digitised 1 mm off S: still the neighbour within the default 1 cm tolerance, not with 0.
    gapped = merge_layout(gap=0.001)
    assert suggest_merge(gapped, [0])[0][0] == "S05"
    assert suggest_merge(gapped, [0], tolerance=0)[0][0] == "S02"


def test_merge_suggestion_ties_go_to_lowest_code():
    s = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    east = shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)
    west = shapely.box(X0 - 100, Y0, X0, Y0 + 100)
    grids = make_grids(
        [{"households": 5, "code": "T1"}, {"households": 30, "code": "T3"}, {"households": 30, "code": "T2"}],
        [s, east, west],
    )
    assert suggest_merge(grids, [0])[0][0] == "T2"


@pytest.mark.parametrize(("households", "reported"), [(39, True), (40, False), (41, False)])
def test_relocation_site_threshold(households, reported):
    site = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    group = shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 50)  # shares 50 m
    other_site = shapely.box(X0 - 100, Y0, X0, Y0 + 100)  # shares 100 m, but is a relocation site too
    grids = make_grids(
        [
            {"households": households, "settlement_type": "relocation_site", "code": "R01"},
            {"households": 40, "settlement_type": "villager_group", "code": "R02"},
            {"households": 45, "settlement_type": "relocation_site", "code": "R00"},
        ],
        [site, group, other_site],
    )
    # Without an area class the rural relocation-site rule cannot apply; the grid is reported as unclassified.
    findings = evaluate_size_rules(grids)
    assert by_rule(findings, "size.relocation_site") == []
    assert "R01" in {f.codes[0] for f in by_rule(findings, RULE_AREA_UNKNOWN)}
    grids.attributes["area_class"] = np.array(["rural"] * 3, dtype=object)
    findings = by_rule(evaluate_size_rules(grids), "size.relocation_site")
    if reported:
        (f,) = findings
        assert f.codes == ("R01",)
        assert f.extra["suggested_code"] == "R02"  # the villager group, not the longer-touching relocation site
        assert "搬迁安置点" in f.message_zh and "按所在村民小组划分网格" in f.message_zh
        assert "belongs with its villager group's grid" in f.message_en
    else:
        assert findings == []
    # Relocation sites are not villager groups: neither the rural range nor the merge rule applies.
    assert by_rule(evaluate_size_rules(grids), "size.rural_merge") == []
    assert by_rule(evaluate_size_rules(grids), "size.rural_range") == []


# ---------------------------------------------------------------- area class, status


def test_area_class_from_village_urban_rural_code():
    grids = make_grids(
        [
            {"households": 60, "code": f"{URBAN_V}01001"},  # urban by ur_code 111: 60 is within 50–80
            {"households": 60, "code": f"{RURAL_V}01002"},  # rural by ur_code 220: over 50
            {"households": 60, "code": f"{RURAL_V}01003", "area_class": "urban"},  # own class wins
            {"households": 60, "code": "610999999999"},  # unknown
        ]
    )
    assert list(area_classes(grids, UR)) == ["urban", "rural", "urban", ""]
    findings = evaluate_size_rules(grids, ur_classes=UR)
    assert [f.codes[0] for f in by_rule(findings, "size.rural_range")] == [f"{RURAL_V}01002"]
    assert by_rule(findings, "size.urban_range") == []
    (unknown,) = by_rule(findings, RULE_AREA_UNKNOWN)
    assert unknown.codes == ("610999999999",) and unknown.severity is Severity.INFO
    assert "城乡类别" in unknown.message_zh and "area class" in unknown.message_en
    explicit = area_classes(grids, UR, village_codes=np.array([RURAL_V, URBAN_V, None, URBAN_V], dtype=object))
    assert list(explicit) == ["rural", "urban", "urban", "urban"]


def test_area_unknown_not_reported_for_types_with_area_free_rules():
    grids = make_grids(
        [
            {"households": 150, "code": "X01", "settlement_type": "high_rise"},
            {"households": 60, "code": "X02", "settlement_type": "high_rise"},
        ]
    )
    findings = evaluate_size_rules(grids)
    assert [(f.rule_id, f.codes) for f in findings] == [("size.high_rise_range", ("X02",))]


def test_retired_and_disabled():
    grids = make_grids(
        [{"households": 5, "area_class": "rural", "status": "retired"}, {"households": 5, "area_class": "rural"}]
    )
    findings = evaluate_size_rules(grids)
    assert rule_hits(findings, "size.rural_range") == [1]
    rules = with_rule(default_rules(), "size.rural_merge", enabled=False)
    assert by_rule(evaluate_size_rules(grids, rules), "size.rural_merge") == []


def test_missing_and_text_values_count_as_zero():
    grids = make_grids([{"households": None, "area_class": "rural"}, {"households": "45", "area_class": "rural"}])
    assert rule_hits(evaluate_size_rules(grids), "size.rural_range") == [0]


# ---------------------------------------------------------------- classification for the map


def test_classify_compliance():
    specs = [
        {"households": 10, "area_class": "rural"},
        {"households": 40, "area_class": "rural"},
        {"households": 70, "area_class": "rural"},
        {"households": 40, "area_class": "rural"},
        {"households": 150, "settlement_type": "high_rise"},
        {"households": 10},  # no rule applies (no area class)
    ]
    grids = make_grids(specs)
    staffed = {c for i, c in enumerate(grids.codes) if i != 3}
    assert list(classify_compliance(grids, None, {}, staffed)) == [
        "under",
        "within",
        "over",
        "unstaffed",
        "within",
        "within",
    ]
    assert list(classify_compliance(grids, None, {}, None))[3] == "within"


# ---------------------------------------------------------------- rules as data


def test_default_rules_are_valid_and_described():
    assert validate_rules(default_rules()) == []
    ids = {r.id for r in DEFAULT_RULES}
    assert ids == {
        "size.rural_range",
        "size.urban_range",
        "size.street_max",
        "size.high_rise_range",
        "size.rural_merge",
        "size.relocation_site",
    }
    described = {r.id: r for r in audit_rules()}
    assert described["size.rural_range"].clause == "7.3.3 a"
    assert RULE_AREA_UNKNOWN in described


def test_rows_round_trip_through_json():
    rows = to_rows(default_rules())
    text = json.dumps(rows, ensure_ascii=False)
    assert from_rows(json.loads(text)) == default_rules()
    rural = next(r for r in rows if r["id"] == "size.rural_range")
    assert rural["settlement_types"] == "villager_group,unspecified"
    assert rural["severity"] == "warning" and rural["relax_share"] == 0.3


def test_rows_from_a_table_as_text():
    rows = to_rows(default_rules())
    for row in rows:
        for key, value in row.items():
            row[key] = "" if value is None else str(value)
    rural = next(r for r in rows if r["id"] == "size.rural_range")
    rural.update(min_households="25", max_households="55.0", relax_share="35%", enabled="是")
    rules = from_rows(rows)
    got = next(r for r in rules if r.id == "size.rural_range")
    assert (got.min_households, got.max_households, got.relax_share, got.enabled) == (25, 55, 0.35, True)
    merge = next(r for r in rules if r.id == "size.rural_merge")
    assert merge.max_households is None and merge.min_households == 20


def test_edited_thresholds_are_validated():
    rows = to_rows(default_rules())
    rural = next(r for r in rows if r["id"] == "size.rural_range")
    rural.update(min_households=60, max_households=50, min_persons=-1)
    high = next(r for r in rows if r["id"] == "size.high_rise_range")
    high.update(max_households="lots", severity="fatal")
    with pytest.raises(SizeRuleError) as err:
        from_rows(rows)
    problems = {(p.rule_id, p.field) for p in err.value.problems}
    assert problems == {
        ("size.rural_range", "min_households"),
        ("size.rural_range", "min_persons"),
        ("size.high_rise_range", "max_households"),
        ("size.high_rise_range", "severity"),
    }
    text = str(err.value)
    assert "size.rural_range: min_households (60) is greater than max_households (50)" in text
    assert "min_persons (-1) must not be negative" in text
    zh = [p.message_zh for p in err.value.problems]
    assert "最少户数（60）大于最多户数（50）" in zh
    assert "最少人数（-1）不能为负数" in zh


def test_validation_of_rule_objects():
    bad = [
        SizeRule("x", "7.3.3", min_households=1.5),
        SizeRule("x", "7.3.3"),
        SizeRule("y", "7.3.3", kind="merge"),
        SizeRule("z", "7.3.3", area_classes=("town",), settlement_types=("hut",), max_households=5, relax_share=2),
        SizeRule("w", "7.3.3", min_persons=3, relax_share=0.2, relax_factor=0.5, combine="some"),
    ]
    fields = {(p.rule_id, p.field) for p in validate_rules(bad)}
    assert fields == {
        ("x", "min_households"),
        ("x", "id"),
        ("y", "min_households"),
        ("z", "area_classes"),
        ("z", "settlement_types"),
        ("z", "relax_share"),
        ("w", "relax_share"),
        ("w", "relax_factor"),
        ("w", "combine"),
    }
    with pytest.raises(SizeRuleError):
        with_rule(default_rules(), "size.urban_range", min_households=90)
    with pytest.raises(KeyError):
        with_rule(default_rules(), "size.nothing", min_households=1)


def test_edited_rule_changes_evaluation():
    rules = with_rule(default_rules(), "size.street_max", max_households=80)
    grids = make_grids([{"households": 90, "settlement_type": "street"}])
    assert rule_hits(evaluate_size_rules(grids), "size.street_max") == []
    assert rule_hits(evaluate_size_rules(grids, rules), "size.street_max") == [0]


def test_unknown_area_classes_are_one_finding_per_layer():
    n = 40
    grids = make_grids([{"households": 10 + k, "code": f"610999999999{k:05d}"} for k in range(n)])
    findings = evaluate_size_rules(grids)
    (unknown,) = by_rule(findings, RULE_AREA_UNKNOWN)
    assert unknown.measure == n and unknown.unit == "grids" and unknown.extra["grids"] == n
    assert f"None of the {n} level 3 grids" in unknown.message_en and f"全部 {n} 个" in unknown.message_zh
    assert len(unknown.codes) == 5 and "and 35 more" in unknown.message_en
    # some classified: the finding counts the others only
    grids.attributes["area_class"] = np.array(["rural"] * 30 + [""] * 10, dtype=object)
    (unknown,) = by_rule(evaluate_size_rules(grids), RULE_AREA_UNKNOWN)
    assert unknown.measure == 10 and f"10 of the {n} level 3 grids" in unknown.message_en
    assert unknown.codes[0] == "61099999999900030"
