"""The embedded Hanbin sample, written to a workspace GeoPackage and read back through QGIS."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from plugin.core import reference, schema


@pytest.fixture(scope="module")
def sample_workspace(tmp_path_factory, qgis_app):
    from plugin.adapters.workspace import open_workspace, write_workspace
    from plugin.core.sample import build_sample

    sample = build_sample()
    path = tmp_path_factory.mktemp("sample") / "hanbin.gpkg"
    write_workspace(path, sample.data.info, sample.data)
    workspace = open_workspace(path)
    yield sample, workspace, workspace.read_data()
    for layer in workspace.layers.values():
        layer.deleteLater()


def _unplanted(sample, grid):
    planted = {code for p in sample.planted if p.layer == grid.layer for code in p.codes}
    keep = np.array([c not in planted for c in grid.codes]) & shapely.is_valid(grid.geometries)
    return grid.subset(keep)


def test_counts_and_real_codes_survive_the_round_trip(sample_workspace):
    sample, workspace, data = sample_workspace
    for layer_def in schema.GRID_LAYERS:
        assert workspace.layers[layer_def.name].featureCount() == len(sample.data.grids[layer_def.name])
    divisions = {row["code"]: row["name"] for row in reference.load_divisions("610902")}
    level1 = data.grid(1)
    assert len(level1) == len(divisions) == 529
    assert {c: n for c, n in zip(level1.codes, level1.names)} == divisions
    assert workspace.layers["households"].featureCount() == len(sample.data.households)
    assert workspace.info.crs == "EPSG:4524"


@pytest.mark.parametrize("child_level, parent_level", [(2, 1), (3, 2)])
def test_children_cover_their_parent_exactly(sample_workspace, child_level, parent_level):
    sample, _, data = sample_workspace
    children = _unplanted(sample, data.grid(child_level))
    parents = data.grid(parent_level)
    complete = {
        code
        for code in parents.codes
        if not any(
            code in p.codes or any((c or "").startswith(code) for c in p.codes)
            for p in sample.planted
            if p.layer == children.layer
        )
    }
    checked = 0
    for i, parent_code in enumerate(parents.codes):
        if parent_code not in complete:
            continue
        mine = children.geometries[children.parent_codes == parent_code]
        assert len(mine) >= 2
        union = shapely.coverage_union_all(mine)
        parent = parents.geometries[i]
        assert abs(shapely.area(union) - shapely.area(parent)) <= 1e-6 * shapely.area(parent)
        assert shapely.area(shapely.symmetric_difference(union, parent)) <= 1e-6
        assert abs(shapely.area(mine).sum() - shapely.area(parent)) <= 1e-6 * shapely.area(parent)
        checked += 1
    assert checked > 0.95 * len(parents)


def test_level1_tiles_the_county_boundary(sample_workspace):
    _, _, data = sample_workspace
    union = shapely.coverage_union_all(data.grid(1).geometries)
    assert shapely.area(shapely.symmetric_difference(union, data.county_boundary)) <= 1e-3
