"""The plugin's one error type: a refusal or failure the planner can act on, reported as a message.

Every layer raises it (or a subclass): core cannot import Qt, so a core error carries an English ``template``
marked with QT_TR_NOOP and its ``params``, which the gui translates when it shows the message; adapters,
processing and gui give the message already translated. ``details`` is an optional longer text (GDAL's own
message, the list of findings) that the message bar shows behind a "Details" button.

Anything that is not a PluginError reaching the gui is a bug: the guard (plugin/gui/guard.py) reports it as an
unexpected error and logs its traceback.
"""

from __future__ import annotations


class PluginError(Exception):
    """``PluginError(message, details=None)`` or, from core, ``PluginError.from_template(template, **params)``."""

    template: str | None = None
    params: dict = {}  # noqa: RUF012 - replaced per instance, never mutated

    def __init__(self, *args, details: str | None = None):
        super().__init__(*args)
        self.details = details

    def message(self, translate=None) -> str:
        """The text for the user: the template translated by ``translate`` (tr) and filled in, or ``str()``."""
        if self.template is not None:
            text = translate(self.template) if translate is not None else self.template
            return text.format(**self.params) if self.params else text
        return str(self)


class TemplateError(PluginError):
    """A core error: ``template`` is English (QT_TR_NOOP-marked); ``params`` fill it."""

    def __init__(self, template: str, *, details: str | None = None, **params):
        super().__init__(template.format(**params) if params else template, details=details)
        self.template = template
        self.params = params
