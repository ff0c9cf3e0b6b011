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
