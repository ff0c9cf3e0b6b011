"""Fault test: every writing algorithm killed (SIGKILL) at named moments of its write leaves the workspace
all-old or all-new, consistent, and the previous filing package intact (or the new one in place and recorded).

Each run is the real Processing algorithm in a fresh headless QGIS process (tests/qgis/fault_runner.py);
``COMMUNITY_GRIDS_KILL_AT`` makes the process kill itself at one checkpoint of the write
(plugin.adapters.gpkg_write.checkpoint), so the moments are deterministic. The kill after the commit gives the
"all new" state, which is checked on its own (registry agrees with grids and change log, level sums agree).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from osgeo import ogr, osr

from devtools.synthetic import generate_city
from plugin.adapters.filing import export_package, read_package_metadata, remove_stale_temporaries
from plugin.adapters.gpkg_write import KILL_AT
from plugin.adapters.package_io import PackageError, validate_gpkg
from plugin.adapters.workspace import WorkspaceError, write_workspace
from plugin.core import filing as core_filing
from plugin.core.codes import CodeRegistry, registry_problems
from plugin.core.model import GridArray, PointArray

RUNNER = Path(__file__).with_name("fault_runner.py")
GRIDS = ("grid_level1", "grid_level2", "grid_level3", "grid_dedicated")

# algorithm -> (checkpoints killed at, the checkpoint after the commit: its state is "all new")
KILLS = {
    "allocate": (
        ["allocate:grid-written", "allocate:log-written", "allocate:registry-written", "before-commit"],
        "after-commit",
    ),
    "attach": (["attach:level3-written", "attach:level2-written", "before-commit"], "after-commit"),
    "import": (["import:features-added"], "import:committed"),
    "staff": (["table:staff-written"], "table:staff-committed"),
    "audit": (["audit:old-findings-deleted", "audit:findings-written"], None),
    "export": (["export:package-written", "before-commit", "export:recorded"], "export:replaced"),
}


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def base(tmp_path_factory, qgis_app):
    """A workspace with uncoded grids, household points, a staff register, boundaries to import and an
    earlier filing package (version 1)."""
    folder = tmp_path_factory.mktemp("faults")
    data = generate_city(60, seed=1)
    l3 = data.grids["grid_level3"]
    l3.codes[::3] = None  # a third of level 3 uncoded: allocation has work
    points = shapely.point_on_surface(l3.geometries)
    n = len(points)
    data.households = PointArray(
        "households",
        np.arange(1, n + 1),
        points,
        {"household_no": np.array([f"H{i}" for i in range(n)], dtype=object), "persons": np.arange(n) % 5 + 1},
    )
    path = folder / "ws.gpkg"
    write_workspace(path, data.info, data)
    coded = [c for c in l3.codes if c]
    (folder / "staff.csv").write_text(
        "姓名,岗位,网格编码,联系电话\n"
        + "".join(f"员工{i},网格长,{c},1381234{i:04d}\n" for i, c in enumerate(coded[:4])),
        encoding="utf-8-sig",
    )
    _boundaries(folder / "dedicated.gpkg", l3, data.info.crs)
    package = folder / "package.gpkg"
    export_package(path, package, override_reason="fault test")
    return folder


def _boundaries(path: Path, l3: GridArray, crs: str) -> None:
    """Two small squares inside level 3 grids, as a GeoPackage to import as dedicated grids."""
    driver = ogr.GetDriverByName("GPKG")
    dataset = driver.CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.SetFromUserInput(crs)
    layer = dataset.CreateLayer("schools", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("code", ogr.OFTString))
    for i in range(2):
        centre = shapely.point_on_surface(l3.geometries[i])
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("code", f"{l3.codes[1] or 'X'}S{i}")
        feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(centre.buffer(5, cap_style="square"))))
        layer.CreateFeature(feature)
    dataset = None


def parameters(kind: str, folder: Path) -> tuple[str, dict]:
    ws = str(folder / "ws.gpkg")
    return {
        "allocate": ("community_grids:allocate_codes", {"WORKSPACE": ws, "DRY_RUN": False, "OUTPUT": "memory:"}),
        "attach": (
            "community_grids:attach_households",
            # the fixture's 60 points replace counts of 2,415: a full replacement, confirmed
            {"WORKSPACE": ws, "INPUT": f"{ws}|layername=households", "BOUNDARY_RULE": 0, "CONFIRM": True},
        ),
        "import": (
            "community_grids:import_grid_boundaries",
            {"INPUT": str(folder / "dedicated.gpkg"), "WORKSPACE": ws, "LEVEL": 3, "CODE_FIELD": "code"},
        ),
        "staff": ("community_grids:import_staff", {"INPUT": str(folder / "staff.csv"), "WORKSPACE": ws, "MODE": 1}),
        "audit": ("community_grids:audit_workspace", {"WORKSPACE": ws, "WRITE_TO_WORKSPACE": True}),
        "export": (
            "community_grids:export_filing_package",
            {"WORKSPACE": ws, "OUTPUT": str(folder / "package.gpkg"), "OVERRIDE_REASON": "fault test"},
        ),
    }[kind]


def run(kind: str, folder: Path, kill_at: str | None) -> subprocess.CompletedProcess:
    algorithm, params = parameters(kind, folder)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop(KILL_AT, None)
    if kill_at:
        env[KILL_AT] = kill_at
    return subprocess.run(
        [sys.executable, str(RUNNER), algorithm, json.dumps(params)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def state(folder: Path) -> dict:
    """The workspace's content that writes change (times and run ids left out), and the package's digest."""
    with sqlite3.connect(folder / "ws.gpkg") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        out = {}
        for grid in GRIDS:
            out[grid] = db.execute(
                f"SELECT fid, code, parent_code, households, population, relocated_households, hex(geom) "
                f"FROM {grid} ORDER BY fid"
            ).fetchall()
        out["change_log"] = db.execute(
            "SELECT change_kind, layer, old_code, new_code FROM change_log ORDER BY fid"
        ).fetchall()
        out["code_registry"] = db.execute("SELECT code, status, layer FROM code_registry ORDER BY code").fetchall()
        out["staff"] = db.execute("SELECT name, grid_code, phone FROM staff ORDER BY fid").fetchall()
        out["audit_findings"] = db.execute("SELECT rule_id, codes FROM audit_findings ORDER BY fid").fetchall()
        out["info"] = db.execute(
            "SELECT key, value FROM workspace_info WHERE key NOT IN ('updated', ?) AND key NOT LIKE 'override%' "
            "ORDER BY key",
            (core_filing.INFO_LAST_PACKAGE_AT,),
        ).fetchall()
    out["package"] = digest(folder / "package.gpkg")
    return out


def rows(folder: Path, sql: str) -> list[dict]:
    with sqlite3.connect(folder / "ws.gpkg") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql)]


def check_new_state(kind: str, folder: Path) -> None:
    """What the complete write must have left (checked on the state after the commit)."""
    if kind == "allocate":
        grids = {}
        for level, name in enumerate(GRIDS[:3], start=1):
            got = rows(folder, f"SELECT fid, code, parent_code, status FROM {name}")
            grids[name] = GridArray(
                name,
                level,
                np.array([r["fid"] for r in got], dtype=np.int64),
                np.array([r["code"] for r in got], dtype=object),
                np.array([r["parent_code"] for r in got], dtype=object),
                np.array([None] * len(got), dtype=object),
                np.array([None] * len(got), dtype=object),
                {"status": np.array([r["status"] for r in got], dtype=object)},
            )
        registry = CodeRegistry.from_rows(rows(folder, "SELECT * FROM code_registry"))
        log = rows(folder, "SELECT * FROM change_log")
        assert all(c for g in grids.values() for c in g.codes)
        assert registry_problems(registry, grids, log) == []
        assert len(log) == 20 and all(r["change_kind"] == "recode" and r["new_code"] for r in log)
    elif kind == "attach":
        sums = [rows(folder, f"SELECT sum(households) h, sum(population) p FROM {name}")[0] for name in GRIDS[:3]]
        assert sums[0] == sums[1] == sums[2] and sums[2]["h"] > 0
    elif kind == "export":
        info = dict((r["key"], r["value"]) for r in rows(folder, "SELECT key, value FROM workspace_info"))
        metadata = read_package_metadata(folder / "package.gpkg")
        assert metadata.version == info[core_filing.INFO_LAST_PACKAGE_VERSION] == "2"
        assert metadata.created_at == info[core_filing.INFO_LAST_PACKAGE_AT]
        assert validate_gpkg(folder / "package.gpkg") == []


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".package.")]


@pytest.mark.parametrize("kind", list(KILLS))
def test_a_kill_at_any_moment_leaves_all_old_or_all_new(kind, base, tmp_path):
    checkpoints, after_commit = KILLS[kind]
    old_folder = tmp_path / "old"
    shutil.copytree(base, old_folder)
    old = state(old_folder)
    new = None
    if after_commit is not None:
        folder = tmp_path / "new"
        shutil.copytree(base, folder)
        done = run(kind, folder, after_commit)
        assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]
        check_new_state(kind, folder)
        new = state(folder)
    else:  # no checkpoint after the commit: a complete run gives the new state
        folder = tmp_path / "new"
        shutil.copytree(base, folder)
        done = run(kind, folder, None)
        assert done.returncode == 0, done.stderr[-3000:]
        new = state(folder)
    assert new != old
    for checkpoint in checkpoints:
        folder = tmp_path / checkpoint.replace(":", "_")
        shutil.copytree(base, folder)
        killed = run(kind, folder, checkpoint)
        assert killed.returncode == -signal.SIGKILL, (checkpoint, killed.stderr[-3000:])
        if kind == "export":
            # the next export starts by clearing up: the dead export's temporary files go, and the package
            # the workspace already records (killed between recording and moving) is moved into place
            info = dict((r["key"], r["value"]) for r in rows(folder, "SELECT key, value FROM workspace_info"))
            remove_stale_temporaries(folder / "package.gpkg", info)
            assert temporaries(folder) == []
        got = state(folder)
        if kind != "export":
            assert got in (old, new), checkpoint
            continue
        # a package of another run differs in its time stamps: the workspace must be all old with the old
        # package byte for byte, or all new with the package it records
        workspace = {k: v for k, v in got.items() if k != "package"}
        if workspace == {k: v for k, v in old.items() if k != "package"}:
            assert got["package"] == old["package"], checkpoint
        else:
            assert workspace == {k: v for k, v in new.items() if k != "package"}, checkpoint
            check_new_state(kind, folder)


def test_export_to_a_locked_workspace_leaves_the_old_package(base, tmp_path):
    folder = tmp_path / "locked"
    shutil.copytree(base, folder)
    before = state(folder)
    locker = sqlite3.connect(folder / "ws.gpkg", timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises((PackageError, WorkspaceError)) as raised:  # refused reading or writing the workspace
            export_package(folder / "ws.gpkg", folder / "package.gpkg", override_reason="fault test")
    finally:
        locker.rollback()
        locker.close()
    assert "locked" in str(raised.value)  # SQLite's own words, passed on verbatim
    assert state(folder) == before
    assert temporaries(folder) == []


def test_temporaries_of_dead_exports_are_removed_whatever_their_age(base, tmp_path):
    folder = tmp_path / "stale"
    shutil.copytree(base, folder)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    fresh = folder / f".package.{pid}-abc.tmp.gpkg"
    fresh.write_bytes(b"half a package")
    (folder / f".package.{pid}-abc.tmp.gpkg-journal").write_bytes(b"x")
    mine = folder / f".package.{os.getpid()}-def.tmp.gpkg"  # a running export's: kept
    mine.write_bytes(b"in progress")
    removed = remove_stale_temporaries(folder / "package.gpkg", {})
    assert removed == [fresh]
    assert not fresh.exists() and mine.exists()
    assert sorted(p.name for p in temporaries(folder)) == [mine.name]
