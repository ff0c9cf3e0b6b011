"""What the dock and the map tools share: the open workspace, its editor, the active parent, messages."""

from __future__ import annotations

import contextlib
import functools
import inspect
import traceback

from qgis.core import Qgis, QgsMessageLog, QgsSettings
from qgis.PyQt.QtCore import QObject, pyqtSignal

from ..adapters.editing import COUNTY, GRID, GridEditor, GridRef, level_name
from ..core import schema
from ..i18n import tr

SETTING_OPEN_FORM = "CommunityGrids/open_attribute_form"
LOG_TAG = "Community Grids"


def forms_enabled() -> bool:
    """Whether the tools open the attribute form / dialog after a sketch (tests and scripts turn it off)."""
    return QgsSettings().value(SETTING_OPEN_FORM, True, type=bool)


def set_forms_enabled(enabled: bool) -> None:
    QgsSettings().setValue(SETTING_OPEN_FORM, bool(enabled))


class EditSession(QObject):
    """One open workspace as the tools see it."""

    active_parent_changed = pyqtSignal(object)
    edited = pyqtSignal()

    def __init__(self, iface, workspace, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.workspace = workspace
        self.editor = GridEditor(workspace)
        self.active_parent: GridRef | None = None
        self.messages: list[tuple[object, str]] = []

    # ------------------------------------------------------------ the active parent

    @property
    def active_level(self) -> int:
        """The level the tools draw and split: one below the active parent (level 1 in the county)."""
        return GridEditor.child_level(self.active_parent)

    @property
    def active_layer(self):
        return self.editor.layer(self.active_level)

    @property
    def parent_label(self) -> str:
        if self.active_parent is None:
            return f"{self.workspace.info.county_name} {self.workspace.info.county_code}".strip()
        return self.active_parent.label

    def set_active_parent(self, ref: GridRef | None) -> None:
        if ref is not None and ref.kind == GRID and ref.level in (3, schema.LEVEL_DEDICATED):
            self.report(
                tr("{grid} is a {level} grid: it has no smaller grids inside. Work inside its parent instead.").format(
                    grid=ref.label, level=level_name(ref.level)
                ),
                Qgis.MessageLevel.Warning,
            )
            return
        if ref is not None and ref.kind == COUNTY:
            ref = None
        self.active_parent = ref
        self.active_parent_changed.emit(ref)

    def snapping_layers(self, level: int | None = None) -> list:
        """The layers a tool snaps to: the level it edits and the parent's level (and the county)."""
        level = self.active_level if level is None else level
        layers = [self.editor.layer(level)]
        if level in (2, 3):
            layers.append(self.editor.layer(level - 1))
        elif level == schema.LEVEL_DEDICATED:
            layers.append(self.editor.layer(1))
        else:
            layers.append(self.workspace.layer(schema.COUNTY_BOUNDARY.name))
        return layers

    # ------------------------------------------------------------ messages and forms

    def report(self, text: str, level=Qgis.MessageLevel.Warning, duration: int = 8) -> None:
        self.messages.append((level, text))
        from .message_bar import push_message

        push_message(self.iface.messageBar(), text, level, duration)

    def report_exception(self, error: BaseException) -> None:
        QgsMessageLog.logMessage(
            "".join(traceback.format_exception(type(error), error, error.__traceback__)),
            LOG_TAG,
            Qgis.MessageLevel.Critical,
        )
        self.report(
            tr("Unexpected error, nothing was changed: {error} (details in the log panel).").format(error=error),
            Qgis.MessageLevel.Critical,
        )

    def open_form(self, layer, fid: int) -> None:
        """The attribute form of a new grid, unless forms are switched off (tests, scripts)."""
        if not forms_enabled():
            return
        feature = layer.getFeature(fid)
        if feature.isValid():
            self.iface.openFeatureForm(layer, feature, False, True)

    def changed(self) -> None:
        self.edited.emit()
        canvas = self.iface.mapCanvas()
        if canvas is not None:
            canvas.refresh()


def report_unexpected(iface, error: BaseException) -> None:
    """Log an exception with its traceback and tell the user, without a session at hand."""
    QgsMessageLog.logMessage(
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        LOG_TAG,
        Qgis.MessageLevel.Critical,
    )
    with contextlib.suppress(Exception):
        iface.messageBar().pushMessage(
            tr("Community Grids"),
            tr("Unexpected error, nothing was changed: {error} (details in the log panel).").format(error=error),
            Qgis.MessageLevel.Critical,
            10,
        )


def slot_guard(method):
    """For Qt slots and callbacks: an exception escaping into Qt's C++ would abort QGIS, so report it instead."""

    parameters = list(inspect.signature(method).parameters.values())[1:]
    takes_any = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    positional = sum(
        p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in parameters
    )

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not takes_any:
            args = args[:positional]  # like PyQt: drop signal arguments the slot does not take (e.g. checked)
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001
            session = getattr(self, "session", None)
            if session is not None:
                session.report_exception(error)
            else:
                report_unexpected(self.iface, error)
            return None

    return wrapper
