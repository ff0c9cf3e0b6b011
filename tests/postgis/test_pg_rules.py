"""The shared workspace's rules, enforced by the PostgreSQL server itself (the private cluster, nothing mocked):
township permissions, the change log, code allocation, versions, a crash mid-transaction, bad input."""

from __future__ import annotations

import threading
from contextlib import closing

import psycopg2
import pytest
from pg_helpers import TOWN_A, TOWN_B

from plugin.adapters import pg_store
from plugin.core import pg_schema
from plugin.i18n import tr

A3 = TOWN_A + "00101001"  # a level 3 grid of township A
B3 = TOWN_B + "00101001"  # and of township B


def sql(params, query, args=()):
    with closing(psycopg2.connect(**params.libpq())) as conn, conn.cursor() as cur:
        cur.execute(query, args)
        rows = cur.fetchall() if cur.description else None
        conn.commit()
        return rows


def grid(ws, code, layer="grid_level3"):
    return sql(ws.admin, f'select fid, name, version, updated_by from "{ws.name}".{layer} where code = %s', (code,))[0]


def test_township_edit_outside_refused_by_the_database_in_plain_sql(shared_workspace):
    ws = shared_workspace
    planner_a = ws.logins[ws.town_a]
    sql(planner_a, f'update "{ws.name}".grid_level3 set name = %s, version = 1 where code = %s', ("甲一组（改）", A3))
    assert grid(ws, A3)[1] == "甲一组（改）"
    with pytest.raises(psycopg2.Error) as refused:
        sql(planner_a, f'update "{ws.name}".grid_level3 set name = %s, version = 1 where code = %s', ("越界", B3))
    assert refused.value.pgcode == pg_schema.SQLSTATE_OUTSIDE_TOWNSHIP
    assert B3 in str(refused.value)
    assert grid(ws, B3)[1] == "乙一组"
    # a new grid coded in township A but drawn inside township B: the geometry is checked too
    with pytest.raises(psycopg2.Error) as inserted:
        sql(
            planner_a,
            f'insert into "{ws.name}".grid_level3 (code, parent_code, name, level, geom) values '
            "(%s, %s, '偷画', 3, st_multi(st_makeenvelope(36594100, 3619100, 36594200, 3619200, 4524)))",
            (TOWN_A + "00101009", TOWN_A + "00101"),
        )
    assert inserted.value.pgcode == pg_schema.SQLSTATE_OUTSIDE_TOWNSHIP
    # deleting a neighbour's grid: refused too; the county role edits anywhere
    with pytest.raises(psycopg2.Error):
        sql(planner_a, f'delete from "{ws.name}".grid_level3 where code = %s', (B3,))
    sql(
        ws.logins[ws.county], f'update "{ws.name}".grid_level3 set name = %s, version = 1 where code = %s', ("县改", B3)
    )
    assert grid(ws, B3)[1] == "县改"


def test_refused_edit_reaches_the_planner_as_a_message_naming_the_grid(shared_workspace):
    ws = shared_workspace
    fid, _, version, _ = grid(ws, B3)
    with closing(pg_store.connect(ws.logins[ws.town_a])) as conn, pytest.raises(pg_store.PgStoreError) as refused:
        pg_store.save_grid(conn, ws.name, "grid_level3", fid, version, {"name": "越界"})
    assert B3 in str(refused.value) and "nothing was changed" in str(refused.value)
    assert grid(ws, B3)[1:3] == ("乙一组", version)


def test_staff_phones_readable_by_the_county_role_only(shared_workspace):
    ws = shared_workspace
    with pytest.raises(psycopg2.Error) as denied:
        sql(ws.logins[ws.town_a], f'select phone from "{ws.name}".staff')
    assert denied.value.pgcode == "42501"
    assert sorted(sql(ws.logins[ws.town_a], f'select name from "{ws.name}".staff')) == [("张三",), ("李四",)]
    assert sorted(sql(ws.logins[ws.county], f'select phone from "{ws.name}".staff')) == [
        ("13900000001",),
        ("13900000002",),
    ]


