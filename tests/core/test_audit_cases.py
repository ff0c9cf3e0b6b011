"""Hand-made cases for each rule: exactly what is wrong is reported, and nothing else."""

import pytest
import shapely

from plugin.core import schema
from plugin.core.audit import RULE_BY_ID, AuditCancelled, Tolerances, run_audit
from plugin.core.findings import Severity
from plugin.core.model import GridArray, WorkspaceData

X0, Y0 = 36_500_000.0, 3_600_000.0
V1, V2 = "610902001201", "610902001202"


def box(x0, y0, x1, y1):
    """A rectangle in metres from the local origin (Gauss-Kruger coordinates with the zone prefix)."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def poly(*xy):
    return shapely.Polygon([(X0 + x, Y0 + y) for x, y in xy])


def layer(level, rows):
    """rows: (geometry, code, parent_code[, status])."""
    name = schema.GRID_LAYER_BY_LEVEL[level].name
    rows = list(rows)
    status = [r[3] if len(r) > 3 else "active" for r in rows]
    return GridArray.from_records(
        name,
        level,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        attributes={"status": status},
    )


def workspace(l1=(), l2=(), l3=(), ded=(), county="auto", code_rule="village12+2+3", divisions=()):
    grids = {
        schema.GRID_LEVEL1.name: layer(1, l1),
        schema.GRID_LEVEL2.name: layer(2, l2),
        schema.GRID_LEVEL3.name: layer(3, l3),
        schema.GRID_DEDICATED.name: layer(0, ded),
    }
    if county == "auto":
        county = shapely.union_all([r[0] for r in l1]) if l1 else None
    info = schema.WorkspaceInfo("610902", "汉滨区", "EPSG:4524", code_rule=code_rule)
    return WorkspaceData(info, grids, county, divisions=list(divisions))


def simple(l3=None, l2=None, ded=(), **kw):
    """One village (0..200 × 0..100) in two sections split at x=100; level 3 given or two per section."""
    l1 = [(box(0, 0, 200, 100), V1, "610902001")]
    if l2 is None:
        l2 = [(box(0, 0, 100, 100), V1 + "01", V1), (box(100, 0, 200, 100), V1 + "02", V1)]
    if l3 is None:
        l3 = [
            (box(0, 0, 50, 100), V1 + "01001", V1 + "01"),
            (box(50, 0, 100, 100), V1 + "01002", V1 + "01"),
            (box(100, 0, 150, 100), V1 + "02001", V1 + "02"),
            (box(150, 0, 200, 100), V1 + "02002", V1 + "02"),
        ]
    return workspace(l1=l1, l2=l2, l3=l3, ded=ded, **kw)


def found(result):
    return sorted((f.rule_id, f.layer, tuple(sorted(f.codes))) for f in result.findings)


L2N, L3N, L1N, LDN = "grid_level2", "grid_level3", "grid_level1", "grid_dedicated"
A, B, C, D = V1 + "01001", V1 + "01002", V1 + "02001", V1 + "02002"


def l3_with(**changes):
    rows = {
        A: (box(0, 0, 50, 100), A, V1 + "01"),
        B: (box(50, 0, 100, 100), B, V1 + "01"),
        C: (box(100, 0, 150, 100), C, V1 + "02"),
        D: (box(150, 0, 200, 100), D, V1 + "02"),
    }
    for code, row in changes.items():
        if row is None:
            rows.pop(code)
        else:
            rows[code] = row
    return list(rows.values())


def test_clean_simple_workspace():
    assert run_audit(simple()).findings == []


def test_touching_with_unmatched_vertices_is_not_an_overlap():
    # B has an extra vertex on the edge shared with A (a T-junction): valid, no finding
    b = poly((50, 0), (100, 0), (100, 100), (50, 100), (50, 60), (50, 30))
    assert run_audit(simple(l3=l3_with(**{B: (b, B, V1 + "01")}))).findings == []


def test_floating_point_noise_is_never_reported():
    eps = 1e-9
    a = poly((0, 0), (50 + eps, 0), (50 - eps, 100), (0, 100))
    b = poly((50, 0), (100, 0), (100, 100), (50, 100))
    assert run_audit(simple(l3=l3_with(**{A: (a, A, V1 + "01"), B: (b, B, V1 + "01")}))).findings == []


def test_partial_overlap_reported_with_its_polygon_and_area():
    result = run_audit(simple(l3=l3_with(**{A: (box(0, 0, 60, 100), A, V1 + "01")})))
    assert found(result) == [("overlap", L3N, (A, B))]
    f = result.findings[0]
    assert f.measure == pytest.approx(1000.0)
    assert shapely.equals(f.geometry, box(50, 0, 60, 100))
    assert f.severity is Severity.ERROR and "1,000.00" in f.message_zh


def test_grid_inside_another_touching_its_boundary_is_contains():
    inner = (box(0, 0, 20, 20), V1 + "01003", V1 + "01")
    result = run_audit(simple(l3=[*l3_with(), inner]))
    assert found(result) == [("overlap.contains", L3N, (A, V1 + "01003"))]
    assert result.findings[0].codes == (A, V1 + "01003")
    assert result.findings[0].measure == pytest.approx(400.0)


def test_duplicate_with_different_vertex_order_and_extra_vertex():
    dup = poly((50, 100), (0, 100), (0, 50), (0, 0), (50, 0))
    result = run_audit(simple(l3=[*l3_with(), (dup, V1 + "01003", V1 + "01")]))
    assert found(result) == [("overlap.duplicate", L3N, (A, V1 + "01003"))]


def test_sliver_overlap_and_sliver_gap_are_reported_apart():
    # below the sliver area (1 m²): warnings under the sliver rules
    nick = poly((0, 0), (50, 0), (50.2, 2), (50, 4), (0, 100))  # a 0.4 m² nick of A into B
    a = poly((0, 0), (50, 0), (50, 100), (0, 100))
    b_short = poly((50.2, 2), (50, 0), (100, 0), (100, 100), (50, 100), (50, 4))
    result = run_audit(simple(l3=l3_with(**{A: (shapely.union(a, nick), A, V1 + "01")})))
    assert found(result) == [("overlap.sliver", L3N, (A, B))]
    assert result.findings[0].severity is Severity.WARNING
    assert result.findings[0].measure == pytest.approx(0.4)
    result = run_audit(simple(l3=l3_with(**{B: (b_short, B, V1 + "01")})))
    assert found(result) == [("gap.sliver", L2N, (V1 + "01",))]
    assert result.findings[0].measure == pytest.approx(0.4)


def test_strips_above_the_sliver_area_are_errors_labelled_strip_shaped():
    # §7.1 无缝隙、不交叉: a 0.2 m × 100 m strip (20 m²) is a gap or overlap to fix, not a sliver warning
    wide = (box(0, 0, 50.2, 100), A, V1 + "01")
    result = run_audit(simple(l3=l3_with(**{A: wide})))
    assert found(result) == [("overlap", L3N, (A, B))]
    f = result.findings[0]
    assert f.severity is Severity.ERROR and f.measure == pytest.approx(20.0)
    assert f.extra["shape"] == "strip" and "strip-shaped" in f.message_en and "狭长条状" in f.message_zh
    narrow = (box(0, 0, 49.8, 100), A, V1 + "01")
    result = run_audit(simple(l3=l3_with(**{A: narrow})))
    assert found(result) == [("gap", L2N, (V1 + "01",))]
    f = result.findings[0]
    assert f.severity is Severity.ERROR and f.measure == pytest.approx(20.0) and f.extra["shape"] == "strip"
    # a wide gap is not labelled a strip
    result = run_audit(simple(l3=l3_with(**{A: (box(0, 0, 40, 100), A, V1 + "01")})))
    assert found(result) == [("gap", L2N, (V1 + "01",))]
    assert result.findings[0].extra["shape"] == "area" and "strip" not in result.findings[0].message_en
    # the sliver area is the threshold: raised above the strip's area, the strip is a sliver warning again
    result = run_audit(simple(l3=l3_with(**{A: narrow})), Tolerances(sliver_area=25.0))
    assert found(result) == [("gap.sliver", L2N, (V1 + "01",))]


def test_a_strip_beyond_the_parent_is_an_error_labelled_strip_shaped():
    l2 = [(box(0, 0, 100, 100), V1 + "01", V1), (box(100, 0, 200, 100), V1 + "02", V1)]
    b_over = (box(50, 0, 100.3, 100), B, V1 + "01")  # 30 m² strip into section 02 (and its grid C)
    result = run_audit(simple(l2=l2, l3=l3_with(**{B: b_over})))
    outside = [f for f in result.findings if f.rule_id == "parent.outside"]
    assert len(outside) == 1 and outside[0].severity is Severity.ERROR
    assert outside[0].measure == pytest.approx(30.0) and outside[0].extra["shape"] == "strip"


def test_tolerances_decide_what_is_a_sliver():
    narrow = (box(0, 0, 49.8, 100), A, V1 + "01")
    result = run_audit(simple(l3=l3_with(**{A: narrow})), Tolerances(sliver_width=0.1))
    assert found(result) == [("gap", L2N, (V1 + "01",))]
    # the sliver width decides only the strip label: a 0.2 m strip is not thinner than 0.1 m
    assert result.findings[0].extra["shape"] == "area"
    result = run_audit(simple(l3=l3_with(**{A: narrow})), Tolerances(sliver_area=20.5))
    assert found(result) == [("gap.sliver", L2N, (V1 + "01",))]


def test_gap_inside_and_notch_on_the_parent_boundary():
    # a notch on the village's outer edge: the gap opens onto the outside of every layer
    notched = (
        poly((100, 0), (150, 0), (150, 100), (130, 100), (130, 90), (120, 90), (120, 100), (100, 100)),
        C,
        V1 + "02",
    )
    holed_gap = (box(150, 0, 200, 100).difference(box(160, 40, 170, 50)), D, V1 + "02")
    result = run_audit(simple(l3=l3_with(**{C: notched, D: holed_gap})))
    assert found(result) == [
        ("gap", L2N, (V1 + "02",)),
        ("gap", L2N, (V1 + "02",)),
        ("geom.hole", L3N, (D,)),
    ]
    gaps = sorted((f for f in result.findings if f.rule_id == "gap"), key=lambda f: f.measure)
    assert [g.measure for g in gaps] == pytest.approx([100.0, 100.0])
    assert {g.extra["on_parent_boundary"] for g in gaps} == {True, False}


def test_parent_with_no_children_is_one_gap():
    l3 = l3_with(**{C: None, D: None})
    result = run_audit(simple(l3=l3))
    assert found(result) == [("gap", L2N, (V1 + "02",))]
    assert result.findings[0].measure == pytest.approx(10000.0)
    assert "尚无" in result.findings[0].message_zh


def test_child_outside_its_parent():
    l1 = [(box(0, 0, 200, 100), V1, "610902001")]
    big = (box(0, -10, 50, 100), A, V1 + "01")
    data = simple(l3=l3_with(**{A: big}))
    result = run_audit(data)
    assert found(result) == [("parent.outside", L3N, (V1 + "01", A))]
    assert result.findings[0].measure == pytest.approx(500.0)
    assert l1  # the village is unchanged


def test_child_spread_over_two_parents():
    wide = (box(50, 0, 150, 100), B, V1 + "01")
    result = run_audit(simple(l3=l3_with(**{B: wide, C: None})))
    assert found(result) == [("parent.split", L3N, (V1 + "01", B, V1 + "02"))]


def test_parent_code_disagreeing_with_location():
    moved = (box(100, 0, 150, 100), V1 + "01003", V1 + "01")
    result = run_audit(simple(l3=l3_with(**{C: moved})))
    assert found(result) == [("parent.mismatch", L3N, (V1 + "01", V1 + "01003", V1 + "02"))]
    assert "100%" in result.findings[0].message_zh


def test_unknown_missing_and_retired_parent_codes():
    l2 = [
        (box(0, 0, 100, 100), V1 + "01", V1),
        (box(100, 0, 200, 100), V1 + "02", V1),
        (box(300, 0, 400, 100), V1 + "03", V1, "retired"),
    ]
    rows = l3_with(
        **{
            A: (box(0, 0, 50, 100), V1 + "09001", V1 + "09"),
            B: (box(50, 0, 100, 100), B, None),
            C: (box(100, 0, 150, 100), V1 + "03001", V1 + "03"),
        }
    )
    result = run_audit(simple(l3=rows, l2=l2))
    assert found(result) == [
        ("parent.unknown", L3N, (B,)),
        ("parent.unknown", L3N, (V1 + "03", V1 + "03001")),
        ("parent.unknown", L3N, (V1 + "09", V1 + "09001")),
    ]
    messages = " ".join(f.message_zh for f in result.findings)
    assert "已撤销" in messages and "未填写" in messages and "不存在" in messages


def test_retired_grids_are_ignored_by_topology_rules():
    retired = (box(0, 0, 100, 100), V1 + "01009", V1 + "01", "retired")
    assert run_audit(simple(l3=[*l3_with(), retired])).findings == []


def test_dedicated_grids():
    inside = (box(10, 10, 30, 30), V1 + "90", V1)
    overlapping = (box(20, 20, 40, 40), V1 + "91", V1)
    across = (box(190, 40, 210, 60), V1 + "92", V1)
    wrong = (box(250, 40, 260, 60), V1 + "93", V1)
    l1 = [(box(0, 0, 200, 100), V1, "610902001"), (box(200, 0, 300, 100), V2, "610902001")]
    data = simple(ded=[inside, overlapping, across, wrong])
    data.grids[L1N] = workspace(l1=l1).grids[L1N]
    data.county_boundary = box(0, 0, 300, 100)
    result = run_audit(data)
    assert ("overlap.dedicated", LDN, (V1 + "90", V1 + "91")) in found(result)
    assert ("parent.split", LDN, (V1, V1 + "92", V2)) in found(result)
    assert ("parent.mismatch", LDN, (V1, V1 + "93", V2)) in found(result)
    # level 1 grid V2 has no level 2 grids: reported as one gap
    assert ("gap", L1N, (V2,)) in found(result)
    assert len(result.findings) == 4
    assert (
        "专属网格应位于且仅位于一个村/社区内"
        in next(f for f in result.findings if f.layer == LDN and f.rule_id == "parent.split").message_zh
    )


def test_dedicated_outside_every_village():
    outside = (box(250, 40, 260, 60), V1 + "90", V1)
    result = run_audit(simple(ded=[outside]))
    assert found(result) == [("parent.outside", LDN, (V1, V1 + "90"))]
    assert "专属网格" in result.findings[0].message_zh


def test_hole_where_the_parent_has_one_is_not_reported():
    court = box(20, 20, 40, 40)
    l1 = [(box(0, 0, 200, 100).difference(court), V1, "610902001")]
    l2 = [(box(0, 0, 100, 100).difference(court), V1 + "01", V1), (box(100, 0, 200, 100), V1 + "02", V1)]
    l3 = l3_with(**{A: (box(0, 0, 50, 100).difference(court), A, V1 + "01")})
    data = workspace(l1=l1, l2=l2, l3=l3)
    assert run_audit(data).findings == []


def test_hole_filled_by_an_enclave_grid_is_a_warning():
    court = box(20, 20, 40, 40)
    l3 = l3_with(**{A: (box(0, 0, 50, 100).difference(court), A, V1 + "01")})
    result = run_audit(simple(l3=[*l3, (court, V1 + "01003", V1 + "01")]))
    assert found(result) == [("geom.hole", L3N, (A,))]
    assert result.findings[0].severity is Severity.WARNING
    assert result.findings[0].measure == pytest.approx(400.0)


def test_multipart_grid():
    two = (shapely.union(box(0, 0, 50, 40), box(0, 60, 50, 100)), A, V1 + "01")
    middle = (box(0, 40, 50, 60), V1 + "01003", V1 + "01")
    result = run_audit(simple(l3=[*l3_with(**{A: two}), middle]))
    assert found(result) == [("geom.multipart", L3N, (A,))]


def test_holes_in_the_parts_of_a_multipart_grid():
    # A in two parts, each with a courtyard held by an enclave grid; B has one of its own
    low, high, side = box(10, 10, 20, 20), box(10, 70, 30, 90), box(60, 40, 80, 50)
    two = (shapely.union(box(0, 0, 50, 40).difference(low), box(0, 60, 50, 100).difference(high)), A, V1 + "01")
    b = (box(50, 0, 100, 100).difference(side), B, V1 + "01")
    middle = (box(0, 40, 50, 60), V1 + "01003", V1 + "01")
    courts = [(g, V1 + f"0100{k}", V1 + "01") for k, g in ((4, low), (5, high), (6, side))]
    result = run_audit(simple(l3=[*l3_with(**{A: two, B: b}), middle, *courts]))
    assert found(result) == [
        ("geom.hole", L3N, (A,)),
        ("geom.hole", L3N, (A,)),
        ("geom.hole", L3N, (B,)),
        ("geom.multipart", L3N, (A,)),
    ]
    holes = [f for f in result.findings if f.rule_id == "geom.hole"]
    assert [(f.codes, f.measure) for f in holes] == [
        ((A,), pytest.approx(100.0)),
        ((A,), pytest.approx(400.0)),
        ((B,), pytest.approx(200.0)),
    ]
    assert all(f.geometry.equals(g) for f, g in zip(holes, (low, high, side), strict=True))


def test_tiny_and_thin_grids():
    tiny = (box(0, 0, 5, 5), V1 + "01003", V1 + "01")
    a = (box(0, 0, 50, 100).difference(box(0, 0, 5, 5)), A, V1 + "01")
    thin = (box(150, 0, 150.5, 100), V1 + "02003", V1 + "02")
    d = (box(150.5, 0, 200, 100), D, V1 + "02")
    result = run_audit(simple(l3=[*l3_with(**{A: a, D: d}), tiny, thin]))
    assert found(result) == [("grid.thin", L3N, (V1 + "02003",)), ("grid.tiny", L3N, (V1 + "01003",))]
    loose = Tolerances(tiny_grid_area=10, thin_grid_width=0.3)
    assert run_audit(simple(l3=[*l3_with(**{A: a, D: d}), tiny, thin]), loose).findings == []


def test_county_gap_and_level1_outside_the_county():
    l1 = [(box(0, 0, 200, 100), V1, "610902001")]
    data = simple()
    data.county_boundary = box(-20, 0, 190, 100)
    result = run_audit(data)
    assert found(result) == [("county.gap", L1N, ()), ("county.outside", L1N, (V1,))]
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["county.gap"].measure == pytest.approx(2000.0)
    assert by_rule["county.outside"].measure == pytest.approx(1000.0)
    assert l1


def test_level1_overlap_and_gap_between_villages_inside_the_county():
    l1 = [
        (box(0, 0, 100, 100), V1, "610902001"),
        (box(90, 0, 200, 100), V2, "610902001"),
        (box(0, 100, 200, 200).difference(box(50, 150, 60, 160)), "610902001203", "610902001"),
    ]
    data = workspace(l1=l1, county=box(0, 0, 200, 200))
    result = run_audit(data)
    rules = found(result)
    assert ("overlap", L1N, (V1, V2)) in rules
    assert ("county.gap", L1N, ()) in rules
    assert ("geom.hole", L1N, ("610902001203",)) in rules
    assert sum(1 for r in rules if r[0] == "layer.empty") == 1


def test_no_county_boundary_is_reported_as_info():
    data = simple(county=None)
    result = run_audit(data)
    assert found(result) == [("county.missing", "county_boundary", ())]
    assert result.findings[0].severity is Severity.INFO


def test_progress_and_cancellation():
    calls = []
    run_audit(simple(), progress=lambda frac, text: calls.append((frac, text)))
    fractions = [c[0] for c in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(" / " in text for _, text in calls)
    polls = []

    def cancel_after_two():
        polls.append(1)
        return len(polls) > 2

    with pytest.raises(AuditCancelled):
        run_audit(simple(), is_cancelled=cancel_after_two)


def test_result_counts_and_timings():
    result = run_audit(simple(l3=l3_with(**{A: (box(0, 0, 60, 100), A, V1 + "01")})))
    assert result.counts_by_rule == {"overlap": 1}
    assert result.counts_by_severity == {"error": 1, "warning": 0, "info": 0}
    assert result.blocking_count == 1
    assert set(result.timings) >= {"geometry", "codes", "overlaps", "nesting", "county", "shapes"}
    assert result.finished >= result.started and result.run_id
    assert result.feature_counts == {"grid_level1": 1, "grid_level2": 2, "grid_level3": 4, "grid_dedicated": 0}


def test_single_worker_gives_the_same_findings():
    data = simple(l3=l3_with(**{A: (box(0, 0, 60, 100), A, V1 + "01")}))
    assert found(run_audit(data, workers=1)) == found(run_audit(data, workers=2))


def test_every_rule_in_the_catalogue_is_described():
    for rule_id, rule in RULE_BY_ID.items():
        assert rule.id == rule_id and rule.title_zh and rule.title_en and rule.clause
    assert RULE_BY_ID["gap"].severity is Severity.ERROR
    assert RULE_BY_ID["gap.sliver"].severity is Severity.WARNING


def test_invalid_tolerances_are_refused():
    with pytest.raises(ValueError):
        Tolerances(noise_area=-1)
    with pytest.raises(ValueError):
        Tolerances(sliver_width=1e-6)


def test_duplicate_section_without_children_of_its_own():
    # level 2 overlaps are searched only around sections not exactly covered by their own level 3 grids
    l2 = [
        (box(0, 0, 100, 100), V1 + "01", V1),
        (box(100, 0, 200, 100), V1 + "02", V1),
        (box(0, 0, 100, 100), V1 + "03", V1),
    ]
    result = run_audit(simple(l2=l2))
    assert found(result) == [("overlap.duplicate", L2N, (V1 + "01", V1 + "03"))]


def test_dedicated_grid_naming_its_section_says_what_is_expected():
    # parent_code names the level 2 section holding the grid: it exists, but a dedicated grid's parent is a
    # level 1 grid (its village or community)
    school = (box(10, 10, 30, 30), V1 + "90", V1 + "01")
    result = run_audit(simple(ded=[school]))
    assert found(result) == [("parent.unknown", LDN, (V1 + "01", V1 + "90"))]
    f = result.findings[0]
    assert "does not exist" not in f.message_en and "不存在" not in f.message_zh
    assert f"names parent {V1}01, which is a level 2 grid" in f.message_en
    assert "must be a level 1 grid code" in f.message_en and f"it lies in level 1 grid {V1}" in f.message_en
    assert "是二级网格的编码" in f.message_zh and "应为一级网格编码" in f.message_zh
    assert f.extra == {"named_level": 2, "expected_level": 1, "suggested_parent": V1}
    # a level 3 grid naming a village: the same explanation
    wrong = (box(0, 0, 50, 100), A, V1)
    result = run_audit(simple(l3=l3_with(**{A: wrong})))
    unknown = [f for f in result.findings if f.rule_id == "parent.unknown"]
    assert len(unknown) == 1 and "which is a level 1 grid: the parent code of a level 3 grid" in unknown[0].message_en
    # a code naming nothing at all still says so
    nowhere = (box(10, 10, 30, 30), V1 + "90", "610902001299")
    unknown = [f for f in run_audit(simple(ded=[nowhere])).findings if f.rule_id == "parent.unknown"]
    assert len(unknown) == 1 and "which does not exist" in unknown[0].message_en
