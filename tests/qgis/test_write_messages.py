"""Messages of failed reads and writes name the real cause with GDAL's / SQLite's own words.

* a damaged file that exists is "exists but cannot be read", never "not found" (workspace, package, Processing
  inputs);
* a full disk is "the disk is full ... nothing was written", never "no such table" or "Could not delete row 1",
  and the workspace is left as it was. The full disk is real: a small tmpfs filled to the brim (as root, which
  the CI is); the same message and the same untouched file with SQLite's own size limit (``max_page_count``),
  which needs no root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException

from devtools.synthetic import generate_city
from plugin.adapters.package_io import PackageError, open_gpkg
from plugin.adapters.workspace import WorkspaceError, read_info, write_workspace

DAMAGED = b"SQLite format 3\x00" + bytes(range(256)) * 20  # a SQLite header, then rubbish


def run(algorithm: str, parameters: dict):
    import processing

    return processing.run(f"community_grids:{algorithm}", parameters)


@pytest.fixture(scope="module")
def source(tmp_path_factory, qgis_app):
    """A workspace with coded grids and a staff register for it (written once, copied per test)."""
    folder = tmp_path_factory.mktemp("messages")
    data = generate_city(12, seed=3)
    data.grids["grid_level3"].codes[::3] = None  # allocation has codes to write
    path = folder / "ws.gpkg"
    write_workspace(path, data.info, data)
    codes = [c for c in data.grids["grid_level3"].codes if c]
    assert len(codes) >= 6
    (folder / "staff.csv").write_text(
        "姓名,岗位,网格编码,联系电话\n"
        + "".join(f"员工{i}{'长' * 400},网格长,{c},1381234{i:04d}\n" for i, c in enumerate(codes[:6])),
        encoding="utf-8-sig",
    )
    return folder


def content(path: Path) -> dict:
    """What a failed write must not change, and an intact file."""
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY fid").fetchall()
            for table in ("staff", "grid_level3", "grid_level2", "audit_findings", "workspace_info", "code_registry")
        }


# ---------------------------------------------------------------- a damaged file that exists


def test_a_damaged_workspace_is_named_as_existing_but_unreadable(tmp_path, qgis_app, provider):
    bad = tmp_path / "damaged.gpkg"
    bad.write_bytes(DAMAGED)
    with pytest.raises(WorkspaceError) as raised:
        read_info(bad)
    text = str(raised.value)
    assert "exists but cannot be read" in text and "file is not a database" in text and "not found" not in text
    with pytest.raises(PackageError, match=r"exists but cannot be read.*file is not a database"):
        open_gpkg(bad)
    with pytest.raises(QgsProcessingException, match=r"exists but cannot be read.*file is not a database"):
        run("audit_workspace", {"WORKSPACE": str(bad), "FINDINGS": "memory:"})
    assert bad.read_bytes() == DAMAGED
    with pytest.raises(WorkspaceError, match="does not exist"):
        read_info(tmp_path / "missing.gpkg")


@pytest.mark.parametrize(
    ("name", "payload"),
    [("damaged.gpkg", DAMAGED), ("damaged.shp", bytes(range(256)) * 4), ("empty.gpkg", b"")],
)
def test_a_damaged_input_file_is_not_reported_as_not_found(source, tmp_path, provider, name, payload):
    workspace = tmp_path / "ws.gpkg"
    shutil.copy(source / "ws.gpkg", workspace)
    before = content(workspace)
    bad = tmp_path / name
    bad.write_bytes(payload)
    for algorithm, parameters in (
        ("import_grid_boundaries", {"WORKSPACE": str(workspace), "INPUT": str(bad), "LEVEL": 3}),
        ("attach_households", {"WORKSPACE": str(workspace), "INPUT": f"{bad}|layername=x"}),
    ):
        with pytest.raises(QgsProcessingException) as raised:
            run(algorithm, parameters)
        text = str(raised.value)
        assert "exists but cannot be read" in text and str(bad) in text and "not found" not in text
    assert content(workspace) == before and bad.read_bytes() == payload
    with pytest.raises(QgsProcessingException, match="not found"):  # a missing file is still "not found"
        run("import_grid_boundaries", {"WORKSPACE": str(workspace), "INPUT": str(tmp_path / "none.gpkg"), "LEVEL": 3})


# ---------------------------------------------------------------- a full disk


def _fill(folder: Path, room: int) -> None:
    """Fill the file system of ``folder`` up to ``room`` free bytes."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with open(folder / "filler", "wb") as filler:
        filler.write(b"\0" * max(free - room, 0))


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "4m"):
    """A tmpfs of ``size`` mounted on ``folder`` (root only); unmounted afterwards whatever happens."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"a tmpfs cannot be mounted here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
        if os.path.ismount(folder):
            subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


WRITES = {
    "staff": ("import_staff", lambda ws, src: {"INPUT": str(src / "staff.csv"), "WORKSPACE": str(ws), "MODE": 1}),
    "audit": ("audit_workspace", lambda ws, src: {"WORKSPACE": str(ws), "WRITE_TO_WORKSPACE": True}),
    "allocate": ("allocate_codes", lambda ws, src: {"WORKSPACE": str(ws), "DRY_RUN": False, "OUTPUT": "memory:"}),
}


def _check_full_disk_refusal(workspace: Path, kind: str, source: Path) -> None:
    before = content(workspace)
    algorithm, parameters = WRITES[kind]
    with pytest.raises(QgsProcessingException) as raised:
        run(algorithm, parameters(workspace, source))
    text = str(raised.value)
    assert "is full" in text and "nothing was written" in text, text
    assert "database or disk is full" in text, text  # SQLite's own words
    assert "no such table" not in text and "Could not delete row" not in text
    assert content(workspace) == before


@pytest.mark.parametrize("kind", list(WRITES))
def test_a_full_disk_is_named_and_nothing_is_lost(source, tmp_path, provider, kind):
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (the CI runs as root)")
    with small_disk(tmp_path / "disk") as disk:
        workspace = disk / "ws.gpkg"
        shutil.copy(source / "ws.gpkg", workspace)
        _fill(disk, room=4096)
        _check_full_disk_refusal(workspace, kind, source)
        (disk / "filler").unlink()


def test_a_full_database_is_named_and_nothing_is_lost(source, tmp_path, provider):
    """SQLite's size limit (max_page_count = the pages the file has) gives SQLITE_FULL without root: the
    staff register's long rows need new pages."""
    workspace = tmp_path / "ws.gpkg"
    shutil.copy(source / "ws.gpkg", workspace)
    with sqlite3.connect(workspace) as db:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    previous = gdal.GetConfigOption("OGR_SQLITE_PRAGMA")
    gdal.SetConfigOption("OGR_SQLITE_PRAGMA", f"max_page_count={pages}")
    try:
        _check_full_disk_refusal(workspace, "staff", source)
    finally:
        gdal.SetConfigOption("OGR_SQLITE_PRAGMA", previous)
