"""Fix helpers applied to a workspace's layers: one undoable edit, valid single-part results, no sliver left,
the union unchanged, undo restores; refusals leave the layer untouched."""

from __future__ import annotations

import pytest
import shapely
from qgis.core import QgsProject

from devtools.synthetic import generate_city, plant_defects
from plugin.adapters import fix_edits
from plugin.adapters.audit_store import read_grid_layer, snapshot_workspace
from plugin.adapters.workspace import create_workspace, open_workspace
from plugin.core.audit import run_audit

KINDS = ["overlap", "gap", "contains", "section_gap", "county_gap", "sliver_overlap"]


@pytest.fixture
def workspace(tmp_path, qgis_new_project):
    city = generate_city(300, seed=11)
    data, _ = plant_defects(city, KINDS, seed=2)
    create_workspace(tmp_path / "fix.gpkg", "610902", "汉滨区", "EPSG:4524", data=data)
    ws = open_workspace(tmp_path / "fix.gpkg")
    QgsProject.instance().addMapLayers(list(ws.layers.values()))
    yield ws
    for layer in ws.layers.values():
        if layer.isEditable():
            layer.rollBack()
    QgsProject.instance().removeAllMapLayers()


def audit(ws):
    return run_audit(snapshot_workspace(ws).read())


def geometries(layer):
    return {f.id(): shapely.from_wkb(bytes(f.geometry().asWkb())) for f in layer.getFeatures()}


def first(ws, rule, layer=None):
    return next(f for f in audit(ws).findings if f.rule_id == rule and (layer is None or f.layer == layer))


def union(geoms):
    return shapely.union_all(list(geoms))


def assert_no_slivers(ws, rules=("overlap", "overlap.sliver", "gap", "gap.sliver")):
    found = [(f.rule_id, f.codes) for f in audit(ws).findings if f.rule_id in rules]
    return found


def test_gap_goes_to_the_neighbour_as_one_undoable_edit(workspace):
    level3 = workspace.layers["grid_level3"]
    gap = first(workspace, "gap", "grid_level2")
    before = geometries(level3)
    outcome = fix_edits.apply_fix(workspace, gap, fix_edits.NEIGHBOUR)
    assert level3.isEditable() and level3.undoStack().count() == 1
    assert outcome.changed_fids and outcome.new_fid is None
    after = geometries(level3)
    fid = outcome.changed_fids[0]
    new = after[fid]
    assert new.is_valid and shapely.get_num_geometries(new) == 1  # single part, as it was
    assert shapely.get_num_geometries(before[fid]) == 1
    assert new.area == pytest.approx(before[fid].area + gap.measure, rel=1e-6)
    # the layer's union grew by exactly the gap; nothing else moved
    grown = shapely.symmetric_difference(union(after.values()), union([*before.values(), gap.geometry]))
    assert grown.area < 1e-4
    assert all(shapely.equals_exact(after[k], before[k], 0) for k in before if k != fid)
    remaining = assert_no_slivers(workspace)
    assert not any(codes == gap.codes for rule, codes in remaining if rule.startswith("gap")), remaining
    assert "now belongs to" in outcome.message
    outcome.undo()
    assert not level3.isModified()
    assert shapely.equals_exact(geometries(level3)[fid], before[fid], 0)


def test_overlap_resolved_then_undone(workspace):
    level3 = workspace.layers["grid_level3"]
    overlap = first(workspace, "overlap", "grid_level3")
    before = geometries(level3)
    outcome = fix_edits.apply_fix(workspace, overlap)
    assert level3.undoStack().count() == 1
    after = geometries(level3)
    a, b = overlap.fids
    for fid in (a, b):
        assert after[fid].is_valid and shapely.get_num_geometries(after[fid]) == 1
    assert shapely.intersection(after[a], after[b]).area < 1e-6
    assert shapely.symmetric_difference(union([after[a], after[b]]), union([before[a], before[b]])).area < 1e-6
    remaining = assert_no_slivers(workspace)
    assert not any(set(codes) == set(overlap.codes) for _, codes in remaining), remaining
    assert "removed from" in outcome.message
    level3.undoStack().undo()
    assert not level3.isModified()


def test_sliver_overlap_fixed_without_leaving_a_sliver(workspace):
    sliver = first(workspace, "overlap.sliver")
    fix_edits.apply_fix(workspace, sliver)
    remaining = assert_no_slivers(workspace)
    assert not any(set(codes) == set(sliver.codes) for _, codes in remaining), remaining


def test_gap_as_a_new_grid_and_undo(workspace):
    level3 = workspace.layers["grid_level3"]
    gap = first(workspace, "gap", "grid_level2")
    n = level3.featureCount()
    outcome = fix_edits.apply_fix(workspace, gap, fix_edits.NEW_GRID)
    assert outcome.new_fid is not None and level3.featureCount() == n + 1
    feature = level3.getFeature(outcome.new_fid)
    assert feature["parent_code"] == gap.codes[0] and feature["status"] == "active" and feature["level"] == 3
    geom = shapely.from_wkb(bytes(feature.geometry().asWkb()))
    assert geom.is_valid and geom.area == pytest.approx(gap.measure, rel=1e-6)
    assert feature.geometry().isMultipart()  # the layer's type; one part
    assert shapely.get_num_geometries(geom) == 1
    rules = {f.rule_id for f in audit(workspace).findings if gap.codes[0] in f.codes}
    assert "gap" not in rules
    level3.undoStack().undo()
    assert level3.featureCount() == n and not level3.isModified()


def test_level2_gap_and_county_gap(workspace):
    level2 = workspace.layers["grid_level2"]
    gap = first(workspace, "gap", "grid_level1")
    fix_edits.apply_fix(workspace, gap)
    assert level2.undoStack().count() == 1
    assert not any(f.rule_id == "gap" and f.layer == "grid_level1" for f in audit(workspace).findings)
    level1 = workspace.layers["grid_level1"]
    county_gap = first(workspace, "county.gap")
    outcome = fix_edits.apply_fix(workspace, county_gap)
    assert level1.undoStack().count() == 1 and len(outcome.changed_fids) == 1
    assert not any(f.rule_id == "county.gap" for f in audit(workspace).findings)


def test_refusals_leave_the_layer_untouched(workspace):
    level3 = workspace.layers["grid_level3"]
    contains = first(workspace, "overlap.contains")
    with pytest.raises(fix_edits.FixError, match="inside"):
        fix_edits.apply_fix(workspace, contains)
    assert not level3.isEditable()
    overlap = first(workspace, "overlap", "grid_level3")
    fix_edits.apply_fix(workspace, overlap)
    with pytest.raises(fix_edits.FixError, match="no longer overlap"):
        fix_edits.apply_fix(workspace, overlap)  # stale: already fixed
    assert level3.undoStack().count() == 1
    outside = first(workspace, "parent.outside")
    with pytest.raises(fix_edits.FixError, match="no automatic fix"):
        fix_edits.apply_fix(workspace, outside)


def test_the_gap_neighbour_must_share_the_parent(workspace):
    """The receiver is a child of the gap's parent: its parent_code is the finding's code."""
    gap = first(workspace, "gap", "grid_level2")
    outcome = fix_edits.apply_fix(workspace, gap)
    level3 = read_grid_layer(workspace.layers["grid_level3"], 3)
    fid = outcome.changed_fids[0]
    row = list(level3.fids).index(fid)
    assert level3.parent_codes[row] == gap.codes[0]
