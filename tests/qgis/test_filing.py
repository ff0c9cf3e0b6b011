"""The filing package: audit gate and override, contents, GDAL validation, QGIS loading, atomic replacement."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import signal
import subprocess
import sysconfig
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from osgeo import ogr
from qgis.core import Qgis, QgsApplication, QgsVectorLayer

from devtools.synthetic import generate_city
from plugin.adapters.filing import FilingRefused, export_package, read_package_metadata
from plugin.adapters.layer_edits import add_rows, read_rows
from plugin.adapters.package_io import PackageError, open_gpkg, read_key_values
from plugin.adapters.package_io import read_rows as ogr_rows
from plugin.adapters.plain_workspace import open_plain_workspace
from plugin.adapters.workspace import write_workspace
from plugin.core import filing as core
from plugin.core import schema
from plugin.core.model import PointArray

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def make_workspace(path: Path, n_level3: int = 200, seed: int = 3) -> Path:
    data = generate_city(n_level3, seed=seed)
    l3 = data.grids["grid_level3"]
    points = shapely.point_on_surface(l3.geometries[:5])
    data.households = PointArray(
        "households",
        np.arange(1, 6),
        points,
        {"household_no": np.array([f"H{k}" for k in range(5)], dtype=object), "persons": np.array([3] * 5)},
    )
    data.staff = [
        {
            "name": "王五",
            "phone": "13800000001",
            "role": "grid_head",
            "grid_code": l3.codes[0],
            "supervision_phone": "12345",
        },
        {
            "name": "赵六",
            "phone": "13800000002",
            "role": "grid_admin",
            "grid_code": l3.codes[1],
            "supervision_phone": "12345",
        },
    ]
    write_workspace(path, data.info, data)
    return path


def add_table_rows(path: Path, table: str, rows: list[dict]) -> None:
    ws = open_plain_workspace(path, [table])
    add_rows(ws.layers[table], rows, "test rows")
    ws.layers.clear()
    gc.collect()


FINDING = {"rule_id": "topology.overlap", "layer": "grid_level3", "codes": "61090200120101001"}


@pytest.fixture
def workspace(tmp_path, qgis_app):
    path = make_workspace(tmp_path / "county.gpkg")
    add_table_rows(
        path,
        "change_log",
        [
            {"changed_at": "2024-03-01T10:00:00", "change_kind": "create", "layer": "grid_level3", "new_code": "A"},
            {"changed_at": "2024-03-02T10:00:00", "change_kind": "split", "layer": "grid_level3", "old_code": "B"},
            {
                "changed_at": "2024-02-01T10:00:00",
                "change_kind": "merge",
                "layer": "grid_level2",
                "old_code": "C",
                "filed_at": "2024-02-05T10:00:00",
            },
        ],
    )
    return path


def add_findings(path, rows):
    add_table_rows(path, "audit_findings", rows)


def test_export_refused_while_error_findings_remain(workspace, tmp_path):
    add_findings(
        workspace,
        [
            {**FINDING, "run_id": "r1", "run_at": "2024-03-01T08:00:00", "severity": "error"},
            {**FINDING, "run_id": "r2", "run_at": "2024-03-05T08:00:00", "severity": "error", "fingerprint": "f1"},
            {**FINDING, "run_id": "r2", "run_at": "2024-03-05T08:00:00", "severity": "warning"},
        ],
    )
    old = tmp_path / "package.gpkg"
    export_package(workspace, old, override_reason="first package", record=False)
    before = digest(old)
    with pytest.raises(FilingRefused, match=r"topology\.overlap") as refused:
        export_package(workspace, old)
    assert len(refused.value.gate.blocking) == 1 and refused.value.gate.run_id == "r2"
    assert digest(old) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_accepted_findings_and_older_runs_do_not_block(workspace, tmp_path):
    add_findings(
        workspace,
        [
            {**FINDING, "run_id": "r1", "run_at": "2024-03-01T08:00:00", "severity": "error"},
            {**FINDING, "run_id": "r2", "run_at": "2024-03-05T08:00:00", "severity": "error", "accepted": True},
            {**FINDING, "run_id": "r2", "run_at": "2024-03-05T08:00:00", "severity": "error", "fingerprint": "ok"},
            {**FINDING, "run_id": "r2", "run_at": "2024-03-05T08:00:00", "severity": "warning"},
        ],
    )
    add_table_rows(workspace, "audit_exceptions", [{"fingerprint": "ok", "reason": "river bank"}])
    result = export_package(workspace, tmp_path / "package.gpkg")
    assert not result.gate.blocked
    meta = read_package_metadata(result.path)
    assert meta.audit["run_id"] == "r2"
    assert meta.audit["errors"] == "2" and meta.audit["warnings"] == "1" and meta.audit["accepted"] == "2"
    assert meta.override_reason == ""
    package = open_gpkg(result.path)
    assert {r["run_id"] for r in ogr_rows(package, "audit_findings")} == {"r2"}  # only the latest run
    assert len(ogr_rows(package, "audit_exceptions")) == 1


def test_override_reason_is_recorded_in_package_and_workspace(workspace, tmp_path):
    add_findings(workspace, [{**FINDING, "run_id": "r9", "run_at": "2024-03-05T08:00:00", "severity": "error"}])
    reason = "县界争议待省里裁定，先行备案"
    result = export_package(workspace, tmp_path / "package.gpkg", override_reason=reason, author="李四")
    meta = read_package_metadata(result.path)
    assert meta.override_reason == reason and meta.override_by
    assert meta.author == "李四"
    rows = read_key_values(open_gpkg(result.path), "package_metadata")
    assert rows["override"] == "yes" and rows["audit_blocking"] == "1"
    info = read_key_values(open_gpkg(workspace), "workspace_info")
    overrides = [json.loads(v) for k, v in info.items() if k.startswith(core.INFO_OVERRIDE_PREFIX)]
    assert len(overrides) == 1
    assert overrides[0]["reason"] == reason and overrides[0]["rules"] == ["topology.overlap"]
    assert overrides[0]["package"] == "package.gpkg" and overrides[0]["version"] == "1"
    assert info[core.INFO_LAST_PACKAGE_VERSION] == "1"


def test_package_contents(workspace, tmp_path):
    source = open_gpkg(workspace)
    expected = {name: source.GetLayerByName(name).GetFeatureCount() for name in schema.PACKAGE_GRID_LAYERS}
    source = None
    result = export_package(workspace, tmp_path / "package.gpkg")
    package = open_gpkg(result.path)
    names = {package.GetLayer(i).GetName() for i in range(package.GetLayerCount())}
    assert names == {
        *schema.PACKAGE_GRID_LAYERS,
        "county_boundary",
        "staff",
        "change_log",
        "audit_findings",
        "audit_exceptions",
        "package_metadata",
        "layer_styles",
    }
    for name, count in expected.items():
        layer = package.GetLayerByName(name)
        assert layer.GetFeatureCount() == count
        assert layer.GetSpatialRef().GetAuthorityCode(None) == "4490"
        if not count:
            continue
        xmin, xmax, ymin, ymax = layer.GetExtent()
        assert 100 < xmin < xmax < 120 and 20 < ymin < ymax < 40  # degrees
    assert {r["phone"] for r in ogr_rows(package, "staff")} == {None}  # phones blanked by default
    assert {r["supervision_phone"] for r in ogr_rows(package, "staff")} == {"12345"}
    assert sorted(r["change_kind"] for r in ogr_rows(package, "change_log")) == ["create", "split"]  # unfiled
    meta = read_package_metadata(result.path)
    assert meta.county_code == "610902" and meta.version == "1" and meta.exchange_crs == "EPSG:4490"
    assert meta.counts["grid_level3"] == expected["grid_level3"] and meta.grids == sum(expected.values())
    assert meta.changes_count == 2 and not meta.phones_included and not meta.households_included
    assert meta.audit["run_id"] == ""  # not audited
    package = None

    # second export: phones and households on request, next version, changes since the last package only
    add_table_rows(
        workspace,
        "change_log",
        [{"changed_at": "2099-01-01T10:00:00", "change_kind": "retire", "layer": "grid_level3", "old_code": "D"}],
    )
    ws = open_plain_workspace(workspace, ["change_log"])
    log = ws.layers["change_log"]
    from plugin.adapters.layer_edits import change_values

    change_values(log, {r["fid"]: {"filed_at": "2024-03-10T10:00:00"} for r in read_rows(log)}, "filed")
    ws.layers.clear()
    gc.collect()
    again = export_package(workspace, tmp_path / "package.gpkg", include_phones=True, include_households=True)
    package = open_gpkg(again.path)
    assert {r["phone"] for r in ogr_rows(package, "staff")} == {"13800000001", "13800000002"}
    assert package.GetLayerByName("households").GetFeatureCount() == 5
    assert [r["change_kind"] for r in ogr_rows(package, "change_log")] == ["retire"]
    assert again.metadata.version == "2"


def test_package_validates_and_opens_cleanly_in_qgis(workspace, tmp_path):
    result = export_package(workspace, tmp_path / "package.gpkg", include_households=True)
    assert result.validation == []
    run = subprocess.run(
        [SYSTEM_PYTHON, "-m", "osgeo_utils.samples.validate_gpkg", str(result.path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == ""

    messages = []

    def collect(message, tag, level):
        if level in (Qgis.MessageLevel.Warning, Qgis.MessageLevel.Critical):
            messages.append((tag, message))

    log = QgsApplication.messageLog()
    log.messageReceived.connect(collect)
    try:
        for name, count in result.counts.items():
            layer = QgsVectorLayer(f"{result.path}|layername={name}", name, "ogr")
            assert layer.isValid(), name
            assert layer.featureCount() == count, name
            assert len(list(layer.getFeatures())) == count, name
            if name in schema.PACKAGE_GRID_LAYERS:
                assert layer.crs().authid() == "EPSG:4490"
                _, ok = layer.loadDefaultStyle()
                assert ok, name
                assert layer.attributeAlias(layer.fields().indexFromName("code")) == "网格编码"
            del layer
    finally:
        log.messageReceived.disconnect(collect)
    assert messages == []


def test_export_refuses_to_overwrite_a_workspace(workspace, tmp_path):
    other = make_workspace(tmp_path / "other.gpkg", 20)
    before = digest(other)
    with pytest.raises(PackageError, match="workspace"):
        export_package(workspace, other)
    with pytest.raises(PackageError):
        export_package(workspace, workspace)
    assert digest(other) == before


def test_killed_export_leaves_the_previous_package_intact(tmp_path, qgis_app):
    workspace = make_workspace(tmp_path / "large.gpkg", 30_000)
    package = tmp_path / "package.gpkg"
    export_package(workspace, package, record=False)
    before = digest(package)
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from devtools.qgis_app import start_qgis\n"
        "start_qgis(False)\n"
        "from plugin.adapters.filing import export_package\n"
        f"export_package({str(workspace)!r}, {str(package)!r}, include_households=True)\n"
    )
    env = dict(os.environ)
    site = sysconfig.get_paths()["purelib"]
    env["PYTHONPATH"] = os.pathsep.join([site, str(ROOT), env.get("PYTHONPATH", "")])
    env["QT_QPA_PLATFORM"] = "offscreen"
    process = subprocess.Popen([SYSTEM_PYTHON, "-c", script], env=env, stderr=subprocess.PIPE)
    temp = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        temps = [p for p in tmp_path.iterdir() if p.name.startswith(".package.") and ".tmp" in p.name]
        if temps and temps[0].exists() and temps[0].stat().st_size > 0:
            temp = temps[0]
            break
        time.sleep(0.002)
    alive = process.poll() is None
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert temp is not None and alive, process.stderr.read().decode(errors="replace")[-2000:]
    assert process.returncode == -signal.SIGKILL
    assert digest(package) == before
    run = subprocess.run(
        [SYSTEM_PYTHON, "-m", "osgeo_utils.samples.validate_gpkg", str(package)], capture_output=True, text=True
    )
    assert run.returncode == 0 and run.stdout.strip() == "", run.stdout
    layer = QgsVectorLayer(f"{package}|layername=grid_level3", "l3", "ogr")
    assert layer.isValid() and layer.featureCount() == 30_000
    del layer
    # the next export replaces the package normally and clears the killed export's temporary file
    assert temp.exists()
    os.utime(temp, (time.time() - 3600, time.time() - 3600))
    export_package(workspace, package, record=False)
    assert digest(package) != before
    assert not temp.exists()


def test_findings_without_geometry_among_others_are_reprojected(workspace, tmp_path):
    """Findings of attribute rules have no geometry; GDAL 3.10's Arrow batches failed them ("Reprojection failed")."""
    dataset = ogr.Open(str(workspace), 1)
    grids = dataset.GetLayerByName("grid_level3")
    shapes = [feature.GetGeometryRef().Clone() for _, feature in zip(range(12), grids)]
    findings = dataset.GetLayerByName("audit_findings")
    for k, shape in enumerate([*shapes[:6], None, *shapes[6:]]):
        feature = ogr.Feature(findings.GetLayerDefn())
        for key, value in {**FINDING, "run_id": "r1", "run_at": "2024-03-01T08:00:00", "severity": "warning"}.items():
            feature.SetField(key, value)
        feature.SetField("fingerprint", f"f{k}")
        if shape is not None:
            feature.SetGeometry(ogr.ForceToMultiPolygon(shape))
        assert findings.CreateFeature(feature) == ogr.OGRERR_NONE
    grids = findings = dataset = None
    result = export_package(workspace, tmp_path / "package.gpkg", record=False)
    assert result.counts["audit_findings"] == 13
    package = ogr.Open(str(result.path))
    layer = package.GetLayerByName("audit_findings")
    assert layer.GetSpatialRef().GetAuthorityCode(None) == "4490"
    geometries = [feature.geometry() and feature.geometry().Clone() for feature in layer]
    assert sum(g is None for g in geometries) == 1
    lon, _, lat, _ = next(g for g in geometries if g is not None).GetEnvelope()
    assert 70 < lon < 140 and 15 < lat < 55
    layer = package = None


