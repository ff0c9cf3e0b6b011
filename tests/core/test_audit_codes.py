"""The code rule (plugin.core.coderule) and the audit's code findings."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugin.core.audit import run_audit
from plugin.core.coderule import CodeRule, CodeRuleError
from plugin.core.synthetic import L1, L2, L3, LD, generate_city

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
