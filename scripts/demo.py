"""`make demo`: the main job on the embedded Hanbin sample workspace.

Builds the sample workspace through the plugin's own Processing algorithm, writes a QGIS project with
the styles, renders PNG maps headlessly and prints a summary per level and township.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plugin.adapters.qgis_app import register_provider, start_qgis  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "demo")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    start_qgis()
    import processing
    from qgis.core import QgsProject

    from plugin.adapters.render import render_png, save_project
    from plugin.adapters.workspace import open_workspace
    from plugin.core.summary import format_summary

    register_provider()
    workspace_path = out / "hanbin_sample.gpkg"

    started = time.perf_counter()
    result = processing.run(
        "community_grids:build_sample_workspace",
        {"SEED": args.seed, "OVERWRITE": True, "OUTPUT": str(workspace_path)},
    )
    print(f"[1] sample workspace: {result['OUTPUT']} ({time.perf_counter() - started:.1f} s)")

    workspace = open_workspace(workspace_path)
    project = QgsProject.instance()
    project.clear()
    project.setCrs(workspace.crs)
    project.setTitle(f"{workspace.info.county_name} 网格 Community Grids sample")
    workspace.add_to_project(project)
    project_path = save_project(project, out / "hanbin_sample.qgz")
    print(f"[2] QGIS project: {project_path}")

    level = workspace.grid_layer
    boundary = workspace.layer("county_boundary")
    findings = workspace.layer("audit_findings")
    county_png = render_png(
        [findings, level(0), level(1), boundary], boundary.extent(), workspace.crs, out / "hanbin_county.png"
    )
    # A closer look at the city: the four street offices (街道) and their neighbours, all levels.
    level1 = level(1)
    level1.selectByExpression("substr(\"code\", 1, 9) in ('610902001', '610902002', '610902003', '610902004')")
    city_extent = level1.boundingBoxOfSelected()
    level1.removeSelection()
    city_png = render_png(
        [findings, level(0), level(3), level(2), level(1), boundary],
        city_extent,
        workspace.crs,
        out / "hanbin_city.png",
    )
    print(f"[3] maps: {county_png}, {city_png}")

    data = workspace.read_data()
    print("[4] summary")
    print(format_summary(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
