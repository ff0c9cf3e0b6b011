"""The live audit's figure: the neighbourhood check after one edit, on the Hanbin sample workspace.

The sample (529 villages, 1,511 sections, 5,532 villager groups) is written to a GeoPackage and opened in
QGIS; then, for grids spread over the county, one edit each (the grid grown by 5 m into its neighbours, in
the layer's edit buffer, as the map tools leave it) is checked the way the dock does after each edit
(:class:`plugin.adapters.live_reader.LiveReader`: reading the neighbourhood through rectangle requests,
then the audit engine on it). Reported: median, 95th percentile and maximum wall milliseconds per edit and
level, and the median CPU milliseconds (less sensitive to a busy machine);
the target is 50 ms. Figures depend on the machine and its load; no test asserts a time.

    python scripts/bench_live.py [--edits 40]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=40, help="edits per level (default 40)")
    args = parser.parse_args(argv)

    from devtools.qgis_app import start_qgis

    start_qgis(with_processing=False)
    from plugin.adapters.editing import from_qgs, to_qgs
    from plugin.adapters.live_reader import LiveReader
    from plugin.adapters.workspace import open_workspace, write_workspace
    from plugin.core.sample import build_sample

    t0 = time.perf_counter()
    sample = build_sample()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hanbin_sample.gpkg"
        write_workspace(path, sample.data.info, sample.data)
        workspace = open_workspace(path)
        print(f"sample workspace written and opened in {time.perf_counter() - t0:.1f} s", flush=True)
        reader = LiveReader(workspace)
        rows = []
        for level in (3, 2, 1):
            layer = workspace.grid_layer(level)
            fids = sorted(f.id() for f in layer.getFeatures())
            step = max(1, len(fids) // args.edits)
            chosen = fids[::step][: args.edits]
            layer.startEditing()
            reader.check(level, chosen[:1])  # first read: county, divisions and size rules are cached
            times, cpus, grids, findings = [], [], [], 0
            for fid in chosen:
                geometry = from_qgs(layer.getFeature(fid).geometry())
                layer.changeGeometry(fid, to_qgs(shapely.buffer(geometry, 5.0, join_style="mitre")))
                start, cpu = time.perf_counter(), time.process_time()
                result = reader.check(level, [fid])
                times.append(1000.0 * (time.perf_counter() - start))
                cpus.append(1000.0 * (time.process_time() - cpu))
                grids.append(result.grids_checked)
                findings += len(result.findings)
            layer.rollBack()
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            rows.append(
                (
                    level,
                    len(chosen),
                    statistics.median(grids),
                    statistics.median(times),
                    p95,
                    times[-1],
                    statistics.median(cpus),
                    findings,
                )
            )
        # the layers closed before their temporary file goes (else GDAL reports the vanished database)
        reader = None
        workspace.layers.clear()
        workspace = None
        gc.collect()
    print()
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("| level edited | edits | grids checked (median) | median ms | p95 ms | max ms | median CPU ms | findings |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for level, n, g, med, p95, top, cpu, found in rows:
        print(f"| {level} | {n} | {g:.0f} | {med:.1f} | {p95:.1f} | {top:.1f} | {cpu:.1f} | {found} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
