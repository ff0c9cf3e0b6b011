"""The plugin object QGIS loads: toolbar, menu, Processing provider; and everything removed on unload."""

from __future__ import annotations

import contextlib
from pathlib import Path

from qgis.core import Qgis, QgsApplication, QgsProject, QgsRectangle
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QFileDialog

from ..adapters.workspace import Workspace, WorkspaceError, open_workspace, project_workspace_layers
from ..core import schema
from ..i18n import install_translator, remove_translators, tr
from ..processing.provider import PROVIDER_ID, CommunityGridsProvider
from .guard import report_error
from .session import slot_guard

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
MENU = "&Community Grids"
TOOLBAR_OBJECT_NAME = "CommunityGridsToolbar"


def icon(name: str) -> QIcon:
    return QIcon(str(ICONS / f"{name}.svg"))


class CommunityGridsPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider: CommunityGridsProvider | None = None
        self.toolbar = None
        self.actions: list[QAction] = []
        self.docks: list = []
        self.dock = None
        self.workspace: Workspace | None = None
        self.tracker = None  # records every saved grid change in the change log
        self.pg_dialog = None  # the last "open shared workspace" dialog
        self.audit_dock = None

    # ------------------------------------------------------------ QGIS entry points

    def initProcessing(self) -> None:
        if QgsApplication.processingRegistry().providerById(PROVIDER_ID) is None:
            self.provider = CommunityGridsProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        install_translator()
        self.initProcessing()
        self.toolbar = self.iface.addToolBar(tr("Community Grids"))
        self.toolbar.setObjectName(TOOLBAR_OBJECT_NAME)
        self.add_action("workspace_new", tr("New grid workspace…"), self.new_workspace)
        self.add_action("workspace_open", tr("Open grid workspace…"), self.choose_workspace)
        self.add_action("workspace_open", tr("Open shared workspace (PostGIS)…"), self.choose_pg_workspace)
        self.add_action("community_grids", tr("Build Hanbin sample workspace…"), self.build_sample, toolbar=False)
        self.add_action("draw_grid", tr("Grid workspace panel"), self.show_dock)
        self.add_action("import_boundaries", tr("Import grid boundaries…"), self.import_boundaries, toolbar=False)
        self.add_action("compliance", tr("Size and staffing compliance map"), self.show_compliance)
        self.add_action("allocate_codes", tr("Allocate grid codes…"), self.allocate_codes)
        self.add_action("community_grids", tr("Attach households…"), self.attach_households, toolbar=False)
        self.add_action("audit", tr("Audit grid workspace"), self.show_audit_dock)
        for signal, slot in self._project_slots():
            signal.connect(slot)

    def _project_slots(self):
        project = QgsProject.instance()
        return (
            (project.readProject, self.project_read),
            (project.removeAll, self.project_cleared),  # before the layers are deleted
            (project.layersWillBeRemoved, self.layers_will_be_removed),
            (project.cleared, self.project_cleared),
        )

    def _stop_tracking(self) -> None:
        if self.tracker is not None:
            self.tracker.disconnect()
            self.tracker.deleteLater()
            self.tracker = None

    def unload(self) -> None:
        for signal, slot in self._project_slots():
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)
        self._stop_tracking()
        if self.pg_dialog is not None:
            with contextlib.suppress(RuntimeError):
                self.pg_dialog.close()
                self.pg_dialog.deleteLater()
            self.pg_dialog = None
        from ..adapters.basemaps import remove_key_injector

        remove_key_injector()
        for action in self.actions:
            self.iface.removePluginMenu(tr(MENU), action)
            self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions.clear()
        for dock in self.docks:
            if hasattr(dock, "cleanup"):
                dock.cleanup()
            self.iface.removeDockWidget(dock)
            dock.deleteLater()
        self.docks.clear()
        self.dock = None
        self.audit_dock = None
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translators()

    # ------------------------------------------------------------ helpers

    def add_action(self, icon_name: str, text: str, callback, toolbar: bool = True) -> QAction:
        action = QAction(icon(icon_name), text, self.iface.mainWindow())
        action.setObjectName(f"community_grids_{callback.__name__}")
        action.triggered.connect(callback)
        self.iface.addPluginToMenu(tr(MENU), action)
        if toolbar:
            self.toolbar.addAction(action)
        self.actions.append(action)
        return action

    def message(self, text: str, level=Qgis.MessageLevel.Info) -> None:
        from .message_bar import push_message

        push_message(self.iface.messageBar(), text, level, 8)

    # ------------------------------------------------------------ actions

    def new_workspace(self) -> None:
        self._run_then_open(f"{PROVIDER_ID}:create_workspace")

    def build_sample(self) -> None:
        self._run_then_open(f"{PROVIDER_ID}:build_sample_workspace")

    def _run_then_open(self, algorithm_id: str) -> None:
        import processing

        results = processing.execAlgorithmDialog(algorithm_id, {})
        if results and results.get("OUTPUT"):
            self.load_workspace(results["OUTPUT"])

    def choose_workspace(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.iface.mainWindow(), tr("Open grid workspace"), "", tr("GeoPackage (*.gpkg)")
        )
        if path:
            self.load_workspace(path)

    def load_workspace(self, path: str) -> Workspace | None:
        """Open the workspace file ``path``: its layers (those already in the project are reused, never
        added twice), the change tracker, the docks; the canvas shows level 1."""
        try:
            workspace = open_workspace(path, QgsProject.instance())
        except WorkspaceError as error:
            self.message(str(error), Qgis.MessageLevel.Critical)
            return None
        self._attach(workspace)
        level1 = workspace.grid_layer(1)
        canvas = self.iface.mapCanvas()
        if level1.featureCount() and canvas is not None:
            canvas.setDestinationCrs(workspace.crs)
            canvas.setExtent(level1.extent())
            canvas.refresh()
        self.message(tr("Opened grid workspace {name} ({path}).").format(name=workspace.info.county_name, path=path))
        return workspace

    @slot_guard
    def choose_pg_workspace(self, *_args):
        """The dialog choosing a saved PostgreSQL connection and a workspace schema (opened, not run: its
        "Open" opens the workspace, a refusal stays in the dialog)."""
        from .change_requests import PgOpenDialog

        dialog = PgOpenDialog(self._open_pg, self.iface.mainWindow())
        self.pg_dialog = dialog
        dialog.open()
        return dialog

    def _open_pg(self, params, name: str) -> str | None:
        workspace, problem = self.load_pg_workspace(params, name)
        return problem if workspace is None else None

    def load_pg_workspace(self, params, name: str, announce: bool = True):
        """Open the shared workspace of schema ``name`` the way a GeoPackage is opened (layers added once, the
        docks attached; the database's triggers keep its change log) and tell the planner which role they
        are. Returns (workspace, None), or (None, the message) with nothing changed."""
        from contextlib import closing

        from ..adapters import pg_desktop, pg_store

        try:
            workspace = pg_desktop.open_in_project(params, name, QgsProject.instance())
            with closing(pg_store.connect(params)) as conn:
                workspace.role = pg_desktop.workspace_role(conn, name)
        except WorkspaceError as error:
            if announce:
                self.message(str(error), Qgis.MessageLevel.Critical)
            return None, str(error)
        self._attach(workspace)
        self.zoom_to_county_if_lost(workspace)
        if announce:
            self.message(
                tr("Opened shared workspace {name} ({path}). {role}").format(
                    name=workspace.info.county_name, path=workspace.path, role=workspace.role.describe()
                )
            )
        return workspace, None

    def _attach(self, workspace: Workspace) -> None:
        """Make ``workspace`` the open one: its layers in the project, a change tracker, the docks.

        A shared PostGIS workspace has no tracker here: the database's triggers write its change log (a
        tracker would log every saved change twice)."""
        self._stop_tracking()
        from ..adapters.change_tracker import ChangeTracker

        if getattr(workspace, "store", "") != "postgis":
            self.tracker = ChangeTracker(workspace, self.iface.mainWindow())
            self.tracker.saveFailed.connect(lambda text: self.message(text, Qgis.MessageLevel.Critical))
            self.tracker.connect()
        else:
            from ..adapters.pg_versions import guard_workspace

            for guard in guard_workspace(workspace):  # a save over a grid changed since read: the planner told
                with contextlib.suppress(TypeError):  # nothing connected yet
                    guard.refused.disconnect()
                guard.refused.connect(lambda text: self.message(text, Qgis.MessageLevel.Critical))
        workspace.add_to_project(QgsProject.instance())
        self.workspace = workspace
        self.open_dock(workspace)
        if self.audit_dock is not None:
            self.audit_dock.set_workspace(workspace)

    # ------------------------------------------------------------ the project life cycle

    def project_read(self, *_args) -> None:
        """QgsProject.readProject: take a Tianditu key out of the project's basemap layers (older projects),
        then re-attach the workspace the project's layers come from (if any)."""
        try:
            self.move_basemap_keys()
            self.attach_project_workspace()
        except Exception as error:  # noqa: BLE001 - a slot: never let an exception reach QGIS's C++
            report_error(self, error)

    def move_basemap_keys(self) -> list[str]:
        """The Tianditu key of an older project's basemap layers moved into the QGIS settings (see
        ``basemaps.move_project_keys``); the planner is told, the project is left to save."""
        from ..adapters.basemaps import move_project_keys

        changed = move_project_keys(QgsProject.instance())
        if changed:
            self.message(
                tr(
                    "The Tianditu key was taken out of the basemap layers {layers} of this project and kept in your "
                    "QGIS settings; save the project so that it no longer holds the key."
                ).format(layers=", ".join(changed)),
                Qgis.MessageLevel.Info,
            )
        return changed

    def attach_project_workspace(self) -> Workspace | None:
        """The workspace whose layers the project holds (the first in the Layers panel), attached around those
        very layers: tracker and docks follow it, and the canvas shows the county if the project kept no
        view of it. None, and nothing attached, when the project has no workspace layers."""
        project = QgsProject.instance()
        found = project_workspace_layers(project)
        if not found:
            return self.attach_project_pg_workspace()
        path = next(iter(found))
        try:
            workspace = open_workspace(path, project)
        except WorkspaceError as error:
            self.message(
                tr("The project's grid workspace could not be reopened: {error}").format(error=error),
                Qgis.MessageLevel.Warning,
            )
            return None
        self._attach(workspace)
        self.zoom_to_county_if_lost(workspace)
        self.message(
            tr("Reattached grid workspace {name} ({path}) of this project.").format(
                name=workspace.info.county_name, path=path
            )
        )
        return workspace

    def attach_project_pg_workspace(self):
        """The shared PostGIS workspace whose layers the project holds, attached around those very layers
        (None, and nothing attached, when there is none or it cannot be reached: the planner is told why)."""
        from ..adapters import pg_desktop

        found = pg_desktop.project_pg_workspaces(QgsProject.instance())
        if not found:
            return None
        params, name = found[0]
        workspace, problem = self.load_pg_workspace(params, name, announce=False)
        if workspace is None:
            self.message(
                tr("The project's grid workspace could not be reopened: {error}").format(error=problem),
                Qgis.MessageLevel.Warning,
            )
            return None
        self.message(
            tr("Reattached grid workspace {name} ({path}) of this project.").format(
                name=workspace.info.county_name, path=workspace.path
            )
            + " "
            + workspace.role.describe()
        )
        return workspace

    def zoom_to_county_if_lost(self, workspace: Workspace) -> bool:
        """Zoom the canvas to the county when its extent is empty, at scale 1:1 or shows nothing of the
        county (a project saved without a view); a view the project kept is left alone. True if zoomed."""
        from qgis.core import QgsCoordinateTransform

        canvas = self.iface.mapCanvas()
        if canvas is None:
            return False
        county = QgsRectangle()
        for name in (schema.COUNTY_BOUNDARY.name, schema.GRID_LEVEL1.name):
            layer = workspace.layers[name]
            if layer.featureCount():
                county = layer.extent()
                source_crs = layer.crs()
                break
        if county.isEmpty():
            return False
        target_crs = canvas.mapSettings().destinationCrs()
        if not target_crs.isValid():
            canvas.setDestinationCrs(source_crs)
            target_crs = source_crs
        try:
            county = QgsCoordinateTransform(source_crs, target_crs, QgsProject.instance()).transformBoundingBox(county)
        except Exception:  # noqa: BLE001 - QgsCsException: show the county in its own CRS instead
            canvas.setDestinationCrs(source_crs)
        extent = canvas.extent()
        if not (extent.isEmpty() or canvas.scale() < 2 or not extent.intersects(county)):
            return False
        canvas.setExtent(county)
        canvas.refresh()
        return True

    def layers_will_be_removed(self, layer_ids) -> None:
        """QgsProject.layersWillBeRemoved: the canvases forget their snapping indexes (a later layer at the same
        address would inherit one); a layer of the open workspace leaving the project detaches it."""
        from ..adapters.snapping import forget_point_locators

        with contextlib.suppress(RuntimeError):
            forget_point_locators([self.iface.mapCanvas(), *self.iface.mapCanvases()])
        if self.workspace is None:
            return
        ids = set(layer_ids)
        with contextlib.suppress(RuntimeError):
            if any(layer.id() in ids for layer in self.workspace.layers.values()):
                self.project_cleared()

    def project_cleared(self) -> None:
        """QgsProject.removeAll / cleared (project closed, or another one read): before the workspace's layers
        are deleted, the tracker stops and the docks forget the workspace."""
        self._stop_tracking()
        self.workspace = None
        if self.dock is not None:
            with contextlib.suppress(RuntimeError):
                self.dock.clear_workspace()
        if self.audit_dock is not None:
            with contextlib.suppress(RuntimeError):
                self.audit_dock.set_workspace(None)

    # ------------------------------------------------------------ the workspace dock

    def open_dock(self, workspace: Workspace):
        """Show the workspace dock (created once, through iface.addDockWidget) for ``workspace``."""
        from qgis.PyQt.QtCore import Qt

        from .dock import GridDock

        if self.dock is None:
            self.dock = GridDock(self.iface, self.iface.mainWindow())
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            self.docks.append(self.dock)
            self._add_panels(self.dock)
            self.dock.open_shared_requested.connect(self.choose_pg_workspace)
        self.dock.set_workspace(workspace)
        if "changes" in self.dock.panels:
            self.dock.panels["changes"].set_tracker(self.tracker)
        self.dock.show()
        self.dock.raise_()
        return self.dock

    def _add_panels(self, dock) -> None:
        """The dock's other pages: staff register and the county's size rules."""
        from .rules_panel import RulesPanel
        from .staff_panel import StaffPanel

        staff = dock.add_panel("staff", StaffPanel(self.iface.mapCanvas(), None, dock), tr("Staff"))
        staff.message.connect(lambda text, level: self.message(text, Qgis.MessageLevel(level)))
        dock.add_panel("rules", RulesPanel(None, dock), tr("Size rules"))
        from .changes_panel import ChangesPanel

        dock.add_panel("changes", ChangesPanel(None, dock), tr("Changes to file"))
        from .jobs_panel import JobsPanel

        dock.add_panel("jobs", JobsPanel(self.iface, dock, dock), tr("Jobs"))
        from .change_requests import ChangeRequestsPanel

        dock.add_panel("change_requests", ChangeRequestsPanel(self.iface, dock, dock), tr("Change requests"))

    @slot_guard
    def show_compliance(self) -> None:
        """Style level 3 grids by the standard's size and staffing rules (a copy; the grids are untouched)."""
        if self.workspace is None:
            self.message(tr("Open or create a grid workspace first."), Qgis.MessageLevel.Warning)
            return
        from ..adapters.thematic import show_compliance

        show_compliance(self.workspace, QgsProject.instance())

    @slot_guard
    def allocate_codes(self) -> None:
        """Preview the codes the workspace's rule gives grids without one; write them (with the change log and
        the registry) in one transaction of the file."""
        if self.workspace is None:
            self.message(tr("Open or create a grid workspace first."), Qgis.MessageLevel.Warning)
            return
        jobs = self.dock.panels.get("jobs") if self.dock is not None else None
        if jobs is not None and jobs.workspace is self.workspace:
            jobs.allocate_codes()  # preview, apply, then the confirmation of what changed
            return
        from .allocation_preview import preview_and_apply

        preview_and_apply(self.workspace, self.iface.mainWindow())

    @slot_guard
    def attach_households(self) -> None:
        """Attach household counts from a layer of the project (the algorithm's rules, one transaction)."""
        if self.workspace is None:
            self.message(tr("Open or create a grid workspace first."), Qgis.MessageLevel.Warning)
            return
        from .households_dialog import AttachHouseholdsDialog

        AttachHouseholdsDialog(self.workspace, self.iface.mainWindow()).exec()

    def open_audit_dock(self):
        """The audit dock (created once, through iface.addDockWidget), for the open workspace."""
        from qgis.PyQt.QtCore import Qt

        from .audit_dock import AuditDock

        if self.audit_dock is None:
            self.audit_dock = AuditDock(self.iface, self.iface.mainWindow())
            self.iface.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.audit_dock)
            self.docks.append(self.audit_dock)
        if self.workspace is not None:
            self.audit_dock.set_workspace(self.workspace)
        self.audit_dock.show()
        self.audit_dock.raise_()
        return self.audit_dock

    @slot_guard
    def show_audit_dock(self) -> None:
        if self.workspace is None:
            self.message(tr("Open or create a grid workspace first."), Qgis.MessageLevel.Warning)
            return
        self.open_audit_dock()

    @slot_guard
    def show_dock(self) -> None:
        if self.workspace is None:
            self.message(tr("Open or create a grid workspace first."), Qgis.MessageLevel.Warning)
            return
        self.open_dock(self.workspace)

    @slot_guard
    def import_boundaries(self) -> None:
        """The import dialog into the open workspace, or the Processing algorithm for a workspace file."""
        if self.dock is not None and self.workspace is not None:
            self.dock.open_import()
            return
        import processing

        processing.execAlgorithmDialog(f"{PROVIDER_ID}:import_grid_boundaries", {})
