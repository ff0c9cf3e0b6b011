"""Change requests (§7.6) in the shared PostGIS workspace, on the real server: a township role proposes, only the
county role decides (the database refuses the rest), an approved set becomes current logged with its approval
reference, a rejected one changes nothing."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from datetime import timedelta

import psycopg2
import pytest
import shapely
from pg_helpers import TOWN_A, TOWN_B, X0, Y0

from plugin.adapters import pg_changesets as pgc
from plugin.adapters import pg_store
from plugin.core import changesets as core
from plugin.core import pg_changesets
from plugin.core.changes import FILING_DAYS

A1, A2 = TOWN_A + "00101001", TOWN_A + "00101002"
B1 = TOWN_B + "00101001"
REF = "汉滨政发〔2024〕12号"


@pytest.fixture
def ws(shared_workspace):
    with closing(pg_store.connect(shared_workspace.admin)) as conn:
        pgc.install_change_sets(
            conn, shared_workspace.name, shared_workspace.county, [shared_workspace.town_a, shared_workspace.town_b]
        )
    return shared_workspace


def login(ws, group):
    return closing(pg_store.connect(ws.logins[group]))


def snapshot(ws):
    """Grid rows, change log and registry as the admin sees them."""
    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        out = []
        for table in ("grid_level3", "change_log", "code_registry"):
            cur.execute(f'select * from "{ws.name}".{table} order by 1')
            out.append([tuple(str(v) for v in r) for r in cur.fetchall()])
        return out


def moved_border(grids, x=600.0):
    """Township A's two level 3 groups with their shared border moved from x0+500 to x0+``x``."""
    l3 = grids["grid_level3"]
    geoms = l3.geometries.copy()
    codes = l3.codes.tolist()
    geoms[codes.index(A1)] = shapely.box(X0, Y0, X0 + x, Y0 + 1000)
    geoms[codes.index(A2)] = shapely.box(X0 + x, Y0, X0 + 1000, Y0 + 1000)
    return {**grids, "grid_level3": replace(l3, geometries=geoms)}


def proposal(ws, group=None, township=TOWN_A, edit=moved_border):
    with login(ws, group or ws.town_a) as conn:
        before = pgc.read_pg_grids(conn, ws.name)
        cs = core.propose_change_set(before, edit(before), township, "新修道路，两组边界随路调整")
        return pgc.propose(conn, ws.name, cs)


def test_a_township_proposal_approved_by_the_county_becomes_current_logged_with_its_reference(ws):
    before = snapshot(ws)
    cs = proposal(ws)
    assert sorted(i.code for i in cs.items) == [A1, A2]
    assert snapshot(ws) == before  # a proposal changes no grid
    with login(ws, ws.county) as conn:
        held = pgc.read_change_set(conn, ws.name, cs.set_id)
        assert held.status == "proposed" and held.proposed_by == f"{ws.town_a}_login"
        assert [r["set_id"] for r in pgc.change_sets(conn, ws.name, "proposed")] == [cs.set_id]
        done = pgc.approve(conn, ws.name, cs.set_id, REF)
        grids = pgc.read_pg_grids(conn, ws.name)
    assert done.status == "approved" and done.approval_ref == REF and done.decided_by == f"{ws.county}_login"
    assert done.filing_deadline() == done.decided_at.date() + timedelta(days=FILING_DAYS)
    l3 = grids["grid_level3"]
    areas = dict(zip(l3.codes.tolist(), [round(a) for a in l3.areas()]))
    assert areas[A1] == 600_000 and areas[A2] == 400_000
    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        cur.execute(
            f'select old_code, change_kind, approval_ref, reason from "{ws.name}".change_log '
            "where approval_ref is not null order by old_code"
        )
        logged = cur.fetchall()
        cur.execute(f'select version from "{ws.name}".grid_level3 where code = %s', (A1,))
        assert cur.fetchone()[0] == 2
    assert [(r[0], r[1], r[2]) for r in logged] == [(A1, "reshape", REF), (A2, "reshape", REF)]
    assert {r[3] for r in logged} == {"新修道路，两组边界随路调整"}
    with login(ws, ws.county) as conn, pytest.raises(pg_store.PgStoreError, match="already approved"):
        pgc.reject(conn, ws.name, cs.set_id, "迟了")


def test_a_rejected_set_changes_nothing(ws):
    cs = proposal(ws)
    before = snapshot(ws)
    with login(ws, ws.county) as conn:
        done = pgc.reject(conn, ws.name, cs.set_id, "与村界不符")
    assert done.status == "rejected" and done.rejection_reason == "与村界不符" and done.filing_status() is None
    assert snapshot(ws) == before


