"""`make bench`: every benchmark, one after the other, with their tables.

- audit: synthetic cities of 1k / 10k / 100k level 3 grids (plus levels 1, 2 and dedicated) at simple and
  realistic detail (~15 and ~180 vertices a grid), about one planted defect per 120 grids, each generated in a
  process of its own and written to a file, then the whole workspace audit in a fresh process that reads it,
  with its stage timings, wall time, resident set after reading and peak memory, then the 100k cities again with
  the geometry fallbacks of shapely 2.0 forced (COMMUNITY_GRIDS_GEOMETRY=fallback in that process), and a bare
  shapely gap + overlap pass on level 3 of the 10k cities (scripts/bench_audit.py); the city of 1,000,000 level
  3 grids in ten counties takes minutes to generate: `make bench-1m`, not part of this;
- end to end through qgis_process: the audit algorithm (read the workspace, audit, write the findings layer, JSON
  and HTML) on the 100k realistic city, wall and CPU time against the audit in process, and where the time goes
  (scripts/bench_qgis_process.py);
- households: 1,000,000 household points attached to the 100k city (scripts/bench_households.py);
- filing: export and comparison of filing packages of the 100k city (scripts/bench_filing.py);
- city database: 1,000,000 level 3 grids of ten counties taken into PostGIS with history, a county's audit from the
  database, the city's cross-border checks (scripts/bench_city_db.py; size: $CG_BENCH_CITY_GRIDS);
- the closest chain of QGIS's own Processing tools on the same cities, for comparison (scripts/bench_qgis_baseline.py);
- division: the automatic level 3 division of the whole sample county, side by side with PySAL spopt's max-p on
  a sample of its parents (scripts/bench_division.py; spopt in its own venv, `make bench-venv`);
- the live audit: the neighbourhood check after one edit on the Hanbin sample workspace, target 50 ms
  (scripts/bench_live.py).

Figures depend on the machine and its load; run it on a quiet machine. No test asserts a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = (
    ("Audit", ["scripts/bench_audit.py"]),
    (
        "End to end through qgis_process: the audit algorithm on the 100k realistic city (read, audit, findings "
        "layer, JSON, HTML) against the audit in process (target ≤ 1.5×)",
        ["scripts/bench_qgis_process.py"],
    ),
    ("Attach households", ["scripts/bench_households.py"]),
    ("Filing package export and comparison", ["scripts/bench_filing.py"]),
    ("City database on PostGIS (ten counties, history, city checks)", ["scripts/bench_city_db.py"]),
    (
        "Against QGIS's own Processing tools (validity, self-intersection, dissolve + difference)",
        ["scripts/bench_qgis_baseline.py"],
    ),
    ("Automatic level 3 division, against spopt max-p", ["scripts/bench_division.py"]),
    ("Live audit of one edit on the Hanbin sample (target 50 ms)", ["scripts/bench_live.py"]),
)


def main() -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    failed = 0
    for title, command in STEPS:
        print(f"\n=== {title} ===", flush=True)
        result = subprocess.run([sys.executable, *command], cwd=ROOT, env=env)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
