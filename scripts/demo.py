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

from devtools.qgis_app import register_provider, start_qgis  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "demo")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    start_qgis()
    import processing
    from qgis.core import QgsProcessingException, QgsProject, QgsReferencedRectangle

    from devtools.render import render_png, save_project
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

    # The audit: topology, codes, the standard's size and staffing rules, into the workspace and reports.
    started = time.perf_counter()
    audit = processing.run(
        "community_grids:audit_workspace",
        {
            "WORKSPACE": str(workspace_path),
            "WRITE_TO_WORKSPACE": True,
            "FINDINGS": "TEMPORARY_OUTPUT",
            "JSON": str(out / "audit.json"),
            "HTML": str(out / "audit.html"),
        },
    )
    print(
        f"[2] audit: {audit['FINDINGS_COUNT']} findings — {audit['ERRORS']} errors, {audit['WARNINGS']} warnings, "
        f"{audit['INFOS']} info ({time.perf_counter() - started:.1f} s); reports {out / 'audit.html'}, {out / 'audit.json'}"
    )
    print_findings_by_rule(out / "audit.json")

    # The filing package: refused while errors remain, written once the planner gives a reason.
    package = out / "hanbin_filing_package.gpkg"
    filing = {"WORKSPACE": str(workspace_path), "OUTPUT": str(package), "AUTHOR": "汉滨区网格化管理中心"}
    try:
        processing.run("community_grids:export_filing_package", filing)
        print("[3] filing package written without override")
    except QgsProcessingException as refusal:
        print(f"[3] filing package refused, as it should be: {first_line(refusal)}")
    filing["OVERRIDE_REASON"] = "示例数据：审核问题为演示而设 (sample data: defects planted for the demonstration)"
    exported = processing.run("community_grids:export_filing_package", filing)
    print(
        f"    written with the override reason recorded: {exported['OUTPUT']} "
        f"(version {exported['PACKAGE_VERSION']}, {exported['GRIDS']} grids, EPSG:4490); "
        f"GDAL validate_gpkg: {validate(package)}"
    )

    workspace = open_workspace(workspace_path)
    project = QgsProject.instance()
    project.clear()
    project.setCrs(workspace.crs)
    project.setTitle(f"{workspace.info.county_name} 网格 Community Grids sample")
    workspace.add_to_project(project)
    # Written without a map canvas: the project's default view makes QGIS open it on the county.
    county_extent = QgsReferencedRectangle(workspace.layer("county_boundary").extent(), workspace.crs)
    project.viewSettings().setDefaultViewExtent(county_extent)
    project_path = save_project(project, out / "hanbin_sample.qgz")
    print(f"[4] QGIS project: {project_path}")

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
    print(f"[5] maps: {county_png}, {city_png}")

    data = workspace.read_data()
    print("[6] summary")
    print(format_summary(data))

    # The automatic level 3 division of a few villages with generated roads: a before/after map.
    sys.path.insert(0, str(ROOT / "scripts"))
    import demo_division

    started = time.perf_counter()
    demo_division.run(workspace_path, out, data)
    print(f"    ({time.perf_counter() - started:.1f} s)")
    return 0


def first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def print_findings_by_rule(path: Path) -> None:
    import json

    report = json.loads(path.read_text(encoding="utf-8"))
    for rule, count in sorted(report["counts_by_rule"].items(), key=lambda item: (-item[1], item[0])):
        print(f"      {rule:<40}{count:>6}")


def validate(path: Path) -> str:
    """GDAL's own GeoPackage validator (osgeo_utils.samples.validate_gpkg), run as QGIS's Python would."""
    import subprocess

    result = subprocess.run(
        ["/usr/bin/python3", "-m", "osgeo_utils.samples.validate_gpkg", str(path)],
        capture_output=True,
        text=True,
    )
    problems = (result.stdout + result.stderr).strip()
    return "valid" if result.returncode == 0 and not problems else f"problems: {problems[:300]}"


if __name__ == "__main__":
    sys.exit(main())
