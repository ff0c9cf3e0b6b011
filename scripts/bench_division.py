#!/usr/bin/env python3
"""Benchmark: propose the level 3 division of the whole sample county, and compare with PySAL spopt's max-p.

1. A generated village of 500 households with 3 crossing roads: time of one proposal (median of 5).
2. The sample county (Hanbin, 1,511 level 2 parents, 5,532 level 3 grids drawn, ~290k households), with
   **generated** roads (two straight lines through households of each village, scripts/division_sample.py) and
   the sample's relocation-site grids as sites: total time (progress callback on), share of proposed grids
   within the range where the parent's households allow it, share of inner boundary length on a line (within
   0.5 m), median Polsby–Popper, exact-partition defects, thin grids; then the core audit of the whole
   proposal as level 3 under the sample's levels 1 and 2 (its topology findings against the drawing's).
3. The same households, parents and floor (30 rural / 50 urban) through spopt's max-p heuristic (units: the
   households' Voronoi cells clipped to the parent, rook contiguity), on a fixed sample of parents, side by
   side with our proposal on those parents. spopt runs in its own venv (.venv-bench, `make bench-venv`);
   when it is missing the table says so.

    .venv/bin/python scripts/bench_division.py [--parents 30] [--workdir build/bench]
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

BENCH_PY = ROOT / ".venv-bench" / "bin" / "python"


def generated_village(seed: int, n: int = 500, roads: int = 3):
    rng = np.random.default_rng(seed)
    x0, y0 = 36_590_000.0, 3_610_000.0
    ang = np.sort(rng.uniform(0, 2 * np.pi, 14))
    rad = rng.uniform(600, 1200, 14)
    parent = shapely.Polygon(np.c_[x0 + rad * np.cos(ang), y0 + rad * np.sin(ang)])
    centres = np.c_[x0, y0] + rng.uniform(-450, 450, (6, 2))
    pts = np.zeros((0, 2))
    while len(pts) < n:
        c = centres[rng.integers(6, size=n)] + rng.normal(0, 120, (n, 2))
        pts = np.vstack([pts, c[shapely.contains_xy(parent, c[:, 0], c[:, 1])]])[:n]
    lines = []
    for _ in range(roads):
        a = rng.uniform(0, np.pi)
        d = np.array([np.cos(a), np.sin(a)])
        c = np.array([x0, y0]) + rng.uniform(-300, 300, 2)
        lines.append(shapely.LineString([c - d * 3000, c + d * 3000]))
    return parent, pts, lines


def fmt(q, seconds, lines: bool = True) -> list[str]:
    return [
        f"{q.grids:,}",
        f"{100 * q.in_range_share:.1f} %" if q.feasible_grids else "—",
        f"{100 * q.line_share:.1f} %" if lines and q.inner_length else "no lines",
        f"{q.median_pp:.2f}",
        f"{q.defects}",
        f"{seconds:.1f} s",
    ]


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parents", type=int, default=5, help="parents compared with spopt (≤ --max-households)")
    parser.add_argument("--max-households", type=int, default=150, help="largest parent given to spopt")
    parser.add_argument("--iterations", type=int, default=10, help="spopt max-p construction iterations")
    parser.add_argument("--spopt-timeout", type=float, default=1800.0, help="seconds before spopt is given up")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    import division_sample as S

    from plugin.core import capabilities, division
    from plugin.core.audit.engine import run_audit
    from plugin.core.model import GridArray, WorkspaceData
    from plugin.core.sample import build_sample

    print(f"geometry: {capabilities.describe()}")
    # 1. one village of 500 households
    parent, xy, lines = generated_village(1)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        prop = division.propose_division(parent, xy, lines=lines)
        times.append(time.perf_counter() - t0)
    print(
        f"village of 500 households, 3 roads: {1000 * float(np.median(times)):.0f} ms (median of 5), "
        f"{len(prop)} grids, {(prop.status == 'within').sum()} within 30–50"
    )

    # 2. the sample county
    t0 = time.perf_counter()
    sample = build_sample()
    data = sample.data
    print(f"sample county built in {time.perf_counter() - t0:.1f} s (not counted)")
    hxy, hw, hp = S.households_xy(data)
    jobs = S.parent_jobs(data)
    roads = S.generated_roads(data)
    sites = S.relocation_sites(data)
    ticks = []
    t0, c0 = time.perf_counter(), time.process_time()
    props, errors = division.propose_many(
        jobs, hxy, hw, hp, lines=roads, sites=sites, progress=lambda f, _t: ticks.append(f)
    )
    county_s = time.perf_counter() - t0
    county_cpu = time.process_time() - c0
    parents = [j.geometry for j in jobs]
    q = division.measure(parents, props, roads)
    failed = sum(e is not None for e in errors)
    print(
        f"sample county: {len(jobs):,} parents ({sum(j.area_class == 'rural' for j in jobs):,} rural), "
        f"{len(hxy):,} households, {len(roads):,} generated roads, {len(sites)} relocation sites; "
        f"{len(ticks)} progress calls; {failed} parents refused"
    )
    print(
        f"  proposal: {q.grids:,} grids ({data.grid(3).fids.size:,} drawn), {q.in_range:,} of {q.feasible_grids:,} "
        f"within range where feasible ({100 * q.in_range_share:.2f} %), boundary on lines "
        f"{100 * q.line_share:.1f} %, median Polsby–Popper {q.median_pp:.2f}, partition defects {q.defects}, "
        f"thin grids {q.thin}, time {county_s:.1f} s (CPU {county_cpu:.1f} s)"
    )
    infeasible = sum(1 for p in props if p is not None and not p.feasible)
    print(f"  parents whose households cannot all fall in range (explained per grid): {infeasible}")

    # the audit of the whole proposal as level 3 under the sample's levels 1 and 2
    t0 = time.perf_counter()
    arrays = [division.proposal_grids(p, j.label) for p, j in zip(props, jobs) if p is not None]
    level3 = GridArray.from_records(
        "grid_level3",
        3,
        np.concatenate([a.geometries for a in arrays]),
        np.concatenate([a.codes for a in arrays]),
        np.concatenate([a.parent_codes for a in arrays]),
        attributes={k: np.concatenate([a.attributes[k] for a in arrays]) for k in arrays[0].attributes},
    )

    def topology(l3):
        ws = WorkspaceData(data.info, {**data.grids, "grid_level3": l3}, data.county_boundary)
        found = run_audit(ws).findings
        return sorted({f.rule_id for f in found if f.layer == "grid_level3" and not f.rule_id.startswith("code")})

    ours, drawn = topology(level3), topology(data.grid(3))
    print(f"  audit of the proposal: level 3 topology rules raised {ours or 'none'} (the drawing: {drawn})")
    print(f"  ({time.perf_counter() - t0:.1f} s for both audits)")

    # 3. spopt max-p on a fixed sample of parents, same households and floor
    rng = np.random.default_rng(2026)
    tree = shapely.STRtree(np.asarray(parents, dtype=object))
    pi, gi = tree.query(shapely.points(hxy), predicate="within")
    per_parent = np.bincount(gi, minlength=len(parents))
    usable = [i for i, p in enumerate(props) if p is not None and 0 < per_parent[i] <= args.max_households]
    pick = sorted(rng.choice(usable, size=min(args.parents, len(usable)), replace=False).tolist())
    villages = []
    for i in pick:
        mine = pi[gi == i]
        villages.append(
            {
                "label": jobs[i].label,
                "area_class": jobs[i].area_class,
                "parent": shapely.to_wkb(parents[i]),
                "xy": hxy[mine],
                "households": hw[mine],
                "lo": props[i].target.lo,
                "hi": props[i].target.hi,
            }
        )
    ours_t = time.perf_counter()
    sub_props = []
    for i in pick:
        j = jobs[i]
        mine = pi[gi == i]
        sub_props.append(division.propose_division(j.geometry, hxy[mine], hw[mine], area_class=j.area_class))
    ours_t = time.perf_counter() - ours_t
    q_ours = division.measure([parents[i] for i in pick], sub_props)
    path = args.workdir / "division_villages.pkl"
    path.write_bytes(pickle.dumps(villages))
    rows = [["ours (propose_division, no lines)", *fmt(q_ours, ours_t, lines=False)]]
    if BENCH_PY.exists():
        try:
            result = subprocess.run(
                [str(BENCH_PY), str(ROOT / "scripts" / "bench_spopt.py"), str(path), str(args.iterations)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=args.spopt_timeout,
            )
        except subprocess.TimeoutExpired:
            result = None
        if result is None:
            rows.append(["spopt max-p", f"gave up after {args.spopt_timeout:.0f} s"] + [""] * 5)
        elif result.returncode == 0:
            s = json.loads(result.stdout.strip().splitlines()[-1])
            rows.append(
                [
                    f"spopt {s['version']} max-p (floor {s['floor']}, {args.iterations} constructions)",
                    f"{s['grids']:,}",
                    f"{100 * s['in_range_share']:.1f} %",
                    "no lines",
                    f"{s['median_pp']:.2f}",
                    f"{s['defects']}",
                    f"{s['seconds']:.1f} s",
                ]
            )
            if s.get("failed"):
                print(f"  spopt failed on {s['failed']} parents: {s['failures'][:3]}")
        else:
            rows.append(["spopt max-p", "failed: " + (result.stderr.strip().splitlines() or ["?"])[-1][:80]] + [""] * 5)
    else:
        rows.append(["spopt max-p", "not installed (make bench-venv)"] + [""] * 5)
    sizes = ", ".join(str(int(per_parent[i])) for i in pick)
    print(f"\nside by side on {len(pick)} sample parents of {sizes} households (same households and floor):")
    print(table(["method", "grids", "in range", "on lines", "median PP", "partition defects", "time"], rows))
    print("\ncounty table:")
    print(
        table(
            ["method", "grids", "in range", "on lines", "median PP", "partition defects", "time"],
            [["ours, whole county, generated roads", *fmt(q, county_s)]],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
