#!/usr/bin/env python3
"""PySAL spopt's max-p regionalisation of the villages written by scripts/bench_division.py (run in the
.venv-bench venv that has spopt). Units: the households' Voronoi cells clipped to the parent; rook
contiguity; the floor is the range's lower bound (max-p has no ceiling). Prints one JSON line."""

from __future__ import annotations

import json
import pickle
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
ITERATIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 99  # max-p construction iterations (spopt default 99)
sys.path.insert(0, str(ROOT))


def main() -> int:
    warnings.filterwarnings("ignore")
    import geopandas as gpd
    import libpysal
    import spopt
    from spopt.region import MaxPHeuristic

    from plugin.core import capabilities, division

    villages = pickle.loads(Path(sys.argv[1]).read_bytes())
    grids = within = defects = 0
    pps: list[float] = []
    failures = []
    floors = set()
    started = time.perf_counter()
    for v in villages:
        parent = shapely.from_wkb(v["parent"])
        xy, w = np.asarray(v["xy"]), np.asarray(v["households"])
        uniq, inverse = np.unique(xy, axis=0, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=w).astype(np.int64)
        floors.add(int(v["lo"]))
        try:
            cells = capabilities.voronoi_polygons(shapely.multipoints(uniq), extend_to=parent)
            cells = shapely.intersection(cells, parent)
            gdf = gpd.GeoDataFrame({"households": counts, "x": uniq[:, 0], "y": uniq[:, 1]}, geometry=list(cells))
            wts = libpysal.weights.Rook.from_dataframe(gdf, use_index=True, silence_warnings=True)
            model = MaxPHeuristic(
                gdf, wts, ["x", "y"], "households", int(v["lo"]), top_n=2, max_iterations_construction=ITERATIONS
            )
            model.solve()
            labels = np.asarray(model.labels_)
        except Exception as e:  # reported, never hidden
            failures.append(f"{v['label']}: {type(e).__name__}: {e}"[:200])
            continue
        regions = []
        sizes = []
        for lab in np.unique(labels):
            regions.append(capabilities.coverage_union(np.asarray(cells)[labels == lab]))
            sizes.append(int(counts[labels == lab].sum()))
        regions = np.asarray(regions, dtype=object)
        sizes = np.asarray(sizes)
        grids += len(regions)
        within += int(((sizes >= v["lo"]) & (sizes <= v["hi"])).sum())
        pps.extend(division._polsby_popper(regions).tolist())
        defects += int(division.partition_defect(parent, regions))
    print(
        json.dumps(
            {
                "version": spopt.__version__,
                "floor": "/".join(str(f) for f in sorted(floors)),
                "grids": grids,
                "in_range_share": within / grids if grids else float("nan"),
                "median_pp": float(np.median(pps)) if pps else float("nan"),
                "defects": defects,
                "seconds": time.perf_counter() - started,
                "failed": len(failures),
                "failures": failures,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
