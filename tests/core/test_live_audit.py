"""The live audit's neighbourhood check in the core: what is read, what is reported (no QGIS)."""

from __future__ import annotations

import shapely

from plugin.core import live_audit, schema
from plugin.core.audit import Tolerances
from plugin.core.model import GridArray, WorkspaceData
from plugin.core.workspace_audit import audit_workspace

INFO = schema.WorkspaceInfo(county_code="610902", county_name="汉滨区", crs="EPSG:4524")
X0, Y0 = 36_500_000.0, 3_600_000.0


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def sections():
    return GridArray.from_records(
        "grid_level2",
        2,
        [box(0, 0, 400, 400), box(400, 0, 800, 400)],
        ["61090200100101", "61090200100102"],
        ["610902001001"] * 2,
    )


def groups(first=None):
    return GridArray.from_records(
        "grid_level3",
        3,
        [first or box(0, 0, 200, 400), box(200, 0, 400, 400), box(400, 0, 800, 400)],
        ["61090200100101001", "61090200100101002", "61090200100102001"],
        ["61090200100101", "61090200100101", "61090200100102"],
    )


def test_a_clean_edit_reports_nothing_and_checks_only_its_section():
    level3 = groups()
    result = live_audit.check_neighbourhood(INFO, 3, level3.subset([0]), sections(), level3, None, Tolerances())
    assert result.findings == []
    assert result.codes == {"61090200100101", "61090200100101001", "61090200100101002"}  # not the other section


def test_an_edit_over_its_neighbours_reports_what_the_full_audit_reports():
    level3 = groups(box(0, 0, 450, 400))  # over its neighbour and into the next section
    result = live_audit.check_neighbourhood(INFO, 3, level3.subset([0]), sections(), level3, None, Tolerances())
    rules = {f.rule_id for f in result.findings}
    assert {"overlap", "overlap.contains"} <= rules
    assert "61090200100102001" in result.codes  # the group it now overlaps, across the boundary
    # what the full audit of the same grids says, for the live audit's families
    data = WorkspaceData(
        info=INFO,
        grids={d.name: GridArray.empty(d.name, d.level) for d in schema.GRID_LAYERS}
        | {"grid_level2": sections(), "grid_level3": level3},
    )
    full = audit_workspace(data, Tolerances(), check_sizes=False, check_staffing=False)
    expected = {(f.rule_id, f.codes) for f in full.findings if f.rule_id.startswith(live_audit.LIVE_FAMILIES)}
    assert {(f.rule_id, f.codes) for f in result.findings} == expected


def test_a_shrunk_edit_leaves_a_gap_in_its_section():
    level3 = groups(box(0, 0, 150, 400))
    result = live_audit.check_neighbourhood(INFO, 3, level3.subset([0]), sections(), level3, None, Tolerances())
    gaps = [f for f in result.findings if f.rule_id == "gap"]
    assert len(gaps) == 1 and abs(gaps[0].geometry.area - 50 * 400) < 1e-6
