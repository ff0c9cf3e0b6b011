#!/usr/bin/env python3
"""Benchmark the audit engine on synthetic cities.

For each size a fresh Python process generates a city of N level 3 grids (devtools.synthetic), plants one
defect of every kind (unless --clean), audits it once and reports its timings and peak memory (ru_maxrss of
that process, so sizes do not inherit each other's memory)::

    .venv/bin/python scripts/bench_audit.py                  # 1k, 10k, 100k
    .venv/bin/python scripts/bench_audit.py --sizes 1000 50000 --clean

The sizes in --fallback-sizes (default: the 100k city) are audited a second time in a process started with
COMMUNITY_GRIDS_GEOMETRY=fallback: the same shapely/GEOS with every operation newer than shapely 2.0 replaced by
its fallback (plugin.core.capabilities), as on a stock QGIS with shapely 2.0 / GEOS 3.11. The city is
generated on the native path in both processes, so both audit the same data and must find the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEOMETRY_ENV = "COMMUNITY_GRIDS_GEOMETRY"  # plugin.core.capabilities.ENV


def worker(n: int, seed: int, clean: bool, workers: int | None) -> dict:
    sys.path.insert(0, ROOT)
    from devtools.synthetic import DEFECT_KINDS, generate_city, plant_defects
    from plugin.core import capabilities
    from plugin.core.audit import run_audit

    t0 = time.perf_counter()
    with capabilities.fallback(False):  # the same city on both paths
        data = generate_city(n, seed=seed)
        generation = time.perf_counter() - t0
        expected = set()
        if not clean:
            data, planted = plant_defects(data, DEFECT_KINDS, seed=seed)
            expected = set().union(*(p.expected for p in planted))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_before = usage.ru_maxrss
    cpu0 = usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    result = run_audit(data, workers=workers)
    audit = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu0
    found = {(f.rule_id, f.layer, frozenset(f.codes)) for f in result.findings}
    rows = [
        (f.rule_id, f.layer, f.codes, f.fids, f.key, None if f.measure is None else round(f.measure, 3))
        for f in result.findings
    ]
    return {
        "geometry": capabilities.describe(),
        "findings_digest": hashlib.sha256(repr(rows).encode()).hexdigest()[:12],
        "n3": len(data.grid(3)),
        "n2": len(data.grid(2)),
        "n1": len(data.grid(1)),
        "nd": len(data.grid(0)),
        "generation_s": generation,
        "audit_s": audit,
        "audit_cpu_s": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "rss_before_audit_mb": rss_before / 1024.0,
        "findings": len(result.findings),
        "exact": (found == expected and len(result.findings) == len(expected)) if not clean else not result.findings,
        "timings": result.timings,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="level 3 grid counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clean", action="store_true", help="do not plant defects")
    parser.add_argument("--workers", type=int, default=None, help="audit threads (default: up to 2)")
    parser.add_argument(
        "--fallback-sizes",
        type=int,
        nargs="*",
        default=[100000],
        help="sizes audited again with the geometry fallbacks forced (COMMUNITY_GRIDS_GEOMETRY=fallback)",
    )
    parser.add_argument("--stages", action="store_true", help="also print the time of each audit stage")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.seed, args.clean, args.workers)))
        return 0

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows, fallback_rows = [], []
    for n, fallback in [(n, False) for n in args.sizes] + [(n, True) for n in args.fallback_sizes]:
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), "--seed", str(args.seed)]
        if args.clean:
            cmd.append("--clean")
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
        env = dict(os.environ)
        env.pop(GEOMETRY_ENV, None)
        if fallback:
            env[GEOMETRY_ENV] = "fallback"
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return done.returncode
        (fallback_rows if fallback else rows).append(json.loads(done.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps({"native": rows, "fallback": fallback_rows}, indent=1))
        return 0
    print(
        f"cpus: {os.cpu_count()}, load before: {load:.2f}, defects planted: {'no' if args.clean else 'one of each kind'}"
    )
    header = (
        f"{'level 3':>8} {'level 2':>8} {'level 1':>8} {'dedic.':>7} {'generate s':>11} {'audit s':>8} "
        f"{'cpu s':>6} {'µs/grid':>8} {'peak RSS MB':>12} {'findings':>9} {'exact':>6}"
    )
    print(f"geometry: {rows[0]['geometry'] if rows else fallback_rows[0]['geometry']}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(_row(r))
    if fallback_rows:
        native = {r["n3"]: r for r in rows}
        print()
        print("Fallback path: the same cities audited in a process started with COMMUNITY_GRIDS_GEOMETRY=fallback")
        print(f"geometry: {fallback_rows[0]['geometry']}")
        print(header + f" {'same as fast':>13} {'× fast':>7}")
        print("-" * (len(header) + 22))
        for r in fallback_rows:
            fast = native.get(r["n3"])
            same = "-" if fast is None else ("yes" if fast["findings_digest"] == r["findings_digest"] else "NO")
            ratio = "" if fast is None else f"{r['audit_s'] / fast['audit_s']:.2f}"
            print(_row(r) + f" {same:>13} {ratio:>7}")
    if args.stages:
        print()
        stages = list(rows[0]["timings"])
        print(f"{'level 3':>8} " + " ".join(f"{s:>9}" for s in stages))
        for r in rows:
            print(f"{r['n3']:>8} " + " ".join(f"{r['timings'][s]:>9.3f}" for s in stages))
    return 0


def _row(r: dict) -> str:
    per = r["audit_s"] / max(r["n3"] + r["n2"] + r["n1"] + r["nd"], 1) * 1e6
    return (
        f"{r['n3']:>8} {r['n2']:>8} {r['n1']:>8} {r['nd']:>7} {r['generation_s']:>11.2f} {r['audit_s']:>8.2f} "
        f"{r['audit_cpu_s']:>6.2f} {per:>8.1f} {r['peak_rss_mb']:>12.0f} {r['findings']:>9} "
        f"{'yes' if r['exact'] else 'NO':>6}"
    )


if __name__ == "__main__":
    sys.exit(main())
