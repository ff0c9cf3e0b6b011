"""The workspace dock: the grid tree, search, the active parent, the drawing tools, basemaps and import.

Selecting a node zooms to it and selects its features; "Work inside" makes it the active parent
the map tools draw, split and fill in; the context menu adds, renames and retires grids (undoable
edits). The tree follows every edit (and undo) of the grid layers.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from qgis.core import Qgis, QgsCoordinateTransform, QgsProject, QgsRectangle
from qgis.gui import QgsDockWidget, QgsRubberBand
from qgis.PyQt.QtCore import QDate, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QColor, QIcon
from qgis.PyQt.QtWidgets import (
    QAction,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QMenu,
    QTabWidget,
    QWidget,
)

from ..adapters import basemaps
from ..adapters.editing import COUNTY, GRID, TOWNSHIP, EditFailure, GridRef, level_name
from ..adapters.tool_compat import POLYGON_GEOMETRY
from ..core import schema
from ..i18n import tr
from . import map_tools
from .forms import load_form
from .grid_tree import REF_ROLE, GridFilterProxy, GridTreeModel, read_tree
from .live_audit import LiveAudit
from .session import EditSession, forms_enabled, slot_guard

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
DOCK_OBJECT_NAME = "CommunityGridsDock"
DOCK_FORM = load_form("grid_dock")  # ui/grid_dock.ui

# (key, icon): the map tools of the dock, in the order of their actions in ui/grid_dock.ui
# (community_grids_tool_<key>, which carry the names and tool tips)
TOOLS = (
    ("draw", "draw_grid"),
    ("subdivide", "subdivide"),
    ("merge", "merge"),
    ("fill_gap", "fill_gap"),
    ("move_boundary", "move_boundary"),
    ("dedicated", "dedicated"),
)


def icon(name: str) -> QIcon:
    return QIcon(str(ICONS / f"{name}.svg"))


class GridDock(QgsDockWidget):
    open_shared_requested = pyqtSignal()  # "Open shared workspace (PostGIS)…": the plugin shows its dialog

    def __init__(self, iface, parent=None):
        super().__init__(tr("Community Grids"), parent)
        self.setObjectName(DOCK_OBJECT_NAME)
        self.iface = iface
        self.session: EditSession | None = None
        self.tools: dict[str, map_tools.GridMapTool] = {}
        self.tool_actions: dict[str, QAction] = {}
        self._connected_layers: list = []
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(200)
        self._refresh_timer.timeout.connect(self._refresh_guarded)
        self._build()
        self.parent_band = QgsRubberBand(self.canvas(), POLYGON_GEOMETRY)
        self.parent_band.setStrokeColor(QColor(0, 150, 255, 220))
        self.parent_band.setFillColor(QColor(0, 150, 255, 0))
        self.parent_band.setWidth(3)
        self.canvas().mapToolSet.connect(self._tool_changed)

    # ------------------------------------------------------------ layout

    def canvas(self):
        return self.iface.mapCanvas()

    def _build(self) -> None:
        """The tabs, the "Grids" page and its actions come from ui/grid_dock.ui (Qt Designer); here only what
        Designer cannot say: icons, the basemap button's place and menu, the tree's model, the connections."""
        self.tabs = QTabWidget(self)
        self.ui = DOCK_FORM()
        self.ui.setupUi(self.tabs)  # object name CommunityGridsDockTabs
        ui = self.ui
        self.tools_toolbar, self.toolbar = ui.CommunityGridsDockToolbar, ui.CommunityGridsDockToolbar2
        for key, icon_name in TOOLS:
            action = getattr(ui, f"community_grids_tool_{key}")
            action.setIcon(icon(icon_name))
            action.triggered.connect(
                lambda checked, k=key: self.activate_tool(k) if checked else self.deactivate_tools()
            )
            self.tool_actions[key] = action
        self.fill_all_action, self.import_action = ui.fill_all_gaps, ui.import_boundaries
        self.fill_all_action.setIcon(icon("fill_gap"))
        self.fill_all_action.triggered.connect(self._fill_all)
        self.import_action.setIcon(icon("import_boundaries"))
        self.import_action.triggered.connect(self.open_import)
        self.basemap_button = ui.basemap_button
        self.basemap_button.setIcon(icon("basemap"))
        self.basemap_menu = QMenu(self.basemap_button)
        for action, kind in (
            (ui.basemap_tianditu_vector, "tianditu_vector"),
            (ui.basemap_tianditu_imagery, "tianditu_imagery"),
            (ui.basemap_osm, "osm"),
            (ui.basemap_local, "local"),
        ):
            action.triggered.connect(lambda _checked=False, k=kind: self.add_basemap(k))
            self.basemap_menu.addAction(action)
        self.basemap_menu.addSeparator()
        ui.tianditu_key.triggered.connect(lambda _checked=False: self.edit_tianditu_key())
        self.basemap_menu.addAction(ui.tianditu_key)
        self.basemap_button.setMenu(self.basemap_menu)
        self.toolbar.insertWidget(self.import_action, self.basemap_button)
        # the shared (PostGIS) workspace: the plugin shows its dialog; the role label says who edits
        self.shared_action = ui.community_grids_open_shared
        self.shared_action.setIcon(icon("workspace_open"))
        self.shared_action.triggered.connect(lambda *_: self.open_shared_requested.emit())
        self.role_label = ui.role_label

        self.parent_label = ui.parent_label
        self.work_inside_button = ui.work_inside_button
        self.work_inside_button.setIcon(icon("work_inside"))
        self.work_inside_button.clicked.connect(self.work_inside_selected)
        self.neighbour_check = ui.neighbour_check
        self.neighbour_check.toggled.connect(self._neighbour_toggled)
        self.search = ui.search
        self.search.textChanged.connect(self._search_changed)

        self.model = GridTreeModel(self)
        self.proxy = GridFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = ui.grid_tree
        self.view.setModel(self.proxy)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda _index: self.work_inside_selected())
        header = self.view.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.live_check, self.live_label, self.live_list = ui.live_check, ui.live_label, ui.live_findings
        self.live_check.toggled.connect(self._live_toggled)
        self.live_list.hide()
        self.live = None
        self.panels: dict[str, QWidget] = {}
        self.setWidget(self.tabs)
        self._update_parent_label()

    def add_panel(self, key: str, widget: QWidget, title: str) -> QWidget:
        """Another page of the dock (staff, size rules, changes…); it gets ``set_workspace`` with the dock's."""
        self.panels[key] = widget
        self.tabs.addTab(widget, title)
        if self.session is not None and hasattr(widget, "set_workspace"):
            widget.set_workspace(self.session.workspace)
        return widget

    # ------------------------------------------------------------ workspace

    def set_workspace(self, workspace) -> None:
        self.deactivate_tools()
        self._disconnect_layers()
        for tool in self.tools.values():
            tool.deleteLater()
        self.tools.clear()
        self.session = EditSession(self.iface, workspace, self)
        self._stop_live()
        self.live = LiveAudit(self.canvas(), workspace, self)
        self.live.enabled = self.live_check.isChecked()
        self.live.checked.connect(self._live_checked)
        self.session.active_parent_changed.connect(self._parent_changed)
        self.session.edited.connect(self.schedule_refresh)
        for level in (1, 2, 3, schema.LEVEL_DEDICATED):
            layer = workspace.grid_layer(level)
            for signal in (
                layer.featureAdded,
                layer.featuresDeleted,
                layer.attributeValueChanged,
                layer.afterRollBack,
                layer.afterCommitChanges,
            ):
                signal.connect(self.schedule_refresh)
            self._connected_layers.append(layer)
        self.setWindowTitle(tr("Community Grids — {county}").format(county=workspace.info.county_name))
        self._show_role(getattr(workspace, "role", None))
        for panel in self.panels.values():
            if hasattr(panel, "set_workspace"):
                panel.set_workspace(workspace)
        self.refresh()
        self._update_parent_label()

    def clear_workspace(self) -> None:
        """Forget the workspace (its project was closed): tools put away, tree and pages emptied."""
        self.deactivate_tools()
        self._refresh_timer.stop()
        self._disconnect_layers()
        for tool in self.tools.values():
            with contextlib.suppress(RuntimeError):
                tool.reset()
            tool.deleteLater()
        self.tools.clear()
        if self.session is not None:
            self.session.deleteLater()
            self.session = None
        self._stop_live()
        self.model.removeRows(0, self.model.rowCount())
        self.model.root = None
        for panel in self.panels.values():
            if hasattr(panel, "set_workspace"):
                with contextlib.suppress(RuntimeError):
                    panel.set_workspace(None)
        self.setWindowTitle(tr("Community Grids"))
        self._show_role(None)
        self._update_parent_label()

    def _show_role(self, role) -> None:
        """A shared workspace: which role the planner is (the county, or which township)."""
        self.role_label.setText(role.describe() if role is not None else "")
        self.role_label.setVisible(role is not None)

    def _disconnect_layers(self) -> None:
        for layer in self._connected_layers:
            for signal in (
                layer.featureAdded,
                layer.featuresDeleted,
                layer.attributeValueChanged,
                layer.afterRollBack,
                layer.afterCommitChanges,
            ):
                with contextlib.suppress(TypeError, RuntimeError):
                    signal.disconnect(self.schedule_refresh)
        self._connected_layers = []

    @slot_guard
    def schedule_refresh(self, *args) -> None:
        self._refresh_timer.start()

    def _refresh_guarded(self) -> None:
        try:
            self.refresh()
        except Exception as error:  # noqa: BLE001 — called from a Qt timer
            if self.session is not None:
                self.session.report_exception(error)

    def refresh(self) -> None:
        """Rebuild the tree from the layers (edit buffers included), keeping expansion and selection."""
        if self.session is None:
            return
        selected = self.selected_ref()
        expanded = self._expanded_keys()
        self.model.set_tree(read_tree(self.session.workspace))
        self.view.expand(self.proxy.index(0, 0))
        root = self.proxy.index(0, 0)
        for row in range(self.proxy.rowCount(root)):
            self.view.expand(self.proxy.index(row, 0, root))
        self._restore_expanded(expanded)
        if self.search.text():
            self.view.expandAll()
        if selected is not None:
            self.select_ref(selected, zoom=False)

    @staticmethod
    def _key(ref: GridRef) -> tuple:
        return (ref.kind, ref.level, ref.fid, ref.code)

    def _expanded_keys(self) -> set:
        keys = set()
        stack = [self.proxy.index(r, 0) for r in range(self.proxy.rowCount())]
        while stack:
            index = stack.pop()
            if self.view.isExpanded(index):
                ref = index.data(REF_ROLE)
                if ref is not None:
                    keys.add(self._key(ref))
            stack.extend(self.proxy.index(r, 0, index) for r in range(self.proxy.rowCount(index)))
        return keys

    def _restore_expanded(self, keys: set) -> None:
        stack = [self.proxy.index(r, 0) for r in range(self.proxy.rowCount())]
        while stack:
            index = stack.pop()
            ref = index.data(REF_ROLE)
            if ref is not None and self._key(ref) in keys:
                self.view.expand(index)
            stack.extend(self.proxy.index(r, 0, index) for r in range(self.proxy.rowCount(index)))

    # ------------------------------------------------------------ selection, search, zoom

    @slot_guard
    def _search_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        if text:
            self.view.expandAll()

    def selected_ref(self) -> GridRef | None:
        indexes = self.view.selectionModel().selectedRows(0) if self.view.selectionModel() else []
        return indexes[0].data(REF_ROLE) if indexes else None

    @slot_guard
    def select_ref(self, ref: GridRef, zoom: bool = True) -> bool:
        """Select the node of ``ref`` in the tree (and, through the selection, zoom to it)."""
        source = self.model.index_of(lambda r: self._key(r) == self._key(ref))
        if source is None and ref.kind == GRID:
            source = self.model.index_of(lambda r: r.kind == GRID and r.level == ref.level and r.fid == ref.fid)
        if source is None:
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            return False
        self._zoom_on_select = zoom
        try:
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)
        finally:
            self._zoom_on_select = True
        return True

    def _selection_changed(self, *args) -> None:
        try:
            ref = self.selected_ref()
            if ref is not None and getattr(self, "_zoom_on_select", True):
                self.zoom_to(ref)
        except Exception as error:  # noqa: BLE001 — Qt slot
            if self.session is not None:
                self.session.report_exception(error)

    def _node_fids(self, ref: GridRef) -> dict:
        """{level: [fids]} of the features a node stands for (a township: its villages)."""
        if ref.kind == GRID:
            return {ref.level: [ref.fid]}
        if ref.kind == TOWNSHIP and self.model.root is not None:
            node = self.model.root.find(lambda n: n.ref == ref)
            if node is not None:
                return {1: [c.ref.fid for c in node.children if c.ref.kind == GRID and c.ref.level == 1]}
        return {}

    @slot_guard
    def zoom_to(self, ref: GridRef) -> None:
        if self.session is None:
            return
        workspace = self.session.workspace
        for level in (1, 2, 3, schema.LEVEL_DEDICATED):
            workspace.grid_layer(level).removeSelection()
        extent = QgsRectangle()
        by_level = self._node_fids(ref)
        layer_crs = workspace.grid_layer(1).crs()
        if ref.kind == COUNTY:
            boundary = workspace.layer(schema.COUNTY_BOUNDARY.name)
            extent = QgsRectangle(boundary.extent()) if boundary.featureCount() else workspace.grid_layer(1).extent()
        for level, fids in by_level.items():
            layer = workspace.grid_layer(level)
            layer.selectByIds(fids)
            box = layer.boundingBoxOfSelected()
            if extent.isNull() or extent.isEmpty():
                extent = QgsRectangle(box)
            else:
                extent.combineExtentWith(box)
        if extent.isNull() or extent.isEmpty():
            return
        canvas = self.canvas()
        transform = QgsCoordinateTransform(layer_crs, canvas.mapSettings().destinationCrs(), QgsProject.instance())
        extent = transform.transformBoundingBox(extent)
        extent.scale(1.15)
        canvas.setExtent(extent)
        canvas.refresh()

    # ------------------------------------------------------------ active parent

    @slot_guard
    def work_inside_selected(self) -> None:
        ref = self.selected_ref()
        if self.session is None:
            return
        self.session.set_active_parent(ref)

    @slot_guard
    def _parent_changed(self, ref) -> None:
        self._update_parent_label()
        geometry = None
        try:
            if self.session is not None and ref is not None:
                geometry = self.session.editor.geometry(ref)
        except EditFailure:
            geometry = None
        map_tools.polygon_to_band(self.parent_band, geometry, self.session.editor.layer(1) if self.session else None)
        # tools snap to the layers of the new level
        tool = self.canvas().mapTool()
        if tool in self.tools.values():
            tool.deactivate()
            tool.activate()

    def _update_parent_label(self) -> None:
        if self.session is None:
            self.parent_label.setText(tr("Open a grid workspace to start."))
            return
        self.parent_label.setText(
            tr("Working inside: <b>{parent}</b> — tools draw {level} grids.").format(
                parent=self.session.parent_label, level=level_name(self.session.active_level)
            )
        )

    # ------------------------------------------------------------ tools

    def tool(self, key: str) -> map_tools.GridMapTool:
        if key not in self.tools:
            tool = map_tools.TOOL_CLASSES[key](self.canvas(), self.session)
            tool.setAction(self.tool_actions[key])
            if key == "fill_gap":
                tool.to_neighbour = self.neighbour_check.isChecked()
            self.tools[key] = tool
        return self.tools[key]

    @slot_guard
    def activate_tool(self, key: str):
        if self.session is None:
            self.iface.messageBar().pushMessage(
                tr("Community Grids"), tr("Open a grid workspace first."), Qgis.MessageLevel.Warning, 5
            )
            self.tool_actions[key].setChecked(False)
            return None
        tool = self.tool(key)
        self.tool_actions[key].setChecked(True)
        self.canvas().setMapTool(tool)
        return tool

    @slot_guard
    def deactivate_tools(self) -> None:
        canvas = self.canvas()
        if canvas is not None and canvas.mapTool() in self.tools.values():
            canvas.unsetMapTool(canvas.mapTool())
        for action in self.tool_actions.values():
            action.setChecked(False)

    @slot_guard
    def _tool_changed(self, new_tool, old_tool=None) -> None:
        if new_tool not in self.tools.values():
            for action in self.tool_actions.values():
                action.setChecked(False)

    @slot_guard
    def _neighbour_toggled(self, checked: bool) -> None:
        if "fill_gap" in self.tools:
            self.tools["fill_gap"].to_neighbour = checked

    @slot_guard
    def _fill_all(self) -> None:
        if self.session is None:
            return
        try:
            fids = self.session.editor.fill_all_gaps(
                self.session.active_parent, self.session.active_level, self.neighbour_check.isChecked()
            )
        except EditFailure as error:
            self.session.report(str(error))
            return
        except Exception as error:  # noqa: BLE001
            self.session.report_exception(error)
            return
        self.session.report(tr("Filled {count} gaps.").format(count=len(fids)), Qgis.MessageLevel.Success, 4)
        self.session.changed()

    # ------------------------------------------------------------ tree edits

    @slot_guard
    def _context_menu(self, position) -> None:
        index = self.view.indexAt(position)
        ref = index.data(REF_ROLE) if index.isValid() else None
        if ref is None or self.session is None:
            return
        menu = QMenu(self.view)
        menu.addAction(icon("work_inside"), tr("Work inside"), lambda: self.session.set_active_parent(ref))
        if ref.kind != GRID or ref.level in (1, 2):
            menu.addAction(icon("draw_grid"), tr("Add a grid inside…"), lambda: self.add_grid_inside(ref))
        if ref.kind == GRID and ref.level == 1:
            menu.addAction(icon("dedicated"), tr("Add a dedicated grid…"), lambda: self.add_grid_inside(ref, True))
        if ref.kind == GRID:
            menu.addSeparator()
            menu.addAction(tr("Rename…"), lambda: self.rename(ref))
            menu.addAction(tr("Retire…"), lambda: self.retire(ref))
        menu.exec(self.view.viewport().mapToGlobal(position))

    @slot_guard
    def add_grid_inside(self, ref: GridRef, dedicated: bool = False):
        """Make ``ref`` the active parent and take up the draw (or dedicated grid) tool."""
        self.session.set_active_parent(ref)
        return self.activate_tool("dedicated" if dedicated else "draw")

    @slot_guard
    def rename(self, ref: GridRef, name: str | None = None) -> bool:
        try:
            if name is None:
                if not forms_enabled():
                    return False
                name, ok = QInputDialog.getText(
                    self, tr("Rename grid"), tr("New name of {grid}:").format(grid=ref.label), text=ref.name or ""
                )
                if not ok:
                    return False
            self.session.editor.rename(ref, name)
        except EditFailure as error:
            self.session.report(str(error))
            return False
        self.session.changed()
        return True

    @slot_guard
    def retire(self, ref: GridRef, when: QDate | None = None) -> bool:
        try:
            if when is None and forms_enabled():
                from .dialogs import RetireDialog

                dialog = RetireDialog(ref.label, self)
                if not dialog.exec():
                    return False
                when = dialog.date()
            self.session.editor.retire(ref, when)
        except EditFailure as error:
            self.session.report(str(error))
            return False
        self.session.report(tr("{grid} was retired.").format(grid=ref.label), Qgis.MessageLevel.Success, 4)
        self.session.changed()
        return True

    # ------------------------------------------------------------ the live audit

    def _stop_live(self) -> None:
        if self.live is not None:
            self.live.cleanup()
            self.live.deleteLater()
            self.live = None
        self.live_label.clear()
        self.live_list.clear()
        self.live_list.hide()

    @slot_guard
    def _live_toggled(self, checked: bool) -> None:
        if self.live is not None:
            self.live.enabled = checked
            if not checked:
                self.live.clear()
                self.live_label.clear()
                self.live_list.clear()
                self.live_list.hide()

    @slot_guard
    def _live_checked(self, results) -> None:
        from ..adapters.messages import finding_message

        findings = [f for r in results for f in r.findings]
        grids = sum(r.grids_checked for r in results)
        ms = 1000.0 * sum(r.seconds for r in results)
        self.live_list.clear()
        if not results:
            self.live_label.clear()
            self.live_list.hide()
            return
        if findings:
            errors = sum(1 for f in findings if f.severity.value == "error")
            self.live_label.setText(
                tr("Live check: {n} problems ({errors} errors) around the edit ({grids} grids, {ms:.0f} ms).").format(
                    n=len(findings), errors=errors, grids=grids, ms=ms
                )
            )
            self.live_label.setStyleSheet("color: #b00020;" if errors else "color: #a65e00;")
            for finding in findings:
                self.live_list.addItem(finding_message(finding))
            self.live_list.show()
        else:
            self.live_label.setText(
                tr("Live check: no problem around the edit ({grids} grids, {ms:.0f} ms).").format(grids=grids, ms=ms)
            )
            self.live_label.setStyleSheet("color: #1b7f2a;")
            self.live_list.hide()

    # ------------------------------------------------------------ basemaps and import

    @slot_guard
    def add_basemap(self, kind: str, path: str | None = None) -> list:
        try:
            if kind == "tianditu_vector":
                return basemaps.add_tianditu("vector")
            if kind == "tianditu_imagery":
                return basemaps.add_tianditu("imagery")
            if kind == "osm":
                return basemaps.add_osm()
            if kind == "local":
                if path is None:
                    path, _ = QFileDialog.getOpenFileName(self, tr("Local basemap"), "", tr(basemaps.LOCAL_FILTER))
                    if not path:
                        return []
                return basemaps.add_local(path)
        except basemaps.BasemapError as error:
            self._report(str(error), Qgis.MessageLevel.Warning)
            return []
        except Exception as error:  # noqa: BLE001
            if self.session is not None:
                self.session.report_exception(error)
            return []
        return []

    @slot_guard
    def edit_tianditu_key(self) -> None:
        from .dialogs import TiandituKeyDialog

        dialog = TiandituKeyDialog(basemaps.tianditu_key(), basemaps.tianditu_referer(), self)
        if dialog.exec():
            key, referer = dialog.values()
            basemaps.set_tianditu(key, referer)

    @slot_guard
    def open_import(self) -> None:
        if self.session is None:
            return
        from .import_dialog import ImportDialog

        dialog = ImportDialog(self.iface, self.session, self)
        dialog.exec()

    def _report(self, text: str, level) -> None:
        if self.session is not None:
            self.session.report(text, level)
        else:
            self.iface.messageBar().pushMessage(tr("Community Grids"), text, level, 8)

    # ------------------------------------------------------------ teardown

    def cleanup(self) -> None:
        """Put the tools away and disconnect from the layers (plugin unload)."""
        for panel in self.panels.values():
            if hasattr(panel, "set_workspace"):
                with contextlib.suppress(RuntimeError):
                    panel.set_workspace(None)
        self.deactivate_tools()
        self._refresh_timer.stop()
        self._disconnect_layers()
        with contextlib.suppress(TypeError, RuntimeError):
            self.canvas().mapToolSet.disconnect(self._tool_changed)
        self.parent_band.reset(POLYGON_GEOMETRY)
        canvas = self.canvas()
        if canvas is not None and canvas.scene() is not None:
            canvas.scene().removeItem(self.parent_band)
        for tool in self.tools.values():
            tool.reset()
        self.tools.clear()
        self._stop_live()
