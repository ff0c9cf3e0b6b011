"""Test set-up: the repository root on sys.path (as `plugin`), QGIS's Processing plugin importable."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
QGIS_PLUGINS = "/usr/share/qgis/python/plugins"
if os.path.isdir(QGIS_PLUGINS) and QGIS_PLUGINS not in sys.path:
    sys.path.append(QGIS_PLUGINS)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# GeoPackages stay in DELETE journal mode for the whole session (QGIS's own switch, read by GDAL at each open):
# QGIS 3.22 reads GeoPackages lock-free (NOLOCK) and otherwise rewrites a file to WAL when one of its layers
# enters edit mode, so the canvas's render threads and pooled connections reading at that moment fail at
# random ("unable to open database file", "gpkg_contents is missing"). tests/qgis/test_gpkg_concurrency.py
os.environ["OGR_SQLITE_JOURNAL"] = "DELETE"

# property tests draw the same examples on every run: a CI never fails by chance
import pytest  # noqa: E402
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("deterministic", derandomize=True, print_blob=True, database=None)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


_exit_status = 0


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


def pytest_unconfigure(config):
    """End the process once pytest has reported, with pytest's own exit status.

    Tests hold QGIS layers, canvases and widgets in Python objects; destroyed by the interpreter after
    QgsApplication has shut down, some of them crash (a harness artefact: QGIS itself unloads plugins
    before it tears down layers). Nothing remains to be written at this point.
    """
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)


@pytest.fixture
def provider(qgis_processing):
    """The plugin's Processing provider, registered for the test (or the one already registered)."""
    from qgis.core import QgsApplication

    from plugin.processing.provider import CommunityGridsProvider

    registry = QgsApplication.processingRegistry()
    ours = CommunityGridsProvider()
    if registry.providerById(ours.id()) is None:
        registry.addProvider(ours)
        yield ours
        registry.removeProvider(ours)
    else:
        yield registry.providerById(ours.id())
