"""The propose_division algorithm on a real workspace file: preview writes nothing, accepting writes the grids
with codes (west → east, north → south), retires the old ones, logs the change, in one transaction."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import shapely
from qgis.core import QgsFeature, QgsGeometry, QgsProcessingException, QgsVectorLayer
from shapely.geometry import box

from plugin.adapters.workspace import create_workspace
from plugin.core import capabilities, schema
from plugin.core.codes import numbering_order
from plugin.core.model import GridArray, PointArray, WorkspaceData

X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902200201"
S1, S2 = V + "01", V + "02"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def active(rows):
    return [r for r in rows if r["status"] != "retired"]


def rows_of(path, name):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    out = []
    for f in layer.getFeatures():
        row = {k: f[k] for k in layer.fields().names()}
        g = f.geometry()
        row["geometry"] = shapely.from_wkb(bytes(g.asWkb())) if g and not g.isNull() else None
        out.append(row)
    return out


@pytest.fixture
def workspace(tmp_path, qgis_app):
    """A rural village of two sections; section 1 has 130 households and one drawn level 3 grid."""
    rng = np.random.default_rng(3)
    s1, s2 = box(X0, Y0, X0 + 600, Y0 + 400), box(X0 + 600, Y0, X0 + 1000, Y0 + 400)
    xy = np.c_[X0 + rng.uniform(5, 595, 130), Y0 + rng.uniform(5, 395, 130)]
    xy = np.vstack([xy, np.c_[X0 + rng.uniform(605, 995, 40), Y0 + rng.uniform(5, 395, 40)]])
    n = len(xy)
    status = {"status": np.array(["active"], dtype=object)}
    grids = {
        "grid_level1": GridArray.from_records(
            "grid_level1", 1, [box(X0, Y0, X0 + 1000, Y0 + 400)], [V], names=["青山村"], attributes=status
        ),
        "grid_level2": GridArray.from_records(
            "grid_level2",
            2,
            [s1, s2],
            [S1, S2],
            [V, V],
            names=["一片", "二片"],
            attributes={"status": np.array(["active"] * 2, dtype=object), "area_class": np.array(["rural"] * 2)},
        ),
        "grid_level3": GridArray.from_records(
            "grid_level3",
            3,
            [s1],
            [S1 + "001"],
            [S1],
            names=["一组"],
            attributes={"status": np.array(["active"], dtype=object), "households": np.array([130])},
        ),
    }
    points = PointArray(
        "households",
        np.arange(1, n + 1),
        shapely.points(xy),
        {"household_no": np.array([f"H{i}" for i in range(n)], dtype=object), "persons": np.full(n, 3)},
    )
    info = schema.WorkspaceInfo("610902", "汉滨区", "EPSG:4524")
    data = WorkspaceData(info=info, grids=grids, households=points, divisions=[{"code": V, "name": "青山村"}])
    ws = create_workspace(tmp_path / "ws.gpkg", "610902", "汉滨区", "EPSG:4524", data=data)
    yield ws
    ws.layers.clear()


def road_layer():
    layer = QgsVectorLayer("LineString?crs=EPSG:4524", "roads", "memory")
    f = QgsFeature()
    f.setGeometry(QgsGeometry.fromWkt(f"LINESTRING ({X0 + 300} {Y0 - 100}, {X0 + 300} {Y0 + 500})"))
    layer.dataProvider().addFeatures([f])
    return layer


def test_preview_writes_nothing(workspace, provider, tmp_path):
    import processing

    path = workspace.path
    before = digest(path)
    roads = road_layer()
    result = processing.run(
        "community_grids:propose_division",
        {"WORKSPACE": str(path), "PARENTS": S1, "LINES": [roads], "OUTPUT": str(tmp_path / "preview.gpkg")},
    )
    assert digest(path) == before
    assert result["WRITTEN"] == 0 and result["REFUSED"] == 0
    preview = QgsVectorLayer(result["OUTPUT"], "preview", "ogr")
    feats = list(preview.getFeatures())
    assert len(feats) == result["GRIDS"] == 3  # 130 households: 3 grids of 30–50
    assert sum(f["households"] for f in feats) == 130
    assert all(30 <= f["households"] <= 50 and f["status"] == "within" for f in feats)
    geoms = [shapely.from_wkb(bytes(f.geometry().asWkb())) for f in feats]
    assert capabilities.coverage_is_valid(np.asarray(geoms, dtype=object))
    assert shapely.area(shapely.symmetric_difference(shapely.union_all(geoms), box(X0, Y0, X0 + 600, Y0 + 400))) < 1e-6
    del preview, roads


def test_accept_writes_codes_retires_and_logs(workspace, provider, tmp_path):
    import processing

    path = workspace.path
    result = processing.run(
        "community_grids:propose_division",
        {"WORKSPACE": str(path), "PARENTS": f"{S1}, {S2}", "ACCEPT": True, "OUTPUT": "TEMPORARY_OUTPUT"},
    )
    assert result["WRITTEN"] == 4  # 3 in section 1, 1 in section 2 (40 households)
    level3 = rows_of(path, "grid_level3")
    old = [r for r in level3 if r["code"] == S1 + "001"]
    assert old and old[0]["status"] == "retired" and old[0]["valid_to"]
    new = active(level3)
    assert len(new) == 4 and sum(r["households"] for r in new) == 170
    # codes: never reuse S1+"001"; numbered west → east, north → south under each parent
    s1 = sorted((r for r in new if r["parent_code"] == S1), key=lambda r: r["code"])
    assert [r["code"] for r in s1] == [S1 + "002", S1 + "003", S1 + "004"]
    order = numbering_order(np.asarray([r["geometry"] for r in s1], dtype=object), np.arange(len(s1)))
    assert order.tolist() == [0, 1, 2]  # the codes follow the workspace's numbering order
    assert [r["code"] for r in new if r["parent_code"] == S2] == [S2 + "001"]
    log = rows_of(path, "change_log")
    assert log and {r["change_kind"] for r in log} & {"split", "create", "reshape", "retire"}
    registry = {r["code"] for r in rows_of(path, "code_registry")}
    assert {r["code"] for r in new} <= registry
    assert all(r["settlement_type"] == "villager_group" and r["area_class"] == "rural" for r in new)


def test_bad_parent_code_is_refused_and_nothing_written(workspace, provider):
    import processing

    path = workspace.path
    before = digest(path)
    with pytest.raises(QgsProcessingException, match="61090299"):
        processing.run(
            "community_grids:propose_division",
            {"WORKSPACE": str(path), "PARENTS": "6109029999", "ACCEPT": True, "OUTPUT": "TEMPORARY_OUTPUT"},
        )
    assert digest(path) == before
