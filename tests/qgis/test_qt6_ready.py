"""Qt 6 / QGIS 4 readiness: scripts/check_qt6.py finds PyQt5-only code, and the repository has none."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

BAD = """\
from PyQt5.QtCore import Qt
import sip
from qgis.PyQt.QtCore import QVariant
from qgis.PyQt.QtWidgets import QDialog, QMessageBox
from qgis.core import QgsField, QgsProcessingParameterNumber, QgsVectorFileWriter, QgsWkbTypes
from qgis.PyQt import QtCore

alignment = Qt.AlignLeft | Qt.AlignmentFlag.AlignTop
kind = QgsWkbTypes.Polygon
field = QgsField("name", QVariant.String)
if dialog.exec_() == QDialog.Accepted:
    answer = QMessageBox.question(None, "t", "q", QMessageBox.Yes | QMessageBox.StandardButton.No)
number = QgsProcessingParameterNumber.Integer
right = QtCore.Qt.AlignRight
"""
BAD_LINES = {
    1: "direct import",
    2: "direct import of sip",
    8: "Qt.AlignLeft",
    9: "QgsWkbTypes.Polygon",
    10: "QVariant.String",
    11: "exec_()",
    12: "QMessageBox.Yes",
    13: "QgsProcessingParameterNumber.Integer",
    14: "Qt.AlignRight",
}
GOOD = """\
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt, QMetaType
from qgis.PyQt.QtWidgets import QDialog
from qgis.core import QgsField, QgsVectorFileWriter, QgsWkbTypes

alignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
kind = QgsWkbTypes.Type.Polygon
geometry = QgsWkbTypes.geometryType(kind)
options = QgsVectorFileWriter.SaveVectorOptions()
error = QgsVectorFileWriter.WriterError.NoError
field = QgsField("name", QMetaType.Type.QString)
if dialog.exec() == QDialog.DialogCode.Accepted:
    pass
text = "Qt.AlignLeft and exec_() in a string"  # QgsWkbTypes.Polygon in a comment
legacy = Qt.AlignLeft  # qt6: ok
"""


def _checker():
    spec = importlib.util.spec_from_file_location("check_qt6", ROOT / "scripts" / "check_qt6.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_qt6"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def check_qt6():
    return _checker()


@pytest.mark.parametrize("use_qgis", [True, False], ids=["introspection", "name-list"])
def test_finds_pyqt5_only_code(check_qt6, tmp_path, use_qgis):
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    found = check_qt6.check([tmp_path], root=tmp_path, use_qgis=use_qgis)
    assert {v.path for v in found} == {"bad.py"}, [str(v) for v in found]
    by_line: dict[int, list[str]] = {}
    for violation in found:
        by_line.setdefault(violation.line, []).append(violation.message)
    for line, words in BAD_LINES.items():
        assert any(words in message for message in by_line.get(line, [])), (line, by_line.get(line))
    scoped = ("unscoped enum Qt.AlignmentFlag", "unscoped enum QMessageBox.StandardButton")
    assert not any(m.startswith(scoped) for ms in by_line.values() for m in ms)  # scoped uses are fine
    assert str(found[0]).startswith("bad.py:")


def test_introspection_names_the_scoped_form(check_qt6, tmp_path):
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    messages = [v.message for v in check_qt6.check([tmp_path], root=tmp_path)]
    assert "unscoped enum Qt.AlignLeft: write Qt.AlignmentFlag.AlignLeft" in messages
    assert "unscoped enum QDialog.Accepted: write QDialog.DialogCode.Accepted" in messages


def test_command_line_fails_with_file_and_line(tmp_path):
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_qt6.py"), str(tmp_path / "bad.py")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "bad.py:8: unscoped enum Qt.AlignLeft" in result.stdout
    ok = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_qt6.py"), str(tmp_path / "nothing")])
    assert ok.returncode == 0


def test_repository_is_qt6_ready(check_qt6):
    """The same check as `make qt6-check`: every .py of the repository."""
    found = check_qt6.check()
    assert not found, "Qt 6 problems:\n" + "\n".join(map(str, found))
