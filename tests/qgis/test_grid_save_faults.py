"""Fault test: a grid save through the layer's own commit (Save Layer Edits), killed (SIGKILL) at named
moments, leaves the old grids with the old change log or the new grids with their change-log rows, never
grids without their log (issue #11).

Each run is a fresh headless QGIS process (tests/qgis/grid_save_runner.py) saving a merge, a new grid and
a recode; ``COMMUNITY_GRIDS_KILL_AT`` makes it kill itself at one checkpoint of the save
(plugin.adapters.gpkg_write.checkpoint): after the grids are written, after the log rows, just before the
commit and just after it.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box

from plugin.adapters.gpkg_write import KILL_AT
from plugin.adapters.workspace import write_workspace
from plugin.core import schema
from plugin.core.model import GridArray, WorkspaceData

RUNNER = Path(__file__).with_name("grid_save_runner.py")
X0, Y0 = 36_500_000.0, 3_600_000.0
V = "610902001001"
KILLED_BEFORE_COMMIT = ["tracker:grids-written", "tracker:log-written", "before-commit"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A workspace with four coded level-2 sections in a row under one level-1 grid."""
    folder = tmp_path_factory.mktemp("grid_save")
    info = schema.WorkspaceInfo("610902", "汉滨区", "EPSG:4524")
    grids = {
        "grid_level1": GridArray.from_records("grid_level1", 1, [box(X0, Y0, X0 + 400, Y0 + 100)], [V]),
        "grid_level2": GridArray.from_records(
            "grid_level2",
            2,
            [box(X0 + 100 * k, Y0, X0 + 100 * (k + 1), Y0 + 100) for k in range(4)],
            [f"{V}{k + 1:02d}" for k in range(4)],
            parent_codes=[V] * 4,
            names=[f"S{k}" for k in range(4)],
            attributes={"status": np.array(["active"] * 4, dtype=object)},
        ),
    }
    write_workspace(folder / "ws.gpkg", info, WorkspaceData(info, grids))
    return folder


def run(folder: Path, kill_at: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop(KILL_AT, None)
    if kill_at:
        env[KILL_AT] = kill_at
    return subprocess.run(
        [sys.executable, str(RUNNER), str(folder / "ws.gpkg")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def state(folder: Path) -> dict:
    """Grids, change log and registry as the file holds them (SQLite recovers a killed write first)."""
    with sqlite3.connect(folder / "ws.gpkg") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            "grids": db.execute("SELECT fid, name, code, status, hex(geom) FROM grid_level2 ORDER BY fid").fetchall(),
            "log": db.execute(
                "SELECT change_kind, layer, old_code, new_code, user FROM change_log ORDER BY fid"
            ).fetchall(),
            "registry": db.execute("SELECT code, status FROM code_registry ORDER BY code").fetchall(),
            "rtree": db.execute("SELECT count(*) FROM rtree_grid_level2_geom").fetchone()[0],
        }


def copy(base: Path, folder: Path) -> Path:
    shutil.copytree(base, folder)
    return folder


def check_new(new: dict) -> None:
    """The complete save: the grids edited and every change logged."""
    assert [r[1] for r in new["grids"]] == ["S0", "S1", "S2", "new"]
    assert new["rtree"] == 4
    assert sorted((kind, old, code) for kind, _, old, code, _ in new["log"]) == [
        ("create", None, f"{V}05"),
        ("merge", f"{V}03", f"{V}03"),
        ("merge", f"{V}04", f"{V}03"),
        ("recode", f"{V}02", f"{V}06"),
    ]
    assert {r[1] for r in new["log"]} == {"grid_level2"} and {r[4] for r in new["log"]} == {"fault"}
    assert (f"{V}04", "retired") in new["registry"] and (f"{V}06", "active") in new["registry"]


def test_a_complete_save_writes_grids_and_their_log(base, tmp_path):
    folder = copy(base, tmp_path / "complete")
    done = run(folder, None)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-1] == "4"
    check_new(state(folder))


@pytest.mark.parametrize("checkpoint", KILLED_BEFORE_COMMIT)
def test_a_kill_before_the_commit_leaves_the_old_grids_and_log(base, tmp_path, checkpoint):
    old = state(base)
    folder = copy(base, tmp_path / checkpoint.replace(":", "_"))
    killed = run(folder, checkpoint)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert state(folder) == old


def test_a_kill_after_the_commit_leaves_the_new_grids_with_their_log(base, tmp_path):
    old = state(base)
    folder = copy(base, tmp_path / "after_commit")
    killed = run(folder, "after-commit")  # before QGIS's own save, the reload and the panels' refresh
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    new = state(folder)
    assert new != old
    check_new(new)
    complete = copy(base, tmp_path / "complete")
    assert run(complete, None).returncode == 0
    assert state(complete) == new  # nothing of the save is left to QGIS's own write
