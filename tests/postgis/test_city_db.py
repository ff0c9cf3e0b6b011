"""The city's database on the real server (§7.5 synchronisation): county filing packages taken in with history,
as-of queries, the city's cross-border checks, one transaction per package, clear refusals."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import shapely
from city_helpers import generate_city, split_counties, write_county_package

from plugin.adapters import city_db
from plugin.adapters.city_db import CityDbError

A, B = "610902", "610921"


@pytest.fixture(scope="module")
def packages(tmp_path_factory, qgis_app):
    """County A v1 and v2 (5 level 3 grids retired, 3 removed), county B v1, and B v2 with a level 1 grid pushed
    30 m into A and a level 3 code that A uses too."""
    folder = tmp_path_factory.mktemp("city")
    counties = split_counties(generate_city(600, seed=3), 2)
    a, b = counties[A], counties[B]
    out = {"a1": write_county_package(a, folder / "v1", "1"), "b1": write_county_package(b, folder / "v1", "1")}
    l3 = a.grids["grid_level3"]
    status = np.asarray(l3.attribute("status", "active"), dtype=object).copy()
    status[:5] = "retired"
    a2 = replace(a, grids={**a.grids, "grid_level3": replace(l3, attributes={**l3.attributes, "status": status})})
    a2.grids["grid_level3"] = a2.grids["grid_level3"].subset(np.arange(len(l3)) >= 3)
    out["a2"] = write_county_package(a2, folder / "v2", "2")
    b_l1 = b.grids["grid_level1"]
    west = int(np.argmin(shapely.bounds(b_l1.geometries)[:, 0]))
    geoms = b_l1.geometries.copy()
    geoms[west] = shapely.buffer(geoms[west], 30.0, join_style="mitre")
    b_l3 = b.grids["grid_level3"]
    codes = b_l3.codes.copy()
    codes[0] = a.grids["grid_level3"].codes[10]
    b2 = replace(
        b,
        grids={
            **b.grids,
            "grid_level1": replace(b_l1, geometries=geoms),
            "grid_level3": replace(b_l3, codes=codes),
        },
    )
    out["b2"] = write_county_package(b2, folder / "v2", "2")
    out["counts"] = {
        "a1": sum(len(g) for g in a.grids.values()),
        "a2": sum(len(g) for g in a2.grids.values()),
        "b1": sum(len(g) for g in b.grids.values()),
    }
    out["dup_code"] = codes[0]
    out["a"] = a
    return out


@pytest.fixture
def city(pg_connect, unique_name):
    conn = pg_connect()
    city_db.create_city_db(conn, "EPSG:4524", unique_name)
    yield conn, unique_name
    conn.rollback()
    with conn, conn.cursor() as cur:
        cur.execute(f'DROP SCHEMA "{unique_name}" CASCADE')


def current_count(conn, name, county):
    with conn.cursor() as cur:
        cur.execute(f'SELECT count(*) FROM "{name}".city_grids WHERE county_code = %s AND valid_to IS NULL', (county,))
        n = cur.fetchone()[0]
    conn.rollback()
    return n


def test_a_new_package_replaces_the_countys_grids_and_the_previous_ones_stay_queryable(city, packages):
    conn, name = city
    first = city_db.load_package(conn, packages["a1"], name)
    city_db.load_package(conn, packages["b1"], name)
    assert first.grids == packages["counts"]["a1"] and first.replaced == 0
    assert city_db.counties(conn, name) == [A, B]
    second = city_db.load_package(conn, packages["a2"], name)
    assert second.replaced == packages["counts"]["a1"] and second.grids == packages["counts"]["a2"]
    assert current_count(conn, name, A) == packages["counts"]["a2"]
    assert current_count(conn, name, B) == packages["counts"]["b1"]
    now = city_db.read_county(conn, A, name=name)
    then = city_db.read_county(conn, A, as_of=first.loaded_at, name=name)
    assert sum(len(g) for g in now.grids.values()) == packages["counts"]["a2"]
    assert sum(len(g) for g in then.grids.values()) == packages["counts"]["a1"]
    retired = then.grids["grid_level3"].codes[3]  # retired in v2
    assert dict(zip(now.grids["grid_level3"].codes, now.grids["grid_level3"].attributes["status"]))[retired] == (
        "retired"
    )
    history = city_db.grid_history(conn, retired, name)
    assert [h["package_id"] for h in history] == [first.package_id, second.package_id]
    assert history[0]["valid_to"] == second.loaded_at and history[1]["valid_to"] is None
    removed = then.grids["grid_level3"].codes[0]  # removed in v2: only in the past
    assert removed not in set(now.grids["grid_level3"].codes) and len(city_db.grid_history(conn, removed, name)) == 1
    assert then.county_boundary is not None and now.info.crs == "EPSG:4524"


def test_the_city_checks_find_cross_border_overlaps_and_duplicate_codes(city, packages):
    conn, name = city
    city_db.load_package(conn, packages["a1"], name)
    loaded = city_db.load_package(conn, packages["b1"], name)
    clean = city_db.check_city(conn, name)
    assert [f.rule_id for f in clean.findings] == []
    city_db.load_package(conn, packages["b2"], name)
    run = city_db.check_city(conn, name)
    rules = sorted({f.rule_id for f in run.findings})
    assert rules == ["city.border_overlap", "city.duplicate_code"]
    (dup,) = [f for f in run.findings if f.rule_id == "city.duplicate_code"]
    assert dup.codes == (packages["dup_code"],) and dup.extra["counties"] == [A, B]
    assert all(f.extra["counties"] == [A, B] for f in run.findings)
    with conn.cursor() as cur:
        cur.execute(f'SELECT rule_id, counties FROM "{name}".city_findings WHERE run_id = %s', (run.run_id,))
        stored = cur.fetchall()
    conn.rollback()
    assert sorted(r[0] for r in stored) == sorted(f.rule_id for f in run.findings)
    assert {r[1] for r in stored} == {f"{A},{B}"}
    # as of before B's second package: clean again
    assert city_db.check_city(conn, name, as_of=loaded.loaded_at, store=False).findings == []


def test_a_countys_audit_from_the_database_matches_the_audit_of_its_grids(city, packages):
    from plugin.core.workspace_audit import audit_workspace

    conn, name = city
    city_db.load_package(conn, packages["a1"], name)
    from_db = audit_workspace(city_db.read_county(conn, A, name=name), check_staffing=False, check_sizes=False)
    direct = audit_workspace(packages["a"], check_staffing=False, check_sizes=False)
    assert sorted((f.rule_id, f.codes) for f in from_db.findings) == sorted(
        (f.rule_id, f.codes) for f in direct.findings
    )


def test_a_failed_load_leaves_the_database_as_it_was(city, packages, monkeypatch):
    conn, name = city
    first = city_db.load_package(conn, packages["a1"], name)
    real = city_db._grid_copy_buffer

    def broken(*args):
        buffer, count = real(*args)
        return type(buffer)(buffer.getvalue() + "not a row\n"), count

    monkeypatch.setattr(city_db, "_grid_copy_buffer", broken)
    import psycopg2

    with pytest.raises(psycopg2.Error):
        city_db.load_package(conn, packages["a2"], name)
    assert current_count(conn, name, A) == packages["counts"]["a1"]
    with conn.cursor() as cur:
        cur.execute(f'SELECT package_id FROM "{name}".city_packages')
        assert [r[0] for r in cur.fetchall()] == [first.package_id]
    conn.rollback()


def test_refusals_are_clear(city, packages, pg_cluster, pg_connect):
    conn, name = city
    city_db.load_package(conn, packages["a1"], name)
    with pytest.raises(CityDbError, match="already taken in"):
        city_db.load_package(conn, packages["a1"], name)
    with pytest.raises(CityDbError, match="no city schema"):
        city_db.load_package(conn, packages["a1"], name + "x")
    with conn, conn.cursor() as cur:
        cur.execute(f"UPDATE \"{name}\".city_info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(CityDbError, match="newer Community Grids"):
        city_db.check_city(conn, name)
    dsn = f"host={pg_cluster['PGHOST']} port={pg_cluster['PGPORT']} dbname={pg_cluster['PGDATABASE']}"
    with pytest.raises(CityDbError, match="refused the user name or password"):
        city_db.connect(f"{dsn} user={pg_cluster['PGUSER']} password=wrong passfile=/dev/null")
    with pytest.raises(CityDbError, match="cannot be reached"):
        city_db.connect("host=127.0.0.1 port=1 dbname=x user=x connect_timeout=3")


def test_the_processing_algorithms_take_packages_in_and_check_the_city(packages, pg_cluster, pg_connect, provider):
    import uuid

    import processing

    name = "t" + uuid.uuid4().hex[:10]
    dsn = (
        f"host={pg_cluster['PGHOST']} port={pg_cluster['PGPORT']} dbname={pg_cluster['PGDATABASE']} "
        f"user={pg_cluster['PGUSER']} passfile={pg_cluster['PGPASSFILE']}"
    )
    try:
        first = processing.run(
            "community_grids:city_db_load_package",
            {"DATABASE": dsn, "SCHEMA": name, "PACKAGE": str(packages["a1"]), "CRS": "EPSG:4524"},
        )
        assert first["GRIDS"] == packages["counts"]["a1"]
        processing.run(
            "community_grids:city_db_load_package", {"DATABASE": dsn, "SCHEMA": name, "PACKAGE": str(packages["b2"])}
        )
        checked = processing.run("community_grids:city_db_check", {"DATABASE": dsn, "SCHEMA": name})
        assert checked["ERRORS"] >= 2 and checked["FINDING_COUNT"] == checked["ERRORS"]
    finally:
        conn = pg_connect()
        with conn, conn.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
