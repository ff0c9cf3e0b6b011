"""Snapping of the map tools to parent and sibling grid boundaries, through the project's snapping config.

While a Community Grids tool is active, the project's snapping configuration is switched to the
grid layers the tool works on (vertices and segments, a few pixels) and handed to the canvas's
``QgsSnappingUtils``; the previous configuration is restored when the tool is put away. A user who
prefers to manage snapping alone turns this off in the settings (``CommunityGrids/manage_snapping``).
"""

from __future__ import annotations

from qgis.core import QgsProject, QgsSettings, QgsSnappingConfig

from .tool_compat import SNAP_ADVANCED, UNIT_PIXELS, vertex_and_segment

SETTING_MANAGE_SNAPPING = "CommunityGrids/manage_snapping"
DEFAULT_TOLERANCE_PX = 12.0


def manage_snapping() -> bool:
    return QgsSettings().value(SETTING_MANAGE_SNAPPING, True, type=bool)


def forget_point_locators(canvases) -> None:
    """Drop the snapping indexes of ``canvases`` before layers are deleted.

    ``QgsSnappingUtils`` keys its point locators by the layer's address and never drops one when its layer
    is deleted (QGIS 3.22). A layer created later at the same address then gets the old layer's index:
    snapping hits vertices that are no longer there and misses the new layer's. Dropping every locator when
    layers leave the project is cheap (the next snap indexes what it needs again)."""
    for canvas in canvases:
        if canvas is not None:
            canvas.snappingUtils().clearAllLocators()


class SnappingScope:
    """Snapping to ``layers`` while entered; the project's previous config comes back on exit."""

    def __init__(self, canvas, layers, tolerance_px: float = DEFAULT_TOLERANCE_PX, project=None):
        self.canvas = canvas
        self.layers = [layer for layer in layers if layer is not None]
        self.tolerance_px = tolerance_px
        self.project = project or QgsProject.instance()
        self.previous: QgsSnappingConfig | None = None

    def config(self) -> QgsSnappingConfig:
        config = QgsSnappingConfig(self.project.snappingConfig())
        config.setProject(self.project)
        config.setEnabled(True)
        config.setMode(SNAP_ADVANCED)
        config.setIntersectionSnapping(True)
        for layer in self.layers:
            settings = QgsSnappingConfig.IndividualLayerSettings(
                True, vertex_and_segment(), self.tolerance_px, UNIT_PIXELS, 0.0, 0.0
            )
            config.setIndividualLayerSettings(layer, settings)
        return config

    def enter(self) -> None:
        if not manage_snapping():
            self.canvas.snappingUtils().setConfig(self.project.snappingConfig())
            return
        if self.previous is None:
            self.previous = QgsSnappingConfig(self.project.snappingConfig())
        config = self.config()
        self.project.setSnappingConfig(config)
        self.canvas.snappingUtils().setConfig(config)

    def exit(self) -> None:
        if self.previous is None:
            return
        self.project.setSnappingConfig(self.previous)
        self.canvas.snappingUtils().setConfig(self.previous)
        self.previous = None

    def __enter__(self):
        self.enter()
        return self

    def __exit__(self, *exc):
        self.exit()
        return False
