"""Messages in QGIS's message bar: a long message shows its first words and a "Details…" button with the full text.

``push_message(bar, text, level, duration)`` is what the docks and dialogs call instead of ``pushMessage``:
a message longer than :data:`SHORT` characters, or of several lines, would be cut off by the bar; it is
pushed as a :class:`~qgis.gui.QgsMessageBarItem` holding the beginning of the text and a button that opens
the whole text (selectable, to copy) in a message box.
"""

from __future__ import annotations

from qgis.core import Qgis
from qgis.gui import QgsMessageBar
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QMessageBox, QPushButton

from ..i18n import tr

SHORT = 140  # columns the bar shows in full (a Chinese character takes two)
DETAILS_OBJECT_NAME = "CommunityGridsMessageDetails"
_open_boxes: list = []  # the details boxes shown (kept alive while open)


def columns(text: str) -> int:
    """The width of ``text`` in columns: wide (CJK) characters count two."""
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def summary(text: str, limit: int = SHORT) -> str:
    """The beginning of ``text`` for the bar: its first line, cut at ``limit`` columns."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    if columns(first) > limit:
        cut, width = [], 0
        for c in first:
            width += 2 if ord(c) >= 0x2E80 else 1
            if width > limit - 1:
                break
            cut.append(c)
        first = "".join(cut).rstrip() + "…"
    elif first != text.strip():
        first += " …"
    return first


def needs_details(text: str) -> bool:
    return columns(text) > SHORT or "\n" in text.strip()


def show_details(parent, title: str, text: str, level=Qgis.MessageLevel.Info) -> QMessageBox:
    """The full text of a message in a (non-modal) message box."""
    icons = {
        Qgis.MessageLevel.Critical: QMessageBox.Icon.Critical,
        Qgis.MessageLevel.Warning: QMessageBox.Icon.Warning,
    }
    box = QMessageBox(icons.get(level, QMessageBox.Icon.Information), title, text, QMessageBox.StandardButton.Ok)
    box.setParent(parent.window() if parent is not None else None, Qt.WindowType.Dialog)
    box.setObjectName(DETAILS_OBJECT_NAME)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.finished.connect(lambda *_: _open_boxes.remove(box) if box in _open_boxes else None)
    _open_boxes.append(box)
    box.open()
    return box


def push_message(
    bar,
    text: str,
    level=Qgis.MessageLevel.Info,
    duration: int = 8,
    title: str | None = None,
    details: str | None = None,
):
    """Push ``text`` to the message bar ``bar``; a long one, or one with ``details``, with a "Details…" button
    showing the whole text and the details. The item, or None."""
    title = title or tr("Community Grids")
    if not details and not needs_details(text):
        bar.pushMessage(title, text, level, duration)
        return None
    full = text.rstrip() + "\n\n" + details if details else text
    item = QgsMessageBar.createMessage(title, summary(text), bar)
    button = QPushButton(tr("Details…"), item)
    button.setObjectName(DETAILS_OBJECT_NAME + "Button")
    button.setToolTip(tr("Show the whole message"))
    button.clicked.connect(lambda *_: show_details(bar, title, full, level))
    item.layout().addWidget(button)
    item.details_button = button
    item.full_text = full
    bar.pushWidget(item, level, duration)
    return item
