"""The compliance map: classes at the thresholds, unstaffed grids, legend, replace on re-run, grids untouched."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import shapely
from qgis.core import QgsProject

from plugin.adapters.rules_store import load_rules, save_rules
from plugin.adapters.thematic import THEME_PROPERTY, show_compliance
from plugin.adapters.workspace import create_workspace
from plugin.core import schema
from plugin.core.model import GridArray, WorkspaceData
from plugin.core.sizerules import with_rule

X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902001003"
# code suffix → (households, population, area class, status, has a grid head)
GRIDS = {
    "001": (30, 0, "rural", "active", True),  # at the rural minimum → within
    "002": (29, 0, "rural", "active", True),  # just under → under
    "003": (50, 0, "rural", "active", True),  # at the maximum → within
    "004": (51, 0, "rural", "active", True),  # just over → over
    "005": (40, 0, "rural", "active", False),  # within, but no grid head → unstaffed
    "006": (80, 0, "urban", "active", True),  # urban maximum → within
    "007": (81, 0, "urban", "active", True),  # → over
    "008": (29, 75, "rural", "active", True),  # households under, persons within (70–120) → within
    "009": (10, 0, "rural", "retired", False),  # retired: not shown
}
EXPECTED = {
    "001": "within",
    "002": "under",
    "003": "within",
    "004": "over",
    "005": "unstaffed",
    "006": "within",
    "007": "over",
    "008": "within",
}


def code(suffix):
    return f"{V}01{suffix}"


def build(path):
    n = len(GRIDS)
    geoms = [shapely.box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(n)]
    values = list(GRIDS.values())
    l3 = GridArray.from_records(
        "grid_level3",
        3,
        geoms,
        [code(s) for s in GRIDS],
        [f"{V}01"] * n,
        [f"第{i + 1}组" for i in range(n)],
        attributes={
            "households": np.array([v[0] for v in values]),
            "population": np.array([v[1] for v in values]),
            "area_class": np.array([v[2] for v in values], dtype=object),
            "status": np.array([v[3] for v in values], dtype=object),
            "settlement_type": np.array(["villager_group"] * n, dtype=object),
        },
    )
    staff = [
        {"name": f"组长{s}", "role": "grid_head", "grid_code": code(s), "phone": "13912345678"}
        for s, v in GRIDS.items()
        if v[4]
    ]
    staff.append({"name": "管理员", "role": "grid_admin", "grid_code": code("005"), "phone": "13912345678"})
    info = schema.WorkspaceInfo(county_code="610902", county_name="汉滨区", crs="EPSG:4524")
    data = WorkspaceData(info=info, grids={"grid_level3": l3}, staff=staff)
    return create_workspace(path, "610902", "汉滨区", "EPSG:4524", data=data)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def workspace(tmp_path, qgis_app):
    ws = build(tmp_path / "ws.gpkg")
    yield ws
    ws.layers.clear()


@pytest.fixture
def project(qgis_app):
    project = QgsProject()
    yield project
    project.clear()


def classes(layer):
    return {f["code"][-3:]: f["compliance"] for f in layer.getFeatures()}


def test_classes_at_the_thresholds_and_unstaffed(workspace, project):
    before = digest(workspace.path)
    grid_layer = workspace.grid_layer(3)
    layer = show_compliance(workspace, project)
    assert classes(layer) == EXPECTED
    assert layer.featureCount() == len(EXPECTED)  # the retired grid is left out
    assert layer.geometryType() == grid_layer.geometryType()
    assert layer.crs().authid() == "EPSG:4524"
    # the user's grid layer and the file are untouched
    assert not grid_layer.isEditable() and not grid_layer.isModified()
    assert digest(workspace.path) == before
    assert grid_layer.renderer().type() != "categorizedSymbol"

    renderer = layer.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "compliance"
    labels = {c.value(): c.label() for c in renderer.categories()}
    assert set(labels) == {"under", "within", "over", "unstaffed"}
    assert labels["under"].startswith("规模偏小") and "Under the range" in labels["under"]
    assert labels["within"].endswith("(4)") and labels["over"].endswith("(2)")
    assert "未配备网格长" in labels["unstaffed"] and "No grid head (1)" in labels["unstaffed"]
    colours = {c.symbol().color().name() for c in renderer.categories()}
    assert len(colours) == 4
    assert project.layerTreeRoot().children()[0].layerId() == layer.id()


def test_rerun_replaces_the_map_and_follows_the_workspace_rules(workspace, project):
    first = show_compliance(workspace, project)
    first_id = first.id()
    save_rules(workspace, with_rule(load_rules(workspace), "size.rural_range", max_households=60))
    second = show_compliance(workspace, project)
    ours = [lyr for lyr in project.mapLayers().values() if lyr.customProperty(THEME_PROPERTY) == "compliance"]
    assert ours == [second] and first_id not in project.mapLayers()
    assert classes(second)["004"] == "within"  # 51 households is within 30–60 now


def test_staff_in_the_edit_buffer_counts(workspace, project):
    from qgis.core import QgsFeature

    staff = workspace.layers["staff"]
    staff.startEditing()
    feature = QgsFeature(staff.fields())
    feature["name"] = "新组长"
    feature["role"] = "grid_head"
    feature["grid_code"] = code("005")
    staff.addFeature(feature)
    try:
        layer = show_compliance(workspace, project)
        assert classes(layer)["005"] == "within"
    finally:
        staff.rollBack()
