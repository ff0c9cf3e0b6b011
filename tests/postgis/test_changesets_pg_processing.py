"""Change requests (§7.6) in the shared PostGIS workspace through Processing (what a planner runs): a township
role proposes from its edited copy, the county role approves with the approval reference or rejects; a township
role's approval is refused with a clear message, nothing changed."""

from __future__ import annotations

from contextlib import closing

import pytest
from pg_helpers import TOWN_A, X0, Y0
from test_changesets_pg import A1, A2, REF, snapshot

from plugin.adapters import pg_changesets as pgc
from plugin.adapters import pg_store

REASON = "新修道路，两组边界随路调整"


@pytest.fixture
def ws(shared_workspace, provider):
    import processing

    processing.run(
        "community_grids:pg_install_change_sets",
        {"CONNECTION": conninfo(shared_workspace.admin), "SCHEMA": shared_workspace.name},
    )
    return shared_workspace


def conninfo(params: pg_store.PgParams) -> str:
    text = f"host={params.host} port={params.port} dbname={params.dbname} user={params.user}"
    return text + (f" password={params.password}" if params.password else "")


def run(name: str, ws, group: str, **parameters):
    import processing

    return processing.run(
        f"community_grids:{name}", {"CONNECTION": conninfo(ws.logins[group]), "SCHEMA": ws.name, **parameters}
    )


def edited_copy(ws, path, x=600.0):
    """Township A's copy of the workspace (made as its role) with the border of its two groups moved to x0+``x``."""
    import shapely
    from osgeo import ogr

    pg_store.copy_pg_to_gpkg(ws.logins[ws.town_a], ws.name, path)
    dataset = ogr.Open(str(path), 1)
    layer = dataset.GetLayerByName("grid_level3")
    boxes = {A1: shapely.box(X0, Y0, X0 + x, Y0 + 1000), A2: shapely.box(X0 + x, Y0, X0 + 1000, Y0 + 1000)}
    for feature in list(layer):
        code = feature.GetField("code")
        if code in boxes:
            feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.multipolygons([boxes[code]]))))
            assert layer.SetFeature(feature) == 0
    dataset = None
    return path


def propose(ws, tmp_path):
    return run(
        "pg_propose_change_set",
        ws,
        ws.town_a,
        EDITED=str(edited_copy(ws, tmp_path / "edited.gpkg")),
        TOWNSHIP=TOWN_A,
        REASON=REASON,
    )


def listed(ws, group, status):
    result = run("pg_list_change_sets", ws, group, STATUS=status, OUTPUT="TEMPORARY_OUTPUT")
    layer = result["OUTPUT"]
    rows = [dict(zip(layer.fields().names(), f.attributes())) for f in layer.getFeatures()]
    assert result["COUNT"] == len(rows)
    return rows


def test_a_township_proposes_and_the_county_approves_with_its_reference(ws, tmp_path):
    before = snapshot(ws)
    proposed = propose(ws, tmp_path)
    assert proposed["ITEMS"] == 2
    set_id = proposed["SET_ID"]
    assert snapshot(ws) == before  # a proposal changes no grid
    rows = listed(ws, ws.county, 1)  # proposed
    assert [(r["set_id"], r["township_code"], r["proposed_by"]) for r in rows] == [
        (set_id, TOWN_A, f"{ws.town_a}_login")
    ]
    approved = run("pg_approve_change_set", ws, ws.county, SET_ID=set_id, REFERENCE=REF)
    assert approved["STATUS"] == "approved" and approved["DEADLINE"]
    with closing(pg_store.connect(ws.admin)) as conn:
        l3 = pgc.read_pg_grids(conn, ws.name)["grid_level3"]
        with conn.cursor() as cur:
            cur.execute(
                f'select old_code, change_kind, approval_ref from "{ws.name}".change_log '
                "where approval_ref is not null order by old_code"
            )
            logged = cur.fetchall()
    areas = dict(zip(l3.codes.tolist(), [round(a) for a in l3.areas()]))
    assert areas[A1] == 600_000 and areas[A2] == 400_000
    assert logged == [(A1, "reshape", REF), (A2, "reshape", REF)]
    assert listed(ws, ws.county, 1) == []
    assert [(r["set_id"], r["approval_ref"]) for r in listed(ws, ws.town_a, 2)] == [(set_id, REF)]


def test_a_rejected_set_changes_nothing(ws, tmp_path):
    set_id = propose(ws, tmp_path)["SET_ID"]
    before = snapshot(ws)
    assert run("pg_reject_change_set", ws, ws.county, SET_ID=set_id, REASON="与村界不符")["STATUS"] == "rejected"
    assert snapshot(ws) == before
    assert [r["set_id"] for r in listed(ws, ws.county, 3)] == [set_id]


def test_a_township_approval_is_refused_with_a_clear_message(ws, tmp_path):
    from qgis.core import QgsProcessingException

    set_id = propose(ws, tmp_path)["SET_ID"]
    before = snapshot(ws)
    with pytest.raises(QgsProcessingException, match="Only the county role decides change requests") as refused:
        run("pg_approve_change_set", ws, ws.town_a, SET_ID=set_id, REFERENCE=REF)
    assert set_id in str(refused.value)
    with pytest.raises(QgsProcessingException, match="Give the approval reference"):
        run("pg_approve_change_set", ws, ws.county, SET_ID=set_id, REFERENCE=" ")
    assert snapshot(ws) == before
    assert [r["status"] for r in listed(ws, ws.county, 0)] == ["proposed"]


def test_a_township_cannot_propose_for_its_neighbour(ws, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match=f"Grid {A1} .* is not in township 610902002"):
        run(
            "pg_propose_change_set",
            ws,
            ws.town_a,
            EDITED=str(edited_copy(ws, tmp_path / "edited.gpkg")),
            TOWNSHIP="610902002",
            REASON=REASON,
        )
    assert listed(ws, ws.county, 0) == []
