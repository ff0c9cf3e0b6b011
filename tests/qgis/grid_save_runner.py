"""Save grid edits through a QGIS layer's own commit in a fresh headless QGIS process (the fault tests).

    python tests/qgis/grid_save_runner.py WORKSPACE.gpkg

Opens the workspace's layers, connects the change tracker (fixed user and clock) and saves, in one
``commitChanges`` of ``grid_level2``: a merge (S2 takes S3's ground, S3 deleted), a new grid south of S0
and a recode of S1. ``$COMMUNITY_GRIDS_KILL_AT`` (plugin.adapters.gpkg_write.checkpoint) makes the process
kill itself with SIGKILL at a named moment of the save. Exit status 0 when the save succeeded and was
logged, 3 otherwise (the reason printed).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

X0, Y0 = 36_500_000.0, 3_600_000.0


def geometry(wkt: str):
    from qgis.core import QgsGeometry

    g = QgsGeometry.fromWkt(wkt)
    g.convertToMultiType()
    return g


def main(argv: list[str]) -> int:
    from qgis.core import QgsFeature
    from shapely.geometry import box

    from devtools.qgis_app import start_qgis

    start_qgis(with_processing=False)
    from plugin.adapters.change_tracker import ChangeTracker
    from plugin.adapters.workspace import open_workspace

    ws = open_workspace(argv[1])
    tracker = ChangeTracker(ws, user="fault", clock=lambda: datetime(2024, 3, 11, 9, 30))
    tracker.connect()
    layer = ws.layers["grid_level2"]
    ids = {f["name"]: f.id() for f in layer.getFeatures()}
    layer.startEditing()
    layer.changeGeometry(ids["S2"], geometry(box(X0 + 200, Y0, X0 + 400, Y0 + 100).wkt))
    layer.deleteFeature(ids["S3"])
    feature = QgsFeature(layer.fields())
    for name, value in (("name", "new"), ("code", "61090200100105"), ("status", "active"), ("level", 2)):
        feature.setAttribute(name, value)
    feature.setGeometry(geometry(box(X0, Y0 - 100, X0 + 100, Y0).wkt))
    layer.addFeature(feature)
    layer.changeAttributeValue(ids["S1"], layer.fields().indexFromName("code"), "61090200100106")
    saved = layer.commitChanges()
    tracker.disconnect()
    if not saved or tracker.last_error:
        print(layer.commitErrors(), tracker.last_error, file=sys.stderr)
        return 3
    print(len(tracker.last_records))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
