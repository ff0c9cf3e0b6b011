"""The code rule (plugin.core.coderule) and the audit's code findings."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from devtools.synthetic import L1, L2, L3, LD, generate_city
from plugin.core.audit import run_audit
from plugin.core.coderule import CodeRule, CodeRuleError

RULE = CodeRule.parse("village12+2+3")


def test_parse_default_rule():
    assert RULE == CodeRule.parse(None) == CodeRule.parse("")
    assert RULE.widths == (12, 2, 3)
    assert RULE.levels == (1, 2, 3)
    assert [RULE.width(k) for k in (1, 2, 3, 0)] == [12, 14, 17, 14]
    assert [RULE.parent_width(k) for k in (1, 2, 3, 0)] == [0, 12, 14, 12]
    assert RULE.sequence_range(2) == (1, 89)
    assert RULE.sequence_range(3) == (1, 999)
    assert RULE.sequence_range(0) == (90, 99)


def test_parse_other_rules():
    rule = CodeRule.parse("village12+3+3+2")
    assert rule.levels == (1, 2, 3, 4)
    assert rule.width(4) == 20
    assert rule.sequence_range(0) == (900, 999)
    assert rule.sequence_range(2) == (1, 899)
    custom = CodeRule.parse("village12+2+3;dedicated=80-99")
    assert custom.sequence_range(2) == (1, 79) and custom.sequence_range(0) == (80, 99)


@pytest.mark.parametrize("text", ["village", "village12", "village12+0+3", "12+2+3", "village12+2+3;dedicated=5-200"])
def test_parse_rejects_bad_rules(text):
    with pytest.raises(CodeRuleError):
        CodeRule.parse(text)


def test_make_code_and_parts():
    code = RULE.make_code("61090200120101", 3, 7)
    assert code == "61090200120101007"
    assert RULE.sequence(code, 3) == 7
    assert RULE.parent_prefix(code, 3) == "61090200120101"
    assert RULE.village_code(code) == "610902001201"
    assert RULE.township_code(code) == "610902001"
    assert RULE.make_code("610902001201", 0, 90) == "61090200120190"
    with pytest.raises(ValueError):
        RULE.make_code("610902001201", 2, 90)  # reserved for dedicated grids
    with pytest.raises(ValueError):
        RULE.make_code("6109020012", 2, 1)


@pytest.mark.parametrize(
    ("code", "level", "reason"),
    [
        ("610902001201", 1, None),
        ("61090200120101", 2, None),
        ("61090200120101001", 3, None),
        ("61090200120195", 0, None),
        (None, 2, "missing"),
        ("", 3, "missing"),
        ("6109020012010A", 2, "not_digits"),
        ("６１０９０２００１２０１", 1, "not_digits"),
        ("6109020012010", 2, "length"),
        ("61090200120100", 2, "sequence_range"),
        ("61090200120190", 2, "sequence_range"),
        ("61090200120105", 0, "sequence_range"),
        ("61090200120101000", 3, "sequence_range"),
        ("610903001201", 1, "county"),
    ],
)
def test_problem_reasons(code, level, reason):
    problem = RULE.problem(code, level, "610902")
    assert (problem.reason if problem else None) == reason
    if problem:
        assert problem.message("zh") and problem.message("en")
    assert RULE.valid_mask(np.array([code], dtype=object), level, "610902")[0] == (reason is None)


@given(
    st.lists(st.one_of(st.none(), st.text(alphabet="0123456789A ", max_size=18)), max_size=30),
    st.sampled_from([1, 2, 3, 0]),
)
def test_vectorised_mask_agrees_with_single_codes(codes, level):
    mask = RULE.valid_mask(np.array(codes, dtype=object), level, "610902")
    assert list(mask) == [RULE.is_valid(c, level, "610902") for c in codes]


# ---------------------------------------------------------------- audit findings


@pytest.fixture()
def city():
    return generate_city(120, seed=2, dedicated_share=0.5)


def rules_of(result):
    return sorted((f.rule_id, f.layer, f.codes) for f in result.findings)


def test_code_findings(city):
    l3, l2, ded = city.grids[L3], city.grids[L2], city.grids[LD]
    assert len(ded) >= 1
    original = list(l3.codes[:4])
    l3.codes[0] = None  # missing
    l3.codes[1] = original[2]  # duplicate within the layer
    l3.codes[3] = original[3][:-3] + "000"  # malformed: sequence 000
    l2_code = l2.codes[5]
    ded.codes[0] = l2_code  # a level 2 code on a dedicated grid: malformed (01-89) and duplicated across layers
    ded.parent_codes[0] = l2_code[:12]
    result = run_audit(city)
    got = rules_of(result)
    assert ("code.missing", L3, ()) in got
    assert ("code.duplicate", L3, (original[2],)) in got
    assert ("code.malformed", L3, (original[3][:-3] + "000",)) in got
    assert ("code.malformed", LD, (l2_code,)) in got
    assert ("code.duplicate", LD, (l2_code,)) in got and ("code.duplicate", L2, (l2_code,)) in got
    dup = next(f for f in result.findings if f.rule_id == "code.duplicate" and f.layer == L3)
    assert len(dup.fids) == 2 and dup.measure == 2
    assert "重复" in dup.message_zh and "2" in dup.message_en
    assert all(r[0].startswith("code.") for r in got)


def test_prefix_and_unknown_village(city):
    l3, l1 = city.grids[L3], city.grids[L1]
    other_parent = next(p for p in city.grids[L2].codes if p != l3.parent_codes[0])
    l3.codes[0] = other_parent + "999"  # well formed, unique, but not under its parent_code
    city.divisions = [d for d in city.divisions if d["code"] != l1.codes[0]]
    result = run_audit(city)
    got = rules_of(result)
    assert got == sorted(
        [("code.prefix", L3, (other_parent + "999", l3.parent_codes[0])), ("code.unknown_village", L1, (l1.codes[0],))]
    )


# ---------------------------------------------------------------- another province's rule (12 + 3 + 3)


def _widen(code, level):
    """A code of the default rule (12 + 2 + 3) in the rule 12 + 3 + 3 (dedicated: 12 + 9xx)."""
    if not isinstance(code, str):
        return code
    if level == 2:
        return code[:12] + "0" + code[12:]
    if level == 3:
        return _widen(code[:14], 2) + code[14:]
    if level == 0:
        return code[:12] + "9" + code[12:]
    return code


def _province_city(seed=5):
    """A city coded by the rule 12 + 3 + 3, as loose layers: no code rule given."""
    import dataclasses

    city = generate_city(150, seed=seed, dedicated_share=0.3)
    for name, grid in list(city.grids.items()):
        parent_level = {1: None, 2: 1, 3: 2, 0: 1}[grid.level]
        codes = np.array([_widen(c, grid.level) for c in grid.codes], dtype=object)
        parents = np.array([_widen(c, parent_level) for c in grid.parent_codes], dtype=object)
        city.grids[name] = dataclasses.replace(grid, codes=codes, parent_codes=parents)
    city.info = dataclasses.replace(city.info, code_rule="")
    return city


def _code_findings(result):
    return sorted((f.rule_id, f.codes) for f in result.findings if f.rule_id.startswith("code."))


def test_loose_layers_of_another_rule_give_no_code_findings_on_correct_codes():
    city = _province_city()
    result = run_audit(city)
    assert _code_findings(result) == [("code.rule_inferred", ())]
    note = next(f for f in result.findings if f.rule_id == "code.rule_inferred")
    assert note.extra["code_rule"] == "village12+3+3" and "village12+3+3" in note.message_en
    assert "level 2 15 digits" in note.message_en and "level 3 18 digits" in note.message_en
    assert result.info.code_rule == "village12+3+3" and result.code_rule_inferred
    assert result.to_json()["workspace"]["code_rule_inferred"] is True
    # the same rule given explicitly (CODE_RULE): no note, no code finding
    import dataclasses

    city.info = dataclasses.replace(city.info, code_rule="village12+3+3")
    explicit = run_audit(city)
    assert _code_findings(explicit) == [] and not explicit.code_rule_inferred
    # checked with the default rule instead, every code below level 1 is malformed (the 117,624)
    city.info = dataclasses.replace(city.info, code_rule="village12+2+3")
    wrong = run_audit(city)
    n_below = sum(len(city.grid(k)) for k in (2, 3, 0))
    assert sum(1 for f in wrong.findings if f.rule_id == "code.malformed") == n_below


def test_loose_layers_of_another_rule_find_the_malformed_codes():
    city = _province_city()
    l3, ld = city.grid(3), city.grid(0)
    bad = {
        l3.codes[0]: l3.codes[0] + "1",  # 19 digits
        l3.codes[1]: l3.codes[1][:-1] + "x",  # a letter
        l3.codes[2]: l3.codes[2][:-3] + "000",  # sequence 000 out of 001-999
        ld.codes[0]: ld.codes[0][:12] + "100",  # not in the dedicated range 900-999
    }
    for grid in (l3, ld):
        for i, code in enumerate(grid.codes):
            if code in bad:
                grid.codes[i] = bad[code]
    result = run_audit(city)
    malformed = {f.codes[0]: f for f in result.findings if f.rule_id == "code.malformed"}
    assert set(malformed) == set(bad.values())
    assert malformed[l3.codes[0]].extra["reason"] == "length"
    assert malformed[ld.codes[0]].extra["reason"] == "sequence_range"
    assert {r for r, _ in _code_findings(result)} == {"code.rule_inferred", "code.malformed"}
    assert next(f for f in result.findings if f.rule_id == "code.rule_inferred").extra["code_rule"] == "village12+3+3"


def test_infer_code_rule_from_widths_and_parent_codes():
    from plugin.core.coderule import infer_code_rule

    # the most common width wins over a few malformed codes
    inferred = infer_code_rule({1: ["610902001201"] * 3, 2: ["610902001201001"] * 5 + ["6109020012010"]})
    assert inferred.rule.text == "village12+3+3" and inferred.assumed == (3,)  # no level 3 codes: default 3
    assert (2, 15, 5, 6, "codes") in inferred.evidence
    # only level 3 grids: their parent codes give the level 2 width, level 1 is the default's
    inferred = infer_code_rule({3: ["61090200120100101"]}, {3: ["61090200120100"]})
    assert inferred.rule.text == "village12+2+3" and inferred.assumed == (1,)
    inferred = infer_code_rule({3: ["6109020012010010001"]}, {3: ["610902001201001"]})
    assert inferred.rule.text == "village12+3+4"
    assert "no codes to go by" in inferred.describe("en") and "按默认规则" in inferred.describe("zh")
    # nothing to go by: the default rule
    assert infer_code_rule({}).rule.text == "village12+2+3"
