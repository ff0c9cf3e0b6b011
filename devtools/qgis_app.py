"""Start QGIS without a desktop, for scripts, benchmarks and tests (not part of the shipped plugin)."""

from __future__ import annotations

import os
import sys

_app = None


def start_qgis(with_processing: bool = True):
    """Initialise a headless QgsApplication once (offscreen) and, optionally, Processing."""
    global _app
    from qgis.core import QgsApplication

    if QgsApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QgsApplication.setPrefixPath("/usr", True)
        _app = QgsApplication([], False)
        _app.initQgis()
    if with_processing:
        plugins = "/usr/share/qgis/python/plugins"
        if plugins not in sys.path and os.path.isdir(plugins):
            sys.path.append(plugins)
        from processing.core.Processing import Processing

        Processing.initialize()
    return QgsApplication.instance()


_provider = None


def register_provider():
    """Register the plugin's Processing provider outside the desktop (scripts, qgis_process-like runs).

    The registry does not own a provider added from Python: a module-level reference keeps it alive.
    """
    global _provider
    from qgis.core import QgsApplication

    from plugin.processing.provider import PROVIDER_ID, CommunityGridsProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is None:
        _provider = CommunityGridsProvider()
        registry.addProvider(_provider)
    return registry.providerById(PROVIDER_ID)
