"""Common ground of the plugin's Processing algorithms: names, groups, translation, help."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingAlgorithm
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"


class GridAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME, DISPLAY (English, translated at run time), GROUP_ID, GROUP and HELP."""

    NAME = ""
    DISPLAY = ""
    GROUP_ID = "workspace"
    GROUP = "Workspace"
    HELP = ""

    def tr(self, text: str) -> str:
        return tr(text)

    def createInstance(self):
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return tr(self.DISPLAY)

    def group(self) -> str:
        return tr(self.GROUP)

    def groupId(self) -> str:
        return self.GROUP_ID

    def shortHelpString(self) -> str:
        return tr(self.HELP)

    def icon(self) -> QIcon:
        return QIcon(str(ICONS / "community_grids.svg"))

    def canExecute(self):  # noqa: N802
        """Refuse, with the reason and the way to install, while shapely is missing or unusable."""
        from ..bootstrap import loader

        outcome = loader.ensure_shapely(loader.qgis_profile())
        return (outcome.ok, "" if outcome.ok else outcome.problem.message)
