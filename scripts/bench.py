"""`make bench`: every benchmark, one after the other, with their tables.

- audit: synthetic cities of 1k / 10k / 100k level 3 grids (plus levels 1, 2 and dedicated), full audit,
  wall time and peak memory of a fresh process per size, then the 100k city again with the geometry fallbacks
  of shapely 2.0 forced (COMMUNITY_GRIDS_GEOMETRY=fallback in that process; scripts/bench_audit.py);
- households: 1,000,000 household points attached to the 100k city (scripts/bench_households.py);
- filing: export and comparison of filing packages of the 100k city (scripts/bench_filing.py);
- the closest chain of QGIS's own Processing tools on the same cities, for comparison (scripts/bench_qgis_baseline.py);
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
    ("Attach households", ["scripts/bench_households.py"]),
    ("Filing package export and comparison", ["scripts/bench_filing.py"]),
    (
        "Against QGIS's own Processing tools (validity, self-intersection, dissolve + difference)",
        ["scripts/bench_qgis_baseline.py"],
    ),
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
