"""Change requests on GeoPackage workspaces (§7.6): a township's change-set package, the county's review,
approval (one transaction: grids, change log with the reference, code registry) and rejection (nothing changes)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime

import numpy as np
import pytest
from shapely.geometry import box

from plugin.adapters import changeset_package as cp
from plugin.adapters.gpkg_write import WorkspaceWrite
from plugin.adapters.package_io import open_gpkg, read_rows
from plugin.adapters.workspace import read_info, write_workspace
from plugin.core import schema
from plugin.core.changesets import ChangeSetError
from plugin.core.model import GridArray, WorkspaceData

X0, Y0 = 36_500_000.0, 3_600_000.0
T1, T2 = "610902001", "610902002"
V1, V2 = f"{T1}001", f"{T2}001"
REF = "汉滨政发〔2024〕12号"
APPROVED_AT = datetime(2024, 5, 8, 15, 0, 0)


def level2(specs):
    """Sections (code, x0, width, status): 100 m high; village = first 12 digits of the code."""
    return GridArray.from_records(
        "grid_level2",
        2,
        [box(X0 + x, Y0, X0 + x + w, Y0 + 100) for _, x, w, _ in specs],
        [c for c, _, _, _ in specs],
        parent_codes=[c[:12] for c, _, _, _ in specs],
        names=[f"片区{c[-2:]}" for c, _, _, _ in specs],
        attributes={"status": np.array([s for _, _, _, s in specs], dtype=object)},
    )


def workspace(path, sections):
    info = schema.WorkspaceInfo("610902", "汉滨区", "EPSG:4524")
    grids = {
        "grid_level1": GridArray.from_records(
            "grid_level1", 1, [box(X0, Y0, X0 + 200, Y0 + 100), box(X0 + 200, Y0, X0 + 300, Y0 + 100)], [V1, V2]
        ),
        "grid_level2": level2(sections),
    }
    data = WorkspaceData(info, grids, county_boundary=box(X0, Y0, X0 + 300, Y0 + 100))
    path = write_workspace(path, info, data)
    with WorkspaceWrite(path, "test registry") as write:  # the codes as issued
        write.add(
            schema.CODE_REGISTRY.name,
            [{"code": c, "layer": "grid_level2", "level": 2, "status": "active"} for c, _, _, s in sections],
        )
    return path


BASE = [(f"{V1}01", 0, 100, "active"), (f"{V1}02", 100, 100, "active"), (f"{V2}01", 200, 100, "active")]
# the township moves the border between its sections, retires nothing, adds nothing
EDITED = [(f"{V1}01", 0, 120, "active"), (f"{V1}02", 120, 80, "active"), (f"{V2}01", 200, 100, "active")]


@pytest.fixture
def files(tmp_path, qgis_app):
    base = workspace(tmp_path / "county.gpkg", BASE)
    edited = workspace(tmp_path / "township.gpkg", EDITED)
    package, cs = cp.propose_package(
        base, edited, tmp_path / "request.gpkg", T1, "两个片区边界按新修道路调整", proposed_by="李四"
    )
    return base, edited, package, cs


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table(path, name):
    return read_rows(open_gpkg(path), name)


def test_the_package_holds_the_application_what_changes_and_both_geometries(files):
    _, _, package, cs = files
    back = cp.read_package(package)
    assert back.set_id == cs.set_id and back.status == "proposed" and back.township_code == T1
    assert sorted((i.action, i.code) for i in back.items) == [("modify", f"{V1}01"), ("modify", f"{V1}02")]
    item = next(i for i in back.items if i.code == f"{V1}01")
    assert item.area_before() == pytest.approx(10_000) and item.area_after() == pytest.approx(12_000)
    assert "两个片区边界按新修道路调整" in back.application and "李四" in back.application
    assert back.crs == "EPSG:4524"


def test_the_package_carries_the_map_of_the_change(files):
    from qgis.PyQt.QtGui import QImage

    from plugin.adapters.changeset_map import MAP_SIZE

    _, _, package, cs = files
    assert cs.map_png and cs.map_png.startswith(b"\x89PNG")
    stored = table(package, schema.CHANGE_SETS.name)[0]["map_png"]
    assert stored == cs.map_png  # the same PNG, byte for byte, in the package's change_sets row
    assert cp.read_package(package).map_png == cs.map_png
    image = QImage.fromData(stored, "PNG")
    assert (image.width(), image.height()) == MAP_SIZE
    assert len({image.pixel(x, y) for x in range(0, image.width(), 13) for y in range(0, image.height(), 13)}) > 10


def test_review_audits_the_result(files):
    base, _, package, _ = files
    review = cp.review_package(base, package)
    assert review.counts["modify"] == 2
    assert not [f for f in review.new_findings if f.severity.value == "error"]


def test_approval_makes_the_change_current_in_one_transaction_logged_with_its_reference(files):
    base, _, package, cs = files
    decision = cp.approve_package(base, package, REF, decided_by="王县", decided_at=APPROVED_AT)
    grids = cp.read_workspace_grids(base)["grid_level2"]
    areas = dict(zip(grids.codes.tolist(), [round(a) for a in grids.areas()]))
    assert areas == {f"{V1}01": 12_000, f"{V1}02": 8_000, f"{V2}01": 10_000}
    log = table(base, schema.CHANGE_LOG.name)
    assert len(log) == decision.change_log == 2
    assert {r["approval_ref"] for r in log} == {REF}
    assert {r["change_kind"] for r in log} == {"reshape"}
    assert {r["changed_at"][:19] for r in log} == {"2024-05-08T15:00:00"}
    assert decision.change_set.filing_deadline().isoformat() == "2024-05-15"
    assert read_info(base).extra[cp.INFO_PREFIX + cs.set_id].startswith('{"status": "approved"')
    assert cp.read_package(package).status == "approved" and cp.read_package(package).approval_ref == REF
    with pytest.raises(ChangeSetError, match="already approved"):
        cp.approve_package(base, package, REF)


def test_a_rejected_set_changes_nothing_in_the_workspace(files):
    base, _, package, _ = files
    before = digest(base)
    decision = cp.reject_package(base, package, "与村界不符", decided_by="王县", decided_at=APPROVED_AT)
    assert digest(base) == before
    back = cp.read_package(package)
    assert back.status == "rejected" and back.rejection_reason == "与村界不符"
    assert decision.change_set.filing_status() is None
    with pytest.raises(ChangeSetError, match="already rejected"):
        cp.approve_package(base, package, REF)
    assert digest(base) == before


def test_a_stale_set_is_refused_and_nothing_is_written(files, tmp_path):
    base, _, package, _ = files
    moved = workspace(tmp_path / "moved.gpkg", [(f"{V1}01", 0, 90, "active"), *BASE[1:]])
    shutil.copyfile(moved, base)
    before = digest(base)
    with pytest.raises(ChangeSetError, match="changed in the county"):
        cp.approve_package(base, package, REF)
    assert digest(base) == before and cp.read_package(package).status == "proposed"


def test_a_township_cannot_propose_a_change_to_a_neighbours_grid(tmp_path, qgis_app):
    base = workspace(tmp_path / "county.gpkg", BASE)
    edited = workspace(tmp_path / "township.gpkg", [*BASE[:2], (f"{V2}01", 200, 90, "active")])
    with pytest.raises(ChangeSetError) as caught:
        cp.propose_package(base, edited, tmp_path / "request.gpkg", T1, "越界")
    assert f"{V2}01" in str(caught.value)
    assert not (tmp_path / "request.gpkg").exists()


def test_new_and_retired_grids_issue_and_retire_codes(tmp_path, qgis_app):
    base = workspace(tmp_path / "county.gpkg", BASE)
    edited = workspace(
        tmp_path / "township.gpkg",
        [*BASE[:1], (f"{V1}02", 100, 100, "retired"), BASE[2], (f"{V1}03", 100, 100, "active")],
    )
    package, _ = cp.propose_package(base, edited, tmp_path / "request.gpkg", T1, "片区重划")
    cp.approve_package(base, package, REF, decided_at=APPROVED_AT)
    registry = {r["code"]: r for r in table(base, schema.CODE_REGISTRY.name)}
    assert registry[f"{V1}02"]["status"] == "retired" and registry[f"{V1}02"]["retired_on"] == "2024-05-08"
    assert registry[f"{V1}03"]["status"] == "active" and REF in registry[f"{V1}03"]["note"]
    grids = cp.read_workspace_grids(base)["grid_level2"]
    status = dict(zip(grids.codes.tolist(), grids.attributes["status"].tolist()))
    assert status == {f"{V1}01": "active", f"{V1}02": "retired", f"{V2}01": "active", f"{V1}03": "active"}
    log = [(r["change_kind"], r["old_code"], r["new_code"]) for r in table(base, schema.CHANGE_LOG.name)]
    assert log == [("recode", f"{V1}02", f"{V1}03")]  # the same area under a new code (core.changes)


def test_the_processing_algorithms_propose_approve_and_reject(tmp_path, provider):
    import processing

    base = workspace(tmp_path / "county.gpkg", BASE)
    edited = workspace(tmp_path / "township.gpkg", EDITED)
    out = processing.run(
        "community_grids:propose_change_set",
        {
            "BASE": str(base),
            "EDITED": str(edited),
            "TOWNSHIP": T1,
            "REASON": "道路调整",
            "USER": "李四",
            "OUTPUT": str(tmp_path / "request.gpkg"),
        },
    )
    assert out["ITEMS"] == 2
    review = processing.run("community_grids:review_change_set", {"WORKSPACE": str(base), "PACKAGE": out["OUTPUT"]})
    assert review["NEW_FINDINGS"] == 0
    copy = tmp_path / "copy.gpkg"
    shutil.copyfile(out["OUTPUT"], copy)
    approved = processing.run(
        "community_grids:approve_change_set", {"WORKSPACE": str(base), "PACKAGE": out["OUTPUT"], "REFERENCE": REF}
    )
    assert approved["CHANGES"] == 2 and approved["DEADLINE"]
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="already approved"):
        processing.run(
            "community_grids:reject_change_set", {"WORKSPACE": str(base), "PACKAGE": str(copy), "REASON": "x"}
        )
