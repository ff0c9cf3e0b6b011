"""What the plugin needs beyond QGIS, checked before anything else of the plugin is imported.

The core runs on shapely ≥ 2.2 with GEOS ≥ 3.14 (coverage validation and cleaning in the audit and the
fix helpers). When they are missing, QGIS loads a stand-in that says what to install instead of a traceback.
"""

from __future__ import annotations

MIN_SHAPELY = (2, 2)
MIN_GEOS = (3, 14)
INSTALL_HINT = "python3 -m pip install --user 'shapely==2.2.0' 'numpy<2'"


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def missing_dependencies() -> str | None:
    """None when the plugin can run; otherwise a translated explanation with the fix."""
    from .i18n import tr

    try:
        import numpy  # noqa: F401
        import shapely
    except ImportError as error:
        return tr("Community Grids needs the Python package shapely ≥ 2.2 ({error}). Install it: {hint}").format(
            error=error, hint=INSTALL_HINT
        )
    if _version(shapely.__version__) < MIN_SHAPELY or tuple(shapely.geos_version[:2]) < MIN_GEOS:
        return tr(
            "Community Grids needs shapely ≥ 2.2 with GEOS ≥ 3.14; this Python has shapely {shapely} with GEOS "
            "{geos}. Install it: {hint}"
        ).format(shapely=shapely.__version__, geos=shapely.geos_version_string, hint=INSTALL_HINT)
    return None


class MissingDependenciesPlugin:
    """Loaded instead of the plugin when its dependencies are missing: one clear message, nothing else."""

    def __init__(self, iface, problem: str):
        self.iface = iface
        self.problem = problem

    def initGui(self) -> None:  # noqa: N802
        from qgis.core import Qgis

        from .i18n import tr

        self.iface.messageBar().pushMessage(tr("Community Grids"), self.problem, Qgis.MessageLevel.Critical, 0)

    def unload(self) -> None:
        """Nothing was added, so nothing to remove."""
