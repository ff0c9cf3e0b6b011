"""The dialog that installs shapely into the plugin's private folder (``ui/install_dependencies.ui``).

Opened by the stand-in plugin while shapely is missing; imports nothing that needs shapely.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qgis.core import QgsSettings
from qgis.PyQt import uic
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QApplication, QDialog, QFileDialog

from ..bootstrap import loader, wheels
from ..i18n import tr

UI_FILE = Path(__file__).resolve().parents[2] / "ui" / "install_dependencies.ui"
FORM, _ = uic.loadUiType(str(UI_FILE))


def configured_repositories() -> list[str]:
    """The URLs of the plugin repositories set up in QGIS (Plugins ▸ Manage and Install ▸ Settings)."""
    settings = QgsSettings()
    settings.beginGroup("app/plugin_repositories")
    urls = []
    try:
        for name in settings.childGroups():
            url = settings.value(f"{name}/url", "", type=str)
            if url and "plugins.qgis.org" not in url:
                urls.append(url)
    finally:
        settings.endGroup()
    return urls


class InstallDialog(QDialog, FORM):
    installed = pyqtSignal(str)

    def __init__(self, problem: loader.Problem | None, profile: str | None, parent=None):
        super().__init__(parent)
        self.setupUi(self)
        self.profile = profile
        self.problemLabel.setText(problem.message if problem else "")
        self.targetLabel.setText(
            tr(
                "Installs into {folder}, for {python}. numpy and the other packages of QGIS's Python are not changed."
            ).format(folder=loader.private_dir(profile) if profile else "?", python=wheels.describe_interpreter())
        )
        repositories = configured_repositories()
        self.repositoryCombo.addItems(repositories)
        if repositories:
            self.repositoryRadio.setChecked(True)
        self.browseButton.clicked.connect(self.browse)
        self.installButton.clicked.connect(self.install)
        self.closeButton.clicked.connect(self.reject)
        self.fileEdit.textChanged.connect(lambda text: self.fileRadio.setChecked(bool(text)) if text else None)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose a shapely wheel"), "", tr("Wheel files (*.whl)"))
        if path:
            self.fileEdit.setText(path)
            self.fileRadio.setChecked(True)

    def log(self, text: str) -> None:
        self.logView.appendPlainText(text)
        QApplication.processEvents()

    def install(self) -> bool:
        """Install from the chosen source; the outcome is written in the dialog's log. True on success."""
        held = "shapely" in sys.modules  # a process holds one shapely: a new one serves after a restart
        self.installButton.setEnabled(False)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if self.fileRadio.isChecked():
                folder = wheels.install_wheel_file(self.fileEdit.text().strip(), self.profile, log=self.log)
            elif self.repositoryRadio.isChecked():
                folder = wheels.install_from_repository(
                    self.repositoryCombo.currentText().strip(), self.profile, log=self.log
                )
            else:
                self.log(tr("Downloading shapely with pip…"))
                folder = wheels.install_with_pip(self.profile, log=self.log)
        except wheels.InstallError as error:
            self.log(str(error))
            return False
        finally:
            QApplication.restoreOverrideCursor()
            self.installButton.setEnabled(True)
        outcome = None if held else loader.ensure_shapely(self.profile, again=True)
        if outcome is not None and outcome.ok:
            self.log(
                tr("shapely {version} works in this QGIS. Community Grids is loading.").format(
                    version=outcome.module.__version__
                )
            )
        else:
            self.log(tr("Installed; restart QGIS to use it."))
        self.installed.emit(str(folder))
        return True
