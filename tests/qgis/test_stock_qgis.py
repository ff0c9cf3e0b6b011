"""The ZIP in a fresh profile of plain ``qgis_process.bin``: no preload, no project script, no PYTHONPATH of ours.

The sample workspace is audited by the installed plugin in a QGIS whose Python sees (a) the shapely 2.2 wheel,
(b) a shapely 2.0.x wheel, (c) the plugin's own private install from a wheel file, and (d) no shapely at all;
the findings must be the ones the in-process audit finds (the sample's planted defects). Bad input (shapely
1.x, a broken private install, no network, a wheel for another Python) gives a message, never a traceback,
and nothing of QGIS's own Python changes.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = "community_grids"
QGIS_PROCESS = shutil.which("qgis_process.bin")
WHEELS = ROOT / "build" / "wheels"
KEY = f"cp{sys.version_info.major}{sys.version_info.minor}"

pytestmark = pytest.mark.skipif(QGIS_PROCESS is None, reason="qgis_process.bin is not installed")


def _wheel(version_prefix: str) -> Path:
    found = sorted(WHEELS.glob(f"shapely-{version_prefix}*-{KEY}-*.whl"))
    if not found:
        pytest.fail(f"no shapely {version_prefix} wheel for {KEY} in {WHEELS}: run `make wheels`")
    return found[-1]


def _unpacked(wheel: Path, into: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(into)
    return into


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory):
    import importlib.util

    spec = importlib.util.spec_from_file_location("package_script", ROOT / "scripts" / "package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory, qgis_app):
    """The Hanbin sample workspace and the findings the in-process audit (this venv's shapely) gives."""
    from plugin.adapters.workspace import write_workspace
    from plugin.core.sample import build_sample

    built = build_sample()
    folder = tmp_path_factory.mktemp("sample")
    path = folder / "hanbin.gpkg"
    write_workspace(path, built.data.info, built.data)
    expected = folder / "expected.json"
    import processing
    from qgis.core import QgsApplication

    from plugin.processing.provider import CommunityGridsProvider

    registry = QgsApplication.processingRegistry()
    ours = None
    if registry.providerById(NAME) is None:
        ours = CommunityGridsProvider()
        registry.addProvider(ours)
    try:
        result = processing.run(f"{NAME}:audit_workspace", {"WORKSPACE": str(path), "JSON": str(expected)})
    finally:
        if ours is not None:
            registry.removeProvider(ours)
    return path, _findings(expected), result["FINDINGS_COUNT"]


def _findings(report: Path) -> list[tuple]:
    """(rule, layer, codes, measure to 0.1) of every finding of a JSON report."""
    data = json.loads(report.read_text(encoding="utf-8"))
    return sorted(
        (f["rule_id"], f["layer"], tuple(sorted(f.get("codes") or [])), round(float(f.get("measure") or 0.0), 1))
        for f in data["findings"]
    )


def _python_site_state() -> dict:
    """What QGIS's own Python has installed: every file name and size in its site folders."""
    state = {}
    for folder in ("/usr/lib/python3/dist-packages", f"/usr/local/lib/python3.{sys.version_info.minor}/dist-packages"):
        base = Path(folder)
        if base.is_dir():
            state[folder] = sorted((p.name, p.stat().st_size if p.is_file() else -1) for p in base.iterdir())
    return state


class Profile:
    """A fresh QGIS configuration with the ZIP unpacked into its default profile, run by plain qgis_process.bin."""

    def __init__(self, folder: Path, plugin_zip: Path, pythonpath: Path | None = None):
        self.config = folder / "config"
        self.plugins = self.config / "profiles" / "default" / "python" / "plugins"
        self.plugins.mkdir(parents=True)
        with zipfile.ZipFile(plugin_zip) as archive:
            archive.extractall(self.plugins)
        self.pythonpath = pythonpath
        self.private = self.config / "profiles" / "default" / "python" / "dependencies" / NAME / KEY
        enabled = self.run("plugins", "enable", NAME)
        assert enabled.returncode == 0, enabled.stdout + enabled.stderr

    def run(self, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
        drop = ("QGIS_PLUGINPATH", "PYTHONPATH", "LD_PRELOAD", "VIRTUAL_ENV", "PYTHONHOME")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        runtime = self.config / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env.update(QGIS_CUSTOM_CONFIG_PATH=str(self.config), QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))
        if self.pythonpath is not None:
            env["PYTHONPATH"] = str(self.pythonpath)
        return subprocess.run(
            [QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=str(self.config)
        )

    def audit(self, workspace: Path, report: Path) -> subprocess.CompletedProcess:
        return self.run("run", f"{NAME}:audit_workspace", "--", f"WORKSPACE={workspace}", f"JSON={report}")


def _copy(workspace: Path, folder: Path) -> Path:
    target = folder / workspace.name
    shutil.copy(workspace, target)
    return target


def _assert_same_findings(run, report, sample):
    _, expected, count = sample
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert f"FINDINGS_COUNT:\t{count}" in run.stdout
    assert count == len(expected) > 0  # the sample's planted defects (tests/core/test_sample_audit.py)
    assert _findings(report) == expected


@pytest.mark.parametrize("version", ["2.2", "2.0"])
def test_audit_with_the_wheel_qgis_python_sees(version, plugin_zip, sample, tmp_path):
    """(a) and (b): a shapely wheel on QGIS's Python path, imported deep-bound beside QGIS's own GEOS."""
    site = _unpacked(_wheel(version), tmp_path / "site")
    profile = Profile(tmp_path, plugin_zip, pythonpath=site)
    report = tmp_path / "audit.json"
    _assert_same_findings(profile.audit(_copy(sample[0], tmp_path), report), report, sample)


def test_no_shapely_refuses_then_private_install_from_a_wheel_file(plugin_zip, sample, tmp_path):
    """(d) then (c): without shapely every algorithm refuses with the install path; the plugin's own install
    from a wheel file makes the same audit work, and QGIS's own Python is left as it was."""
    before = _python_site_state()
    profile = Profile(tmp_path, plugin_zip)
    workspace = _copy(sample[0], tmp_path)
    refused = profile.audit(workspace, tmp_path / "none.json")
    assert refused.returncode != 0
    assert "shapely ≥ 2.0" in refused.stdout + refused.stderr
    assert str(profile.private) in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "none.json").exists()

    # a wheel for another Python, then a wheel this QGIS's numpy cannot run (when there is one): refused
    other = tmp_path / _wheel("2.0").name.replace(KEY, "cp39")
    shutil.copy(_wheel("2.0"), other)
    wrong = profile.run("run", f"{NAME}:install_dependencies", "--", f"WHEEL={other}")
    assert wrong.returncode != 0 and "cp39" in wrong.stdout + wrong.stderr
    assert not profile.private.exists()

    from plugin.bootstrap import wheels

    usable = []
    for version in ("2.2", "2.0"):
        try:
            wheels.check_wheel(_wheel(version))
            usable.append(_wheel(version))
        except wheels.InstallError as error:
            refusal = profile.run("run", f"{NAME}:install_dependencies", "--", f"WHEEL={_wheel(version)}")
            assert refusal.returncode != 0 and "numpy" in refusal.stdout + refusal.stderr, str(error)
    installed = profile.run("run", f"{NAME}:install_dependencies", "--", f"WHEEL={usable[0]}")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (profile.private / "shapely" / "__init__.py").is_file()

    report = tmp_path / "audit.json"
    _assert_same_findings(profile.audit(workspace, report), report, sample)
    assert _python_site_state() == before


def test_bad_shapely_states_are_messages(plugin_zip, sample, tmp_path):
    """A shapely 1.x on QGIS's path, a broken private install, an install with no network."""
    old = tmp_path / "old"
    (old / "shapely").mkdir(parents=True)
    (old / "shapely" / "__init__.py").write_text('__version__ = "1.8.5"\n')
    (old / "Shapely-1.8.5.dist-info").mkdir()
    (old / "Shapely-1.8.5.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: Shapely\nVersion: 1.8.5\n")
    profile = Profile(tmp_path / "a", plugin_zip, pythonpath=old)
    workspace = _copy(sample[0], tmp_path)
    run = profile.audit(workspace, tmp_path / "old.json")
    text = run.stdout + run.stderr
    assert run.returncode != 0 and "1.8.5" in text and "shapely ≥ 2.0" in text and "Traceback" not in run.stderr

    profile = Profile(tmp_path / "b", plugin_zip)
    (profile.private / "shapely").mkdir(parents=True)
    (profile.private / "shapely" / "__init__.py").write_text("raise ImportError('an install cut short')\n")
    run = profile.audit(workspace, tmp_path / "broken.json")
    text = run.stdout + run.stderr
    assert run.returncode != 0 and "an install cut short" in text and "Reinstall" in text

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    offline = profile.run(
        "run", f"{NAME}:install_dependencies", "--", f"REPOSITORY=http://127.0.0.1:{port}/plugins.xml"
    )
    assert offline.returncode != 0 and "Could not download" in offline.stdout + offline.stderr
    assert (profile.private / "shapely" / "__init__.py").read_text().startswith("raise")  # nothing half-replaced