def test_a_gdal_error_reaches_the_user_verbatim(workspace, tmp_path):
    """GDAL's own message, not "cancelled", when a layer cannot be written; nothing is left behind."""
    package = tmp_path / "package.gpkg"
    with pytest.raises(PackageError) as failed:
        export_package(workspace, package, exchange_crs="EPSG:999999", record=False)
    message = str(failed.value)
    assert "Failed to process SRS definition: EPSG:999999" in message
    assert "grid_level1" in message and "cancelled" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [workspace.name]


@pytest.mark.parametrize("stop_at", [0.0, 0.95], ids=["while GDAL writes", "before validation"])
def test_a_cancelled_export_says_so_and_writes_nothing(tmp_path, qgis_app, stop_at):
    workspace = make_workspace(tmp_path / "county.gpkg", 3000)
    package = tmp_path / "package.gpkg"
    fractions = []

    def progress(fraction):
        fractions.append(fraction)
        return fraction < stop_at

    with pytest.raises(PackageError, match="Export cancelled") as cancelled:
        export_package(workspace, package, progress=progress, record=False)
    assert str(package) in str(cancelled.value)
    assert (max(fractions) < 0.9) == (stop_at == 0.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [workspace.name]


# ---------------------------------------------------------------- Processing


def test_processing_export_refuses_then_overrides(workspace, tmp_path, provider):
    import processing
    from qgis.core import QgsProcessingException

    add_findings(workspace, [{**FINDING, "run_id": "r1", "run_at": "2024-03-05T08:00:00", "severity": "error"}])
    out = tmp_path / "pkg.gpkg"
    with pytest.raises(QgsProcessingException):
        processing.run("community_grids:export_filing_package", {"WORKSPACE": str(workspace), "OUTPUT": str(out)})
    assert not out.exists()
    result = processing.run(
        "community_grids:export_filing_package",
        {"WORKSPACE": str(workspace), "OUTPUT": str(out), "OVERRIDE_REASON": "待核实", "VERSION": "2024-Q1"},
    )
    assert result["BLOCKING"] == 1 and result["PACKAGE_VERSION"] == "2024-Q1" and result["GRIDS"] > 200
    assert read_package_metadata(out).override_reason == "待核实"
