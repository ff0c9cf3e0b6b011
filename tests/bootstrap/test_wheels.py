"""The private shapely install, without QGIS: wheel checks, the swap and its roll-back, the intranet repository.

The wheels are the real ones of build/wheels (downloaded once by `make wheels`); nothing here uses the network
beyond a server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import sys
import threading
import zipfile
from pathlib import Path

import numpy
import pytest

from plugin.bootstrap import loader, wheels

ROOT = Path(__file__).resolve().parents[2]
WHEELS = ROOT / "build" / "wheels"
KEY = loader.interpreter_key()


def _wheels_here() -> list[Path]:
    found = sorted(WHEELS.glob(f"shapely-*-{KEY}-*.whl"))
    if not found:
        pytest.fail(f"no shapely wheel for {KEY} in {WHEELS}: run `make wheels`")
    return found


def _installable() -> Path:
    """The newest wheel of build/wheels whose numpy requirement this Python's numpy meets."""
    for path in sorted(_wheels_here(), key=lambda p: wheels.Wheel.parse(p.name).version_key, reverse=True):
        try:
            wheels.check_wheel(path)
        except wheels.InstallError:
            continue
        return path
    pytest.fail("no installable wheel")


def test_wheel_names_and_tags():
    wheel = wheels.Wheel.parse("shapely-2.0.7-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    assert wheel.name == "shapely" and wheel.version_key == (2, 0, 7)
    assert ("cp311", "cp311", "manylinux2014_x86_64") in wheel.tags
    with pytest.raises(wheels.InstallError, match="not a wheel file name"):
        wheels.Wheel.parse("shapely.zip")
    here = wheels.interpreter_tags()
    assert any(tag in here for path in _wheels_here() for tag in wheels.Wheel.parse(path.name).tags)
    assert (f"py{sys.version_info.major}", "none", "any") in here


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        ("1.24.2", ">=1.26", False),
        ("1.24.2", ">=1.21", True),
        ("2.2.4", "<3,>=1.14", True),
        ("3.0.0", "<3,>=1.14", False),
        ("1.26.4", "==1.26.*", True),
        ("1.25.0", "~=1.24", True),
        ("2.0.0", "~=1.24", False),
    ],
)
def test_numpy_specifiers(version, spec, expected):
    assert wheels.satisfies(version, spec) is expected


def test_a_wheel_is_checked_against_this_python_and_numpy(tmp_path):
    real = _wheels_here()[0]
    foreign = tmp_path / real.name.replace(KEY, "cp39")
    shutil.copy(real, foreign)
    with pytest.raises(wheels.InstallError, match="cp39") as error:
        wheels.check_wheel(foreign)
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in str(error.value)

    damaged = tmp_path / real.name
    damaged.write_bytes(real.read_bytes()[:5000])
    with pytest.raises(wheels.InstallError, match="cannot be read as a wheel"):
        wheels.check_wheel(damaged)

    old = tmp_path / f"shapely-1.8.5-{KEY}-{KEY}-manylinux2014_x86_64.whl"
    old.write_bytes(b"")
    with pytest.raises(wheels.InstallError, match=r"shapely ≥ 2\.0"):
        wheels.check_wheel(old)

    for path in _wheels_here():
        wanted = wheels.numpy_requirement(wheels.wheel_metadata(path))
        assert wanted, path.name
        if not wheels.satisfies(numpy.__version__, wanted):
            with pytest.raises(wheels.InstallError, match="never changes"):
                wheels.check_wheel(path)


def test_install_swaps_in_and_rolls_back(tmp_path):
    wheel = _installable()
    profile = tmp_path / "profile"
    target = wheels.install_wheel_file(wheel, profile, verify=lambda folder: None, log=lambda text: None)
    assert target == loader.private_dir(profile)
    assert (target / "shapely" / "__init__.py").is_file()
    assert json.loads((target / "INSTALLED_BY_COMMUNITY_GRIDS.json").read_text())["wheel"] == wheel.name
    before = sorted(p.relative_to(target) for p in target.rglob("*"))

    # a new install that does not work in this QGIS: the previous folder comes back untouched
    with pytest.raises(wheels.InstallError, match="previous state is kept"):
        wheels.install_wheel_file(wheel, profile, verify=lambda folder: "GEOS mix", log=lambda text: None)
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before
    assert [p.name for p in target.parent.iterdir()] == [KEY]

    # a killed install leaves a staging folder or a moved-away target: the next run tidies up
    (target.parent / f"{wheels.STAGING_PREFIX}dead").mkdir()
    target.rename(target.parent / f"{wheels.PREVIOUS_PREFIX}12345-{KEY}")
    wheels.clean_stale(target.parent)
    assert [p.name for p in target.parent.iterdir()] == [KEY]
    assert (target / "shapely" / "__init__.py").is_file()


