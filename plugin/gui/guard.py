"""The one exception guard of the gui: every Qt slot, timer and callback of the plugin runs under it.

An exception escaping into Qt's C++ would abort QGIS. ``@guarded`` catches it instead:

* a :class:`~plugin.core.errors.PluginError` (a refusal the planner can act on) is shown as a warning, its
  message translated (core templates) and its details behind a "Details" button;
* anything else is a bug: its traceback goes to the log panel and the message bar says "Unexpected error".

Where the message goes: ``owner.show_error(text, level, details)`` when the guarded object has one (panels
with their own status line), else its ``session.report`` (dock, map tools), else the QGIS message bar of
``owner.iface``. ``owner.after_error()``, when it exists, runs afterwards (map tools forget their sketch).
"""

from __future__ import annotations

import functools
import inspect
import traceback

from qgis.core import Qgis, QgsMessageLog

from ..core.errors import PluginError
from ..i18n import tr

LOG_TAG = "Community Grids"
DURATION = 10  # s in the message bar


def error_text(error: BaseException) -> tuple[str, object, str | None]:
    """(message, level, details) for the user: a PluginError's own message and details, or an "unexpected
    error" (its traceback goes to the log panel, see :func:`report_error`)."""
    if isinstance(error, PluginError):
        return error.message(tr), Qgis.MessageLevel.Warning, error.details
    text = tr("Unexpected error, nothing was changed: {error} (details in the log panel).").format(error=error)
    return text, Qgis.MessageLevel.Critical, None


def push_message(iface, text: str, level=Qgis.MessageLevel.Info, details: str | None = None, duration=DURATION):
    """A message in QGIS's message bar; a long one, or one with ``details``, gets a "Details…" button
    (gui/message_bar.py). Without a message bar (scripts) the message goes to the log panel."""
    from .message_bar import push_message as push_to_bar

    try:
        bar = iface.messageBar()
    except Exception:  # noqa: BLE001 - no message bar (scripts, a dock used without the desktop)
        QgsMessageLog.logMessage(text + ("\n" + details if details else ""), LOG_TAG, level)
        return
    push_to_bar(bar, text, level, duration, details=details)


def report_error(owner, error: BaseException) -> None:
    """Tell the user about ``error`` raised in a slot of ``owner`` (see the module docstring)."""
    text, level, details = error_text(error)
    if not isinstance(error, PluginError):
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        QgsMessageLog.logMessage(trace, LOG_TAG, Qgis.MessageLevel.Critical)
    try:
        show = getattr(owner, "show_error", None)
        session = getattr(owner, "session", None)
        if show is not None:
            show(text, level, details)
        elif session is not None and hasattr(session, "report"):
            session.report(text, level, details=details)
        else:
            push_message(getattr(owner, "iface", None), text, level, details)
        after = getattr(owner, "after_error", None)
        if after is not None:
            after()
    except Exception:  # noqa: BLE001 - reporting must not raise into Qt either
        QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.MessageLevel.Critical)


def guarded(method):
    """Decorator for methods that Qt calls (slots, timers, task callbacks, map tool events).

    Like PyQt, the wrapper drops signal arguments the method does not take (``clicked(bool)`` on ``def f(self)``).
    """
    parameters = list(inspect.signature(method).parameters.values())[1:]
    takes_any = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    positional = sum(
        p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in parameters
    )

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not takes_any:
            args = args[:positional]
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the last line of defence of a Qt slot
            report_error(self, error)
            return None

    return wrapper
