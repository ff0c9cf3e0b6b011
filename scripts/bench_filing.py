"""Benchmark: filing package export and package comparison on a synthetic city of 100 000 level 3 grids.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/bench_filing.py [--grids 100000] [--keep DIR]

Builds the city with ``devtools.synthetic.generate_city`` (Gauss-Kruger zone 36, x ≈ 36.5e6 m), writes it
as a workspace (not timed), exports the filing package (EPSG:4490, GDAL-validated), changes about 1 % of the
level 3 grids (reshaped, re-coded, retired, removed, added), exports again and compares the two packages.
Prints a table of the timings against the 10 s target.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 10.0


def changed_city(data, share: float = 0.01, seed: int = 7):
    """A copy of ``data`` with about ``share`` of the level 3 grids changed, and what was done."""
    rng = np.random.default_rng(seed)
    l3 = data.grids["grid_level3"]
    n = len(l3)
    k = max(1, int(n * share / 5))
    picks = rng.choice(n, 5 * k, replace=False)
    reshape, recode, retire, remove, split = np.split(picks, 5)
    geoms = l3.geometries.copy()
    codes = l3.codes.copy()
    status = l3.attribute("status", "active").copy()
    # reshaped: shrunk by 2 m (the neighbours keep their edges: a gap the audit would report, fine here)
    geoms[reshape] = shapely.buffer(geoms[reshape], -2.0)
    # re-coded: a fresh sequence number 9xx under the same parent
    codes[recode] = [c[:-3] + f"{900 + i % 99:03d}" for i, c in enumerate(codes[recode])]
    status[retire] = "retired"
    # split: the west half stays, the east half is added as a new grid with a new code
    bounds = shapely.bounds(geoms[split])
    mid = (bounds[:, 0] + bounds[:, 2]) / 2
    west = shapely.intersection(geoms[split], shapely.box(bounds[:, 0] - 1, bounds[:, 1] - 1, mid, bounds[:, 3] + 1))
    east = shapely.intersection(geoms[split], shapely.box(mid, bounds[:, 1] - 1, bounds[:, 2] + 1, bounds[:, 3] + 1))
    geoms[split] = west
    keep = np.ones(n, dtype=bool)
    keep[remove] = False
    attributes = {name: values.copy() for name, values in l3.attributes.items()}
    attributes["status"] = status
    new = replace(l3, codes=codes, geometries=geoms, attributes=attributes).subset(keep)
    added = replace(
        l3.subset(split),
        fids=np.arange(n + 1, n + 1 + len(split), dtype=np.int64),
        codes=np.asarray([c[:-3] + "999" for c in l3.codes[split]], dtype=object),
        geometries=east,
    )
    merged = replace(
        new,
        fids=np.concatenate([new.fids, added.fids]),
        codes=np.concatenate([new.codes, added.codes]),
        parent_codes=np.concatenate([new.parent_codes, added.parent_codes]),
        names=np.concatenate([new.names, added.names]),
        geometries=np.concatenate([new.geometries, added.geometries]),
        attributes={name: np.concatenate([new.attributes[name], added.attributes[name]]) for name in new.attributes},
    )
    grids = dict(data.grids)
    grids["grid_level3"] = merged
    done = {"reshaped": k, "re-coded": k, "retired": k, "removed": k, "split (west kept, east added)": k}
    return replace(data, grids=grids), done


def timed(label, func, rows, grids, target=TARGET_S):
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    rows.append((label, grids, seconds, target))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=100_000, help="level 3 grids of the city (default 100000)")
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = parser.parse_args(argv)

    from devtools.qgis_app import start_qgis

    start_qgis(with_processing=False)
    from devtools.synthetic import generate_city
    from plugin.adapters.filing import export_package
    from plugin.adapters.intake import compare_packages
    from plugin.adapters.workspace import write_workspace

    folder = Path(tempfile.mkdtemp(prefix="bench_filing_")) if args.keep is None else args.keep
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[tuple] = []
    try:
        t0 = time.perf_counter()
        city = generate_city(args.grids, seed=11)
        total = sum(len(g) for g in city.grids.values())
        print(f"city: {args.grids} level 3 grids, {total} grids in all ({time.perf_counter() - t0:.1f} s to generate)")
        t0 = time.perf_counter()
        write_workspace(folder / "city_v1.gpkg", city.info, city, overwrite=True)
        changed, done = changed_city(city)
        write_workspace(folder / "city_v2.gpkg", changed.info, changed, overwrite=True)
        print(f"workspaces written in {time.perf_counter() - t0:.1f} s (not timed); changes: {done}")

        first = timed(
            "export filing package v1 (EPSG:4490, validated)",
            lambda: export_package(folder / "city_v1.gpkg", folder / "package_v1.gpkg", record=False),
            rows,
            total,
        )
        second = timed(
            "export filing package v2 (EPSG:4490, validated)",
            lambda: export_package(folder / "city_v2.gpkg", folder / "package_v2.gpkg", record=False),
            rows,
            sum(len(g) for g in changed.grids.values()),
        )
        comparison = timed(
            "compare packages v1 → v2 (read, reproject, diff)",
            lambda: compare_packages(folder / "package_v1.gpkg", folder / "package_v2.gpkg"),
            rows,
            total,
        )
        size = (folder / "package_v1.gpkg").stat().st_size / 1e6
        print()
        print(f"{'step':<52} {'grids':>8} {'seconds':>8} {'target':>7}  ok")
        print("-" * 84)
        for label, grids, seconds, target in rows:
            print(f"{label:<52} {grids:>8} {seconds:>8.2f} {target:>7.1f}  {'yes' if seconds <= target else 'NO'}")
        print()
        print(f"package size {size:.1f} MB; validation errors: {first.validation or second.validation or 'none'}")
        print(f"diff in {comparison.crs}: {comparison.diff.totals()}")
        return 0 if all(seconds <= target for _, _, seconds, target in rows) else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
