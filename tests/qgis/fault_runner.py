"""Run one of the plugin's Processing algorithms in a fresh headless QGIS process (the fault tests).

    python tests/qgis/fault_runner.py ALGORITHM_ID '{"PARAM": "value", ...}'

Like qgis_process: a QgsApplication without a desktop, the plugin's provider registered, the algorithm run
with a fresh context. ``$COMMUNITY_GRIDS_KILL_AT`` (plugin.adapters.gpkg_write.checkpoint) makes the process
kill itself with SIGKILL at a named moment of the write. Exit status 0 when the algorithm succeeded, 3 when
it failed (its error printed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback, QgsProject

    from devtools.qgis_app import register_provider, start_qgis

    start_qgis(with_processing=False)
    register_provider()
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(argv[1])
    if algorithm is None:
        print(f"no algorithm {argv[1]}", file=sys.stderr)
        return 2
    parameters = json.loads(argv[2])
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = QgsProcessingFeedback()
    results, ok = algorithm.run(parameters, context, feedback)
    if not ok:
        print(feedback.textLog(), file=sys.stderr)
        return 3
    print(json.dumps({k: v for k, v in results.items() if isinstance(v, (int, float, str))}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
