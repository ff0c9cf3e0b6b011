#!/usr/bin/env python3
"""Benchmark: the city's database (plugin/adapters/city_db.py) with 1,000,000 level 3 grids in ten counties.

    .venv/bin/python scripts/bench_city_db.py [--grids N] [--counties 10] [--keep DIR]

The size: --grids, else $CG_BENCH_CITY_GRIDS, else 1,000,000 level 3 grids (plus levels 1, 2 and dedicated).
One synthetic city of ten counties sharing their borders (``generate_city(..., counties=10)``; cut by county in
tests/postgis/city_helpers.py),
each written as a workspace and exported as a real filing package (EPSG:4490) — not timed as part of the database.
Then, each in a fresh process (peak memory = that process's maximum resident set; the server's own memory is not
counted): every package taken into a new city schema of the private cluster (scripts/pg_cluster.sh, started here),
one county's audit read from the database, and the city's cross-border checks. Prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "bench_city"
DEFAULT_GRIDS = 1_000_000


def _setup_path() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests" / "postgis"))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cluster_dsn() -> str:
    subprocess.run([str(ROOT / "scripts" / "pg_cluster.sh"), "start"], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(
        [str(ROOT / "scripts" / "pg_cluster.sh"), "env"], check=True, capture_output=True, text=True
    ).stdout
    env = {}
    for line in out.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export ") :].partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return (
        f"host={env['PGHOST']} port={env['PGPORT']} dbname={env['PGDATABASE']} user={env['PGUSER']} "
        f"passfile={env['PGPASSFILE']}"
    )


# ---------------------------------------------------------------- phases (each in its own process)


def phase_prepare(folder: Path, grids: int, counties: int) -> dict:
    _setup_path()
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from city_helpers import synthetic_counties, write_county_package

    t0 = time.perf_counter()
    parts = synthetic_counties(grids, counties, seed=21)
    generation = time.perf_counter() - t0
    t0 = time.perf_counter()
    packages, total = [], 0
    for data in parts.values():
        packages.append(str(write_county_package(data, folder, "1")))
        total += sum(len(g) for g in data.grids.values())
    writing = time.perf_counter() - t0
    level3 = sum(len(d.grids["grid_level3"]) for d in parts.values())
    return {
        "packages": packages,
        "generation_s": generation,
        "write_s": writing,
        "grids": total,
        "level3": level3,
        "bytes": sum(os.path.getsize(p) for p in packages),
        "rss_mb": _rss_mb(),
    }


def phase_load(dsn: str, packages: list[str]) -> dict:
    _setup_path()
    from plugin.adapters import city_db

    conn = city_db.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
    city_db.create_city_db(conn, "EPSG:4524", SCHEMA)
    each = []
    t0 = time.perf_counter()
    for path in packages:
        t1 = time.perf_counter()
        result = city_db.load_package(conn, path, SCHEMA)
        each.append((result.county_code, result.grids, time.perf_counter() - t1))
    total = time.perf_counter() - t0
    t1 = time.perf_counter()
    # a second package of the first county: replaces its 1/10 of the city, history kept
    again = city_db.load_package(conn, _second_version(packages[0]), SCHEMA)
    reload = time.perf_counter() - t1
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute(f"SELECT pg_total_relation_size('\"{SCHEMA}\".city_grids')")
        size = cur.fetchone()[0]
    conn.commit()
    conn.close()
    return {
        "load_s": total,
        "per_county": each,
        "reload_s": reload,
        "reload_grids": again.grids,
        "replaced": again.replaced,
        "table_mb": size / 2**20,
        "rss_mb": _rss_mb(),
    }


def _second_version(path: str) -> str:
    """The same package as a new version (metadata changed only), so it is taken in again."""
    import shutil
    import sqlite3

    target = str(Path(path).with_name(Path(path).stem + "_v2.gpkg"))
    shutil.copyfile(path, target)
    with sqlite3.connect(target) as db:
        db.execute("UPDATE package_metadata SET value = '2' WHERE key = 'version'")
    return target


def phase_audit(dsn: str, county: str) -> dict:
    _setup_path()
    from plugin.adapters import city_db
    from plugin.core.workspace_audit import audit_workspace

    conn = city_db.connect(dsn)
    t0 = time.perf_counter()
    data = city_db.read_county(conn, county, name=SCHEMA)
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = audit_workspace(data, check_staffing=False)
    audit = time.perf_counter() - t0
    conn.close()
    return {
        "county": county,
        "grids": sum(len(g) for g in data.grids.values()),
        "read_s": read,
        "audit_s": audit,
        "findings": len(result.findings),
        "rss_mb": _rss_mb(),
    }


def phase_check(dsn: str) -> dict:
    _setup_path()
    from plugin.adapters import city_db

    conn = city_db.connect(dsn)
    t0 = time.perf_counter()
    result = city_db.check_city(conn, SCHEMA)
    seconds = time.perf_counter() - t0
    conn.close()
    kinds: dict[str, int] = {}
    for f in result.findings:
        kinds[f.rule_id] = kinds.get(f.rule_id, 0) + 1
    return {"check_s": seconds, "findings": kinds, "counties": len(result.counties), "rss_mb": _rss_mb()}


def run_phase(*args) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"phase {args[0]} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=int(os.environ.get("CG_BENCH_CITY_GRIDS", DEFAULT_GRIDS)))
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--keep", help="folder for the packages (kept); default: a temporary folder")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "prepare":
            out = phase_prepare(Path(rest[0]), int(rest[1]), int(rest[2]))
        elif name == "load":
            out = phase_load(rest[0], json.loads(rest[1]))
        elif name == "audit":
            out = phase_audit(rest[0], rest[1])
        else:
            out = phase_check(rest[0])
        print(json.dumps(out))
        return 0

    dsn = cluster_dsn()
    with tempfile.TemporaryDirectory(prefix="bench_city_") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"city of {args.grids:,} level 3 grids in {args.counties} counties ...", flush=True)
        manifest = folder / "manifest.json"
        prep = json.loads(manifest.read_text()) if manifest.exists() else {}
        if (prep.get("size"), prep.get("counties")) != (args.grids, args.counties) or not all(
            os.path.exists(p) for p in prep.get("packages", [""])
        ):
            prep = run_phase("prepare", str(folder), str(args.grids), str(args.counties))
            prep.update(size=args.grids, counties=args.counties)
            manifest.write_text(json.dumps(prep))
        else:
            print(f"(the packages of an earlier run in {folder} are used again)")
        print(
            f"prepared (not part of the database figures): generated in {prep['generation_s']:.1f} s, "
            f"{len(prep['packages'])} filing packages written in {prep['write_s']:.1f} s "
            f"({prep['grids']:,} grids, {prep['bytes'] / 2**20:.0f} MB)",
            flush=True,
        )
        load = run_phase("load", dsn, json.dumps(prep["packages"]))
        print("load:", json.dumps(load), flush=True)
        first = load["per_county"][0][0]
        audit = run_phase("audit", dsn, first)
        print("audit:", json.dumps(audit), flush=True)
        check = run_phase("check", dsn)
        print("check:", json.dumps(check), flush=True)
    rows = [
        (
            f"take in {len(prep['packages'])} county packages ({prep['grids']:,} grids, {prep['level3']:,} level 3)",
            load["load_s"],
            load["rss_mb"],
        ),
        (
            f"take in a county's new package ({load['reload_grids']:,} grids; {load['replaced']:,} kept as history)",
            load["reload_s"],
            None,
        ),
        (f"read county {audit['county']} from the database ({audit['grids']:,} grids)", audit["read_s"], None),
        (f"audit that county ({audit['findings']} findings)", audit["audit_s"], audit["rss_mb"]),
        (
            f"city checks over {check['counties']} counties ({sum(check['findings'].values())} findings: "
            f"{check['findings'] or 'none'})",
            check["check_s"],
            check["rss_mb"],
        ),
    ]
    print("\n| city database | seconds | peak memory (client) |\n|---|---:|---:|")
    for label, seconds, rss in rows:
        print(f"| {label} | {seconds:.2f} | {'' if rss is None else f'{rss:.0f} MB'} |")
    print(f"\ncity_grids table with history: {load['table_mb']:.0f} MB on the server")
    return 0


if __name__ == "__main__":
    sys.exit(main())
