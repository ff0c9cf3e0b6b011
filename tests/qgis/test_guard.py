"""The one guard of the gui (plugin/gui/guard.py) and the one error type (plugin/core/errors.py).

Buttons wired to guarded slots are clicked with QTest: a PluginError becomes its (translated) message with
its details behind a button, anything else an "unexpected error" whose traceback reaches the log panel.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QPushButton, QWidget

from plugin.adapters.workspace import WorkspaceError
from plugin.core import editing
from plugin.core.errors import PluginError
from plugin.gui import message_bar
from plugin.gui.guard import guarded

ROOT = Path(__file__).resolve().parents[2]


class Panel(QWidget):
    """A widget whose button runs ``action`` under the guard; ``show_error`` records what the user sees."""

    def __init__(self, action, iface=None, own_status=True):
        super().__init__()
        self.action = action
        self.iface = iface
        self.shown: list[tuple[str, object, str | None]] = []
        self.resets = 0
        if own_status:
            self.show_error = lambda text, level, details=None: self.shown.append((text, level, details))
        self.button = QPushButton("run", self)
        self.button.clicked.connect(self.run)

    @guarded
    def run(self):
        self.action()

    def after_error(self):
        self.resets += 1


def click(panel):
    QTest.mouseClick(panel.button, Qt.MouseButton.LeftButton)


@pytest.fixture
def log():
    received = []

    def record(message, tag, level):
        received.append((message, tag, level))

    QgsApplication.messageLog().messageReceived.connect(record)
    yield received
    QgsApplication.messageLog().messageReceived.disconnect(record)


def raise_(error):
    def action():
        raise error

    return action


def test_a_plugin_error_shows_its_message_and_details_and_logs_no_traceback(qgis_app, log):
    panel = Panel(raise_(WorkspaceError("工作区 a.gpkg 无法打开", details="GDAL: file is not a database")))
    click(panel)
    assert panel.shown == [("工作区 a.gpkg 无法打开", Qgis.MessageLevel.Warning, "GDAL: file is not a database")]
    assert panel.resets == 1
    assert not [m for m in log if "Traceback" in m[0]]


def test_a_core_error_is_translated_from_its_template(qgis_app):
    panel = Panel(raise_(editing.EditError(editing.MSG_LINE_MISSES, grid="一组")))
    click(panel)
    assert panel.shown == [("The line does not cross 一组.", Qgis.MessageLevel.Warning, None)]
    assert isinstance(editing.EditError("x"), (PluginError, ValueError))


def test_any_other_exception_is_unexpected_with_its_traceback_in_the_log(qgis_app, log):
    panel = Panel(raise_(ZeroDivisionError("boom")))
    click(panel)
    [(text, level, details)] = panel.shown
    assert details is None  # the traceback goes to the log, not the message bar
    assert level == Qgis.MessageLevel.Critical
    assert "Unexpected error" in text and "boom" in text
    traces = [m for m in log if "Traceback" in m[0]]
    assert traces and "ZeroDivisionError: boom" in traces[0][0] and traces[0][2] == Qgis.MessageLevel.Critical


def test_without_a_status_of_its_own_the_message_bar_gets_a_details_button(qgis_iface, qgis_app):
    bar = qgis_iface.messageBar()
    bar.clearWidgets()
    panel = Panel(
        raise_(PluginError("导出被拒绝", details="一组: 重叠\n二组: 缝隙")), iface=qgis_iface, own_status=False
    )
    click(panel)
    items = bar.items()
    assert len(items) == 1
    assert items[0].text() == "导出被拒绝"
    assert items[0].level() == Qgis.MessageLevel.Warning
    assert items[0].findChild(QPushButton, message_bar.DETAILS_OBJECT_NAME + "Button") is not None
    bar.clearWidgets()
    qgis_iface.messageBar().clear_messages()
    click(Panel(raise_(PluginError("短消息")), iface=qgis_iface, own_status=False))
    assert qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning) == ["Community Grids:短消息"]


def test_signal_arguments_the_slot_does_not_take_are_dropped(qgis_app):
    calls = []
    panel = Panel(lambda: calls.append(1))
    panel.button.clicked.emit(True)  # clicked(bool) into run(self)
    assert calls == [1] and panel.shown == []


def test_the_gui_has_one_guard():
    """No module of the gui defines another decorator that catches exceptions around a method."""
    for path in sorted((ROOT / "plugin" / "gui").glob("*.py")):
        if path.name == "guard.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                inner = [n for n in ast.walk(node) if isinstance(n, ast.FunctionDef) and n is not node]
                catches = [n for n in ast.walk(node) if isinstance(n, ast.ExceptHandler)]
                assert not (inner and catches), f"{path.name}: {node.name} looks like another exception guard"
