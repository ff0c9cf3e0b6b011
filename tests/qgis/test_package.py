"""The installable ZIP: built by scripts/package.py, installed into a fresh QGIS profile, loaded from there.

The plugin is unzipped into <profile>/python/plugins of a temporary QGIS_CUSTOM_CONFIG_PATH, as QGIS's
"Install from ZIP" does; then it is imported from that folder and loaded with classFactory, and QGIS's own
command-line executor (qgis_process.bin) lists and runs its algorithms from that profile.
"""

from __future__ import annotations

import ast
import configparser
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = "community_grids"
QGIS_PROCESS = shutil.which("qgis_process.bin")


def _package_module():
    spec = importlib.util.spec_from_file_location("package_script", ROOT / "scripts" / "package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    return _package_module().build(out)


@pytest.fixture(scope="module")
def profile(built, tmp_path_factory):
    """A fresh QGIS configuration folder with the plugin unzipped into its default profile."""
    config = tmp_path_factory.mktemp("qgis_config")
    plugins = config / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(built) as archive:
        archive.extractall(plugins)
    return config, plugins


def test_zip_holds_the_plugin_and_nothing_else(built):
    version = configparser.ConfigParser()
    version.read(ROOT / "metadata.txt", encoding="utf-8")
    assert built.name == f"{NAME}-{version['general']['version']}.zip"
    with zipfile.ZipFile(built) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        metadata = archive.read(f"{NAME}/metadata.txt").decode("utf-8")
    assert all(n.startswith(f"{NAME}/") for n in names)
    for required in (
        "__init__.py",
        "metadata.txt",
        "plugin/gui/plugin.py",
        "plugin/processing/provider.py",
        "plugin/processing/layout_algorithms.py",
        "plugin/adapters/layouts/__init__.py",
        "plugin/adapters/layouts/notice_map.py",
        "plugin/adapters/layouts/permits.py",
        "plugin/core/permits.py",
        "i18n/community_grids_zh_CN.qm",
        "resources/icons/community_grids.svg",
        "resources/styles/grid_level1.qml",
        "resources/data/ankang_villages.csv",
    ):
        assert f"{NAME}/{required}" in names, required
    forbidden_parts = {"tests", "scripts", ".venv", "build", "__pycache__", ".ci", ".git", ".qgis-settings", "docs"}
    forbidden_names = {"Makefile", "pyproject.toml", "requirements.txt", ".gitignore"}
    for name in names:
        parts = name.split("/")[1:]
        assert not forbidden_parts & set(parts[:-1]), name
        assert parts[-1] not in forbidden_names, name
        assert not name.endswith((".pyc", ".ts", ".tmp")), name
        assert not any(part.startswith(".") for part in parts), name
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(metadata)
    general = parser["general"]
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email", "repository"):
        assert general.get(key, "").strip(), key
    assert general["qgisMinimumVersion"] == "3.22"
    assert "公示" in general["changelog"] or "notice" in general["changelog"]


# Modules of the ZIP the plugin itself does not import (statically from classFactory), each with its reason.
NOT_IMPORTED_BY_THE_PLUGIN = {
    "plugin.core.summary": "counts per level and township: a core helper kept for the dock and filing metadata",
}
TEST_ONLY = ("devtools/synthetic.py", "devtools/drawing_sample.py", "devtools/qgis_app.py", "devtools/render.py")


def _imports(name: str, source: str, is_package: bool) -> set[str]:
    parts = [part for part in name.split(".") if part]
    package = parts if is_package else parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module]) if node.module else ".".join(base)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_zip_holds_no_test_only_module_and_every_module_is_used(built):
    """The ZIP holds what planners run: no generator of tests or demo, every module reached from classFactory."""
    for relative in TEST_ONLY:
        assert (ROOT / relative).is_file(), relative  # the list names real files
    with zipfile.ZipFile(built) as archive:
        sources = {
            name[len(NAME) + 1 :]: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".py")
        }
    assert not [name for name in sources if name.startswith(("devtools/", "tests/", "scripts/"))]
    assert not [name for name in sources if Path(name).name in {Path(t).name for t in TEST_ONLY}]
    modules = {}
    for relative, source in sources.items():
        parts = list(Path(relative).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (source, is_package)
    reached, stack = set(), [""]  # "" is the top __init__.py (classFactory)
    while stack:
        name = stack.pop()
        if name in reached or name not in modules:
            continue
        reached.add(name)
        if "." in name:
            stack.append(name.rsplit(".", 1)[0])
        source, is_package = modules[name]
        stack.extend(_imports(name, source, is_package))
    unused = sorted(set(modules) - reached - set(NOT_IMPORTED_BY_THE_PLUGIN))
    assert unused == []
    assert set(NOT_IMPORTED_BY_THE_PLUGIN) <= set(modules)


def test_build_is_reproducible(built, tmp_path):
    again = _package_module().build(tmp_path)
    assert again.read_bytes() == built.read_bytes()


def test_installed_plugin_loads_from_the_profile(profile, recording_iface, qgis_app):
    from qgis.core import QgsApplication

    _, plugins = profile
    for name in [m for m in sys.modules if m == NAME or m.startswith(NAME + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(plugins))
    try:
        module = importlib.import_module(NAME)
        assert Path(module.__file__).resolve().parent == (plugins / NAME).resolve()
        plugin = module.classFactory(recording_iface)
        plugin.initGui()
        provider = QgsApplication.processingRegistry().providerById(NAME)
        assert provider is not None
        ids = {a.id() for a in provider.algorithms()}
        assert {f"{NAME}:public_notice_map", f"{NAME}:work_permits", f"{NAME}:create_workspace"} <= ids
        i18n = importlib.import_module(f"{NAME}.plugin.i18n")
        assert (Path(i18n.I18N_DIR) / "community_grids_zh_CN.qm").is_file()
        assert Path(i18n.I18N_DIR).resolve().is_relative_to(plugins.resolve())
        plugin.unload()
        assert QgsApplication.processingRegistry().providerById(NAME) is None
    finally:
        sys.path.remove(str(plugins))
        for name in [m for m in sys.modules if m == NAME or m.startswith(NAME + ".")]:
            del sys.modules[name]


def _qgis_process(config: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("QGIS_PLUGINPATH", "PYTHONPATH")}
    runtime = config / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env.update(
        QGIS_CUSTOM_CONFIG_PATH=str(config),
        QT_QPA_PLATFORM="offscreen",
        XDG_RUNTIME_DIR=str(runtime),
        PYTHONPATH=sysconfig.get_paths()["purelib"],  # QGIS's Python sees the venv's shapely 2.2 (no preload)
    )
    return subprocess.run(
        [QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=str(config)
    )


@pytest.mark.skipif(QGIS_PROCESS is None, reason="qgis_process.bin is not installed")
def test_qgis_process_lists_and_runs_the_installed_plugin(profile, tmp_path, qgis_app):
    config, plugins = profile
    enabled = _qgis_process(config, "plugins", "enable", NAME)
    assert enabled.returncode == 0, enabled.stdout + enabled.stderr
    listing = _qgis_process(config, "list")
    assert listing.returncode == 0, listing.stderr
    for algorithm in ("public_notice_map", "work_permits", "create_workspace", "build_sample_workspace"):
        assert f"{NAME}:{algorithm}" in listing.stdout, algorithm

    from test_layouts import has, pdf_text, small_workspace_data

    from plugin.adapters.workspace import write_workspace

    data, _ = small_workspace_data(3)
    workspace = write_workspace(tmp_path / "guanmiao.gpkg", data.info, data)
    output = tmp_path / "permits.pdf"
    run = _qgis_process(
        config,
        "run",
        f"{NAME}:work_permits",
        "--",
        f"WORKSPACE={workspace}",
        "AREA=张山村",
        "DATE=2025-11-20",
        f"OUTPUT={output}",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "HEADS:\t9" in run.stdout
    text = "".join(pdf_text(output))
    assert has("张山村", text) and has("发证日期：2025年11月20日", text)
    assert str(plugins) not in run.stderr or "Traceback" not in run.stderr
