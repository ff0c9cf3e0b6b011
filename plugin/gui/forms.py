"""Qt Designer forms of the plugin (the top-level ``ui/`` folder), loaded at run time.

``load_form("audit_dock")`` is the form class of ``ui/audit_dock.ui``: ``form = FORM(); form.setupUi(widget)``
builds its widgets (with their object names) into ``widget``. Its strings are translated in the context of
the form's class name, collected from the .ui files into i18n/*.ts by scripts/i18n.py.
"""

from __future__ import annotations

import functools
from pathlib import Path

from qgis.PyQt import uic

UI_DIR = Path(__file__).resolve().parents[2] / "ui"


@functools.cache
def load_form(name: str):
    """The generated form class of ``ui/<name>.ui``."""
    form, _base = uic.loadUiType(str(UI_DIR / f"{name}.ui"))
    return form
