"""The install dialog, driven with real key and mouse events: a wheel file installs into the profile's private
folder; a wheel for another Python is refused in the dialog's log and nothing is written."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest

ROOT = Path(__file__).resolve().parents[2]
WHEELS = ROOT / "build" / "wheels"
KEY = f"cp{sys.version_info.major}{sys.version_info.minor}"


def _installable() -> Path:
    from plugin.bootstrap import wheels

    for path in sorted(WHEELS.glob(f"shapely-*-{KEY}-*.whl"), reverse=True):
        try:
            wheels.check_wheel(path)
        except wheels.InstallError:
            continue
        return path
    pytest.fail(f"no installable shapely wheel for {KEY} in {WHEELS}: run `make wheels`")


@pytest.fixture
def dialog(qgis_app, tmp_path):
    import shapely  # noqa: F401  (the process keeps the venv's shapely; a wheel installed here serves after a restart)

    from plugin.bootstrap.loader import Problem
    from plugin.gui.install_dialog import InstallDialog

    widget = InstallDialog(Problem("missing", "Community Grids needs shapely ≥ 2.0."), str(tmp_path / "profile"))
    widget.show()
    yield widget
    widget.close()
    widget.deleteLater()


def _type_path_and_install(dialog, path: Path) -> None:
    dialog.fileEdit.clear()
    QTest.keyClicks(dialog.fileEdit, str(path))
    assert dialog.fileRadio.isChecked()
    QTest.mouseClick(dialog.installButton, Qt.MouseButton.LeftButton)


def test_a_wheel_file_is_installed_from_the_dialog(dialog, tmp_path):
    from plugin.bootstrap.loader import private_dir

    assert "shapely ≥ 2.0" in dialog.problemLabel.text()
    assert str(private_dir(tmp_path / "profile")) in dialog.targetLabel.text()
    done = []
    dialog.installed.connect(done.append)
    _type_path_and_install(dialog, _installable())
    log = dialog.logView.toPlainText()
    assert "Installed shapely" in log
    assert "restart QGIS" in log  # this test process already holds a shapely; the new one serves after a restart
    assert done == [str(private_dir(tmp_path / "profile"))]
    assert (private_dir(tmp_path / "profile") / "shapely" / "__init__.py").is_file()


def test_a_wheel_for_another_python_is_refused_in_the_dialog(dialog, tmp_path):
    from plugin.bootstrap.loader import private_dir

    wheel = _installable()
    other = tmp_path / wheel.name.replace(KEY, "cp39")
    shutil.copy(wheel, other)
    _type_path_and_install(dialog, other)
    log = dialog.logView.toPlainText()
    assert "cp39" in log and "Choose the wheel for" in log
    assert not private_dir(tmp_path / "profile").exists()
    assert dialog.installButton.isEnabled()
