"""What QGIS loads first: the real plugin when shapely ≥ 2.0 is usable, otherwise a stand-in that installs it.

The stand-in never breaks QGIS: it shows one message (with the full text behind "details"), offers the
install dialog from the message bar and the plugin menu, and registers a Processing provider with the
``install_dependencies`` algorithm (the headless install) and every other algorithm id of the plugin, each
refusing with the message, so that ``qgis_process run community_grids:audit_workspace`` says what to do
instead of "algorithm not found". After a successful install the real plugin is loaded in place.
"""

from __future__ import annotations

from .bootstrap import loader
from .i18n import install_translator, tr

#: The ids of the real provider's algorithms (a test checks they match ``provider.algorithm_classes``).
ALGORITHM_NAMES = (
    "create_workspace",
    "build_sample_workspace",
    "attach_households",
    "propose_division",
    "import_staff",
    "import_grid_boundaries",
    "public_notice_map",
    "work_permits",
    "allocate_codes",
    "rebuild_code_registry",
    "export_filing_package",
    "merge_county_packages",
    "compare_packages",
    "propose_change_set",
    "review_change_set",
    "approve_change_set",
    "reject_change_set",
    "city_db_load_package",
    "city_db_check",
    "audit_workspace",
    "copy_workspace_to_postgis",
    "copy_postgis_to_workspace",
    "pg_install_change_sets",
    "pg_propose_change_set",
    "pg_approve_change_set",
    "pg_reject_change_set",
    "pg_list_change_sets",
)


def load_plugin(iface):
    """``classFactory``: translation first (so Processing and qgis_process speak it too), then shapely."""
    install_translator()
    outcome = loader.ensure_shapely(loader.qgis_profile())
    if not outcome.ok:
        return MissingDependenciesPlugin(iface, outcome.problem)
    from .gui.plugin import CommunityGridsPlugin

    return CommunityGridsPlugin(iface)


def missing_dependencies() -> str | None:
    """None when the plugin can run; otherwise the translated explanation with the way to install."""
    outcome = loader.ensure_shapely(loader.qgis_profile())
    return None if outcome.ok else outcome.problem.message


def plugin_package_name() -> str:
    """The plugin's folder name as QGIS knows it (``community_grids`` when installed from the ZIP)."""
    return __name__.split(".")[0]


class MissingDependenciesPlugin:
    """Loaded instead of the plugin while shapely is missing or unusable: a message, the installer, no traceback."""

    def __init__(self, iface, problem: loader.Problem):
        self.iface = iface
        self.problem = problem
        self.provider = None
        self.action = None
        self.menu = tr("&Community Grids")

    def initProcessing(self) -> None:  # noqa: N802
        from qgis.core import QgsApplication

        from .processing.install_algorithm import StandInProvider

        if QgsApplication.processingRegistry().providerById(StandInProvider.ID) is None:
            self.provider = StandInProvider(self.problem.message, ALGORITHM_NAMES)
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802
        from qgis.core import Qgis
        from qgis.PyQt.QtWidgets import QAction, QPushButton

        self.initProcessing()
        self.action = QAction(tr("Install shapely…"), self.iface.mainWindow())
        self.action.triggered.connect(self.open_installer)
        self.iface.addPluginToMenu(self.menu, self.action)
        bar = self.iface.messageBar()
        item = bar.createMessage(tr("Community Grids"), self.problem.message)
        if self.problem.kind != "too_old_loaded":
            button = QPushButton(tr("Install shapely…"))
            button.clicked.connect(self.open_installer)
            item.layout().addWidget(button)
        bar.pushWidget(item, Qgis.MessageLevel.Critical, 0)

    def open_installer(self) -> None:
        from .gui.install_dialog import InstallDialog

        dialog = InstallDialog(self.problem, loader.qgis_profile(), self.iface.mainWindow())
        dialog.installed.connect(self._load_real_plugin)
        dialog.exec()

    def _load_real_plugin(self) -> None:
        """Once shapely works, replace this stand-in by the real plugin without restarting QGIS."""
        from qgis.PyQt.QtCore import QTimer

        if loader.ensure_shapely(loader.qgis_profile(), again=True).ok:
            import qgis.utils

            QTimer.singleShot(0, lambda: qgis.utils.reloadPlugin(plugin_package_name()))

    def unload(self) -> None:
        from qgis.core import QgsApplication

        if self.action is not None:
            self.iface.removePluginMenu(self.menu, self.action)
            self.action.deleteLater()
            self.action = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
