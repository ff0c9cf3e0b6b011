"""The real QGIS desktop (plain ``qgis`` under Xvfb, a fresh profile, no PYTHONPATH or preload of ours):
QGIS's own plugin installer takes the plugin from the repository ``make package`` writes, served on
127.0.0.1; the plugin's dialog takes shapely from the same repository; a second start loads the plugin without
any message and the audit dock audits the sample. Driven by tests/qgis/desktop_driver.py."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEELS = ROOT / "build" / "wheels"
NAME = "community_grids"

pytestmark = pytest.mark.skipif(
    shutil.which("qgis") is None or shutil.which("xvfb-run") is None, reason="the QGIS desktop or Xvfb is missing"
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        """The test server's requests are not the test's output."""


@pytest.fixture(scope="module")
def served_repository(tmp_path_factory):
    import importlib.util

    spec = importlib.util.spec_from_file_location("package_script", ROOT / "scripts" / "package.py")
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    folder = tmp_path_factory.mktemp("served")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_port}/"
    built = package.build(tmp_path_factory.mktemp("dist"))
    package.write_repository(built, folder / "repo", base + "repo/", WHEELS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base + "repo/plugins.xml"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _desktop(config: Path, stage: str, result: Path, **extra: str) -> dict:
    drop = ("QGIS_PLUGINPATH", "PYTHONPATH", "LD_PRELOAD", "QT_QPA_PLATFORM", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    runtime = config / "runtime"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env.update(
        QGIS_CUSTOM_CONFIG_PATH=str(config),
        XDG_RUNTIME_DIR=str(runtime),
        COMMUNITY_GRIDS_STAGE=stage,
        COMMUNITY_GRIDS_RESULT=str(result),
        **extra,
    )
    command = [
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1400x900x24",
        "qgis",
        "--noversioncheck",
        "--nologo",
        "--nocustomization",
    ]
    command += ["--code", str(Path(__file__).with_name("desktop_driver.py"))]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.exists(), (
        f"QGIS ended without a result ({run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
    )
    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["errors"] == [], "\n".join(data["errors"])
    return data


def test_plugin_manager_installs_from_the_intranet_repository(served_repository, tmp_path, qgis_app):
    from qgis.core import QgsSettings

    config = tmp_path / "config"
    ini = config / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(
        "[app]\nplugin_repositories\\Intranet\\url=" + served_repository + "\n"
        "plugin_repositories\\Intranet\\enabled=true\n"
        "plugin_installer\\checkOnStart=false\n",
        encoding="utf-8",
    )
    del QgsSettings  # the test process's own settings are not touched
    install = _desktop(config, "install", tmp_path / "install.json")
    assert install["listed"] and install["installed_folder"], install
    assert install["after_install"] == "MissingDependenciesPlugin"  # a fresh QGIS without shapely: the stand-in
    assert any("shapely" in text for text in install["stand_in_messages"])
    assert install["install_button"] and install["dialog"] == "InstallDialog" and install["dialog_repository_chosen"]
    assert "Installed shapely" in install["dialog_log"], install["dialog_log"]
    assert install["after_shapely"] == "CommunityGridsPlugin", install

    from test_layouts import small_workspace_data

    from plugin.adapters.workspace import write_workspace

    data, _ = small_workspace_data(3)
    workspace = write_workspace(tmp_path / "guanmiao.gpkg", data.info, data)
    audit = _desktop(config, "audit", tmp_path / "audit.json", COMMUNITY_GRIDS_WORKSPACE=str(workspace))
    assert audit["loaded"] == "CommunityGridsPlugin"
    assert not [t for t in audit["messages_at_start"] if "Community Grids" in t or "社区网格" in t or "shapely" in t]
    assert audit["findings"] is not None and audit["findings"] >= 0, audit
    assert audit["status"], audit
