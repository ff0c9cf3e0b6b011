"""The "Audit grid workspace" Processing algorithm: planted errors found, reports and findings written,
exceptions kept across runs (and lapsing when the geometry changes), bad input refused or reported clearly."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsVectorLayer,
)

from devtools.synthetic import L3, generate_city, plant_defects
from plugin.adapters import audit_store
from plugin.adapters.arrays import python_value
from plugin.adapters.workspace import create_workspace, open_workspace

ALG = "community_grids:audit_workspace"


def staff_for(data):
    rows = []
    for grid in data.grids.values():
        for code in grid.codes:
            rows.append({"name": "张三", "phone": "13912345678", "role": "grid_head", "grid_code": code})
            if grid.level == 1:
                rows.append({"name": "李四", "phone": "13912345679", "role": "grid_admin", "grid_code": code})
            if grid.level == 0:
                rows[-1]["safety_officer"] = True
    return rows


def build_planted_workspace(path, kinds=("overlap", "gap"), n=150, seed=3):
    """A small synthetic county with one planted defect of each kind, fully staffed."""
    city = generate_city(n, seed=seed)
    data, planted = plant_defects(city, list(kinds), seed=1)
    data.staff = staff_for(data)
    return create_workspace(path, "610902", "汉滨区", "EPSG:4524", data=data), planted


class Recorder(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.errors, self.infos = [], []

    def reportError(self, error, fatalError=False):  # noqa: N802, N803 - Qt's names
        self.errors.append(error)

    def pushInfo(self, info):  # noqa: N802 - Qt's name
        self.infos.append(info)


@pytest.fixture
def workspace(tmp_path, qgis_app):
    ws, _ = build_planted_workspace(tmp_path / "audit.gpkg")
    yield ws
    ws.layers.clear()


def stored_findings(path):
    layer = QgsVectorLayer(f"{path}|layername=audit_findings", "findings", "ogr")
    return [
        {name: python_value(f[name]) for name in layer.fields().names()} | {"geometry": f.geometry()}
        for f in layer.getFeatures()
    ]


def run(parameters, feedback=None):
    import processing

    return processing.run(ALG, parameters, feedback=feedback or Recorder())


def test_the_algorithm_is_registered(provider):
    alg = QgsApplication.processingRegistry().algorithmById(ALG)
    assert alg is not None
    names = {p.name() for p in alg.parameterDefinitions()}
    assert {
        "WORKSPACE",
        "LEVEL1",
        "LEVEL2",
        "LEVEL3",
        "DEDICATED",
        "COUNTY_BOUNDARY",
        "NOISE_AREA",
        "SLIVER_AREA",
        "SLIVER_WIDTH",
        "TINY_GRID_AREA",
        "WRITE_TO_WORKSPACE",
        "FINDINGS",
        "JSON",
        "HTML",
    } <= names


def test_finds_planted_errors_writes_reports_and_the_workspace(workspace, provider, tmp_path):
    path = str(workspace.path)
    feedback = Recorder()
    result = run(
        {
            "WORKSPACE": path,
            "FINDINGS": str(tmp_path / "findings.gpkg"),
            "JSON": str(tmp_path / "audit.json"),
            "HTML": str(tmp_path / "audit.html"),
            "WRITE_TO_WORKSPACE": True,
        },
        feedback,
    )
    layer = QgsVectorLayer(result["FINDINGS"], "out", "ogr")
    rules = [f["rule_id"] for f in layer.getFeatures()]
    assert "overlap" in rules and "gap" in rules
    assert result["ERRORS"] >= 2 and result["BLOCKING"] == result["ERRORS"]
    assert result["FINDINGS_COUNT"] == layer.featureCount()
    assert set(layer.fields().names()) >= {"run_id", "rule_id", "severity", "fingerprint", "accepted"}
    overlap = next(f for f in layer.getFeatures() if f["rule_id"] == "overlap")
    assert overlap.geometry().wkbType() == 6 and overlap.geometry().area() > 1  # a MultiPolygon
    doc = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert doc["run_id"] == result["RUN_ID"] and len(doc["findings"]) == result["FINDINGS_COUNT"]
    assert doc["checked"] == {"topology": True, "sizes": True, "staffing": True}
    html = (tmp_path / "audit.html").read_text(encoding="utf-8")
    assert "Summary by rule" in html and "Summary by township and village" in html and "overlap" in html
    stored = stored_findings(path)
    assert len(stored) == result["FINDINGS_COUNT"]
    assert {r["run_id"] for r in stored} == {result["RUN_ID"]}
    assert any("overlap" in line for line in feedback.infos)

    # a second run replaces the first run's rows
    again = run({"WORKSPACE": path, "WRITE_TO_WORKSPACE": True})
    stored = stored_findings(path)
    assert len(stored) == again["FINDINGS_COUNT"] and {r["run_id"] for r in stored} == {again["RUN_ID"]}


def test_accepted_exceptions_stay_until_the_geometry_changes(workspace, provider, tmp_path):
    path = str(workspace.path)
    run({"WORKSPACE": path, "WRITE_TO_WORKSPACE": True})
    ws = open_workspace(path)
    data = ws.read_data()
    from plugin.core.workspace_audit import audit_workspace

    gap = next(f for f in audit_workspace(data).findings if f.rule_id == "gap")
    edit = audit_store.accept_finding(ws, gap, "河道，不划入网格", "测试员")
    exceptions = ws.layers["audit_exceptions"]
    assert exceptions.isEditable() and exceptions.undoStack().count() == 1
    marked = [f for f in ws.layers["audit_findings"].getFeatures() if f["fingerprint"] == gap.fingerprint]
    assert marked and all(f["accepted"] for f in marked)
    edit.undo()  # undoable
    assert not exceptions.isModified()
    audit_store.accept_finding(ws, gap, "河道，不划入网格", "测试员")
    audit_store.save_acceptances(ws)
    assert not exceptions.isEditable()

    result = run({"WORKSPACE": path, "WRITE_TO_WORKSPACE": True, "FINDINGS": "memory:"})
    assert result["ACCEPTED"] == 1
    rows = {r["fingerprint"]: r for r in stored_findings(path)}
    assert rows[gap.fingerprint]["accepted"] and rows[gap.fingerprint]["accepted_reason"] == "河道，不划入网格"
    assert result["BLOCKING"] == result["ERRORS"] - 1

    # edit the grid next to the gap: the gap changes shape, the acceptance lapses (the row stays)
    level3 = ws.layers["grid_level3"]
    gap_geom = gap.geometry
    target = next(
        f
        for f in level3.getFeatures()
        if f.geometry().buffer(0.01, 2).intersects(QgsGeometry.fromWkt(shapely.to_wkt(gap_geom)))
    )
    grown = shapely.union(
        shapely.from_wkb(bytes(target.geometry().asWkb())),
        shapely.intersection(gap_geom, shapely.buffer(shapely.Point(gap.location), 2.0)),
    )
    level3.startEditing()
    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(grown))
    g.convertToMultiType()
    assert level3.changeGeometry(target.id(), g)
    assert level3.commitChanges()
    result = run({"WORKSPACE": path, "WRITE_TO_WORKSPACE": True})
    assert result["ACCEPTED"] == 0
    assert gap.fingerprint not in {r["fingerprint"] for r in stored_findings(path)}
    assert len(audit_store.read_exceptions_file(path)) == 1  # kept in audit_exceptions
    ws.layers.clear()


def test_unsaved_findings_edits_are_protected(workspace, provider):
    from qgis.core import QgsProject

    ws = open_workspace(workspace.path)
    layer = ws.layers["audit_findings"]
    QgsProject.instance().addMapLayer(layer)
    try:
        layer.startEditing()
        layer.addFeature(QgsFeature(layer.fields()))
        feedback = Recorder()
        with pytest.raises(QgsProcessingException):
            run({"WORKSPACE": str(workspace.path), "WRITE_TO_WORKSPACE": True}, feedback)
        assert any("unsaved edits" in e for e in feedback.errors)
    finally:
        layer.rollBack()
        QgsProject.instance().removeMapLayer(layer.id())


# ---------------------------------------------------------------- separate layers and bad input


def memory_layer(definition, name, geometries=(), codes=()):
    layer = QgsVectorLayer(definition, name, "memory")
    features = []
    for k, geom in enumerate(geometries):
        f = QgsFeature(layer.fields())
        if layer.fields().indexFromName("code") >= 0:
            f.setAttribute("code", codes[k] if k < len(codes) else None)
        if geom is not None:
            f.setGeometry(QgsGeometry.fromWkt(geom))
        features.append(f)
    layer.dataProvider().addFeatures(features)
    return layer


def square(x, y, size=100.0, x0=36_500_000.0, y0=3_600_000.0):
    return shapely.to_wkt(shapely.box(x0 + x, y0 + y, x0 + x + size, y0 + y + size))


def test_separate_layers_audited_with_null_and_invalid_geometries(provider, tmp_path):
    bowtie = "POLYGON((36500200 3600000, 36500300 3600100, 36500300 3600000, 36500200 3600100, 36500200 3600000))"
    level1 = memory_layer(
        "MultiPolygon?crs=EPSG:4524&field=code:string&field=parent_code:string",
        "villages",
        [square(0, 0), square(90, 0), None, bowtie],
        ["610902001201", "610902001202", "610902001203", "610902001204"],
    )
    feedback = Recorder()
    result = run({"LEVEL1": level1, "FINDINGS": "memory:", "JSON": str(tmp_path / "a.json")}, feedback)
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    rules = {f["rule_id"] for f in doc["findings"]}
    assert {"overlap", "geom.null", "geom.invalid", "county.missing"} <= rules
    assert doc["checked"]["staffing"] is False
    null = next(f for f in doc["findings"] if f["rule_id"] == "geom.null")
    assert null["codes"] == ["610902001203"]
    assert any("staffing was not checked" in line for line in feedback.infos)
    assert result["FINDINGS_COUNT"] == len(doc["findings"])


def _coded_layer(name, rows):
    """A memory layer of (wkt, code, parent_code) rows."""
    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4524&field=code:string&field=parent_code:string", name, "memory")
    features = []
    for wkt, code, parent in rows:
        f = QgsFeature(layer.fields())
        f.setAttribute("code", code)
        f.setAttribute("parent_code", parent)
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        features.append(f)
    layer.dataProvider().addFeatures(features)
    return layer


def test_loose_layers_of_another_code_rule(provider, tmp_path):
    # another province's rule: 12-digit village + 3 digits per section + 3 per group
    v = "610902001201"
    level1 = _coded_layer("villages", [(square(0, 0, 200), v, "610902001")])
    level2 = _coded_layer("sections", [(square(0, 0, 100), v + "001", v), (square(100, 0, 100), v + "002", v)])
    rect = "POLYGON(({x0} 3600000, {x1} 3600000, {x1} 3600100, {x0} 3600100, {x0} 3600000))"
    groups = [
        (
            rect.format(x0=36500000 + 50 * k, x1=36500050 + 50 * k),
            f"{v}00{1 + k // 2}00{1 + k % 2}",
            f"{v}00{1 + k // 2}",
        )
        for k in range(4)
    ]
    groups[3] = (groups[3][0], v + "002" + "0x2", groups[3][2])  # malformed: a letter
    level3 = _coded_layer("groups", groups)
    layers = {"LEVEL1": level1, "LEVEL2": level2, "LEVEL3": level3, "FINDINGS": "memory:"}

    def code_findings(doc):
        return sorted((f["rule_id"], tuple(f["codes"])) for f in doc["findings"] if f["rule_id"].startswith("code."))

    # no rule given: inferred from the codes' widths and said in the report
    run({**layers, "JSON": str(tmp_path / "a.json"), "HTML": str(tmp_path / "a.html")})
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert code_findings(doc) == [("code.malformed", (v + "0020x2",)), ("code.rule_inferred", ())]
    assert doc["workspace"]["code_rule"] == "village12+3+3" and doc["workspace"]["code_rule_inferred"] is True
    assert "village12+3+3" in (tmp_path / "a.html").read_text(encoding="utf-8")
    # the rule given: no inference, the same malformed code
    feedback = Recorder()
    run({**layers, "CODE_RULE": "village12+3+3", "JSON": str(tmp_path / "b.json")}, feedback)
    doc = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert code_findings(doc) == [("code.malformed", (v + "0020x2",))]
    assert any("village12+3+3" in line for line in feedback.infos)
    # the default rule given: every code below level 1 is malformed
    run({**layers, "CODE_RULE": "village12+2+3", "JSON": str(tmp_path / "c.json")})
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert sum(1 for r, _ in code_findings(doc) if r == "code.malformed") == 6
    with pytest.raises(QgsProcessingException, match="code rule cannot be used"):
        run({**layers, "CODE_RULE": "twelve+three"})


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("MultiPolygon?crs=EPSG:4326&field=code:string", r"villages is in a geographic CRS \(EPSG:4326"),
        ("MultiPolygon?crs=&field=code:string", "villages has no coordinate reference system"),
        ("LineString?crs=EPSG:4524&field=code:string", "villages holds Line geometries; grids must be polygons"),
        ("MultiPolygon?crs=EPSG:4524&field=name:string", "villages has no field 'code'"),
        ("None?field=code:string", "villages has no geometry"),
    ],
)
def test_bad_layers_are_refused_naming_the_layer(provider, definition, message):
    geom = "LINESTRING(36500000 3600000, 36500100 3600100)" if definition.startswith("Line") else square(0, 0)
    layer = memory_layer(definition, "villages", [geom] if not definition.startswith("None") else [None], ["1"])
    feedback = Recorder()
    with pytest.raises(QgsProcessingException, match=message):
        run({"LEVEL3": layer, "FINDINGS": "memory:"}, feedback)


def test_empty_layers_and_no_input(provider):
    empty = memory_layer("MultiPolygon?crs=EPSG:4524&field=code:string", "empty villages")
    empty3 = memory_layer("MultiPolygon?crs=EPSG:4524&field=code:string", "empty groups")
    feedback = Recorder()
    result = run({"LEVEL1": empty, "LEVEL3": empty3, "FINDINGS": "memory:"}, feedback)
    assert result["ERRORS"] == 0
    assert any("empty villages is empty" in e for e in feedback.errors)
    assert result["INFOS"] >= 1  # "the level 1 layer has no active grids"
    with pytest.raises(QgsProcessingException, match="Nothing to audit"):
        run({"FINDINGS": "memory:"})
    with pytest.raises(QgsProcessingException, match="reproject it"):
        other = memory_layer("MultiPolygon?crs=EPSG:4525&field=code:string", "elsewhere", [square(0, 0)], ["1"])
        run({"LEVEL1": empty, "LEVEL2": other, "FINDINGS": "memory:"})


def test_a_layer_replaces_the_workspace_layer_and_bad_tolerances_are_refused(workspace, provider):
    path = str(workspace.path)
    level3 = QgsVectorLayer(f"{path}|layername=grid_level3", "my groups", "ogr")
    result = run({"WORKSPACE": path, "LEVEL3": level3, "FINDINGS": "memory:"})
    assert result["ERRORS"] >= 2
    with pytest.raises(QgsProcessingException, match="tolerances cannot be used"):
        run({"WORKSPACE": path, "NOISE_AREA": 5.0, "SLIVER_AREA": 1.0, "FINDINGS": "memory:"})
    # not a workspace
    with pytest.raises(QgsProcessingException, match=r"not a GeoPackage|does not exist"):
        run({"WORKSPACE": path + ".missing.gpkg", "FINDINGS": "memory:"})


def test_finding_rows_clip_long_text_and_drop_non_polygons(workspace):
    from plugin.core.findings import Finding, Severity
    from plugin.core.workspace_audit import audit_workspace

    result = audit_workspace(workspace.read_data())
    result.findings.append(
        Finding(
            "geom.type",
            Severity.ERROR,
            L3,
            ("X" * 300,),
            (1,),
            shapely.LineString([(0, 0), (1, 1)]),
            None,
            "",
            "长" * 600,
            "long " * 200,
            location=(1.0, 2.0),
        )
    )
    rows = audit_store.finding_rows(result)
    attributes, wkb = rows[-1]
    assert wkb is None and attributes["location_x"] == 1.0
    assert len(attributes["codes"]) <= 255 and len(attributes["message_zh"]) <= 500
    assert all(np.isfinite(r[0]["measure"]) for r in rows if r[0]["measure"] is not None)


def test_county_boundary_must_be_polygons_and_geos_is_checked(provider):
    villages = memory_layer(
        "MultiPolygon?crs=EPSG:4524&field=code:string", "villages", [square(0, 0)], ["610902001201"]
    )
    line = memory_layer(
        "LineString?crs=EPSG:4524&field=code:string", "border", ["LINESTRING(36500000 3600000, 36500100 3600100)"]
    )
    with pytest.raises(QgsProcessingException, match="border holds Line geometries; the county boundary must be"):
        run({"LEVEL1": villages, "COUNTY_BOUNDARY": line, "FINDINGS": "memory:"})


def test_one_part_multipolygons_are_read_as_polygons_without_a_copy():
    """The readers slice a one-part MultiPolygon's WKB to its Polygon (either byte order, Z kept); other
    geometries pass unchanged."""
    from plugin.adapters.arrays import single_part_wkb

    polygon = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 0)], holes=[[(1, 0.5), (3, 0.5), (3, 2.5), (1, 0.5)]])
    two = shapely.MultiPolygon([polygon, shapely.Polygon([(10, 0), (14, 0), (14, 4), (10, 0)])])
    for byte_order in (0, 1):
        for geometry, kind in (
            (shapely.MultiPolygon([polygon]), "Polygon"),
            (shapely.force_3d(shapely.MultiPolygon([polygon])), "Polygon"),
            (two, "MultiPolygon"),
            (polygon, "Polygon"),
            (shapely.LineString([(0, 0), (1, 1)]), "LineString"),
        ):
            wkb = shapely.to_wkb(geometry, byte_order=byte_order, flavor="iso")
            out = shapely.from_wkb(single_part_wkb(wkb))
            assert out.geom_type == kind and out.equals(geometry)
            assert shapely.has_z(out) == shapely.has_z(geometry)
    assert single_part_wkb(None) is None and single_part_wkb(b"") == b""
    wkb = QgsGeometry.fromWkt("MultiPolygon (((0 0, 1 0, 1 1, 0 0)))").asWkb()
    assert shapely.from_wkb(single_part_wkb(bytes(wkb))).geom_type == "Polygon"