def test_a_township_cannot_approve_or_reject_not_even_in_plain_sql(ws):
    cs = proposal(ws)
    before = snapshot(ws)
    with login(ws, ws.town_a) as conn:
        with pytest.raises(pg_store.PgStoreError, match="Only the county role"):
            pgc.approve(conn, ws.name, cs.set_id, REF)
        with pytest.raises(psycopg2.Error) as refused, conn.cursor() as cur:
            cur.execute(f'select "{ws.name}".approve_change_set(%s, %s)', (cs.set_id, REF))
        assert refused.value.pgcode == pg_changesets.SQLSTATE_NOT_COUNTY
        conn.rollback()
        with pytest.raises(psycopg2.Error) as denied, conn.cursor() as cur:
            cur.execute(f"update \"{ws.name}\".change_sets set status = 'approved', approval_ref = 'x'")
        assert denied.value.pgcode == "42501"
        conn.rollback()
    with login(ws, ws.county) as conn, pytest.raises(psycopg2.Error) as county_update, conn.cursor() as cur:
        cur.execute(f"update \"{ws.name}\".change_sets set status = 'approved'")  # only through the function
    assert county_update.value.pgcode == "42501"
    assert snapshot(ws) == before
    with login(ws, ws.county) as conn:
        assert pgc.read_change_set(conn, ws.name, cs.set_id).status == "proposed"


def test_a_township_cannot_propose_a_change_to_a_neighbours_grid(ws):
    def push_into_b(grids):
        l3 = grids["grid_level3"]
        geoms = l3.geometries.copy()
        geoms[l3.codes.tolist().index(B1)] = shapely.box(X0 + 1000, Y0, X0 + 1400, Y0 + 1000)
        return {**grids, "grid_level3": replace(l3, geometries=geoms)}

    # the plugin's own check first
    with pytest.raises(core.ChangeSetError, match=B1):
        proposal(ws, edit=push_into_b)
    # a set built by hand (or by another client): the database refuses it, naming the grid, nothing kept
    with login(ws, ws.town_a) as conn:
        before = pgc.read_pg_grids(conn, ws.name)
        cs = core.propose_change_set(before, push_into_b(before), TOWN_B, "越界")
        with pytest.raises(pg_store.PgStoreError, match=f"not propose for township {TOWN_B}"):
            pgc.propose(conn, ws.name, cs)
        cs.township_code = TOWN_A  # its own township, with an item for a grid of B
        with pytest.raises(pg_store.PgStoreError, match=B1):
            pgc.propose(conn, ws.name, cs)
        assert pgc.change_sets(conn, ws.name) == []
        # and in plain SQL: a proposal for township B by township A's role
        with pytest.raises(psycopg2.Error) as refused, conn.cursor() as cur:
            cur.execute(
                f'insert into "{ws.name}".change_sets (set_id, township_code, reason, status, proposed_by) '
                "values ('x1', %s, 'r', 'proposed', current_user)",
                (TOWN_B,),
            )
        assert refused.value.pgcode == "42501"


def test_the_proposal_stores_the_map_of_the_change(ws):
    from qgis.PyQt.QtGui import QImage

    from plugin.adapters.changeset_map import MAP_SIZE

    cs = proposal(ws)
    assert cs.crs == "EPSG:4524" and cs.map_png.startswith(b"\x89PNG")
    with login(ws, ws.county) as conn:
        held = pgc.read_change_set(conn, ws.name, cs.set_id)
    assert held.map_png == cs.map_png
    image = QImage.fromData(held.map_png, "PNG")
    assert (image.width(), image.height()) == MAP_SIZE
    assert len({image.pixel(x, y) for x in range(0, image.width(), 13) for y in range(0, image.height(), 13)}) > 10


def test_a_workspace_whose_change_sets_have_no_map_column_is_upgraded(ws):
    with closing(pg_store.connect(ws.admin)) as conn:
        with conn.cursor() as cur:  # the change-set table of an earlier plugin
            cur.execute(f'alter table "{ws.name}".change_sets drop column map_png')
        conn.commit()
    cs = proposal(ws)  # still proposed, without its map
    with login(ws, ws.county) as conn:
        assert pgc.read_change_set(conn, ws.name, cs.set_id).map_png is None
    with closing(pg_store.connect(ws.admin)) as conn:
        pg_store.upgrade_workspace(conn, ws.name)
    cs = proposal(ws, edit=lambda grids: moved_border(grids, 700.0))
    with login(ws, ws.county) as conn:
        assert pgc.read_change_set(conn, ws.name, cs.set_id).map_png.startswith(b"\x89PNG")


def test_a_stale_set_is_refused_and_nothing_changes(ws):
    cs = proposal(ws)
    with login(ws, ws.county) as conn, conn.cursor() as cur:
        cur.execute(f"update \"{ws.name}\".grid_level3 set name = '县改', version = version where code = %s", (A2,))
        conn.commit()
    before = snapshot(ws)
    with login(ws, ws.county) as conn:
        with pytest.raises(pg_store.PgStoreError, match="cannot be approved"):
            pgc.approve(conn, ws.name, cs.set_id, REF)
        assert pgc.read_change_set(conn, ws.name, cs.set_id).status == "proposed"
    assert snapshot(ws) == before
