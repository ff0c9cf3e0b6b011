"""Checks of the process the plugin runs in.

The plugin's core runs on shapely 2.2, whose wheel bundles GEOS 3.14. A QGIS executable (the desktop,
qgis_process) links the system GEOS itself, and its GEOS C API symbols come first in the process's
global scope: shapely's calls then reach a mix of two GEOS versions, which fails or crashes. The cure
is to start QGIS with shapely's GEOS preloaded (``scripts/qgis_process.sh`` and ``make qgis`` do so;
QGIS runs happily on the newer GEOS, whose C API is backward compatible). In a Python host (tests,
scripts) QGIS's libraries load privately and nothing clashes.
"""

from __future__ import annotations

import ctypes
import glob
import os

import shapely

from ..i18n import tr


def global_geos_version() -> str | None:
    """The GEOS version the process's global symbol scope answers with, or None if GEOS is not there."""
    try:
        function = ctypes.CDLL(None).GEOSversion
    except (AttributeError, OSError):
        return None
    function.restype = ctypes.c_char_p
    value = function()
    return value.decode() if value else None


def shapely_geos_libraries() -> list[str]:
    """The GEOS libraries bundled with shapely's wheel (to preload), C++ library first."""
    folder = os.path.join(os.path.dirname(os.path.dirname(shapely.__file__)), "shapely.libs")
    cpp = sorted(glob.glob(os.path.join(folder, "libgeos-*.so*")))
    c_api = sorted(glob.glob(os.path.join(folder, "libgeos_c-*.so*")))
    return cpp + c_api


def geos_problem() -> str | None:
    """A translated explanation when shapely would run on a GEOS other than its own, else None."""
    found = global_geos_version()
    expected = shapely.geos_version_string
    if found is None or found.split("-")[0] == expected.split("-")[0]:
        return None
    preload = " ".join(shapely_geos_libraries()) or "…/shapely.libs/libgeos*.so*"
    return tr(
        "Community Grids needs shapely's own GEOS {expected}, but this QGIS process already uses GEOS {found}; "
        'mixing them fails. Start QGIS with shapely\'s GEOS preloaded, e.g. LD_PRELOAD="{preload}" qgis '
        "(make qgis and scripts/qgis_process.sh do this)."
    ).format(expected=expected, found=found, preload=preload)
