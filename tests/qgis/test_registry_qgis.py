"""The code registry of a workspace file verified against its grids and change log, and rebuilt in one
transaction."""

from __future__ import annotations

import sqlite3

from devtools.synthetic import generate_city
from plugin.adapters.codes_store import rebuild_registry, verify_registry
from plugin.adapters.plain_workspace import open_plain_workspace
from plugin.adapters.workspace import write_workspace


def test_registry_verified_and_rebuilt(tmp_path, qgis_app):
    data = generate_city(20, seed=4)
    path = tmp_path / "ws.gpkg"
    write_workspace(path, data.info, data)
    codes = {c for g in data.grids.values() for c in g.codes if c}
    workspace = open_plain_workspace(path)
    assert {p.kind for p in verify_registry(workspace)} == {"missing"}  # a file written without a registry
    assert rebuild_registry(workspace) == (len(codes), 0)
    assert verify_registry(workspace) == []
    lost = sorted(codes)[5]
    with sqlite3.connect(path) as db:  # an entry lost, a logged code never recorded
        db.execute("DELETE FROM code_registry WHERE code = ?", (lost,))
        db.execute(
            "INSERT INTO change_log (changed_at, change_kind, layer, old_code) "
            "VALUES ('2024-05-01T10:00:00', 'retire', 'grid_level3', '61090277777777777')"
        )
    workspace = open_plain_workspace(path)
    assert {(p.kind, p.code) for p in verify_registry(workspace)} == {
        ("missing", lost),
        ("missing_logged", "61090277777777777"),
    }
    assert rebuild_registry(workspace) == (2, 0)
    assert verify_registry(workspace) == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT status FROM code_registry WHERE code = '61090277777777777'").fetchone() == (
            "retired",
        )
    workspace.layers.clear()


def _registry_findings(path) -> set[tuple[str, str]]:
    """(rule, codes) of the registry findings of an audit run written into the workspace."""
    import processing

    processing.run("community_grids:audit_workspace", {"WORKSPACE": str(path), "WRITE_TO_WORKSPACE": True})
    with sqlite3.connect(path) as db:
        return set(db.execute("SELECT rule_id, codes FROM audit_findings WHERE rule_id LIKE 'registry.%'").fetchall())


def test_the_rebuild_algorithm_verifies_by_default_and_rebuilds_on_request(tmp_path, qgis_app, provider):
    import hashlib

    import processing

    data = generate_city(20, seed=4)
    path = tmp_path / "ws.gpkg"
    write_workspace(path, data.info, data)
    codes = sorted({c for g in data.grids.values() for c in g.codes if c})
    result = processing.run("community_grids:rebuild_code_registry", {"WORKSPACE": str(path), "REBUILD": True})
    assert (result["PROBLEMS"], result["ADDED"], result["REMAINING"]) == (len(codes), len(codes), 0)
    assert _registry_findings(path) == set()  # the registry agrees: the audit says nothing
    lost = codes[3]
    with sqlite3.connect(path) as db:  # an entry lost: the code could be issued again
        db.execute("DELETE FROM code_registry WHERE code = ?", (lost,))
    assert _registry_findings(path) == {("registry.mismatch", lost)}  # the audit reports it
    before = hashlib.sha256(path.read_bytes()).digest()
    result = processing.run("community_grids:rebuild_code_registry", {"WORKSPACE": str(path)})
    assert (result["PROBLEMS"], result["ADDED"], result["CHANGED"], result["REMAINING"]) == (1, 0, 0, 1)
    assert hashlib.sha256(path.read_bytes()).digest() == before  # verify only: nothing written
    result = processing.run("community_grids:rebuild_code_registry", {"WORKSPACE": str(path), "REBUILD": True})
    assert (result["PROBLEMS"], result["ADDED"], result["REMAINING"]) == (1, 1, 0)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT status FROM code_registry WHERE code = ?", (lost,)).fetchone() == ("active",)
    assert _registry_findings(path) == set()


def test_the_rebuild_algorithm_killed_before_its_commit_leaves_the_registry_as_it_was(tmp_path, qgis_app):
    """The rebuild in a fresh QGIS process killed (SIGKILL) just before its commit: nothing of it is kept;
    run again, it completes."""
    import json
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from plugin.adapters.gpkg_write import KILL_AT

    data = generate_city(20, seed=4)
    path = tmp_path / "ws.gpkg"
    write_workspace(path, data.info, data)
    runner = Path(__file__).with_name("fault_runner.py")
    arguments = [sys.executable, str(runner), "community_grids:rebuild_code_registry"]
    arguments.append(json.dumps({"WORKSPACE": str(path), "REBUILD": True}))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    killed = subprocess.run(arguments, env={**env, KILL_AT: "before-commit"}, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM code_registry").fetchone() == (0,)
    env.pop(KILL_AT, None)
    done = subprocess.run(arguments, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    codes = {c for g in data.grids.values() for c in g.codes if c}
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM code_registry").fetchone() == (len(codes),)