def test_edit_in_plain_sql_is_logged_by_the_trigger(shared_workspace):
    ws = shared_workspace
    login = ws.logins[ws.town_a].user
    sql(
        ws.logins[ws.town_a], f'update "{ws.name}".grid_level3 set households = 120, version = 1 where code = %s', (A3,)
    )
    sql(
        ws.logins[ws.town_a],
        f'update "{ws.name}".grid_level3 set geom = st_multi(st_buffer(geom, -10)), version = 2 where code = %s',
        (A3,),
    )
    log = sql(
        ws.admin, f'select "user", change_kind, layer, old_code, new_code from "{ws.name}".change_log order by fid'
    )
    assert log == [
        (login, "edit", "grid_level3", A3, A3),
        (login, "reshape", "grid_level3", A3, A3),
    ]
    # the log cannot be written or rewritten by a township role
    with pytest.raises(psycopg2.Error):
        sql(ws.logins[ws.town_a], f'delete from "{ws.name}".change_log')


def test_four_connections_allocating_1000_codes_get_1000_distinct_codes(shared_workspace):
    ws = shared_workspace
    parent = TOWN_A + "00101"  # 4 digits under the parent: room for 1,000 codes (level 3 has 3: 999)
    results: list[list[str]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(k):
        try:
            with closing(pg_store.connect(ws.logins[ws.county])) as conn:
                start.wait()
                for _ in range(250):
                    results[k].append(pg_store.allocate_code(conn, ws.name, parent, 4))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    codes = [c for r in results for c in r]
    assert len(codes) == 1000 and len(set(codes)) == 1000
    assert sorted(codes) == [f"{parent}{n:04d}" for n in range(1, 1001)]  # no gap, no repeat
    assert all(len(r) == 250 for r in results)
    registered = sql(ws.admin, f'select count(*), count(distinct code) from "{ws.name}".code_registry')[0]
    assert registered == (1000, 1000)


def test_codes_are_never_reused(shared_workspace):
    ws = shared_workspace
    parent = TOWN_B + "00101"
    with closing(pg_store.connect(ws.logins[ws.town_b])) as conn:
        first = pg_store.allocate_code(conn, ws.name, parent, 3)
        assert first == parent + "003"  # after the codes the grids hold (001, 002), never one of them
        # township B may not allocate under township A
        with pytest.raises(pg_store.PgStoreError) as refused:
            pg_store.allocate_code(conn, ws.name, TOWN_A + "00101", 3)
        assert TOWN_A + "00101" in str(refused.value)
    sql(ws.admin, f'update "{ws.name}".code_registry set status = %s where code = %s', ("retired", first))
    with pytest.raises(psycopg2.Error) as deleted:
        sql(ws.admin, f'delete from "{ws.name}".code_registry where code = %s', (first,))
    assert deleted.value.pgcode == pg_schema.SQLSTATE_CODE_REUSED
    with pytest.raises(psycopg2.Error) as duplicate:
        sql(ws.admin, f'insert into "{ws.name}".code_registry (code) values (%s)', (first,))
    assert duplicate.value.pgcode == "23505"
    with closing(pg_store.connect(ws.logins[ws.county])) as conn:
        second = pg_store.allocate_code(conn, ws.name, parent, 3)
    assert int(second[-3:]) == int(first[-3:]) + 1


def test_conflicting_save_refused_naming_the_other_change_both_versions_kept(shared_workspace):
    ws = shared_workspace
    fid, _, read_version, _ = grid(ws, A3)
    with (
        closing(pg_store.connect(ws.logins[ws.county])) as county,
        closing(pg_store.connect(ws.logins[ws.town_a])) as a,
    ):
        assert pg_store.save_grid(county, ws.name, "grid_level3", fid, read_version, {"name": "县里的名字"}) == 2
        with pytest.raises(pg_store.PgConflict) as conflict:
            pg_store.save_grid(a, ws.name, "grid_level3", fid, read_version, {"name": "镇里的名字"})
    message = str(conflict.value)
    assert A3 in message and ws.logins[ws.county].user in message and "version 2" in message
    assert grid(ws, A3)[1:4] == ("县里的名字", 2, ws.logins[ws.county].user)  # nothing overwritten
    kept = sql(
        ws.admin,
        f"select db_user, grid_code, read_version, current_version, current_by, attributes->>'name' "
        f'from "{ws.name}".refused_edits',
    )
    assert kept == [(ws.logins[ws.town_a].user, A3, 1, 2, ws.logins[ws.county].user, "镇里的名字")]


def test_an_update_naming_no_version_or_a_stale_one_is_refused_in_plain_sql(shared_workspace):
    """Every update of a grid names the version it read, whatever the client: attribute-only updates too."""
    ws = shared_workspace
    county, planner = ws.logins[ws.county], ws.logins[ws.town_a]
    with pytest.raises(psycopg2.Error) as unnamed:
        sql(planner, f'update "{ws.name}".grid_level3 set households = 130 where code = %s', (A3,))
    assert unnamed.value.pgcode == pg_schema.SQLSTATE_VERSION_MISSING
    assert A3 in str(unnamed.value)
    message = pg_store.translate_error(unnamed.value)
    assert message == tr(
        "Grid {code} ({layer}): a save must name the version of the grid it read (the current one is {version}, "
        "last changed by {user}); your edit was not saved, nothing was overwritten."
    ).format(code=A3, layer="grid_level3", version=1, user=ws.admin.user)
    assert grid(ws, A3)[1:3] == ("甲一组", 1)
    # the county saves the grid's name (version 1 → 2); the planner's attribute update read at 1 is refused
    sql(county, f'update "{ws.name}".grid_level3 set name = %s, version = 1 where code = %s', ("县里改", A3))
    with pytest.raises(psycopg2.Error) as stale:
        sql(planner, f'update "{ws.name}".grid_level3 set households = 130, version = 1 where code = %s', (A3,))
    assert stale.value.pgcode == pg_schema.SQLSTATE_VERSION_CONFLICT
    text = pg_store.translate_error(stale.value)
    assert A3 in text and county.user in text and "2" in text
    assert grid(ws, A3)[1:4] == ("县里改", 2, county.user)
    # read again at 2: saved, version 3; the log names both saves
    sql(planner, f'update "{ws.name}".grid_level3 set households = 130, version = 2 where code = %s', (A3,))
    assert grid(ws, A3)[1:4] == ("县里改", 3, planner.user)
    log = sql(ws.admin, f'select "user", change_kind from "{ws.name}".change_log order by fid')
    assert log == [(county.user, "edit"), (planner.user, "edit")]


def test_a_workspace_made_before_versions_were_required_is_upgraded(shared_workspace):
    ws = shared_workspace
    for layer in ("grid_level1", "grid_level2", "grid_level3"):  # the triggers of an earlier plugin
        sql(ws.admin, f'drop trigger b_version_named on "{ws.name}".{layer}')
        sql(ws.admin, f'drop trigger b_version on "{ws.name}".{layer}')
        sql(
            ws.admin,
            f'create trigger b_version before update on "{ws.name}".{layer} '
            f'for each row execute function "{ws.name}".bump_version()',
        )
    sql(ws.logins[ws.town_a], f'update "{ws.name}".grid_level3 set households = 101 where code = %s', (A3,))
    with closing(pg_store.connect(ws.admin)) as conn:
        pg_store.upgrade_workspace(conn, ws.name)
        pg_store.upgrade_workspace(conn, ws.name)  # idempotent
    with pytest.raises(psycopg2.Error) as unnamed:
        sql(ws.logins[ws.town_a], f'update "{ws.name}".grid_level3 set households = 102 where code = %s', (A3,))
    assert unnamed.value.pgcode == pg_schema.SQLSTATE_VERSION_MISSING
    sql(
        ws.logins[ws.town_a], f'update "{ws.name}".grid_level3 set households = 102, version = 2 where code = %s', (A3,)
    )
    assert sql(ws.admin, f'select households, version from "{ws.name}".grid_level3 where code = %s', (A3,)) == [
        (102, 3)
    ]


def test_two_planners_editing_different_grids_at_once_both_succeed(shared_workspace):
    ws = shared_workspace
    a = psycopg2.connect(**ws.logins[ws.town_a].libpq())
    b = psycopg2.connect(**ws.logins[ws.town_b].libpq())
    try:
        with a.cursor() as ca, b.cursor() as cb:  # both transactions open at the same time
            ca.execute(f'update "{ws.name}".grid_level3 set name = %s, version = 1 where code = %s', ("甲改", A3))
            cb.execute(f'update "{ws.name}".grid_level3 set name = %s, version = 1 where code = %s', ("乙改", B3))
        a.commit()
        b.commit()
    finally:
        a.close()
        b.close()
    assert grid(ws, A3)[1:3] == ("甲改", 2)
    assert grid(ws, B3)[1:3] == ("乙改", 2)


def test_server_killed_mid_transaction_leaves_no_half_state(shared_workspace, pg_restart):
    ws = shared_workspace
    before = sql(ws.admin, f'select code, name, version from "{ws.name}".grid_level3 order by code')
    conn = psycopg2.connect(**ws.logins[ws.county].libpq())
    with conn.cursor() as cur:
        cur.execute(f"update \"{ws.name}\".grid_level3 set name = name || '（半）', version = version")
        cur.execute(f'select "{ws.name}".allocate_code(%s, 3)', (TOWN_A + "00101",))
        cur.execute(f'delete from "{ws.name}".grid_level3 where code = %s', (B3,))
    pg_restart("immediate")  # the server dies with the transaction open, then starts again (crash recovery)
    with pytest.raises(psycopg2.Error), conn.cursor() as cur:
        cur.execute("select 1")
    conn.close()
    assert sql(ws.admin, f'select code, name, version from "{ws.name}".grid_level3 order by code') == before
    assert sql(ws.admin, f'select count(*) from "{ws.name}".change_log')[0] == (0,)
    assert sql(ws.admin, f'select count(*) from "{ws.name}".code_registry')[0] == (0,)


def test_bad_input_each_a_clear_message_nothing_changed(shared_workspace, pg_admin, unique_name):
    ws = shared_workspace
    wrong = ws.logins[ws.town_a].with_login(ws.logins[ws.town_a].user, "not-the-password")
    with pytest.raises(pg_store.PgStoreError) as password:
        pg_store.connect(wrong)
    assert "password" in str(password.value) and wrong.user in str(password.value)

    down = pg_store.PgParams(host=pg_admin.host, port=1, dbname=pg_admin.dbname, user=pg_admin.user)
    with pytest.raises(pg_store.PgStoreError) as no_server:
        pg_store.open_pg_workspace(down, ws.name)
    assert "does not answer" in str(no_server.value) and ":1" in str(no_server.value)

    sql(ws.admin, f"update \"{ws.name}\".workspace_info set value = '99' where key = 'schema_version'")
    tables = sql(ws.admin, "select count(*) from pg_tables where schemaname = %s", (ws.name,))
    with pytest.raises(pg_store.PgStoreError) as newer:
        pg_store.open_pg_workspace(ws.admin, ws.name)
    assert "newer" in str(newer.value) and "99" in str(newer.value)
    assert sql(ws.admin, f"select value from \"{ws.name}\".workspace_info where key = 'schema_version'") == [("99",)]
    assert sql(ws.admin, "select count(*) from pg_tables where schemaname = %s", (ws.name,)) == tables
    sql(ws.admin, f"update \"{ws.name}\".workspace_info set value = '1' where key = 'schema_version'")

    outsider = f"{unique_name}_outsider"
    sql(ws.admin, f"create role {outsider} login password 'pw'")
    try:
        with pytest.raises(pg_store.PgStoreError) as no_rights:
            pg_store.open_pg_workspace(ws.admin.with_login(outsider, "pw"), ws.name)
        assert "may not" in str(no_rights.value)
        with pytest.raises(psycopg2.Error):
            sql(ws.admin.with_login(outsider, "pw"), f"update \"{ws.name}\".grid_level3 set name = 'x'")
        assert grid(ws, A3)[1] == "甲一组"
    finally:
        sql(ws.admin, f"drop role {outsider}")
