"""A planner's whole session in plain ``qgis`` under Xvfb, the plugin installed from its ZIP into a fresh profile
(Chinese interface): scripts/desktop_session.py starts QGIS twice with devtools/desktop_session.py (install, then
the session on a sample project written here) and this test checks what the driver found, the filing package
and the screenshots. It takes a few minutes (the whole county is audited and filed)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.desktop,
    pytest.mark.skipif(
        shutil.which("qgis") is None or shutil.which("xvfb-run") is None, reason="the QGIS desktop or Xvfb is missing"
    ),
]


def launcher():
    spec = importlib.util.spec_from_file_location("desktop_session_launcher", ROOT / "scripts" / "desktop_session.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_sample_project(folder: Path) -> Path:
    """The embedded sample as a workspace and a project beside it opening on the county (as `make demo` writes
    it); the project's layers are closed with it."""
    from qgis.core import QgsProject, QgsReferencedRectangle

    from plugin.adapters.workspace import open_workspace, write_workspace
    from plugin.core.sample import build_sample

    sample = build_sample()
    path = folder / "hanbin_sample.gpkg"
    write_workspace(path, sample.data.info, sample.data)
    workspace = open_workspace(path)
    project = QgsProject()
    try:
        project.setCrs(workspace.crs)
        workspace.add_to_project(project)
        county = workspace.layer("county_boundary").extent()
        project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(county, workspace.crs))
        project_path = folder / "hanbin_sample.qgz"
        project.setFileName(str(project_path))
        assert project.write(), project.error()
    finally:
        project.clear()
    return project_path


@pytest.fixture(scope="module")
def session(tmp_path_factory, qgis_app):
    folder = tmp_path_factory.mktemp("desktop")
    project = write_sample_project(folder)
    out = folder / "out"
    outcome = launcher().run_session(project, out)
    return outcome, out


def test_the_zip_installs_in_plain_qgis(session):
    outcome, _out = session
    install = outcome["install"]
    assert install["errors"] == [] and install["returncode"] == 0, install
    assert install["installed_folder"]
    assert install["after_shapely"] == "CommunityGridsPlugin", install
    if install["after_zip"] != "CommunityGridsPlugin":  # a QGIS without shapely 2: the stand-in, then the dialog
        assert install["install_button"] == "安装 shapely…", install
        assert "shapely" in install["dialog_log"] and install["dialog_file_chosen"], install


def test_every_step_of_the_session_does_what_the_planner_sees(session):
    outcome, out = session
    assert outcome["errors"] == [], "\n".join(outcome["errors"])
    result = outcome["session"]
    assert result["returncode"] == 0  # QGIS quit through its own action, nothing crashed on the way out
    assert result["steps"] == [
        "open_project",
        "subdivide_and_merge",
        "save_edits",
        "audit_and_accept",
        "export_filing",
        "print_notice",
    ]
    assert result["locale"].startswith("zh")
    assert result["memory_layers_at_exit"] == []  # no scratch layer left in the planner's project
    # one copy of each layer; the canvas on the county
    assert result["duplicate_layers"] == [] and len(result["layers"]) >= result["workspace_layers"] >= 10
    (cx0, cy0, cx1, cy1), (x0, y0, x1, y1) = result["county_extent"], result["canvas_extent"]
    assert x0 <= (cx0 + cx1) / 2 <= x1 and y0 <= (cy0 + cy1) / 2 <= y1
    assert x1 - x0 < 3 * (cx1 - cx0) and y1 - y0 < 3 * (cy1 - cy0)
    # subdivided into the group and one new code; the new piece merged into the neighbour, which keeps its staff
    plan, subdivided, merged = result["plan"], result["subdivided"], result["merged"]
    assert subdivided["kept"] == plan["group_code"] and subdivided["new"].startswith(plan["section_code"])
    assert merged["survivor"] == plan["neighbour_code"] and merged["retired"] == subdivided["new"]
    assert subdivided["new"] not in merged["codes"] and {plan["group_code"], plan["neighbour_code"]} <= set(
        merged["codes"]
    )
    assert result["staff"]["survivor_after"] == result["staff"]["survivor_before"]
    # one more accepted finding, and the summary says so
    audit = result["audit"]
    assert audit["findings"] > 0 and audit["accepted_after"] == audit["accepted_before"] + 1
    assert audit["summary_after"] != audit["summary_before"] and str(audit["accepted_after"]) in audit["summary_after"]
    # the filing package: where it was asked, a valid GeoPackage with the grids; the notice map a PDF
    assert result["filing"]["validate_gpkg"] == "" and result["filing"]["grids"] > 0
    assert Path(result["filing"]["path"]) == out / "filing_package.gpkg"
    assert result["notice"]["bytes"] > 10_000 and result["notice"]["town"] == plan["section_code"][:9]


def test_the_screenshots_are_the_main_window_at_each_step(session, qgis_app):
    from qgis.PyQt.QtGui import QImage

    outcome, out = session
    names = outcome["session"]["screenshots"]
    assert set(launcher().EXPECTED_SHOTS) <= set(names)
    for name in names:
        image = QImage(str(out / "screenshots" / name))
        assert not image.isNull(), name
        if name.startswith("desktop_8_"):  # the refusal dialog, its own window
            continue
        assert (image.width(), image.height()) == (1500, 950), name
        colours = {image.pixel(x, y) for x in range(0, 1500, 50) for y in range(0, 950, 50)}
        assert len(colours) > 20, name  # a drawn window, not a blank one