def test_unsafe_paths_are_refused(tmp_path):
    wheel = _installable()
    evil = tmp_path / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(evil, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        out.writestr("../escaped.txt", "x")
    with pytest.raises(wheels.InstallError, match="unsafe path"):
        wheels.install_wheel_file(evil, tmp_path / "p", verify=None, log=lambda text: None)
    assert not (tmp_path / "p" / "python" / "dependencies" / "escaped.txt").exists()
    assert not loader.private_dir(tmp_path / "p").exists()


@pytest.fixture
def repository(tmp_path):
    """An intranet plugin repository as `make package` writes it, served on 127.0.0.1."""
    folder = tmp_path / "repo"
    (folder / "wheels").mkdir(parents=True)
    (folder / "plugins.xml").write_text("<plugins/>", encoding="utf-8")
    for path in _wheels_here():
        shutil.copy(path, folder / "wheels" / path.name)
    wheels.write_repository_index(folder / "wheels")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/plugins.xml", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        """The test server's requests are not the test's output."""


def test_install_from_an_intranet_repository(repository, tmp_path):
    url, _ = repository
    target = wheels.install_from_repository(url, tmp_path / "profile", verify=lambda folder: None, log=lambda t: None)
    installed = json.loads((target / "INSTALLED_BY_COMMUNITY_GRIDS.json").read_text())["wheel"]
    assert installed == _installable().name  # the newest this numpy can run


def test_a_corrupted_download_is_refused(repository, tmp_path):
    url, folder = repository
    for path in (folder / "wheels").glob("*.whl"):
        path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(wheels.InstallError, match="checksum"):
        wheels.install_from_repository(url, tmp_path / "profile", verify=None, log=lambda t: None)
    assert not loader.private_dir(tmp_path / "profile").exists()


def test_no_network_is_a_message(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(wheels.InstallError, match="Could not download"):
        wheels.install_from_repository(f"http://127.0.0.1:{port}/plugins.xml", tmp_path / "p", timeout=3, log=print)
    assert not loader.private_dir(tmp_path / "p").exists()


def test_loader_reports_a_broken_private_install(tmp_path, monkeypatch):
    folder = loader.private_dir(tmp_path)
    (folder / "shapely").mkdir(parents=True)
    (folder / "shapely" / "__init__.py").write_text("raise ImportError('half an install')\n")
    saved = {k: v for k, v in sys.modules.items() if k == "shapely" or k.startswith("shapely.")}
    for name in saved:
        monkeypatch.delitem(sys.modules, name)
    try:
        outcome = loader.load_shapely(tmp_path)
    finally:
        sys.modules.update(saved)
    assert outcome.problem is not None and outcome.problem.kind == "broken_private"
    assert "half an install" in outcome.problem.message and str(folder) in outcome.problem.message
    assert str(folder) not in sys.path


def test_loader_refuses_an_old_shapely_already_loaded(monkeypatch, tmp_path):
    import types

    old = types.ModuleType("shapely")
    old.__version__ = "1.8.5"
    old.__file__ = "/usr/lib/python3/dist-packages/shapely/__init__.py"
    monkeypatch.setitem(sys.modules, "shapely", old)
    outcome = loader.load_shapely(tmp_path)
    assert outcome.problem.kind == "too_old_loaded"
    assert "1.8.5" in outcome.problem.message and "restart QGIS" in outcome.problem.message


def test_loader_uses_a_working_shapely(tmp_path):
    import shapely

    outcome = loader.load_shapely(tmp_path)
    assert outcome.ok and outcome.module is shapely and outcome.source == "loaded"
    assert loader.smoke_test(shapely) is None


def test_install_through_pip_takes_the_newest_wheel_numpy_allows(tmp_path, monkeypatch):
    """The pip route, offline: pip (of this Python) told to use only the local wheel folder, as an office's
    pip set up for an intranet mirror would; a wheel that needs a newer numpy moves the cap down."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(WHEELS))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    target = wheels.install_with_pip(tmp_path / "profile", verify=lambda folder: None, log=lambda text: None)
    installed = json.loads((target / "INSTALLED_BY_COMMUNITY_GRIDS.json").read_text())["wheel"]
    assert installed == _installable().name


def test_pip_without_network_is_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nothing-here"))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    with pytest.raises(wheels.InstallError, match="pip could not download shapely"):
        wheels.install_with_pip(tmp_path / "profile", verify=None, log=lambda text: None)
    assert not loader.private_dir(tmp_path / "profile").exists()
