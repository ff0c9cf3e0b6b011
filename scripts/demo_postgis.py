"""`make demo-postgis`: the sample county as a shared workspace on the private PostgreSQL/PostGIS cluster.

The cluster (scripts/pg_cluster.sh, started by make) gets the demo's GeoPackage copied into schema `hanbin`
with a county role and two township roles (each with a planner login); then a township planner's edit is
accepted, an edit into the neighbouring township is refused by the database (through the plugin and through
plain SQL), a stale save is refused naming the other change, the county is audited from the database and a
filing package is exported from it. Run again, it starts afresh (schema and demo roles replaced).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plugin.adapters.qgis_app import register_provider, start_qgis  # noqa: E402


def cluster_settings() -> dict[str, str]:
    out = subprocess.run([str(ROOT / "scripts" / "pg_cluster.sh"), "env"], check=True, capture_output=True, text=True)
    settings = {}
    for line in out.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        settings[key] = shlex.split(value)[0]
    return settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gpkg", type=Path, default=ROOT / "build" / "demo" / "hanbin_sample.gpkg")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "demo_postgis")
    parser.add_argument("--schema", default="hanbin")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    name = args.schema

    start_qgis()
    register_provider()
    import os

    import psycopg2

    from plugin.adapters import pg_store
    from plugin.i18n import install_translator

    install_translator("zh_CN")  # the planners' messages as they read them
    s = cluster_settings()
    os.environ["PGPASSFILE"] = s["PGPASSFILE"]
    admin = pg_store.PgParams(
        host=s["PGHOST"], port=int(s["PGPORT"]), dbname=s["PGDATABASE"], user=s["PGUSER"], passfile=s["PGPASSFILE"]
    )
    print(f"[0] private cluster: {admin.where()} (socket {admin.host}); workspace schema {name}")

    county_role = f"{name}_county"
    with closing(pg_store.connect(admin)) as conn, conn.cursor() as cur:
        cur.execute("select rolname from pg_roles where rolname like %s", (f"{name}\\_%",))
        old_roles = sorted((r[0] for r in cur.fetchall()), key=lambda r: not r.endswith("_login"))
        conn.commit()
        pg_store.drop_pg_workspace(conn, name, old_roles)

    started = time.perf_counter()
    counts = pg_store.copy_gpkg_to_pg(args.gpkg, admin, name)
    pg_store.save_pg_styles(admin, name)
    print(
        f"[1] copied {args.gpkg.name} into schema {name}: "
        + ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        + f" ({time.perf_counter() - started:.1f} s; styles in public.layer_styles)"
    )

    # the two townships with the most level 3 grids
    with closing(pg_store.connect(admin)) as conn, conn.cursor() as cur:
        cur.execute(
            f"select left(g.code, 9) t, max(d.town_name), count(*) from {name}.grid_level3 g "
            f"left join {name}.divisions d on d.town_code = left(g.code, 9) where g.code ~ '^[0-9]{{17}}$' "
            "group by t order by count(*) desc, t limit 2"
        )
        (code_a, name_a, _), (code_b, name_b, _) = cur.fetchall()
        conn.rollback()
        towns = [
            pg_store.Township(code_a, name_a or code_a, f"{name}_town_{code_a}"),
            pg_store.Township(code_b, name_b or code_b, f"{name}_town_{code_b}"),
        ]
        pg_store.setup_roles(conn, name, county_role, towns)
        logins = {}
        for group in (county_role, towns[0].role, towns[1].role):
            login, password = f"{group}_login", f"demo-{group}"
            pg_store.create_login(conn, login, password, group)
            logins[group] = admin.with_login(login, password)
    print(
        f"[2] roles: county {county_role}; townships {code_a} {name_a} → {towns[0].role}, {code_b} {name_b} → {towns[1].role}"
    )
    print("    (each with a login <role>_login; township areas = their level 1 grids widened by 1 m)")
    workspace = pg_store.open_pg_workspace(admin, name, styled=False)
    added, _changed = pg_store.rebuild_pg_registry(workspace)
    workspace.layers.clear()
    print(f"    the county registers the codes its grids hold: {added} entries in {name}.code_registry")

    planner_a = logins[towns[0].role]
    with closing(pg_store.connect(admin)) as conn, conn.cursor() as cur:
        cur.execute(
            f"select fid, code from {name}.grid_level3 where left(code, 9) = %s and status = 'active' "
            f"and st_coveredby(geom, (select geom from {name}.townships where town_code = %s)) order by code limit 1",
            (code_a, code_a),
        )
        own_fid, own_code = cur.fetchone()
        cur.execute(
            f"select fid, code from {name}.grid_level3 where left(code, 9) = %s order by code limit 1", (code_b,)
        )
        other_fid, other_code = cur.fetchone()
        conn.rollback()

    with closing(pg_store.connect(planner_a)) as conn:
        grid = pg_store.read_grid(conn, name, "grid_level3", own_fid)
        version = pg_store.save_grid(
            conn,
            name,
            "grid_level3",
            own_fid,
            grid["version"],
            {"households": (grid["households"] or 0) + 1},
            reason="入户核查 household check",
        )
        print(
            f"[3] {planner_a.user} edits {own_code} in its own township: accepted (version {grid['version']} → {version})"
        )
        other = pg_store.read_grid(conn, name, "grid_level3", other_fid)
        try:
            pg_store.save_grid(conn, name, "grid_level3", other_fid, other["version"], {"name": "越界修改"})
            print("    edit into the neighbour's township: ACCEPTED — this must not happen")
            return 1
        except pg_store.PgStoreError as refusal:
            print(
                f"[4] {planner_a.user} edits {other_code} in township {code_b}: refused by the database —\n    {refusal}"
            )
    with closing(psycopg2.connect(**planner_a.libpq())) as raw, raw.cursor() as cur:
        try:
            cur.execute(f"delete from {name}.grid_level3 where fid = %s", (other_fid,))
            print("    plain SQL delete: ACCEPTED — this must not happen")
            return 1
        except psycopg2.Error as error:
            print(
                f"    the same through plain SQL (psql, any client): SQLSTATE {error.pgcode}: {str(error).splitlines()[0]}"
            )

    with closing(pg_store.connect(logins[county_role])) as conn:
        try:  # the county saves over the grid the township just changed, from a stale read
            pg_store.save_grid(conn, name, "grid_level3", own_fid, grid["version"], {"remarks": "县级复核"})
        except pg_store.PgConflict as conflict:
            print(f"[5] a stale save by the county: refused —\n    {conflict}")
    with closing(pg_store.connect(admin)) as conn, conn.cursor() as cur:
        cur.execute(f'select changed_at, "user", change_kind, old_code, reason from {name}.change_log order by fid')
        for changed_at, user, kind, code, reason in cur.fetchall():
            print(f"    change_log (trigger): {changed_at:%Y-%m-%d %H:%M:%S} {user} {kind} {code} {reason or ''}")
        conn.rollback()

    started = time.perf_counter()
    workspace = pg_store.open_pg_workspace(admin, name, styled=False)
    result = pg_store.audit_open_workspace(workspace, write=True)
    severities = result.counts_by_severity
    print(
        f"[6] audit from the database: {len(result.findings)} findings — {severities.get('error', 0)} errors, "
        f"{severities.get('warning', 0)} warnings, {severities.get('info', 0)} info "
        f"({time.perf_counter() - started:.1f} s); written to {name}.audit_findings"
    )
    workspace.layers.clear()

    started = time.perf_counter()
    package = args.out / "hanbin_filing_package_from_postgis.gpkg"
    copy, exported = pg_store.export_filing_from_pg(
        admin,
        name,
        package,
        args.out,
        author="汉滨区网格化管理中心",
        override_reason="示例数据：审核问题为演示而设 (sample data: defects planted for the demonstration)",
    )
    print(
        f"[7] filing package from the database: {exported.path} ({exported.counts.get('grid_level3', 0)} level 3 "
        f"grids, version {exported.metadata.version}; snapshot {copy}; {time.perf_counter() - started:.1f} s)"
    )
    print(f"    connect with QGIS: host=127.0.0.1 port={admin.port} dbname={admin.dbname} user=<login> (schema {name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
