#!/usr/bin/env python3
"""Benchmark: attach 1,000,000 household points to a generated city of 100,000 level 3 grids.

Times the core (``core.households.attach_households`` on in-memory arrays) and the full adapter path the
Processing algorithm takes: read the points from a GeoPackage layer, read the grids, attach, write the
counts into the grid layers' edit buffers and commit them to the file. Prints a small table.

    .venv/bin/python scripts/bench_households.py [--grids 100000] [--points 1000000] [--workdir build/bench]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def household_points(data, n: int, seed: int):
    """``n`` household points spread over the county's extent (a few fall outside every grid)."""
    from plugin.core.model import PointArray

    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = shapely.bounds(data.county_boundary)
    pad = 0.002 * (x1 - x0)
    xs = rng.uniform(x0 - pad, x1 + pad, n)
    ys = rng.uniform(y0 - pad, y1 + pad, n)
    return PointArray(
        "households",
        np.arange(1, n + 1, dtype=np.int64),
        shapely.points(xs, ys),
        {
            "persons": rng.integers(1, 7, n),
            "relocated": rng.random(n) < 0.05,
            "absent": rng.random(n) < 0.03,
        },
    )


class Timer:
    def __init__(self):
        self.rows: list[tuple[str, float, str]] = []

    def run(self, label: str, func, note=""):
        start = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - start
        self.rows.append((label, seconds, note(result) if callable(note) else note))
        print(f"  {label}: {seconds:.2f} s", flush=True)
        return result

    def table(self) -> str:
        width = max(len(r[0]) for r in self.rows)
        lines = [f"{'step':<{width}}  {'seconds':>8}  note", f"{'-' * width}  {'-' * 8}  {'-' * 30}"]
        lines += [f"{label:<{width}}  {seconds:>8.2f}  {note}" for label, seconds, note in self.rows]
        return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--compare-iterator", action="store_true", help="also time the QGIS feature iterator")
    parser.add_argument("--reuse", action="store_true", help="reuse the workspace written by an earlier run")
    args = parser.parse_args(argv)

    from devtools.qgis_app import start_qgis

    start_qgis(with_processing=False)
    from devtools.synthetic import generate_city
    from plugin.adapters.household_edits import (
        read_grid_levels,
        read_household_points,
        resolve_mapping,
        write_totals,
    )
    from plugin.adapters.plain_workspace import open_plain_workspace
    from plugin.adapters.workspace import write_workspace
    from plugin.core import schema
    from plugin.core.households import attach_households

    timer = Timer()
    print(f"city of {args.grids:,} level 3 grids, {args.points:,} household points", flush=True)
    data = timer.run("generate city (devtools.synthetic)", lambda: generate_city(args.grids, seed=args.seed))
    data.households = timer.run("generate points", lambda: household_points(data, args.points, args.seed))
    l3, l2, l1 = data.grid(3), data.grid(2), data.grid(1)

    attachment = timer.run(
        "core attach (1 STRtree query, roll-up)",
        lambda: attach_households(data.households, l3, l2, l1),
        lambda a: f"{a.assigned:,} assigned, {len(a.outside_fids):,} outside, {len(a.boundary_fids):,} boundary",
    )
    core_seconds = timer.rows[-1][1]

    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / "bench_city.gpkg"
    if args.reuse and path.exists():  # put back counts that the attachment will change
        from osgeo import ogr

        dataset = ogr.Open(str(path), 1)
        for name in (schema.GRID_LEVEL1.name, schema.GRID_LEVEL2.name, schema.GRID_LEVEL3.name):
            dataset.ExecuteSQL(f"UPDATE {name} SET households = -1")
        dataset = None
    else:
        timer.run(
            "setup: write workspace GeoPackage",
            lambda: write_workspace(path, data.info, data, overwrite=True),
            lambda p: f"{p.stat().st_size / 1e6:.0f} MB",
        )

    workspace = open_plain_workspace(
        path, [schema.GRID_LEVEL1.name, schema.GRID_LEVEL2.name, schema.GRID_LEVEL3.name, schema.HOUSEHOLDS.name]
    )
    points = workspace.layers[schema.HOUSEHOLDS.name]
    mapping = resolve_mapping(points.fields(), points.name(), False)
    start = time.perf_counter()
    read = timer.run(
        "adapter: read points (GDAL Arrow bulk path)",
        lambda: read_household_points(points, mapping, workspace.crs),
        lambda p: f"{len(p):,} points",
    )
    grids = timer.run("adapter: read grids (edit buffers)", lambda: read_grid_levels(workspace))
    attachment2 = timer.run(
        "adapter: attach (core)",
        lambda: attach_households(read, grids[3], grids[2], grids[1], mapping=mapping),
        lambda a: f"{a.assigned:,} assigned",
    )
    edit = timer.run(
        "adapter: write counts into edit buffers",
        lambda: write_totals(workspace, grids, attachment2),
        lambda e: ", ".join(f"L{k} {v:,}" for k, v in sorted(e.counts.items(), reverse=True)) + " grids",
    )
    timer.run("adapter: commit to the GeoPackage", edit.commit)
    full = time.perf_counter() - start
    timer.rows.append(("adapter path total", full, "read + attach + write + commit"))
    if args.compare_iterator:
        points.setSubsetString("fid > 0")  # not a whole table: forces the QGIS feature iterator
        timer.run(
            "for comparison: read points (QGIS iterator)",
            lambda: read_household_points(points, mapping, workspace.crs),
            lambda p: f"{len(p):,} points",
        )
    assert np.array_equal(attachment.level3.households, attachment2.level3.households), "adapter and core disagree"

    print()
    print(timer.table())
    print()
    verdict = "OK" if core_seconds <= 10 else "SLOWER THAN TARGET"
    print(f"core attach {core_seconds:.2f} s (target <= 10 s): {verdict}")
    workspace.layers.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
