"""The headless install of shapely (``community_grids:install_dependencies``) and the stand-in provider.

Both import nothing that needs shapely: they run in a QGIS whose Python has none.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsProcessingProvider,
)
from qgis.PyQt.QtGui import QIcon

from ..bootstrap import loader, wheels
from ..i18n import tr
from .base import ICONS, GridAlgorithm


class InstallDependencies(GridAlgorithm):
    NAME = "install_dependencies"
    DISPLAY = "Install shapely for Community Grids"
    GROUP_ID = "setup"
    GROUP = "Set-up"
    HELP = (
        "Installs shapely ≥ 2.0 into a private folder of this QGIS profile, for the Python this QGIS runs, from a "
        "wheel file (WHEEL), from an intranet plugin repository written by the plugin's `make package` (REPOSITORY: "
        "the URL of its plugins.xml), or with pip from the package index pip is set up for (neither given). numpy "
        "and every other package of QGIS's Python stay as they are. Restart QGIS (or reload the plugin) afterwards."
    )
    WHEEL = "WHEEL"
    REPOSITORY = "REPOSITORY"

    def canExecute(self):  # noqa: N802 (this one runs precisely when shapely is missing)
        return True, ""

    def initAlgorithm(self, config=None):  # noqa: N802
        wheel = QgsProcessingParameterFile(self.WHEEL, tr("shapely wheel file"), extension="whl", optional=True)
        self.addParameter(wheel)
        self.addParameter(QgsProcessingParameterString(self.REPOSITORY, tr("Plugin repository URL"), optional=True))
        self.addOutput(QgsProcessingOutputString("FOLDER", tr("Installed into")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        profile = loader.qgis_profile()
        wheel = self.parameterAsFile(parameters, self.WHEEL, context)
        repository = self.parameterAsString(parameters, self.REPOSITORY, context)
        try:
            if wheel:
                folder = wheels.install_wheel_file(wheel, profile, log=feedback.pushInfo)
            elif repository:
                folder = wheels.install_from_repository(repository, profile, log=feedback.pushInfo)
            else:
                folder = wheels.install_with_pip(profile, log=feedback.pushInfo)
        except wheels.InstallError as error:
            raise QgsProcessingException(str(error)) from error
        return {"FOLDER": str(folder)}


class RefusingAlgorithm(GridAlgorithm):
    """Stands for an algorithm of the plugin while shapely is missing: it refuses with the install message."""

    def __init__(self, name: str = "", message: str = ""):
        super().__init__()
        self.NAME = name
        self.DISPLAY = name
        self.message = message

    def createInstance(self):
        return RefusingAlgorithm(self.NAME, self.message)

    def displayName(self) -> str:
        return self.NAME

    def initAlgorithm(self, config=None):  # noqa: N802
        """Parameters are unknown until shapely is installed; the algorithm only refuses."""

    def canExecute(self):  # noqa: N802
        return False, self.message

    def checkParameterValues(self, parameters, context):  # noqa: N802
        return False, self.message

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        raise QgsProcessingException(self.message)


class StandInProvider(QgsProcessingProvider):
    ID = "community_grids"

    def __init__(self, message: str, names: tuple[str, ...]):
        super().__init__()
        self.message = message
        self.names = names

    def id(self) -> str:
        return self.ID

    def name(self) -> str:
        return tr("Community Grids")

    def icon(self) -> QIcon:
        return QIcon(str(ICONS / "community_grids.svg"))

    def loadAlgorithms(self) -> None:  # noqa: N802
        self.addAlgorithm(InstallDependencies())
        for name in self.names:
            self.addAlgorithm(RefusingAlgorithm(name, self.message))
