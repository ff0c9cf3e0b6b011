#!/usr/bin/env python3
"""Benchmark the whole workspace audit on synthetic cities, at two levels of detail.

For each size and detail a Python process generates a city of N level 3 grids (devtools.synthetic):
"simple" (straight-ish shared edges, ~15 vertices a grid) and "realistic" (shared edges as jagged polylines,
~180 vertices a grid, still an exact coverage), from 500,000 grids in ten counties (--counties). It plants about
one defect per 120 grids (every kind at least once; --per-grids) and writes the city to a file
(devtools.synthetic.save_city; --keep keeps and reuses them). A fresh process then reads that file and runs the
whole workspace audit once (topology, codes, size rules, staffing: plugin.core.workspace_audit), writes the JSON
and HTML reports, and reports the timings of every stage, the resident set after reading the city and the peak
memory (VmHWM of that process: only the city as read and the audit, not its generation) and whether the
findings are exactly the planted ones; --memory prints the resident set at each stage::

    .venv/bin/python scripts/bench_audit.py                  # 1k, 10k, 100k at both details
    .venv/bin/python scripts/bench_audit.py --sizes 1000 50000 --details realistic --clean
    .venv/bin/python scripts/bench_audit.py --sizes 1000000 --details simple --fallback-sizes --bare-sizes

The sizes in --fallback-sizes (default: the 100k city) are audited a second time in a process started with
COMMUNITY_GRIDS_GEOMETRY=fallback: the same shapely/GEOS with every operation newer than shapely 2.0 replaced by
its fallback (plugin.core.capabilities), as on a stock QGIS with shapely 2.0 / GEOS 3.11. The city is
generated on the native path in both processes, so both audit the same data and must find the same.

The sizes in --bare-sizes (default: the 10k city; at 100k realistic it runs for many minutes) are also given
a bare shapely gap + overlap pass on level 3 (STRtree pairs and their intersections; union of level 2 − union
of level 3), for comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import shapely

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEOMETRY_ENV = "COMMUNITY_GRIDS_GEOMETRY"  # plugin.core.capabilities.ENV


def _status_mb(key: str) -> float:
    """VmRSS / VmHWM of this process in MB (Linux), else the maximum resident set."""
    with contextlib.suppress(OSError), open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def prepare(path: str, n: int, seed: int, clean: bool, detail: str, per_grids: int, counties: int) -> dict:
    """Generate the city (and plant its defects) and write it to ``path``: the audit runs in another process."""
    sys.path.insert(0, ROOT)
    from collections import Counter

    from devtools.synthetic import defect_plan, generate_city, plant_defects, save_city
    from plugin.core import capabilities

    t0 = time.perf_counter()
    with capabilities.fallback(False):  # the same city on both paths
        data = generate_city(n, seed=seed, detail=detail, counties=counties)
        expected = Counter()
        if not clean:
            data, planted = plant_defects(data, defect_plan(n, per_grids), seed=seed, skip_unplaced=True)
            expected = Counter(k for p in planted for k in p.expected)
        generation = time.perf_counter() - t0
    save_city(data, path, extra={"expected": expected, "generation_s": generation, "detail": detail})
    return {"generation_s": generation, "generation_peak_mb": _status_mb("VmHWM")}


def worker(path: str, workers: int | None, bare: bool) -> dict:
    """Read the city written by :func:`prepare` and audit it: the memory figures are those of a process that
    only reads the city and audits it."""
    sys.path.insert(0, ROOT)
    from collections import Counter

    from devtools.synthetic import load_city
    from plugin.core import capabilities
    from plugin.core.workspace_audit import audit_workspace, write_html_report, write_json_report

    base = _status_mb("VmRSS")
    t0 = time.perf_counter()
    data, extra = load_city(path)
    reading = time.perf_counter() - t0
    expected, generation = extra["expected"], extra["generation_s"]
    n_vertices = int(shapely.get_num_coordinates(np.asarray(data.grid(3).geometries, dtype=object)).sum())
    n_all = sum(int(shapely.get_num_coordinates(g.geometries).sum()) for g in data.grids.values())
    rss_before = _status_mb("VmRSS")
    # the resident set at the start of each stage (the audit's progress callback), sampled by a thread too:
    # the highest resident set seen during each stage
    marks: list = []
    sampler = _Sampler(marks)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    sampler.start()
    result = audit_workspace(data, workers=workers, progress=sampler.progress)
    audit = time.perf_counter() - t0
    sampler.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu0
    peak = _status_mb("VmHWM")
    # the synthetic workspace has no staff register: staffing says so once per rule (not per grid); every
    # other finding must be a planted one
    notes = [f for f in result.findings if f.rule_id.startswith("staff.") and not f.codes]
    found = Counter((f.rule_id, f.layer, frozenset(f.codes)) for f in result.findings if f not in notes)
    rows = [
        (f.rule_id, f.layer, f.codes, f.fids, f.key, None if f.measure is None else round(f.measure, 3))
        for f in result.findings
    ]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_json_report(result, os.path.join(tmp, "audit.json"))
        write_html_report(result, os.path.join(tmp, "audit.html"), divisions=data.divisions)
        writing = time.perf_counter() - t0
    out = {
        "geometry": capabilities.describe(),
        "detail": extra.get("detail", ""),
        "findings_digest": hashlib.sha256(repr(rows).encode()).hexdigest()[:12],
        "n3": len(data.grid(3)),
        "n2": len(data.grid(2)),
        "n1": len(data.grid(1)),
        "nd": len(data.grid(0)),
        "counties": len({str(c)[:6] for c in data.grid(1).codes}),
        "vertices_per_grid": n_vertices / max(len(data.grid(3)), 1),
        "vertices": n_all,
        "generation_s": generation,
        "read_s": reading,
        "audit_s": audit,
        "audit_cpu_s": cpu,
        "peak_rss_mb": peak,
        "rss_start_mb": base,
        "rss_before_audit_mb": rss_before,
        "stage_rss_mb": sampler.table(),
        "findings": len(result.findings),
        "planted": sum(expected.values()),
        "notes": len(notes),
        "exact": found == expected,
        "timings": dict(result.timings),
        "writing_s": writing,
    }
    if bare:
        out["bare"] = bare_pass(data.grid(3).geometries, data.grid(2).geometries)
    return out


class _Sampler:
    """The resident set at each stage's start (the audit's progress text) and the highest seen during it."""

    def __init__(self, marks: list):
        import threading

        self.marks = marks  # [stage text, VmRSS at start, highest VmRSS during]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def progress(self, fraction: float, text: str) -> None:
        self.marks.append([text.split(" / ")[-1], _status_mb("VmRSS"), _status_mb("VmRSS")])

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            if self.marks:
                self.marks[-1][2] = max(self.marks[-1][2], _status_mb("VmRSS"))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def table(self) -> list:
        return [(text, round(start), round(high)) for text, start, high in self.marks]


def bare_pass(level3, level2) -> dict:
    """A bare shapely gap + overlap pass on level 3, for comparison: candidate pairs from an STRtree, their
    intersections (overlaps: area > 1e-6 m²); gaps = union of level 2 − union of level 3, parts > 1e-6 m²."""
    t0 = time.perf_counter()
    g3 = np.asarray(level3, dtype=object)
    g3 = g3[shapely.is_valid(g3)]
    i, j = shapely.STRtree(g3).query(g3, predicate="intersects")
    keep = i < j
    overlaps = int((shapely.area(shapely.intersection(g3[i[keep]], g3[j[keep]])) > 1e-6).sum())
    t1 = time.perf_counter()
    g2 = np.asarray(level2, dtype=object)
    g2 = g2[shapely.is_valid(g2)]
    gap = shapely.difference(shapely.union_all(g2), shapely.union_all(g3))
    gaps = int((shapely.area(shapely.get_parts(gap)) > 1e-6).sum())
    t2 = time.perf_counter()
    return {"overlaps_s": t1 - t0, "gaps_s": t2 - t1, "total_s": t2 - t0, "overlaps": overlaps, "gaps": gaps}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="level 3 grid counts")
    parser.add_argument(
        "--details", nargs="+", default=["simple", "realistic"], choices=["simple", "realistic"], help="edge detail"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clean", action="store_true", help="do not plant defects")
    parser.add_argument("--per-grids", type=int, default=120, help="plant about one defect per this many grids")
    parser.add_argument("--workers", type=int, default=None, help="audit threads (default: up to 2)")
    parser.add_argument(
        "--fallback-sizes",
        type=int,
        nargs="*",
        default=[100000],
        help="sizes audited again with the geometry fallbacks forced (COMMUNITY_GRIDS_GEOMETRY=fallback)",
    )
    parser.add_argument(
        "--bare-sizes",
        type=int,
        nargs="*",
        default=[10000],
        help="sizes also given the bare shapely pass (at 100k realistic it takes many minutes)",
    )
    parser.add_argument(
        "--counties",
        type=int,
        default=None,
        help="counties of the city (default: 1, and 10 from 500,000 level 3 grids: one county's codes hold "
        "about 750,000)",
    )
    parser.add_argument("--keep", help="folder keeping the generated cities (reused when there)")
    parser.add_argument("--memory", action="store_true", help="print the resident set at each audit stage")
    parser.add_argument("--no-stages", action="store_true", help="do not print the time of each audit stage")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--detail", default="simple", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.prepare is not None:
        counties = args.counties or 1
        row = prepare(args.prepare, args.size, args.seed, args.clean, args.detail, args.per_grids, counties)
        print(json.dumps(row))
        return 0
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.workers, args.bare)))
        return 0

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    rows, fallback_rows = [], []
    runs = [(n, d, False) for d in args.details for n in args.sizes]
    runs += [(n, d, True) for d in args.details for n in args.fallback_sizes]
    keep = args.keep
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or tmp
        os.makedirs(folder, exist_ok=True)
        for n, detail, fallback in runs:
            counties = args.counties or (10 if n >= 500_000 else 1)
            name = f"city_{n}_{detail}_s{args.seed}_c{counties}_{'clean' if args.clean else f'p{args.per_grids}'}.bin"
            path = os.path.join(folder, name)
            if not os.path.exists(path):  # generated (and planted) in a process of its own, written to a file
                cmd = [sys.executable, os.path.abspath(__file__), "--prepare", path, "--size", str(n)]
                cmd += ["--seed", str(args.seed), "--detail", detail, "--per-grids", str(args.per_grids)]
                cmd += ["--counties", str(counties)] + (["--clean"] if args.clean else [])
                env = dict(os.environ)
                env.pop(GEOMETRY_ENV, None)
                done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
                if done.returncode != 0:
                    sys.stderr.write(done.stderr)
                    return done.returncode
            # the audit: a fresh process that reads the city and audits it
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", path]
            if args.workers is not None:
                cmd += ["--workers", str(args.workers)]
            if n in args.bare_sizes and not fallback:
                cmd.append("--bare")
            env = dict(os.environ)
            env.pop(GEOMETRY_ENV, None)
            if fallback:
                env[GEOMETRY_ENV] = "fallback"
            done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
            if done.returncode != 0:
                sys.stderr.write(done.stderr)
                return done.returncode
            row = json.loads(done.stdout.strip().splitlines()[-1])
            (fallback_rows if fallback else rows).append(row)
            sys.stderr.write(f"{'fallback ' if fallback else ''}{json.dumps(row)}\n")  # as it comes: long runs
            sys.stderr.flush()
    if args.json:
        print(json.dumps({"native": rows, "fallback": fallback_rows}, indent=1))
        return 0
    after = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    planted = "no" if args.clean else f"about one per {args.per_grids} level 3 grids (every kind at least once)"
    print(f"cpus: {os.cpu_count()}, load before: {load[0]:.2f}, after: {after[0]:.2f}, defects planted: {planted}")
    print(
        "Whole workspace audit (topology, codes, size rules, staffing); exact = every planted defect found, "
        "nothing else"
    )
    print(
        "Each city generated once in a process of its own and written to a file; the audit in a fresh process that "
        "reads it (read MB: resident after reading; peak MB: that process's maximum resident set)"
    )
    header = (
        f"{'detail':>9} {'level 3':>8} {'counties':>8} {'vert/grid':>9} {'generate s':>11} {'read s':>7} "
        f"{'audit s':>8} {'cpu s':>6} {'µs/grid':>8} {'read MB':>8} {'peak MB':>8} {'planted':>8} {'findings':>9} "
        f"{'exact':>6} {'reports s':>10}"
    )
    print(f"geometry: {rows[0]['geometry'] if rows else fallback_rows[0]['geometry']}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(_row(r))
    if fallback_rows:
        native = {(r["n3"], r["detail"]): r for r in rows}
        print()
        print("Fallback path: the same cities audited in a process started with COMMUNITY_GRIDS_GEOMETRY=fallback")
        print(f"geometry: {fallback_rows[0]['geometry']}")
        print(header + f" {'same as fast':>13} {'× fast':>7}")
        print("-" * (len(header) + 22))
        for r in fallback_rows:
            fast = native.get((r["n3"], r["detail"]))
            same = "-" if fast is None else ("yes" if fast["findings_digest"] == r["findings_digest"] else "NO")
            ratio = "" if fast is None else f"{r['audit_s'] / fast['audit_s']:.2f}"
            print(_row(r) + f" {same:>13} {ratio:>7}")
    if not args.no_stages:
        print()
        print("Stages (s): geometry = validity of every grid; edges = shared-edge matching (which parents their")
        print("children tile exactly); nesting includes the gaps; reports = JSON + HTML written")
        stages = list(dict.fromkeys(k for r in rows for k in r["timings"]))
        print(f"{'detail':>9} {'level 3':>8} " + " ".join(f"{s:>9}" for s in stages) + f" {'reports':>9}")
        for r in rows:
            cells = " ".join(f"{r['timings'].get(s, 0.0):>9.3f}" for s in stages)
            print(f"{r['detail']:>9} {r['n3']:>8} {cells} {r['writing_s']:>9.3f}")
    if args.memory:
        print()
        print("Resident set (MB) of the audit process at the start of each stage and the highest seen during it")
        for r in rows + fallback_rows:
            marks = ", ".join(f"{text} {start}→{high}" for text, start, high in r["stage_rss_mb"])
            print(f"{r['detail']:>9} {r['n3']:>8} read {r['rss_before_audit_mb']:.0f}: {marks}")
    bare = [r for r in rows if "bare" in r]
    if bare:
        print()
        print("A bare shapely gap + overlap pass on level 3 only (STRtree pairs and their intersections; union of")
        print("level 2 − union of level 3), in the same process after the audit:")
        print(
            f"{'detail':>9} {'level 3':>8} {'overlaps s':>11} {'gaps s':>8} {'total s':>8} {'overlaps':>9} {'gaps':>6}"
        )
        for r in bare:
            b = r["bare"]
            print(
                f"{r['detail']:>9} {r['n3']:>8} {b['overlaps_s']:>11.2f} {b['gaps_s']:>8.2f} {b['total_s']:>8.2f} "
                f"{b['overlaps']:>9} {b['gaps']:>6}"
            )
    return 0


def _row(r: dict) -> str:
    per = r["audit_s"] / max(r["n3"] + r["n2"] + r["n1"] + r["nd"], 1) * 1e6
    return (
        f"{r['detail']:>9} {r['n3']:>8} {r['counties']:>8} {r['vertices_per_grid']:>9.0f} {r['generation_s']:>11.2f} "
        f"{r['read_s']:>7.2f} {r['audit_s']:>8.2f} {r['audit_cpu_s']:>6.2f} {per:>8.1f} "
        f"{r['rss_before_audit_mb']:>8.0f} {r['peak_rss_mb']:>8.0f} {r['planted']:>8} "
        f"{r['findings']:>9} {'yes' if r['exact'] else 'NO':>6} {r['writing_s']:>10.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())
