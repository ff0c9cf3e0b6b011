"""The city's intake: comparing two packages, merging two real neighbouring counties with planted defects."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from qgis.core import QgsVectorLayer
from shapely.geometry import box

from plugin.adapters.filing import export_package
from plugin.adapters.intake import compare_packages, merge_packages, read_package, write_report
from plugin.adapters.package_io import PackageError, open_gpkg, read_rows, validate_gpkg
from plugin.adapters.workspace import open_workspace, write_workspace
from plugin.core import reference, schema
from plugin.core.model import GridArray, WorkspaceData

X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902001001"
GK = "EPSG:4524"


def grids_of(rows):
    """rows: (code, shapely geometry, status) of level 2 grids."""
    n = len(rows)
    return {
        "grid_level1": GridArray.from_records(
            "grid_level1",
            1,
            [box(X0, Y0, X0 + 1000, Y0 + 1000)],
            [V],
            attributes={"status": np.array(["active"], dtype=object)},
        ),
        "grid_level2": GridArray.from_records(
            "grid_level2",
            2,
            [r[1] for r in rows],
            [r[0] for r in rows],
            parent_codes=[V] * n,
            attributes={"status": np.array([r[2] for r in rows], dtype=object)},
        ),
    }


def package(tmp_path, name, rows, county="610902", county_name="汉滨区", crs=GK, boundary=None, grids=None):
    info = schema.WorkspaceInfo(county, county_name, crs)
    data = WorkspaceData(info, grids if grids is not None else grids_of(rows), county_boundary=boundary)
    ws = write_workspace(tmp_path / f"{name}_ws.gpkg", info, data)
    return export_package(ws, tmp_path / f"{name}.gpkg").path


def sq(col, row, size=100.0):
    return box(X0 + col * size, Y0 + row * size, X0 + (col + 1) * size, Y0 + (row + 1) * size)


C = [f"{V}{k:02d}" for k in range(1, 10)]


@pytest.fixture
def before_after(tmp_path, qgis_app):
    before = [
        (C[0], sq(0, 0), "active"),  # unchanged
        (C[1], sq(1, 0), "active"),  # reshaped: grows east by 50 m
        (C[2], sq(2, 0), "active"),  # re-coded
        (C[3], sq(3, 0), "active"),  # retired
        (C[4], sq(4, 0), "active"),  # removed
    ]
    after = [
        (C[0], sq(0, 0), "active"),
        (C[1], box(X0 + 100, Y0, X0 + 250, Y0 + 100), "active"),
        (C[7], sq(2, 0), "active"),
        (C[3], sq(3, 0), "retired"),
        (C[8], sq(0, 1), "active"),  # added
    ]
    return package(tmp_path, "before", before), package(tmp_path, "after", after)


def test_compare_packages_finds_every_kind(before_after, tmp_path):
    comparison = compare_packages(*before_after)
    assert comparison.crs == GK  # the Gauss-Kruger zone of 108°E
    totals = comparison.diff.totals()
    assert totals == {"added": 1, "removed": 1, "retired": 1, "recoded": 1, "reshaped": 1, "unchanged": 2}
    items = {item.kind: item for item in comparison.diff.items if item.layer == "grid_level2"}
    assert (items["reshaped"].old_code, items["reshaped"].new_code) == (C[1], C[1])
    assert items["reshaped"].area_before == pytest.approx(10_000, rel=1e-6)
    assert items["reshaped"].area_after == pytest.approx(15_000, rel=1e-6)
    assert items["reshaped"].changed_area == pytest.approx(5_000, rel=1e-5)
    assert (items["recoded"].old_code, items["recoded"].new_code) == (C[2], C[7])
    assert items["retired"].old_code == C[3]
    assert items["removed"].old_code == C[4] and items["added"].new_code == C[8]
    features = comparison.changed_features()
    assert len(features) == 5
    for _attributes, geometry in features:  # geometries in the package CRS (degrees)
        assert geometry is not None and 108 < geometry.centroid.x < 109

    for suffix in ("html", "json", "txt"):
        path = write_report(comparison, tmp_path / f"report.{suffix}")
        text = path.read_text(encoding="utf-8")
        if suffix == "json":
            body = json.loads(text)
            assert body["totals"]["reshaped"] == 1 and body["changed"] == 5
        elif suffix == "html":
            assert "<table>" in text and "调整边界" in text
        else:
            assert "调整边界 1" in text and "reshaped 1" in text


def test_identical_packages_have_no_changes(before_after):
    comparison = compare_packages(before_after[0], before_after[0])
    assert not comparison.diff.has_changes


# ---------------------------------------------------------------- two real neighbouring counties


def strips(boundary, n, county, township="001"):
    """Level 1 grids: the county cut into ``n`` vertical strips (exactly covering it)."""
    xmin, ymin, xmax, ymax = boundary.bounds
    edges = np.linspace(xmin, xmax, n + 1)
    cuts = shapely.intersection(boundary, shapely.box(edges[:-1], ymin - 1, edges[1:], ymax + 1))
    codes = [f"{county}{township}{k + 1:03d}" for k in range(n)]
    return list(cuts), codes


@pytest.fixture
def two_counties(tmp_path, qgis_app):
    hb = reference.transform_geometry(reference.load_county_boundary_wgs84("610902"), GK)
    hy = reference.transform_geometry(reference.load_county_boundary_wgs84("610921"), GK)
    hb_geoms, hb_codes = strips(hb, 4, "610902")
    hy_geoms, hy_codes = strips(hy, 3, "610921")
    # planted overlap: the Hanbin grid at the border reaches 400 m into Hanyin
    border = shapely.intersection(hb.boundary, hy.boundary)
    point = shapely.line_interpolate_point(shapely.line_merge(border), 0.5, normalized=True)
    bulge = shapely.intersection(point.buffer(400), hy)
    target = int(np.argmax(shapely.intersects(np.asarray(hb_geoms, dtype=object), point.buffer(1))))
    hb_geoms[target] = shapely.union(hb_geoms[target], bulge)
    # planted duplicate: a Hanyin grid carries a Hanbin code
    hy_codes[2] = hb_codes[0]

    def county(name, code, title, geoms, codes, boundary):
        grids = {
            "grid_level1": GridArray.from_records(
                "grid_level1", 1, geoms, codes, attributes={"status": np.array(["active"] * len(codes), dtype=object)}
            )
        }
        return package(tmp_path, name, None, county=code, county_name=title, boundary=boundary, grids=grids)

    return (
        county("hanbin", "610902", "汉滨区", hb_geoms, hb_codes, hb),
        county("hanyin", "610921", "汉阴县", hy_geoms, hy_codes, hy),
        {
            "overlap_codes": {
                hb_codes[target],
                hy_codes[int(np.argmax([g.intersection(bulge).area for g in hy_geoms]))],
            },
            "overlap_area": bulge.area,
            "duplicate": hb_codes[0],
        },
    )


def test_merge_two_counties_finds_the_planted_overlap_and_duplicate(two_counties, tmp_path):
    hanbin, hanyin, planted = two_counties
    result = merge_packages([hanyin, hanbin], tmp_path / "city.gpkg", min_area_m2=100.0, border_tolerance_m=1.0)
    assert result.crs == GK and result.plan.counties == ["610902", "610921"] and result.plan.city_code == "6109"
    by_rule = {}
    for f in result.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    overlaps = by_rule["city.border_overlap"]
    assert len(overlaps) == 1
    assert set(overlaps[0].codes) == planted["overlap_codes"]
    assert overlaps[0].measure == pytest.approx(planted["overlap_area"], rel=0.01)
    duplicates = by_rule["city.duplicate_code"]
    assert [d.codes for d in duplicates] == [(planted["duplicate"],)]
    assert duplicates[0].extra["counties"] == ["610902", "610921"]
    assert [f.codes for f in by_rule["city.code_outside_county"]] == [(planted["duplicate"],)]
    assert "city.border_gap" not in by_rule  # the boundaries share their border exactly

    # the city workspace: a valid GeoPackage, a workspace QGIS and the plugin open
    assert validate_gpkg(result.path) == []
    merged = open_gpkg(result.path)
    level1 = merged.GetLayerByName("grid_level1")
    assert level1.GetFeatureCount() == 7
    assert level1.GetSpatialRef().GetAuthorityCode(None) == "4524"
    counties = sorted({r["county_code"] for r in read_rows(merged, "grid_level1", ("county_code",))})
    assert counties == ["610902", "610921"]
    findings = read_rows(merged, "city_findings")
    assert sorted(r["rule_id"] for r in findings) == sorted(f.rule_id for f in result.findings)
    assert {r["county_code"] for r in read_rows(merged, "city_packages")} == {"610902", "610921"}
    merged = None
    layer = QgsVectorLayer(result.findings_uri, "findings", "ogr")
    assert layer.isValid() and layer.featureCount() == len(result.findings)
    assert layer.crs().authid() == GK
    del layer
    city = open_workspace(result.path)
    assert city.info.county_code == "6109"
    assert city.info.extra["merged_counties"] == "610902,610921"
    city.layers.clear()


def test_merge_refuses_the_same_county_twice(two_counties, tmp_path):
    hanbin, _, _ = two_counties
    copy = tmp_path / "hanbin_copy.gpkg"
    copy.write_bytes(hanbin.read_bytes())
    with pytest.raises(PackageError, match="610902"):
        merge_packages([hanbin, copy], tmp_path / "city.gpkg")
    assert not (tmp_path / "city.gpkg").exists()


def test_read_package_knows_its_county(two_counties):
    data = read_package(two_counties[1])
    assert data.source.county_code == "610921" and data.crs == "EPSG:4490"
    assert len(data.grids["grid_level1"]) == 3


# ---------------------------------------------------------------- Processing


def test_processing_compare_and_merge(before_after, two_counties, tmp_path, provider):
    import processing

    result = processing.run(
        "community_grids:compare_packages",
        {
            "BEFORE": str(before_after[0]),
            "AFTER": str(before_after[1]),
            "OUTPUT": str(tmp_path / "changes.gpkg"),
            "REPORT": str(tmp_path / "report.html"),
        },
    )
    assert result["CHANGED"] == 5 and result["RESHAPED"] == 1 and result["UNCHANGED"] == 2
    layer = QgsVectorLayer(result["OUTPUT"], "changes", "ogr")
    assert layer.featureCount() == 5
    assert sorted(f["kind"] for f in layer.getFeatures()) == ["added", "recoded", "removed", "reshaped", "retired"]
    del layer
    assert (tmp_path / "report.html").exists()

    merged = processing.run(
        "community_grids:merge_county_packages",
        {
            "PACKAGES": [str(two_counties[0]), str(two_counties[1])],
            "MIN_AREA": 100.0,
            "OUTPUT": str(tmp_path / "city.gpkg"),
        },
    )
    assert merged["ERRORS"] == 2 and merged["FINDING_COUNT"] == 3
    findings = QgsVectorLayer(merged["FINDINGS"], "f", "ogr")
    assert findings.isValid() and findings.featureCount() == 3
    del findings
