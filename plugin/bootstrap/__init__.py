"""What the plugin needs before its own code can run: a usable shapely ≥ 2.0, found or installed privately.

Nothing in this package imports shapely at module level, and nothing here imports the rest of the plugin:
QGIS loads it first (``classFactory``), and it decides whether the real plugin or a stand-in is loaded.

* :mod:`.loader` finds shapely (already loaded, the plugin's private folder in the QGIS profile, or QGIS's
  own Python) and imports it; on Linux with deep binding, so that a wheel's GEOS never mixes with the GEOS
  the QGIS executable links.
* :mod:`.wheels` installs a shapely wheel into the private folder: from a file, from an intranet plugin
  repository written by ``make package``, or through pip from the package index pip is set up for. It never
  installs or upgrades numpy or anything else QGIS's Python has.
"""

from __future__ import annotations


def tr(text: str) -> str:
    """The plugin's translation when Qt is there (QGIS, qgis_process), the English text otherwise."""
    try:
        from ..i18n import tr as qt_tr
    except ImportError:  # a plain Python without QGIS's PyQt
        return text
    return qt_tr(text)
